//! Retention rows: bulk import of subscriptions and activity events (all or nothing, accounts
//! created on first sight and numbered densely per organisation) and the accounts behind a
//! number. Reading them for a report goes through the packed snapshots of
//! `retention_snapshot`.

use std::collections::HashMap;

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::retention_changes::{Touched, bump_generation};
use super::{Dialect, SqlStore, new_id};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::ImportOutcome;
use crate::retention::{NewActivity, NewSubscription, RetentionAccount};
use crate::store::RetentionStore;
use async_trait::async_trait;

/// Rows per insert statement (they travel as one JSON parameter).
pub(super) const BATCH: usize = 10_000;

/// Up to this many accounts an import looks up by external id; more, and it reads every
/// account of the organisation in one pass.
const FEW_ACCOUNTS: usize = 10_000;

/// One JSON value per column, in the order of the insert's column list.
type JsonRow = Vec<serde_json::Value>;

/// `INSERT INTO {table} ({columns}) SELECT … FROM <the JSON rows> WHERE true {suffix}`, with
/// each column cast to `types[i]` (`int` or `text`) so that NULLs keep their column's type.
pub(super) fn insert_sql(
    dialect: Dialect,
    table: &str,
    columns: &[&str],
    types: &[&str],
    suffix: &str,
) -> String {
    let select: Vec<String> = types
        .iter()
        .enumerate()
        .map(|(i, t)| match (dialect, *t) {
            (Dialect::Sqlite, _) => format!("json_extract(value, '$[{i}]')"),
            (Dialect::Postgres, "int") => format!("(value->>{i})::bigint"),
            (Dialect::Postgres, _) => format!("(value->>{i})"),
        })
        .collect();
    let source = match dialect {
        Dialect::Sqlite => "jsonb_each($1)",
        Dialect::Postgres => "jsonb_array_elements($1::jsonb) AS value",
    };
    format!(
        "INSERT INTO {table} ({}) SELECT {} FROM {source} WHERE true {suffix}",
        columns.join(", "),
        select.join(", ")
    )
}

pub(super) async fn send(conn: &mut AnyConnection, sql: &str, rows: &[JsonRow]) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let payload = serde_json::to_string(rows).context("encoding rows")?;
    sqlx::query(AssertSqlSafe(sql.to_owned()))
        .bind(payload)
        .execute(&mut *conn)
        .await
        .context("inserting retention rows")?;
    Ok(())
}

pub(super) fn other(message: String) -> StoreError {
    StoreError::Other(crate::error::anyhow_like::Error {
        context: "retention".to_owned(),
        source: message.into(),
    })
}

/// The dense numbers of these external ids, creating accounts and numbers on first sight.
async fn account_indexes(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    external_ids: &[&str],
    now_ms: i64,
) -> StoreResult<HashMap<String, u32>> {
    let mut wanted: Vec<&str> = external_ids.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let create = insert_sql(
        dialect,
        "accounts",
        &[
            "id",
            "org_id",
            "external_id",
            "name",
            "attributes",
            "created_at",
        ],
        &["text", "text", "text", "text", "text", "int"],
        "ON CONFLICT (org_id, external_id) DO NOTHING",
    );
    for chunk in wanted.chunks(BATCH) {
        let rows: Vec<JsonRow> = chunk
            .iter()
            .map(|x| {
                vec![
                    new_id().into(),
                    org_id.into(),
                    (*x).into(),
                    (*x).into(),
                    "{}".into(),
                    now_ms.into(),
                ]
            })
            .collect();
        send(conn, &create, &rows).await?;
    }
    // The wanted accounts with their numbers, if they have one yet: looked up by external id
    // for a few, or every account of the organisation read at once for many.
    let lookup = "SELECT COALESCE(a.merged_into, a.id) AS id, a.external_id, r.idx FROM accounts a \
         LEFT JOIN retention_accounts r ON r.org_id = a.org_id \
           AND r.account_id = COALESCE(a.merged_into, a.id) \
         WHERE a.org_id = $1 AND a.external_id IS NOT NULL";
    let mut rows = Vec::new();
    if wanted.len() > FEW_ACCOUNTS {
        rows = sqlx::query(lookup)
            .bind(org_id)
            .fetch_all(&mut *conn)
            .await
            .context("reading account numbers")?;
    } else {
        for chunk in wanted.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!("{lookup} AND a.external_id IN ({})", marks.join(", "));
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(org_id);
            for x in chunk {
                q = q.bind(*x);
            }
            rows.extend(
                q.fetch_all(&mut *conn)
                    .await
                    .context("reading account numbers")?,
            );
        }
    }
    let mut by_external: HashMap<String, (String, Option<i64>)> =
        HashMap::with_capacity(rows.len());
    for row in &rows {
        let id: String = row.try_get("id").context("reading account")?;
        let ext: String = row.try_get("external_id").context("reading account")?;
        let idx: Option<i64> = row.try_get("idx").context("reading account number")?;
        by_external.insert(ext, (id, idx));
    }
    let next: Option<i64> =
        sqlx::query("SELECT MAX(idx) AS top FROM retention_accounts WHERE org_id = $1")
            .bind(org_id)
            .fetch_one(&mut *conn)
            .await
            .context("reading account numbers")?
            .try_get("top")
            .context("reading account numbers")?;
    let mut next = next.map_or(0, |top| top + 1);
    let number = insert_sql(
        dialect,
        "retention_accounts",
        &["org_id", "idx", "account_id"],
        &["text", "int", "text"],
        "",
    );
    let mut out = HashMap::with_capacity(wanted.len());
    let mut fresh: Vec<JsonRow> = Vec::new();
    // Numbers given in this call, by account id: two external ids can name one account (a
    // merged account's and its survivor's).
    let mut given: HashMap<&str, i64> = HashMap::new();
    for x in wanted {
        let Some((id, idx)) = by_external.get(x) else {
            return Err(other(format!("account `{x}` was not created")));
        };
        let idx = match idx.or_else(|| given.get(id.as_str()).copied()) {
            Some(i) => i,
            None => {
                fresh.push(vec![org_id.into(), next.into(), id.as_str().into()]);
                given.insert(id.as_str(), next);
                next += 1;
                next - 1
            }
        };
        let idx =
            u32::try_from(idx).map_err(|_| other("more than 2^32 retention accounts".into()))?;
        out.insert(x.to_owned(), idx);
    }
    for chunk in fresh.chunks(BATCH) {
        send(conn, &number, chunk).await?;
    }
    Ok(out)
}

/// Numbers exact repeats of a key in order of appearance (0, 1, 2, …), so that a file with
/// two identical rows stores both, and importing it again stores neither.
fn occurrences<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> Vec<i64> {
    let mut seen: HashMap<K, i64> = HashMap::new();
    keys.map(|k| {
        let n = seen.entry(k).or_insert(0);
        *n += 1;
        *n - 1
    })
    .collect()
}

/// Rows of `table` of the organisation: of every account, or only of the accounts in `only`
/// (so a small import counts a few rows, not millions).
async fn count(
    conn: &mut AnyConnection,
    table: &str,
    org_id: &str,
    only: Option<&[u32]>,
) -> StoreResult<u64> {
    let mut total = 0u64;
    let slices: Vec<Option<&[u32]>> = match only {
        None => vec![None],
        Some(a) => a.chunks(500).map(Some).collect(),
    };
    for slice in slices {
        let filter = slice.map_or(String::new(), |a| {
            let list: Vec<String> = a.iter().map(u32::to_string).collect();
            format!(" AND account_idx IN ({})", list.join(", "))
        });
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {table} WHERE org_id = $1{filter}"
        )))
        .bind(org_id)
        .fetch_one(&mut *conn)
        .await
        .context("counting rows")?;
        let n: i64 = row.try_get("n").context("reading a count")?;
        total += n.max(0) as u64;
    }
    Ok(total)
}

/// How one kind of retention row is stored: its table, its insert, and each row's JSON values
/// given its account number and repeat number.
struct RowImport<R> {
    table: &'static str,
    sql: String,
    /// The external id of the row's account.
    account: fn(&R) -> &str,
    /// The row as the insert's values: (row, organisation, account number, repeat, now).
    values: fn(&R, &str, i64, i64, i64) -> JsonRow,
}

/// `inserted` rows of `total` stored: the rest were already there.
pub(super) fn outcome(inserted: u64, total: usize) -> ImportOutcome {
    ImportOutcome {
        inserted,
        duplicates: total as u64 - inserted.min(total as u64),
    }
}

impl SqlStore {
    /// Stores rows of one kind in one transaction (all or nothing): accounts are created and
    /// numbered on first sight, the rows go in batches of one JSON parameter each, and the
    /// organisation's retention snapshots are marked old.
    async fn import_rows<R>(
        &self,
        org_id: &str,
        rows: &[R],
        seq: &[i64],
        kind: RowImport<R>,
        now_ms: i64,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<ImportOutcome> {
        let mut tx = self.begin_write().await?;
        let ids: Vec<&str> = rows.iter().map(kind.account).collect();
        let idx = account_indexes(&mut tx, self.dialect, org_id, &ids, now_ms).await?;
        let touched = Touched::accounts(idx.values().copied().collect());
        let only = match &touched {
            Touched::Accounts(a) => Some(a.as_slice()),
            Touched::Unknown => None,
        };
        let before = count(&mut tx, kind.table, org_id, only).await?;
        let mut done = 0u64;
        for (chunk, seqs) in rows.chunks(BATCH).zip(seq.chunks(BATCH)) {
            let json: Vec<JsonRow> = chunk
                .iter()
                .zip(seqs)
                .map(|(r, s)| {
                    let account = idx.get((kind.account)(r)).copied().unwrap_or(0);
                    (kind.values)(r, org_id, i64::from(account), *s, now_ms)
                })
                .collect();
            send(&mut tx, &kind.sql, &json).await?;
            done += chunk.len() as u64;
            progress(done);
        }
        let after = count(&mut tx, kind.table, org_id, only).await?;
        bump_generation(&mut tx, org_id, touched.clone()).await?;
        tx.commit().await.context("committing the import")?;
        Ok(outcome(after.saturating_sub(before), rows.len()))
    }
}

#[async_trait]
impl RetentionStore for SqlStore {
    async fn import_subscriptions(
        &self,
        org_id: &str,
        rows: &[NewSubscription],
        now_ms: i64,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<ImportOutcome> {
        let seq = occurrences(
            rows.iter()
                .map(|r| (r.account_external_id.as_str(), r.product.as_str(), r.start)),
        );
        let sql = insert_sql(
            self.dialect,
            "subscriptions",
            &[
                "org_id",
                "account_idx",
                "product",
                "start_day",
                "seq",
                "end_day",
                "mrr_cents",
                "quantity",
                "billing_period",
                "cancellation_reason",
                "created_at",
            ],
            &[
                "text", "int", "text", "int", "int", "int", "int", "int", "text", "text", "int",
            ],
            "ON CONFLICT (org_id, account_idx, product, start_day, seq) DO UPDATE SET \
             end_day = excluded.end_day, mrr_cents = excluded.mrr_cents, \
             quantity = excluded.quantity, billing_period = excluded.billing_period, \
             cancellation_reason = excluded.cancellation_reason",
        );
        let kind = RowImport {
            table: "subscriptions",
            sql,
            account: |r: &NewSubscription| r.account_external_id.as_str(),
            values: |r, org_id, account, seq, now_ms| {
                vec![
                    org_id.into(),
                    account.into(),
                    r.product.as_str().into(),
                    r.start.into(),
                    seq.into(),
                    r.end.into(),
                    r.mrr_cents.into(),
                    r.quantity.into(),
                    r.billing_period.as_deref().into(),
                    r.cancellation_reason.as_deref().into(),
                    now_ms.into(),
                ]
            },
        };
        self.import_rows(org_id, rows, &seq, kind, now_ms, progress)
            .await
    }

    async fn import_activity(
        &self,
        org_id: &str,
        rows: &[NewActivity],
        now_ms: i64,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<ImportOutcome> {
        let seq = occurrences(
            rows.iter()
                .map(|r| (r.account_external_id.as_str(), r.day, r.value_cents)),
        );
        let sql = insert_sql(
            self.dialect,
            "activity_events",
            &[
                "org_id",
                "account_idx",
                "day",
                "value_cents",
                "seq",
                "created_at",
            ],
            &["text", "int", "int", "int", "int", "int"],
            "ON CONFLICT (org_id, account_idx, day, value_cents, seq) DO NOTHING",
        );
        let kind = RowImport {
            table: "activity_events",
            sql,
            account: |r: &NewActivity| r.account_external_id.as_str(),
            values: |r, org_id, account, seq, now_ms| {
                vec![
                    org_id.into(),
                    account.into(),
                    r.day.into(),
                    r.value_cents.into(),
                    seq.into(),
                    now_ms.into(),
                ]
            },
        };
        self.import_rows(org_id, rows, &seq, kind, now_ms, progress)
            .await
    }

    async fn retention_accounts(
        &self,
        org_id: &str,
        idxs: &[u32],
    ) -> StoreResult<Vec<RetentionAccount>> {
        let mut out = Vec::with_capacity(idxs.len());
        for chunk in idxs.chunks(500) {
            let mut b = super::Binds::default();
            let org = b.text(org_id);
            let list: Vec<String> = chunk.iter().map(|i| b.int(i64::from(*i))).collect();
            let sql = format!(
                "SELECT r.idx, a.id, a.external_id, a.name FROM retention_accounts r \
                 JOIN accounts a ON a.id = r.account_id \
                 WHERE r.org_id = {org} AND r.idx IN ({})",
                list.join(",")
            );
            for row in sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
                .fetch_all(&self.pool)
                .await
                .context("listing accounts")?
            {
                let idx: i64 = row.try_get(0).context("reading an account")?;
                out.push(RetentionAccount {
                    idx: u32::try_from(idx).unwrap_or(u32::MAX),
                    id: row.try_get(1).context("reading an account")?,
                    external_id: row.try_get(2).context("reading an account")?,
                    name: row.try_get(3).context("reading an account")?,
                });
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name).then(a.idx.cmp(&b.idx)));
        Ok(out)
    }

    async fn account_subscriptions(
        &self,
        org_id: &str,
        account_id: &str,
    ) -> StoreResult<Vec<crate::retention::AccountSubscription>> {
        let rows = sqlx::query(
            "SELECT s.product, s.start_day, s.end_day, s.mrr_cents, s.quantity, s.billing_period, \
             s.cancellation_reason FROM retention_accounts r \
             JOIN subscriptions s ON s.org_id = r.org_id AND s.account_idx = r.idx \
             WHERE r.org_id = $1 AND r.account_id = $2 \
             ORDER BY s.start_day DESC, s.product, s.seq",
        )
        .bind(org_id)
        .bind(account_id)
        .fetch_all(&self.pool)
        .await
        .context("reading an account's subscriptions")?;
        rows.iter()
            .map(|row| {
                Ok(crate::retention::AccountSubscription {
                    product: row.try_get(0).context("reading a subscription")?,
                    start_day: row.try_get(1).context("reading a subscription")?,
                    end_day: row.try_get(2).context("reading a subscription")?,
                    mrr_cents: row.try_get(3).context("reading a subscription")?,
                    quantity: row.try_get(4).context("reading a subscription")?,
                    billing_period: row.try_get(5).context("reading a subscription")?,
                    cancellation_reason: row.try_get(6).context("reading a subscription")?,
                })
            })
            .collect()
    }
}
