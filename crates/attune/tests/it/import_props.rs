//! Property tests of the CSV importers' parsers (the same code the fuzz targets in `fuzz/`
//! drive): arbitrary input never panics, and every error names a line in the file.

use std::collections::HashMap;

use attune_domain::survey::{SurveyDefinition, SurveyInput};
use attune_storage::model::Survey;
use proptest::prelude::*;

fn survey() -> Survey {
    let input: SurveyInput = serde_json::from_value(serde_json::json!({
    "name": "Props", "questions": [
        {"key": "nps", "type": "nps", "text": {"en": "?"}},
        {"key": "why", "type": "text", "text": {"en": "Why?"}}
    ]}))
    .unwrap();
    Survey {
        id: "s".into(),
        org_id: "o".into(),
        created_at_ms: 0,
        definition: SurveyDefinition::parse(input).unwrap(),
        access: Default::default(),
    }
}

fn parse(
    data: &[u8],
) -> Result<Vec<attune_domain::response::NewResponse>, Vec<attune::import::RowError>> {
    attune::import::parse_csv(
        &survey(),
        data,
        &HashMap::new(),
        crate::helpers::NOW_MS,
        &mut |_| {},
    )
    .expect("reading from memory cannot fail")
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        let lines = data.iter().filter(|b| **b == b'\n').count() as u64 + 2;
        if let Err(errors) = parse(&data) {
            prop_assert!(!errors.is_empty());
            for e in errors {
                prop_assert!(e.line >= 1 && e.line <= lines, "line {} of a {}-line input", e.line, lines);
            }
        }
    }

    #[test]
    fn valid_rows_round_trip(rows in proptest::collection::vec((0i64..=10, "[a-zA-Z ਗਾਹਕ ລາຄາ]{0,20}"), 1..30)) {
        let mut csv = String::from("nps,why\n");
        for (score, why) in &rows {
            csv.push_str(&format!("{score},\"{why}\"\n"));
        }
        let parsed = parse(csv.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(parsed.len(), rows.len());
        for (r, (score, why)) in parsed.iter().zip(&rows) {
            prop_assert_eq!(&r.answers["nps"], &attune_domain::response::Answer::Score(*score));
            let expected = why.trim();
            match r.answers.get("why") {
                Some(attune_domain::response::Answer::Text(t)) => prop_assert_eq!(t.as_str(), expected),
                None => prop_assert!(expected.is_empty()),
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }

    #[test]
    fn out_of_range_scores_are_reported_on_their_line(bad in 11i64..1000, at in 0usize..5) {
        let mut csv = String::from("nps\n");
        for i in 0..5 {
            csv.push_str(&format!("{}\n", if i == at { bad } else { 5 }));
        }
        let errors = parse(csv.as_bytes()).err().unwrap_or_default();
        prop_assert_eq!(errors.len(), 1);
        prop_assert_eq!(errors[0].line, at as u64 + 2);
        prop_assert_eq!(errors[0].column.as_deref(), Some("nps"));
    }
}

fn check_customers(
    target: attune_app::import::customers::Target,
    text: &str,
) -> Option<Result<attune_app::import::customers::Checked, Vec<attune::import::RowError>>> {
    let table = attune_app::import::read_table(text, None).ok()?;
    Some(attune_app::import::customers::check(
        target,
        &table,
        &Default::default(),
        &[],
    ))
}

proptest! {
    #[test]
    fn arbitrary_customer_files_never_panic(
        head in "(Record ID|Id|AccountId|Email|Company name|Name|Roles|StartDate|Associated Company IDs|x)(,(Email|Name|Website|ParentId|Number of Employees|Create Date|Roles|EndDate|y)){0,4}",
        body in "[a-z0-9@.;/:\\- ,\n]{0,200}",
    ) {
        use attune_app::import::customers::Target;
        let text = format!("{head}\n{body}");
        let lines = text.matches('\n').count() as u64 + 2;
        for target in [Target::Accounts, Target::People] {
            if let Some(Err(errors)) = check_customers(target, &text) {
                prop_assert!(!errors.is_empty());
                for e in errors {
                    prop_assert!(e.line >= 1 && e.line <= lines, "line {} of {}", e.line, lines);
                }
            }
        }
    }

    #[test]
    fn a_contact_gets_one_membership_per_company_named(
        companies in proptest::collection::vec(proptest::collection::vec(1u32..20, 0..5), 1..20),
    ) {
        use attune_app::import::customers::Target;
        let mut csv = String::from("Record ID,Email,Associated Company IDs\n");
        for (i, ids) in companies.iter().enumerate() {
            let ids: Vec<String> = ids.iter().map(u32::to_string).collect();
            csv.push_str(&format!("{i},p{i}@x.example,{}\n", ids.join(";")));
        }
        let checked = check_customers(Target::People, &csv).unwrap().map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(checked.batch.people.len(), companies.len());
        for (p, ids) in checked.batch.people.iter().zip(&companies) {
            prop_assert_eq!(p.memberships.len(), ids.len());
        }
    }
}
