//! The `attune` binary's library: configuration, start-up, and the commands behind the CLI.
//! Kept as a library so integration tests can start the real server on port 0.
#![forbid(unsafe_code)]

pub mod config;
pub mod customer_import;
pub mod db;
pub mod demo;
pub mod http;
pub mod import;
pub mod reindex;
pub mod retention_import;
pub mod retention_report;
pub mod secrets;
pub mod server;
pub mod worker;
