//! Attune's PostgreSQL backend, for larger deployments where several stateless `attune serve`
//! processes share one database. Connects and applies the embedded migrations.
#![forbid(unsafe_code)]

use attune_storage::sql::{Dialect, SqlStore};
use sqlx::any::AnyPoolOptions;

/// The PostgreSQL migrations, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connects to a `postgres://` URL and migrates the database.
pub async fn connect(url: &str) -> Result<SqlStore, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(16)
        .connect(url)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(SqlStore::new(pool, Dialect::Postgres))
}
