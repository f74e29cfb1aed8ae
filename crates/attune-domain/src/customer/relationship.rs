//! How well-threaded a customer relationship is: the single-threaded rule, the relationship
//! map (the customer's people × our staff) and role coverage. Pure: storage hands in the
//! touches of the window, this decides.
//!
//! A *touch* is one customer participant of a non-internal interaction, or a response tied to
//! a person. An account is **single-threaded** when, over the window, fewer than two people
//! on the customer's side were touched, or one person holds more than 70 % of the touches, or
//! every touch with our staff involved one and the same staff member. With no touch at all it
//! is flagged **no contact**. Exactly two people, or exactly 70 %, is not single-threaded.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{MembershipRole, Roles};

/// The default window, in days.
pub const DEFAULT_DAYS: u32 = 90;
/// The share of touches (in per mille) above which one person makes the account
/// single-threaded: 700 = 70 %.
pub const MAX_SHARE_PER_MILLE: u64 = 700;

/// One touch in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touch {
    /// The customer's person touched.
    pub person_id: String,
    /// Our staff in the conversation (empty for a survey response).
    pub staff: Vec<String>,
    /// When (ms since the epoch).
    pub at_ms: i64,
}

/// Why an account is single-threaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ThreadReason {
    /// Fewer than two people on the customer's side were touched.
    FewPeople {
        /// How many were.
        people: usize,
    },
    /// One person holds more than the allowed share of the touches.
    OnePersonHoldsMost {
        /// Who.
        person_id: String,
        /// Their touches.
        touches: usize,
        /// All touches.
        of: usize,
    },
    /// Every touch with our staff involved the same staff member.
    OneStaffMember {
        /// Who.
        user_id: String,
    },
}

/// The verdict, with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum Threading {
    /// No touch at all in the window.
    NoContact,
    /// At least one reason holds.
    SingleThreaded {
        /// Every reason that holds.
        reasons: Vec<ThreadReason>,
        /// People touched.
        people: usize,
        /// Touches.
        touches: usize,
    },
    /// Several people, none dominant, more than one of our staff (or none involved).
    MultiThreaded {
        /// People touched.
        people: usize,
        /// Touches.
        touches: usize,
    },
}

impl Threading {
    /// Whether the account is flagged (single-threaded or no contact).
    pub fn is_flagged(&self) -> bool {
        !matches!(self, Self::MultiThreaded { .. })
    }
}

/// What the rule reads of the window's touches: how many each person has, and every staff
/// member in them. Storage may count these itself rather than hand in every touch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Touches per customer person.
    pub per_person: BTreeMap<String, usize>,
    /// Our staff in any of them.
    pub staff: BTreeSet<String>,
}

impl Tally {
    /// The tally of these touches.
    pub fn of(touches: &[Touch]) -> Self {
        let mut t = Self::default();
        for touch in touches {
            *t.per_person.entry(touch.person_id.clone()).or_default() += 1;
            t.staff.extend(touch.staff.iter().cloned());
        }
        t
    }
}

/// Applies the rule to the touches of the window (the caller keeps only those in it).
pub fn threading(touches: &[Touch]) -> Threading {
    threading_of(&Tally::of(touches))
}

/// Applies the rule to a tally of the window's touches.
pub fn threading_of(tally: &Tally) -> Threading {
    let (per_person, staff) = (&tally.per_person, &tally.staff);
    let n: usize = per_person.values().sum();
    if n == 0 {
        return Threading::NoContact;
    }
    let mut reasons = Vec::new();
    if per_person.len() < 2 {
        reasons.push(ThreadReason::FewPeople {
            people: per_person.len(),
        });
    }
    // The most touched person (the first by id among equals, so the answer is stable).
    let (top, most) =
        per_person.iter().fold(
            ("", 0),
            |(p, m), (q, c)| {
                if *c > m { (q.as_str(), *c) } else { (p, m) }
            },
        );
    if per_person.len() >= 2 && (most as u64) * 1000 > MAX_SHARE_PER_MILLE * n as u64 {
        reasons.push(ThreadReason::OnePersonHoldsMost {
            person_id: top.to_owned(),
            touches: most,
            of: n,
        });
    }
    if let [only] = staff.iter().collect::<Vec<_>>()[..] {
        reasons.push(ThreadReason::OneStaffMember {
            user_id: (*only).to_owned(),
        });
    }
    let people = per_person.len();
    if reasons.is_empty() {
        Threading::MultiThreaded { people, touches: n }
    } else {
        Threading::SingleThreaded {
            reasons,
            people,
            touches: n,
        }
    }
}

/// One person's row of the relationship map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MapRow {
    /// The person.
    pub person_id: String,
    /// Their roles at the account.
    #[serde(serialize_with = "roles_list")]
    pub roles: Roles,
    /// Their last touch of any kind (ms).
    pub last_touch_ms: Option<i64>,
    /// The last touch with each of our staff (user id → ms).
    pub by_staff: BTreeMap<String, i64>,
    /// A gap: a decision maker, executive sponsor or champion nobody touched in the window.
    pub gap: bool,
}

fn roles_list<S: serde::Serializer>(roles: &Roles, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(roles.iter())
}

/// The roles whose people must not go untouched.
const KEY_ROLES: [MembershipRole; 3] = [
    MembershipRole::DecisionMaker,
    MembershipRole::ExecutiveSponsor,
    MembershipRole::Champion,
];

/// The relationship map of the account's current people (with their roles) from the touches of
/// the window, people in the order given.
pub fn relationship_map(people: &[(String, Roles)], touches: &[Touch]) -> Vec<MapRow> {
    people
        .iter()
        .map(|(id, roles)| {
            let mine: Vec<&Touch> = touches.iter().filter(|t| t.person_id == *id).collect();
            let mut by_staff = BTreeMap::new();
            for t in &mine {
                for s in &t.staff {
                    let at = by_staff.entry(s.clone()).or_insert(t.at_ms);
                    *at = (*at).max(t.at_ms);
                }
            }
            let key = KEY_ROLES.iter().any(|r| roles.contains(*r));
            MapRow {
                person_id: id.clone(),
                roles: *roles,
                last_touch_ms: mine.iter().map(|t| t.at_ms).max(),
                by_staff,
                gap: key && mine.is_empty(),
            }
        })
        .collect()
}

/// The roles held by people who answered a survey in the window (`answered` are their ids),
/// and the roles present at the account that did not.
pub fn coverage(people: &[(String, Roles)], answered: &BTreeSet<String>) -> (Roles, Roles) {
    let mut covered = Roles::NONE;
    let mut present = Roles::NONE;
    for (id, roles) in people {
        for r in roles.iter() {
            present = present.with(r);
            if answered.contains(id) {
                covered = covered.with(r);
            }
        }
    }
    let missing = MembershipRole::ALL
        .into_iter()
        .filter(|r| present.contains(*r) && !covered.contains(*r))
        .fold(Roles::NONE, Roles::with);
    (covered, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touches(spec: &[(&str, &[&str])]) -> Vec<Touch> {
        spec.iter()
            .enumerate()
            .map(|(i, (p, staff))| Touch {
                person_id: (*p).into(),
                staff: staff.iter().map(|s| (*s).to_owned()).collect(),
                at_ms: i as i64,
            })
            .collect()
    }

    #[test]
    fn no_touch_is_no_contact() {
        assert_eq!(threading(&[]), Threading::NoContact);
        assert!(Threading::NoContact.is_flagged());
    }

    #[test]
    fn one_person_is_single_threaded() {
        let t = touches(&[("ana", &["u1"]), ("ana", &["u2"])]);
        assert_eq!(
            threading(&t),
            Threading::SingleThreaded {
                reasons: vec![ThreadReason::FewPeople { people: 1 }],
                people: 1,
                touches: 2
            }
        );
    }

    #[test]
    fn exactly_two_people_at_exactly_70_percent_is_not() {
        // 7 of 10 touches is 70 %: not over it. Two staff members.
        let mut spec: Vec<(&str, &[&str])> = vec![("ana", &["u1"]); 7];
        spec.extend(vec![("bo", &["u2"] as &[&str]); 3]);
        assert_eq!(
            threading(&touches(&spec)),
            Threading::MultiThreaded {
                people: 2,
                touches: 10
            }
        );
    }

    #[test]
    fn over_70_percent_is_single_threaded() {
        // 8 of 11 ≈ 72.7 %; 5 of 7 ≈ 71.4 %.
        for (a, b) in [(8, 3), (5, 2)] {
            let mut spec: Vec<(&str, &[&str])> = vec![("ana", &["u1"]); a];
            spec.extend(vec![("bo", &["u2"] as &[&str]); b]);
            assert_eq!(
                threading(&touches(&spec)),
                Threading::SingleThreaded {
                    reasons: vec![ThreadReason::OnePersonHoldsMost {
                        person_id: "ana".into(),
                        touches: a,
                        of: a + b
                    }],
                    people: 2,
                    touches: a + b
                },
                "{a} of {}",
                a + b
            );
        }
    }

    #[test]
    fn one_staff_member_holding_every_relationship_is_single_threaded() {
        // Three people evenly, but only u1 ever talks to them; survey answers involve no staff.
        let t = touches(&[
            ("ana", &["u1"]),
            ("bo", &["u1"]),
            ("cy", &[]),
            ("cy", &["u1"]),
        ]);
        assert_eq!(
            threading(&t),
            Threading::SingleThreaded {
                reasons: vec![ThreadReason::OneStaffMember {
                    user_id: "u1".into()
                }],
                people: 3,
                touches: 4
            }
        );
        // Only survey answers: no staff relationship at all, which is not "one staff member".
        let t = touches(&[("ana", &[]), ("bo", &[])]);
        assert!(!threading(&t).is_flagged());
    }

    #[test]
    fn every_reason_is_listed() {
        let t = touches(&[("ana", &["u1"]), ("ana", &["u1"])]);
        let Threading::SingleThreaded { reasons, .. } = threading(&t) else {
            panic!("flagged");
        };
        assert_eq!(
            reasons,
            [
                ThreadReason::FewPeople { people: 1 },
                ThreadReason::OneStaffMember {
                    user_id: "u1".into()
                }
            ]
        );
    }

    proptest::proptest! {
        /// The verdict depends on the touches, not on their order; a flag from "few people"
        /// holds exactly when fewer than two people were touched; the map's last touches are
        /// the latest of each person's.
        #[test]
        fn the_rule_is_a_function_of_the_set_of_touches(
            spec in proptest::collection::vec((0u8..4, proptest::collection::vec(0u8..3, 0..3)), 0..30),
            seed in 0u64..1000,
        ) {
            let t: Vec<Touch> = spec.iter().enumerate().map(|(i, (p, staff))| Touch {
                person_id: format!("p{p}"),
                staff: staff.iter().map(|s| format!("u{s}")).collect(),
                at_ms: i as i64,
            }).collect();
            let mut shuffled = t.clone();
            let n = shuffled.len().max(1);
            for i in 0..shuffled.len() {
                shuffled.swap(i, (seed as usize + i * 7) % n);
            }
            proptest::prop_assert_eq!(threading(&t), threading(&shuffled));
            let people: BTreeSet<&str> = t.iter().map(|x| x.person_id.as_str()).collect();
            let few = matches!(&threading(&t), Threading::SingleThreaded { reasons, .. }
                if reasons.iter().any(|r| matches!(r, ThreadReason::FewPeople { .. })));
            proptest::prop_assert_eq!(few, people.len() == 1);
            let everyone: Vec<(String, Roles)> =
                (0..4).map(|p| (format!("p{p}"), Roles::NONE)).collect();
            for row in relationship_map(&everyone, &shuffled) {
                let latest = t.iter().filter(|x| x.person_id == row.person_id).map(|x| x.at_ms).max();
                proptest::prop_assert_eq!(row.last_touch_ms, latest);
            }
        }
    }

    #[test]
    fn the_map_shows_last_touches_and_gaps() {
        let dm = Roles::NONE.with(MembershipRole::DecisionMaker);
        let people = vec![
            ("ana".to_owned(), Roles::NONE.with(MembershipRole::User)),
            ("bo".to_owned(), dm),
        ];
        let t = touches(&[("ana", &["u1"]), ("ana", &["u2", "u1"]), ("ana", &[])]);
        let map = relationship_map(&people, &t);
        assert_eq!(map[0].last_touch_ms, Some(2));
        assert_eq!(
            map[0].by_staff,
            BTreeMap::from([("u1".to_owned(), 1), ("u2".to_owned(), 1)])
        );
        assert!(!map[0].gap);
        assert!(map[1].gap, "no one talks to the decision maker");
        let answered = BTreeSet::from(["ana".to_owned()]);
        let (covered, missing) = coverage(&people, &answered);
        assert_eq!(covered, Roles::NONE.with(MembershipRole::User));
        assert_eq!(missing, dm);
    }
}
