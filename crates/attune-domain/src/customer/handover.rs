//! Who gets an account's open cases when its owner changes (or the owner is disabled).

use super::HandoverRule;

/// The new owner of each of `cases` (ids of the account's open cases that the previous owner
/// held, oldest first) under `rule`. `team` is the account's team (user ids, in a fixed
/// order); round-robin deals the cases to the new owner and the team in turn, never to the
/// previous owner, and falls back to the new owner alone when nobody else is left.
pub fn assignments(
    rule: HandoverRule,
    cases: &[String],
    previous: Option<&str>,
    new_owner: Option<&str>,
    team: &[String],
) -> Vec<(String, String)> {
    let Some(new_owner) = new_owner else {
        return Vec::new();
    };
    match rule {
        HandoverRule::Stay => Vec::new(),
        HandoverRule::Move => cases
            .iter()
            .map(|c| (c.clone(), new_owner.to_owned()))
            .collect(),
        HandoverRule::RoundRobin => {
            let mut dealers: Vec<&str> = vec![new_owner];
            for u in team {
                if Some(u.as_str()) != previous && !dealers.contains(&u.as_str()) {
                    dealers.push(u);
                }
            }
            cases
                .iter()
                .enumerate()
                .map(|(i, c)| (c.clone(), dealers[i % dealers.len()].to_owned()))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("c{i}")).collect()
    }

    #[test]
    fn move_gives_every_case_to_the_new_owner() {
        let a = assignments(HandoverRule::Move, &ids(2), Some("old"), Some("new"), &[]);
        assert_eq!(
            a,
            [("c0".into(), "new".into()), ("c1".into(), "new".into())]
        );
    }

    #[test]
    fn stay_and_no_new_owner_move_nothing() {
        assert!(assignments(HandoverRule::Stay, &ids(3), Some("old"), Some("new"), &[]).is_empty());
        assert!(assignments(HandoverRule::Move, &ids(3), Some("old"), None, &[]).is_empty());
    }

    #[test]
    fn round_robin_deals_round_the_team_but_not_to_the_previous_owner() {
        let team = vec![
            "old".to_owned(),
            "t1".to_owned(),
            "new".to_owned(),
            "t2".to_owned(),
        ];
        let a = assignments(
            HandoverRule::RoundRobin,
            &ids(5),
            Some("old"),
            Some("new"),
            &team,
        );
        let owners: Vec<&str> = a.iter().map(|(_, o)| o.as_str()).collect();
        assert_eq!(owners, ["new", "t1", "t2", "new", "t1"]);
        let alone = assignments(
            HandoverRule::RoundRobin,
            &ids(2),
            Some("old"),
            Some("new"),
            &["old".into()],
        );
        assert!(alone.iter().all(|(_, o)| o == "new"));
    }
}
