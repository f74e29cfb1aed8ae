//! attune-retention's integration tests: oracle fixtures from lifelines, pandas, scipy and
//! statsmodels (tools/oracles/retention_fixtures.py), the brief's worked examples, and
//! property tests of the invariants.

mod common;
mod examples;
mod oracles;
mod properties;
