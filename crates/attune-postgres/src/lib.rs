//! Attune's PostgreSQL backend, for larger deployments where several stateless `attune serve`
//! processes share one database. Connects and applies the embedded migrations.
#![forbid(unsafe_code)]

use attune_storage::sql::{Dialect, SqlStore};
use sqlx::Executor;
use sqlx::any::AnyPoolOptions;

/// The PostgreSQL migrations, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connects to a `postgres://` URL and migrates the database.
pub async fn connect(url: &str) -> Result<SqlStore, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(16)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // No JIT compilation: the planner's cost of a LIMIT query whose filter it cannot
                // estimate (a search walking the feed newest first) passes the JIT threshold,
                // and compiling made a first page that runs in 3 ms take over 400 ms.
                conn.execute("SET jit = off").await?;
                Ok(())
            })
        })
        .connect(url)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(SqlStore::new(pool, Dialect::Postgres))
}
