//! Packed snapshots of an organisation's retention inputs (see `attune_retention::packed`).
//!
//! Every write that changes an organisation's subscription rows, activity events or account
//! attributes bumps `retention_state.generation` in its own transaction and logs the accounts it
//! touched (`retention_changes.rs`). A report reads the generation and the snapshot parts in one
//! read transaction (repeatable read on PostgreSQL). A snapshot built at that generation is used
//! as it is; an older one is patched with the current rows of the accounts touched since
//! (`attune_retention::patch`), read in the same transaction; only without a complete list of
//! them are all the rows read, packed and saved. The worker's refresh saves patched snapshots, so
//! a report after a write pays for the touched accounts, not for every row. A snapshot can
//! therefore be missing or old, never wrong for its tag: the rows and the generation it was built
//! from come from one consistent view of the database.

use attune_retention::AttributeColumn;
use attune_retention::packed::{
    PackedError, pack_activity, pack_attributes, pack_subscriptions, unpack_activity,
    unpack_attributes, unpack_subscriptions,
};
use attune_retention::patch::replace_accounts;
use sqlx::{AnyConnection, Row};

use super::retention_changes::{forget_applied, touched_since};
use super::retention_rows::{
    count_accounts, flag, patch_columns, read_attribute_pairs, read_attributes, read_rows,
};
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

/// The saved snapshot of `kind` with the generation it was built at, when it is complete.
async fn load(
    conn: &mut AnyConnection,
    org_id: &str,
    kind: Kind,
) -> StoreResult<Option<(i64, Vec<u8>)>> {
    let rows = sqlx::query(
        "SELECT part, parts, generation, data FROM retention_snapshots \
         WHERE org_id = $1 AND kind = $2 ORDER BY part",
    )
    .bind(org_id)
    .bind(kind.as_str())
    .fetch_all(&mut *conn)
    .await
    .context("reading a retention snapshot")?;
    let mut out = Vec::new();
    let mut built = None;
    for (i, row) in rows.iter().enumerate() {
        let part: i64 = row.try_get(0).context("reading a retention snapshot")?;
        let parts: i64 = row.try_get(1).context("reading a retention snapshot")?;
        let generation: i64 = row.try_get(2).context("reading a retention snapshot")?;
        if part != i as i64 || parts != rows.len() as i64 || built.is_some_and(|g| g != generation)
        {
            return Ok(None);
        }
        built = Some(generation);
        let data: Vec<u8> = row.try_get(3).context("reading a retention snapshot")?;
        if out.is_empty() {
            out.reserve(data.len() * rows.len());
        }
        out.extend_from_slice(&data);
    }
    Ok(built.map(|g| (g, out)))
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

/// The organisation's generation, its state row locked until the transaction ends, so that
/// snapshot writers and writers of the inputs take turns (SQLite's write transaction is already
/// exclusive).
async fn lock_generation(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
) -> StoreResult<i64> {
    let lock = match dialect {
        Dialect::Sqlite => "SELECT generation FROM retention_state WHERE org_id = $1",
        Dialect::Postgres => "SELECT generation FROM retention_state WHERE org_id = $1 FOR UPDATE",
    };
    sqlx::query(lock)
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await
        .context("locking the retention state")?
        .map(|r| r.try_get::<i64, _>(0))
        .transpose()
        .context("locking the retention state")
        .map(|g| g.unwrap_or(0))
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
        let current = lock_generation(&mut tx, self.dialect, org_id).await?;
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
        forget_applied(&mut tx, org_id).await?;
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

    /// Every attribute column (built-in ones first, then custom keys by name): from the
    /// snapshot, the snapshot patched with the accounts changed since (saved when `save`), or
    /// rebuilt from every account (and saved).
    async fn attribute_columns(
        &self,
        org_id: &str,
        save: bool,
    ) -> StoreResult<(usize, Vec<AttributeColumn>)> {
        let kind = Kind::Attributes;
        let mut view = self.begin_read().await?;
        let g = generation(&mut view, org_id).await?;
        if let Some(saved) = saved(&mut view, org_id, kind, g).await? {
            let fresh = match saved.touched.is_empty() {
                true => None,
                false => Some((
                    count_accounts(&mut view, org_id).await?,
                    read_attribute_pairs(&mut view, self.dialect, org_id, Some(&saved.touched))
                        .await?,
                )),
            };
            view.commit().await.context("finishing a read")?;
            let (built, touched) = (saved.built, saved.touched.clone());
            let patched = cpu(move || {
                let (n, columns) = unpack_attributes(&saved.bytes)?;
                Ok::<_, PackedError>(match fresh {
                    None => (n, columns, None),
                    Some((n, pairs)) => {
                        let columns = patch_columns(columns, n, &saved.touched, pairs);
                        let bytes = save.then(|| pack_attributes(n, &columns));
                        (n, columns, bytes)
                    }
                })
            })
            .await?;
            match patched {
                Ok((n, columns, bytes)) => {
                    self.bring_up_to_date(org_id, kind, (built, g), save, &touched, bytes)
                        .await;
                    return Ok((n, columns));
                }
                Err(e) => damaged(org_id, kind, &e),
            }
            view = self.begin_read().await?;
        }
        let g = generation(&mut view, org_id).await?;
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

    /// An organisation's rows of one kind, like [`Self::attribute_columns`].
    async fn rows_of(
        &self,
        org_id: &str,
        source: RetentionSource,
        save: bool,
    ) -> StoreResult<RetentionRows> {
        let kind = Kind::from(source);
        let mut view = self.begin_read().await?;
        let g = generation(&mut view, org_id).await?;
        if let Some(saved) = saved(&mut view, org_id, kind, g).await? {
            let fresh = match saved.touched.is_empty() {
                true => None,
                false => Some(read_rows(&mut view, org_id, source, Some(&saved.touched)).await?),
            };
            view.commit().await.context("finishing a read")?;
            let (built, touched) = (saved.built, saved.touched.clone());
            let patched = cpu(move || {
                let rows = unpack(kind, &saved.bytes)?;
                Ok::<_, PackedError>(match fresh {
                    None => (rows, None),
                    Some(fresh) => {
                        let rows = patch_rows(rows, &saved.touched, fresh);
                        let bytes = save.then(|| pack(kind, &rows));
                        (rows, bytes)
                    }
                })
            })
            .await?;
            match patched {
                Ok((rows, bytes)) => {
                    self.bring_up_to_date(org_id, kind, (built, g), save, &touched, bytes)
                        .await;
                    return Ok(rows);
                }
                Err(e) => damaged(org_id, kind, &e),
            }
            view = self.begin_read().await?;
        }
        let g = generation(&mut view, org_id).await?;
        let rows = read_rows(&mut view, org_id, source, None).await?;
        view.commit().await.context("finishing a read")?;
        let (rows, bytes) = cpu(move || {
            let bytes = pack(kind, &rows);
            (rows, bytes)
        })
        .await?;
        self.keep_snapshot(org_id, kind, g, bytes).await;
        Ok(rows)
    }

    /// After a snapshot built at `built` served generation `g` (`from_to`): when `save`, the
    /// patched snapshot is saved, or — when the changes since touched none of its accounts —
    /// the saved one is marked as built at `g`, so the log of those changes can go.
    async fn bring_up_to_date(
        &self,
        org_id: &str,
        kind: Kind,
        (built, g): (i64, i64),
        save: bool,
        touched: &[u32],
        bytes: Option<Vec<u8>>,
    ) {
        if !save || built == g {
            return;
        }
        match bytes {
            Some(bytes) => self.keep_snapshot(org_id, kind, g, bytes).await,
            None if touched.is_empty() => {
                if let Err(e) = self.retag_snapshot(org_id, kind, built, g).await {
                    tracing::warn!(org.id = org_id, kind = kind.as_str(), error = %e, "could not mark a retention snapshot current");
                }
            }
            None => {}
        }
    }

    /// Marks the snapshot of `kind` built at `built` as built at `g`, unless the inputs have
    /// changed since `g`.
    async fn retag_snapshot(
        &self,
        org_id: &str,
        kind: Kind,
        built: i64,
        g: i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        if lock_generation(&mut tx, self.dialect, org_id).await? != g {
            return Ok(());
        }
        sqlx::query(
            "UPDATE retention_snapshots SET generation = $1 \
             WHERE org_id = $2 AND kind = $3 AND generation = $4",
        )
        .bind(g)
        .bind(org_id)
        .bind(kind.as_str())
        .bind(built)
        .execute(&mut *tx)
        .await
        .context("marking a retention snapshot current")?;
        forget_applied(&mut tx, org_id).await?;
        tx.commit()
            .await
            .context("marking a retention snapshot current")?;
        Ok(())
    }
}

/// A saved snapshot that can serve the current generation: as it is, or patched with the
/// current rows of the accounts touched since it was built.
struct Saved {
    built: i64,
    bytes: Vec<u8>,
    /// The accounts touched since `built` (empty when it is current).
    touched: Vec<u32>,
}

async fn saved(
    conn: &mut AnyConnection,
    org_id: &str,
    kind: Kind,
    g: i64,
) -> StoreResult<Option<Saved>> {
    let Some((built, bytes)) = load(conn, org_id, kind).await? else {
        return Ok(None);
    };
    Ok(touched_since(conn, org_id, built, g)
        .await?
        .map(|touched| Saved {
            built,
            bytes,
            touched,
        }))
}

fn unpack(kind: Kind, bytes: &[u8]) -> Result<RetentionRows, PackedError> {
    match kind {
        Kind::Activity => unpack_activity(bytes).map(|(n, activity)| RetentionRows {
            n_accounts: n,
            activity,
            ..RetentionRows::default()
        }),
        _ => unpack_subscriptions(bytes).map(|(n, subscriptions)| RetentionRows {
            n_accounts: n,
            subscriptions,
            ..RetentionRows::default()
        }),
    }
}

fn pack(kind: Kind, rows: &RetentionRows) -> Vec<u8> {
    match kind {
        Kind::Activity => pack_activity(rows.n_accounts, &rows.activity),
        _ => pack_subscriptions(rows.n_accounts, &rows.subscriptions),
    }
}

/// The snapshot's rows with the touched accounts' rows replaced by `fresh` (read with the
/// current number of accounts).
fn patch_rows(base: RetentionRows, touched: &[u32], fresh: RetentionRows) -> RetentionRows {
    RetentionRows {
        n_accounts: fresh.n_accounts,
        subscriptions: replace_accounts(base.subscriptions, touched, fresh.subscriptions),
        activity: replace_accounts(base.activity, touched, fresh.activity),
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
                self.rows_of(&org, RetentionSource::Subscriptions, true)
                    .await?;
                built += 1;
            }
            if acts {
                self.rows_of(&org, RetentionSource::Activity, true).await?;
                built += 1;
            }
            self.attribute_columns(&org, true).await?;
            built += 1;
        }
        Ok(built)
    }

    async fn retention_rows(
        &self,
        org_id: &str,
        source: RetentionSource,
    ) -> StoreResult<RetentionRows> {
        self.rows_of(org_id, source, false).await
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
        let (_, columns) = self.attribute_columns(org_id, false).await?;
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
        let (_, columns) = self.attribute_columns(org_id, false).await?;
        Ok(columns.into_iter().map(|c| c.name).collect())
    }
}
