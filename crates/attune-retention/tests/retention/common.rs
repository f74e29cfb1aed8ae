//! Shared helpers: fixture and data locations, tolerant comparison, tiny CSV reading.

use std::path::PathBuf;

use serde_json::Value;

/// The shared data folder, `/work/shared/data` next to the workspace.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

/// A file under the shared data folder, or `None` (with a message saying the test is skipped)
/// when it is absent, e.g. on a user's machine.
pub fn data_file(rel: &str, test: &str) -> Option<String> {
    let path = data_dir().join(rel);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) => {
            assert!(
                std::env::var_os("ATTUNE_TEST_REQUIRE_ALL").is_none(),
                "{test}: {} is not readable ({e}) and ATTUNE_TEST_REQUIRE_ALL is set",
                path.display()
            );
            eprintln!("SKIPPED {test}: {} is not readable ({e})", path.display());
            None
        }
    }
}

/// A committed fixture.
pub fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "fixture {} missing ({e}); run tools/oracles/retention_fixtures.py",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// Asserts `|a − b| ≤ tol · max(1, |b|)`.
#[track_caller]
pub fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!(
        (a - b).abs() <= tol * b.abs().max(1.0),
        "{what}: got {a}, oracle {b}"
    );
}

/// Asserts two optional numbers agree: both undefined or both close.
#[track_caller]
pub fn close_opt(a: Option<f64>, b: &Value, tol: f64, what: &str) {
    match (a, b.as_f64()) {
        (Some(a), Some(b)) => close(a, b, tol, what),
        (None, None) => {}
        (a, _) => panic!("{what}: got {a:?}, oracle {b}"),
    }
}

/// Rows of a simple CSV (no quoted commas) as header-indexed records.
pub struct Csv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Csv {
    pub fn parse(text: &str) -> Csv {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header = lines
            .next()
            .unwrap_or_default()
            .split(',')
            .map(|s| s.trim().to_owned())
            .collect();
        let rows = lines
            .map(|l| l.split(',').map(|s| s.trim().to_owned()).collect())
            .collect();
        Csv { header, rows }
    }

    pub fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.header))
    }
}
