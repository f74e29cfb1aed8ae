//! Any bytes given to the customer importer as a CRM export (accounts and people files, every
//! layout): it must answer with rows to store or problems with a line, never panic. Run:
//! `cargo fuzz run import_customers` from the repository root.
#![no_main]

use attune_app::import::customers::{Layout, Options, Target, check};
use attune_app::import::read_table;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(table) = read_table(text, None) else {
        return;
    };
    for target in [Target::Accounts, Target::People] {
        for layout in [None, Some(Layout::HubSpot), Some(Layout::Salesforce)] {
            let opts = Options {
                layout,
                ..Options::default()
            };
            if let Err(errors) = check(target, &table, &opts, &[]) {
                assert!(!errors.is_empty());
                assert!(errors.iter().all(|e| e.line >= 1));
            }
        }
    }
});
