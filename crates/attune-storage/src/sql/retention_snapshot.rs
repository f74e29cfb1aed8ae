//! Packed snapshots of an organisation's retention inputs (see `attune_retention::packed`).
//!
//! Every write that changes an organisation's subscription rows, activity events or account
//! attributes bumps `retention_state.generation` in its own transaction. A report reads the
//! generation and the snapshot parts in one read transaction (repeatable read on PostgreSQL)
//! and uses the snapshot only when it was built at that generation; otherwise it reads the
//! rows in the same transaction, packs them and saves the snapshot tagged with the generation
//! it read. A snapshot can therefore be missing or old, never wrong for its tag: the rows and
//! the generation it was built from come from one consistent view of the database.

use attune_retention::AttributeColumn;
use attune_retention::packed::{
    PackedError, pack_activity, pack_attributes, pack_subscriptions, unpack_activity,
    unpack_attributes, unpack_subscriptions,
};
use sqlx::{AnyConnection, Row};

use super::retention_rows::{flag, read_attributes, read_rows};
use super::{Dialect, SqlStore};
use crate::error::{Context, StoreError, StoreResult};
use crate::retention::{RetentionRows, RetentionSource};
use crate::store::SnapshotStore;
use async_trait::async_trait;

/// The largest blob one snapshot part holds.
const PART_BYTES: usize = 8 << 20;

/// What a snapshot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Subscriptions,
    Activity,
    Attributes,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Subscriptions => "subscriptions",
            Kind::Activity => "activity",
            Kind::Attributes => "attributes",
        }
    }
}

impl From<RetentionSource> for Kind {
    fn from(s: RetentionSource) -> Kind {
        match s {
            RetentionSource::Subscriptions => Kind::Subscriptions,
            RetentionSource::Activity => Kind::Activity,
        }
    }
}

/// Records, inside the caller's transaction, that the organisation's retention inputs change.
pub(crate) async fn bump_generation(conn: &mut AnyConnection, org_id: &str) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO retention_state (org_id, generation) VALUES ($1, 1) \
         ON CONFLICT (org_id) DO UPDATE SET generation = retention_state.generation + 1",
    )
    .bind(org_id)
    .execute(&mut *conn)
    .await
    .context("recording a retention change")?;
    Ok(())
}

async fn generation(conn: &mut AnyConnection, org_id: &str) -> StoreResult<i64> {
    let row = sqlx::query("SELECT generation FROM retention_state WHERE org_id = $1")
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await
        .context("reading the retention generation")?;
    match row {
        Some(r) => r.try_get(0).context("reading the retention generation"),
        None => Ok(0),
    }
}

/// The snapshot's bytes when a complete one was built at `generation`.
async fn load(
    conn: &mut AnyConnection,
    org_id: &str,
    kind: Kind,
    generation: i64,
) -> StoreResult<Option<Vec<u8>>> {
    let rows = sqlx::query(
        "SELECT part, parts, data FROM retention_snapshots \
         WHERE org_id = $1 AND kind = $2 AND generation = $3 ORDER BY part",
    )
    .bind(org_id)
    .bind(kind.as_str())
    .bind(generation)
    .fetch_all(&mut *conn)
    .await
    .context("reading a retention snapshot")?;
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let part: i64 = row.try_get(0).context("reading a retention snapshot")?;
        let parts: i64 = row.try_get(1).context("reading a retention snapshot")?;
        if part != i as i64 || parts != rows.len() as i64 {
            return Ok(None);
        }
        let data: Vec<u8> = row.try_get(2).context("reading a retention snapshot")?;
        if out.is_empty() {
            out.reserve(data.len() * rows.len());
        }
        out.extend_from_slice(&data);
    }
    Ok((!rows.is_empty()).then_some(out))
}

/// Runs CPU work (packing, unpacking) off the async executor.
async fn cpu<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> StoreResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        StoreError::Other(crate::error::anyhow_like::Error {
            context: "packing retention rows".to_owned(),
            source: e.to_string().into(),
        })
    })
}

fn damaged(org_id: &str, kind: Kind, e: &PackedError) {
    tracing::warn!(org.id = org_id, kind = kind.as_str(), error = %e, "retention snapshot unreadable; rebuilding it from the rows");
}

impl SqlStore {
    /// Saves a snapshot built at `generation`, unless the inputs have changed since.
    async fn save_snapshot(
        &self,
        org_id: &str,
        kind: Kind,
        generation: i64,
        bytes: &[u8],
        now_ms: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO retention_state (org_id, generation) VALUES ($1, 0) \
             ON CONFLICT (org_id) DO NOTHING",
        )
        .bind(org_id)
        .execute(&mut *tx)
        .await
        .context("saving a retention snapshot")?;
        // Lock the organisation's state row, so snapshot writers and writers of the inputs
        // take turns (SQLite's write transaction is already exclusive).
        let lock = match self.dialect {
            Dialect::Sqlite => "SELECT generation FROM retention_state WHERE org_id = $1",
            Dialect::Postgres => {
                "SELECT generation FROM retention_state WHERE org_id = $1 FOR UPDATE"
            }
        };
        let current: i64 = sqlx::query(lock)
            .bind(org_id)
            .fetch_one(&mut *tx)
            .await
            .context("saving a retention snapshot")?
            .try_get(0)
            .context("saving a retention snapshot")?;
        if current != generation {
            return Ok(false);
        }
        sqlx::query("DELETE FROM retention_snapshots WHERE org_id = $1 AND kind = $2")
            .bind(org_id)
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await
            .context("saving a retention snapshot")?;
        let parts: Vec<&[u8]> = if bytes.is_empty() {
            vec![bytes]
        } else {
            bytes.chunks(PART_BYTES).collect()
        };
        for (i, data) in parts.iter().enumerate() {
            sqlx::query(
                "INSERT INTO retention_snapshots (org_id, kind, part, parts, generation, data, built_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(org_id)
            .bind(kind.as_str())
            .bind(i as i64)
            .bind(parts.len() as i64)
            .bind(generation)
            .bind(*data)
            .bind(now_ms)
            .execute(&mut *tx)
            .await
            .context("saving a retention snapshot")?;
        }
        tx.commit().await.context("saving a retention snapshot")?;
        Ok(true)
    }

    /// Saves a snapshot; failing to save only costs the next report a rebuild, so it is
    /// logged, not returned.
    async fn keep_snapshot(&self, org_id: &str, kind: Kind, generation: i64, bytes: Vec<u8>) {
        let now = super::auth::now_ms();
        if let Err(e) = self
            .save_snapshot(org_id, kind, generation, &bytes, now)
            .await
        {
            tracing::warn!(org.id = org_id, kind = kind.as_str(), error = %e, "could not save a retention snapshot");
        }
    }

    /// Every attribute column (built-in ones first, then custom keys by name), from the
    /// snapshot or rebuilt.
    async fn attribute_columns(&self, org_id: &str) -> StoreResult<(usize, Vec<AttributeColumn>)> {
        let kind = Kind::Attributes;
        let mut view = self.begin_read().await?;
        let g = generation(&mut view, org_id).await?;
        if let Some(bytes) = load(&mut view, org_id, kind, g).await? {
            match cpu(move || unpack_attributes(&bytes)).await? {
                Ok(columns) => return Ok(columns),
                Err(e) => damaged(org_id, kind, &e),
            }
        }
        let (n, columns) = read_attributes(&mut view, self.dialect, org_id).await?;
        view.commit().await.context("finishing a read")?;
        let (columns, bytes) = cpu(move || {
            let bytes = pack_attributes(n, &columns);
            (columns, bytes)
        })
        .await?;
        self.keep_snapshot(org_id, kind, g, bytes).await;
        Ok((n, columns))
    }
}

#[async_trait]
impl SnapshotStore for SqlStore {
    /// Builds the snapshots that are missing or older than the inputs: of one organisation,
    /// or of every organisation whose inputs changed since. Returns how many were built.
    async fn retention_refresh(&self, org_id: Option<&str>) -> StoreResult<u64> {
        let stale = sqlx::query(
            "SELECT s.org_id, \
               EXISTS (SELECT 1 FROM subscriptions x WHERE x.org_id = s.org_id) AS subs, \
               EXISTS (SELECT 1 FROM activity_events x WHERE x.org_id = s.org_id) AS acts \
             FROM retention_state s \
             WHERE ($1 IS NULL OR s.org_id = $1) AND NOT EXISTS ( \
               SELECT 1 FROM retention_snapshots p WHERE p.org_id = s.org_id \
               AND p.kind = 'attributes' AND p.generation = s.generation AND p.part = 0)",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await
        .context("finding stale retention snapshots")?;
        let mut built = 0;
        for row in stale {
            let org: String = row.try_get(0).context("reading an organisation")?;
            let subs: bool = flag(&row, 1)?;
            let acts: bool = flag(&row, 2)?;
            if subs {
                self.retention_rows(&org, RetentionSource::Subscriptions)
                    .await?;
                built += 1;
            }
            if acts {
                self.retention_rows(&org, RetentionSource::Activity).await?;
                built += 1;
            }
            self.attribute_columns(&org).await?;
            built += 1;
        }
        Ok(built)
    }

    async fn retention_rows(
        &self,
        org_id: &str,
        source: RetentionSource,
    ) -> StoreResult<RetentionRows> {
        let kind = Kind::from(source);
        let mut view = self.begin_read().await?;
        let g = generation(&mut view, org_id).await?;
        if let Some(bytes) = load(&mut view, org_id, kind, g).await? {
            let unpacked = cpu(move || match kind {
                Kind::Activity => unpack_activity(&bytes).map(|(n, activity)| RetentionRows {
                    n_accounts: n,
                    activity,
                    ..RetentionRows::default()
                }),
                _ => unpack_subscriptions(&bytes).map(|(n, subscriptions)| RetentionRows {
                    n_accounts: n,
                    subscriptions,
                    ..RetentionRows::default()
                }),
            })
            .await?;
            match unpacked {
                Ok(rows) => return Ok(rows),
                Err(e) => damaged(org_id, kind, &e),
            }
        }
        let rows = read_rows(&mut view, org_id, source).await?;
        view.commit().await.context("finishing a read")?;
        let (rows, bytes) = cpu(move || {
            let bytes = match kind {
                Kind::Activity => pack_activity(rows.n_accounts, &rows.activity),
                _ => pack_subscriptions(rows.n_accounts, &rows.subscriptions),
            };
            (rows, bytes)
        })
        .await?;
        self.keep_snapshot(org_id, kind, g, bytes).await;
        Ok(rows)
    }

    async fn retention_attributes(
        &self,
        org_id: &str,
        names: &[String],
        n_accounts: usize,
    ) -> StoreResult<Vec<AttributeColumn>> {
        for name in names {
            if name.is_empty() || name.chars().count() > 100 {
                return Err(StoreError::Invalid(attune_domain::Invalid::one(
                    "attribute",
                    "is not an attribute name",
                )));
            }
        }
        let (_, columns) = self.attribute_columns(org_id).await?;
        names
            .iter()
            .map(|name| match columns.iter().find(|c| &c.name == name) {
                Some(c) => Ok(c.clone().with_len(n_accounts)),
                None => Err(StoreError::Invalid(attune_domain::Invalid::one(
                    "attribute",
                    format!(
                        "is not an attribute of this organisation's accounts (known: {})",
                        columns
                            .iter()
                            .map(|c| c.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))),
            })
            .collect()
    }

    async fn retention_attribute_names(&self, org_id: &str) -> StoreResult<Vec<String>> {
        let (_, columns) = self.attribute_columns(org_id).await?;
        Ok(columns.into_iter().map(|c| c.name).collect())
    }
}
