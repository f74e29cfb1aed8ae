//! Property tests of the CSV importer's parser (the same code the fuzz target in `fuzz/`
//! drives): arbitrary input never panics, and every error names a line in the file.

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
