//! Integration tests: the real server on a free port with a fresh database per test, on
//! SQLite always and on PostgreSQL when `ATTUNE_TEST_POSTGRES_URL` is set (CI sets it).

mod helpers;

mod account_flags;
mod api;
mod api_contract;
mod browser;
mod closed_loop;
mod conformance;
mod csv_export;
mod customer_import;
mod customer_search;
mod demo;
mod driver_counts;
mod error_pages;
mod handover;
mod import;
mod import_chunks;
mod import_props;
mod ingest;
mod interactions;
mod limits;
mod login_backoff;
mod logs;
mod loop_counts;
mod merges;
mod metrics;
mod migration_parity;
mod nul_input;
mod pages;
mod passwords;
mod people;
mod rate_limits;
mod retention;
mod retention_patch;
mod route_table;
mod search_topk;
mod secrets;
mod security_headers;
mod snapshots;
mod survey_access;
mod tenancy;
mod text;
mod upgrade;
