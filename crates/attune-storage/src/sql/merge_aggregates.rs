//! What follows an account merge besides the rows that name the account: the per-account score
//! aggregates of the responses that moved, and the retention rows (subscriptions and activity,
//! keyed by the account's retention number). Moved retention rows take sequence numbers above
//! every row the survivor had (`seq + offset`), so no key collides; undo takes back exactly the
//! rows at or above the offset that existed at the merge and restores their numbers.

use sqlx::{AnyConnection, AssertSqlSafe};

use super::Dialect;
use super::retention_changes::{Touched, bump_generation};
use crate::error::{Context, StoreResult};
use crate::model::Merge;

/// The retention tables keyed by the account number, with `seq` in their keys.
const RETENTION_TABLES: [&str; 2] = ["subscriptions", "activity_events"];

async fn moved_responses(conn: &mut AnyConnection, merge_id: &str) -> StoreResult<Vec<String>> {
    sqlx::query_scalar(
        "SELECT key1 FROM merge_moves WHERE merge_id = $1 AND tbl = 'responses.account_id'",
    )
    .bind(merge_id)
    .fetch_all(&mut *conn)
    .await
    .context("reading the responses a merge moved")
}

async fn number_of(conn: &mut AnyConnection, org: &str, account: &str) -> StoreResult<Option<i64>> {
    sqlx::query_scalar("SELECT idx FROM retention_accounts WHERE org_id = $1 AND account_id = $2")
        .bind(org)
        .bind(account)
        .fetch_optional(&mut *conn)
        .await
        .context("reading an account number")
}

async fn new_number(conn: &mut AnyConnection, org: &str, account: &str) -> StoreResult<i64> {
    let next: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(idx), -1) + 1 FROM retention_accounts WHERE org_id = $1",
    )
    .bind(org)
    .fetch_one(&mut *conn)
    .await
    .context("numbering an account")?;
    sqlx::query("INSERT INTO retention_accounts (org_id, idx, account_id) VALUES ($1, $2, $3)")
        .bind(org)
        .bind(next)
        .bind(account)
        .execute(&mut *conn)
        .await
        .context("numbering an account")?;
    Ok(next)
}

async fn bump(conn: &mut AnyConnection, org: &str, numbers: &[Option<i64>]) -> StoreResult<()> {
    let listed: Vec<u32> = numbers
        .iter()
        .flatten()
        .filter_map(|n| u32::try_from(*n).ok())
        .collect();
    if listed.is_empty() {
        return Ok(());
    }
    bump_generation(conn, org, Touched::accounts(listed)).await
}

/// Moves the merged account's aggregates and retention rows onto the survivor, noting in
/// `data.retention` what undo needs.
pub(crate) async fn merge(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org: &str,
    merge_id: &str,
    merged: &str,
    survivor: &str,
    data: &mut serde_json::Value,
) -> StoreResult<()> {
    let moved: Vec<(String, String, String)> = moved_responses(conn, merge_id)
        .await?
        .into_iter()
        .map(|id| (id, merged.to_owned(), survivor.to_owned()))
        .collect();
    super::metrics::move_segment_counts(conn, dialect, org, "account", &moved).await?;
    let from = number_of(conn, org, merged).await?;
    let mut to = number_of(conn, org, survivor).await?;
    if let Some(from) = from {
        let to_n = match to {
            Some(n) => n,
            None => new_number(conn, org, survivor).await?,
        };
        to = Some(to_n);
        let mut offsets = serde_json::Map::new();
        for table in RETENTION_TABLES {
            let offset: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
                "SELECT COALESCE(MAX(seq), -1) + 1 FROM {table} WHERE org_id = $1 AND account_idx = $2"
            )))
            .bind(org)
            .bind(to_n)
            .fetch_one(&mut *conn)
            .await
            .context("reading retention rows")?;
            sqlx::query(AssertSqlSafe(format!(
                "UPDATE {table} SET account_idx = $3, seq = seq + $4 \
                 WHERE org_id = $1 AND account_idx = $2"
            )))
            .bind(org)
            .bind(from)
            .bind(to_n)
            .bind(offset)
            .execute(&mut *conn)
            .await
            .context("moving retention rows")?;
            offsets.insert(table.to_owned(), offset.into());
        }
        data["retention"] = serde_json::json!({"from": from, "to": to_n, "offsets": offsets});
    }
    bump(conn, org, &[from, to]).await
}

/// Moves back what [`merge`] moved.
pub(crate) async fn undo(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org: &str,
    merge_id: &str,
    m: &Merge,
    data: &serde_json::Value,
) -> StoreResult<()> {
    let moved: Vec<(String, String, String)> = moved_responses(conn, merge_id)
        .await?
        .into_iter()
        .map(|id| (id, m.survivor_id.clone(), m.merged_id.clone()))
        .collect();
    super::metrics::move_segment_counts(conn, dialect, org, "account", &moved).await?;
    let retention = &data["retention"];
    let (Some(from), Some(to)) = (retention["from"].as_i64(), retention["to"].as_i64()) else {
        let survivor = number_of(conn, org, &m.survivor_id).await?;
        return bump(conn, org, &[survivor]).await;
    };
    for table in RETENTION_TABLES {
        let Some(offset) = retention["offsets"][table].as_i64() else {
            continue;
        };
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE {table} SET account_idx = $3, seq = seq - $4 \
             WHERE org_id = $1 AND account_idx = $2 AND seq >= $4 AND created_at <= $5"
        )))
        .bind(org)
        .bind(to)
        .bind(from)
        .bind(offset)
        .bind(m.at)
        .execute(&mut *conn)
        .await
        .context("moving retention rows back")?;
    }
    bump(conn, org, &[Some(from), Some(to)]).await
}
