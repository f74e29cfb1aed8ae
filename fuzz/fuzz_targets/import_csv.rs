//! Any bytes given to the responses importer as a CSV file: it must answer with responses or
//! line-numbered errors, never panic. Run: `cargo fuzz run import_csv` from the repository root.
#![no_main]

use std::collections::HashMap;

use attune_domain::survey::{SurveyDefinition, SurveyInput};
use attune_storage::model::Survey;
use libfuzzer_sys::fuzz_target;

fn survey() -> Survey {
    let input: SurveyInput = serde_json::from_value(serde_json::json!({
    "name": "Fuzz", "questions": [
        {"key": "nps", "type": "nps", "text": {"en": "?"}},
        {"key": "why", "type": "text", "text": {"en": "Why?"}},
        {"key": "pick", "type": "multi_choice", "text": {"en": "Which?"}, "choices": ["a", "b"]},
        {"key": "csat", "type": "csat", "text": {"en": "?"}, "scale": {"min": 1, "max": 10}}
    ]}))
    .expect("fixed survey");
    Survey {
        id: "s".into(),
        org_id: "o".into(),
        created_at_ms: 0,
        definition: SurveyDefinition::parse(input).expect("valid survey"),
        access: Default::default(),
    }
}

fuzz_target!(|data: &[u8]| {
    let survey = survey();
    let maps = HashMap::new();
    if let Ok(Err(errors)) =
        attune::import::parse_csv(&survey, data, &maps, 1_795_435_200_000, &mut |_| {})
    {
        assert!(!errors.is_empty());
        assert!(errors.iter().all(|e| e.line >= 1));
    }
});
