//! The SQL implementation of the store traits, shared by both backends through sqlx's `Any`
//! driver: `$n` placeholders, epoch-millisecond integers for time, JSON kept as text. Each
//! feature's file implements its trait for [`SqlStore`] (`impl CaseStore for SqlStore` in
//! `closed_loop/cases.rs`, …); this module holds only the shared plumbing. Where the dialects
//! differ, [`Dialect`] says which text to send.

mod account_flags;
mod account_links;
mod account_list;
mod account_team;
mod accounts;
mod auth;
mod closed_loop;
mod contacts;
mod customer_search;
mod customer_sync;
mod drivers;
mod feed;
mod import;
mod ingest;
mod interactions;
mod jobs;
mod merge_aggregates;
mod merges;
mod metrics;
mod people;
mod reindex;
mod responses;
mod retention;
mod retention_changes;
mod retention_rows;
mod retention_snapshot;
mod search;
mod settings;
mod surveys;
mod text;
mod timeline;
mod touches;

pub use attune_domain::jobs::DELIVERY_ATTEMPTS;
pub use feed::Ranking;
pub use import::{IMPORT_CHUNK, IMPORT_LEASE_MS};
pub use ingest::{IngestStats, MAX_GROUP, QUEUE};
pub use jobs::LEASE_MS;

use sqlx::AssertSqlSafe;
use sqlx::any::AnyArguments;
use sqlx::{AnyPool, Arguments};

use crate::error::{Context, StoreResult};

/// Which SQL dialect the pool speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite 3.35+ (bundled).
    Sqlite,
    /// PostgreSQL 12+.
    Postgres,
}

/// Storage over a SQL pool.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    dialect: Dialect,
    /// The writer task of live submissions (group commit).
    ingest: ingest::Ingest,
    /// Responses per transaction of an import.
    import_chunk: usize,
    /// Fewer postings than this make a term rare enough to drive a search.
    rare_postings: i64,
}

impl SqlStore {
    /// Wraps a migrated pool.
    pub fn new(pool: AnyPool, dialect: Dialect) -> Self {
        Self {
            pool,
            dialect,
            ingest: ingest::Ingest::default(),
            import_chunk: IMPORT_CHUNK,
            rare_postings: search::RARE,
        }
    }

    /// The pool, for backend-specific work such as benchmarks.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Builds the maintained counts that a migration left to build (the loop metrics' counts of
    /// organisations that had cases before them, the drivers' counts of those that had
    /// comments); returns how many organisations' counts were built. Called
    /// right after migrating, before anything is served.
    pub async fn build_missing_counts(&self) -> StoreResult<u64> {
        let orgs = closed_loop::build_missing_loop_counts(&self.pool, self.dialect).await?;
        Ok(orgs + drivers::build_missing(&self.pool, self.dialect).await?)
    }

    /// A read transaction: one consistent view of several reads (repeatable read on
    /// PostgreSQL; on SQLite a read transaction sees one snapshot).
    pub(crate) async fn begin_read(
        &self,
    ) -> crate::error::StoreResult<sqlx::Transaction<'static, sqlx::Any>> {
        match self.dialect {
            Dialect::Sqlite => self.pool.begin().await,
            Dialect::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
            }
        }
        .context("starting a read transaction")
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so that two processes sharing the file wait for each other
    /// (busy_timeout) instead of failing when a reader tries to become a writer.
    pub(crate) async fn begin_write(
        &self,
    ) -> crate::error::StoreResult<sqlx::Transaction<'static, sqlx::Any>> {
        match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => self.pool.begin().await,
        }
        .context("starting a transaction")
    }
}

/// The organisations without a row in `built` (a table marking an organisation's maintained
/// counts complete), by id.
pub(crate) async fn orgs_not_built(
    pool: &sqlx::AnyPool,
    built: &'static str,
) -> StoreResult<Vec<String>> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT id FROM orgs WHERE id NOT IN (SELECT org_id FROM {built}) ORDER BY id"
    )))
    .fetch_all(pool)
    .await
    .context("looking for counts to build")?
    .iter()
    .map(|r| sqlx::Row::try_get(r, "id").context("reading an organisation"))
    .collect()
}

/// A write transaction that holds the organisation (on PostgreSQL its row is locked, so of two
/// instances building its counts at start the second waits, then finds them built).
pub(crate) async fn lock_org(
    pool: &sqlx::AnyPool,
    dialect: Dialect,
    org_id: &str,
) -> StoreResult<sqlx::Transaction<'static, sqlx::Any>> {
    let mut tx = match dialect {
        Dialect::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Dialect::Postgres => pool.begin().await,
    }
    .context("starting a transaction")?;
    if dialect == Dialect::Postgres {
        sqlx::query("SELECT id FROM orgs WHERE id = $1 FOR UPDATE")
            .bind(org_id)
            .execute(&mut *tx)
            .await
            .context("locking an organisation")?;
    }
    Ok(tx)
}

/// A new time-ordered opaque id (UUIDv7), so ids sort roughly by creation.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// A bind value for dynamically built queries.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
}

/// Collects bind values and hands out their `$n` placeholders in order.
#[derive(Debug, Default)]
pub(crate) struct Binds(Vec<Bind>);

impl Binds {
    /// Adds a value and returns its placeholder.
    pub(crate) fn push(&mut self, b: Bind) -> String {
        self.0.push(b);
        format!("${}", self.0.len())
    }

    pub(crate) fn text(&mut self, s: impl Into<String>) -> String {
        self.push(Bind::Text(s.into()))
    }

    pub(crate) fn int(&mut self, i: i64) -> String {
        self.push(Bind::Int(i))
    }

    /// The arguments for the query.
    pub(crate) fn into_args(self) -> StoreResult<AnyArguments> {
        let mut args = AnyArguments::default();
        for b in self.0 {
            let r = match b {
                Bind::Text(s) => args.add(s),
                Bind::OptText(s) => args.add(s),
                Bind::Int(i) => args.add(i),
                Bind::OptInt(i) => args.add(i),
            };
            r.map_err(sqlx::Error::Encode).context("binding a value")?;
        }
        Ok(args)
    }
}

/// Rows per statement in [`insert_rows`].
const ROWS_PER_STATEMENT: usize = 2_000;

/// Inserts many rows with one bound parameter per chunk: the rows travel as one JSON array of
/// arrays that the database unpacks (`json_each` on SQLite, `jsonb_array_elements` on
/// PostgreSQL). Binding thousands of values one by one costs more in the driver than the
/// insert itself costs in the database. `head` is `INSERT INTO t (a, b, …)`; `suffix` follows
/// the rows (e.g. an `ON CONFLICT` clause). Column types come from the first row's values.
pub(crate) async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    dialect: Dialect,
    head: &str,
    suffix: &str,
    rows: Vec<Vec<Bind>>,
) -> StoreResult<()> {
    match encode_rows(dialect, head, suffix, rows, ROWS_PER_STATEMENT)? {
        Some(encoded) => encoded.execute(conn).await,
        None => Ok(()),
    }
}

/// Rows turned into statements, ready to send: the CPU work of an insert, done apart from
/// the waiting so an import can prepare one batch while the database writes the previous one.
#[derive(Debug)]
pub(crate) struct Encoded {
    sql: String,
    payloads: Vec<String>,
}

impl Encoded {
    /// Sends the statements.
    pub(crate) async fn execute(self, conn: &mut sqlx::AnyConnection) -> StoreResult<()> {
        for payload in self.payloads {
            sqlx::query(AssertSqlSafe(self.sql.clone()))
                .bind(payload)
                .execute(&mut *conn)
                .await
                .context("inserting rows")?;
        }
        Ok(())
    }
}

/// Builds the statements of [`insert_rows`]; `None` when there are no rows.
pub(crate) fn encode_rows(
    dialect: Dialect,
    head: &str,
    suffix: &str,
    rows: Vec<Vec<Bind>>,
    per_statement: usize,
) -> StoreResult<Option<Encoded>> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let columns: Vec<String> = first
        .iter()
        .enumerate()
        .map(|(i, b)| match (dialect, b) {
            (Dialect::Sqlite, _) => format!("json_extract(value, '$[{i}]')"),
            (Dialect::Postgres, Bind::Int(_) | Bind::OptInt(_)) => {
                format!("(value->>{i})::bigint")
            }
            (Dialect::Postgres, _) => format!("(value->>{i})"),
        })
        .collect();
    let source = match dialect {
        Dialect::Sqlite => "jsonb_each($1)",
        Dialect::Postgres => "jsonb_array_elements($1::jsonb) AS value",
    };
    // `WHERE true` lets SQLite parse an upsert after INSERT … SELECT.
    let sql = format!(
        "{head} SELECT {} FROM {source} WHERE true {suffix}",
        columns.join(", ")
    );
    // Rows are written straight to JSON text (no `serde_json::Value` tree in between).
    let payloads = rows
        .chunks(per_statement.max(1))
        .map(|chunk| serde_json::to_string(chunk).context("encoding rows"))
        .collect::<StoreResult<Vec<String>>>()?;
    Ok(Some(Encoded { sql, payloads }))
}

impl serde::Serialize for Bind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Bind::Text(t) | Bind::OptText(Some(t)) => s.serialize_str(t),
            Bind::Int(i) | Bind::OptInt(Some(i)) => s.serialize_i64(*i),
            Bind::OptText(None) | Bind::OptInt(None) => s.serialize_none(),
        }
    }
}
