//! The rows and attributes a retention snapshot is packed from, read from the tables: streamed
//! subscription rows or activity events, and account attributes per account number in one pass.

use std::collections::HashMap;

use attune_retention::{ActivityEvent, AttributeColumn, Subscription};
use futures_util::TryStreamExt;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::Dialect;
use super::retention::other;
use crate::error::{Context, StoreResult};
use crate::retention::{
    BUILTIN_ATTRIBUTES, RetentionRows, RetentionSource, SUBSCRIPTION_ATTRIBUTES,
};

/// A boolean column (an integer on SQLite).
pub(super) fn flag(row: &sqlx::any::AnyRow, i: usize) -> StoreResult<bool> {
    match row.try_get::<bool, _>(i) {
        Ok(b) => Ok(b),
        Err(_) => Ok(row.try_get::<i64, _>(i).context("reading a flag")? != 0),
    }
}

/// The number of numbered accounts: one past the highest number (numbers are dense, handed
/// out in order; reading the top of the key is one index probe, where a count reads every key).
pub(super) async fn count_accounts(conn: &mut AnyConnection, org_id: &str) -> StoreResult<usize> {
    let row = sqlx::query("SELECT MAX(idx) AS top FROM retention_accounts WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(&mut *conn)
        .await
        .context("counting accounts")?;
    let top: Option<i64> = row.try_get("top").context("reading a count")?;
    Ok(top.map_or(0, |t| (t + 1).max(0) as usize))
}

/// Account numbers per `IN (…)` list when reading the rows of some accounts.
const IN_LIST: usize = 500;

/// ` AND {column} IN (…)` for one slice of account numbers (integers, not user text).
fn only_accounts(column: &str, accounts: &[u32]) -> String {
    let list: Vec<String> = accounts.iter().map(u32::to_string).collect();
    format!(" AND {column} IN ({})", list.join(", "))
}

/// The slices of account numbers to read: everything at once, or `IN` lists of some accounts.
fn slices(only: Option<&[u32]>) -> Vec<Option<&[u32]>> {
    match only {
        None => vec![None],
        Some(accounts) => accounts.chunks(IN_LIST).map(Some).collect(),
    }
}

/// The rows themselves, of every account or only of the accounts in `only`, streamed, so
/// millions never sit in memory as driver rows.
pub(super) async fn read_rows(
    conn: &mut AnyConnection,
    org_id: &str,
    source: RetentionSource,
    only: Option<&[u32]>,
) -> StoreResult<RetentionRows> {
    let n_accounts = count_accounts(conn, org_id).await?;
    let mut out = RetentionRows {
        n_accounts,
        ..RetentionRows::default()
    };
    let to_u32 = |v: i64| u32::try_from(v).map_err(|_| other(format!("bad account number {v}")));
    let to_day = |v: i64| i32::try_from(v).map_err(|_| other(format!("day {v} out of range")));
    for slice in slices(only) {
        let filter = slice.map_or(String::new(), |a| only_accounts("account_idx", a));
        match source {
            RetentionSource::Subscriptions => {
                let sql = format!(
                    "SELECT account_idx, start_day, end_day, mrr_cents FROM subscriptions \
                     WHERE org_id = $1{filter}"
                );
                let mut rows = sqlx::query(AssertSqlSafe(sql))
                    .bind(org_id)
                    .fetch(&mut *conn);
                while let Some(row) = rows.try_next().await.context("loading subscriptions")? {
                    let end: Option<i64> = row.try_get(2).context("reading a subscription")?;
                    out.subscriptions.push(Subscription {
                        account: to_u32(row.try_get(0).context("reading a subscription")?)?,
                        start: to_day(row.try_get(1).context("reading a subscription")?)?,
                        end: end.map(to_day).transpose()?,
                        mrr_cents: row.try_get(3).context("reading a subscription")?,
                    });
                }
            }
            RetentionSource::Activity => {
                let sql = format!(
                    "SELECT account_idx, day, value_cents FROM activity_events \
                     WHERE org_id = $1{filter}"
                );
                let mut rows = sqlx::query(AssertSqlSafe(sql))
                    .bind(org_id)
                    .fetch(&mut *conn);
                while let Some(row) = rows.try_next().await.context("loading activity")? {
                    out.activity.push(ActivityEvent {
                        account: to_u32(row.try_get(0).context("reading an event")?)?,
                        day: to_day(row.try_get(1).context("reading an event")?)?,
                        value_cents: row.try_get(2).context("reading an event")?,
                    });
                }
            }
        }
    }
    let accounts = out
        .subscriptions
        .iter()
        .map(|s| s.account)
        .chain(out.activity.iter().map(|e| e.account));
    if let Some(a) = accounts.max().filter(|&a| a as usize >= n_accounts) {
        return Err(other(format!("account number {a} has no account")));
    }
    Ok(out)
}

/// Each attribute's values of the numbered accounts, as `(account, value)` pairs: the built-in
/// columns in [`BUILTIN_ATTRIBUTES`] order, the two of [`SUBSCRIPTION_ATTRIBUTES`], and each
/// custom key (one named like a built-in or subscription attribute is shadowed by it; empty
/// values are left out).
pub(super) struct AttributePairs {
    builtin: Vec<Vec<(u32, String)>>,
    products: Vec<(u32, String)>,
    reasons: Vec<(u32, String)>,
    custom: HashMap<String, Vec<(u32, String)>>,
}

/// Every attribute of every numbered account, or only of the accounts in `only`.
pub(super) async fn read_attribute_pairs(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    only: Option<&[u32]>,
) -> StoreResult<AttributePairs> {
    let attributes = match dialect {
        Dialect::Sqlite => "a.attributes",
        Dialect::Postgres => "a.attributes::text",
    };
    let mut out = AttributePairs {
        builtin: vec![Vec::new(); BUILTIN_ATTRIBUTES.len()],
        products: Vec::new(),
        reasons: Vec::new(),
        custom: HashMap::new(),
    };
    for slice in slices(only) {
        let filter = slice.map_or(String::new(), |a| only_accounts("r.idx", a));
        let sql = format!(
            "SELECT r.idx, a.plan, a.size_band, a.industry, a.region, u.email, \
               CASE WHEN {attributes} = '{{}}' THEN NULL ELSE {attributes} END \
             FROM retention_accounts r \
             JOIN accounts a ON a.id = r.account_id \
             LEFT JOIN users u ON u.id = a.owner_user_id \
             WHERE r.org_id = $1{filter}"
        );
        let mut rows = sqlx::query(AssertSqlSafe(sql))
            .bind(org_id)
            .fetch(&mut *conn);
        while let Some(row) = rows
            .try_next()
            .await
            .context("loading account attributes")?
        {
            let idx: i64 = row.try_get(0).context("reading an attribute")?;
            let Ok(idx) = u32::try_from(idx) else {
                continue;
            };
            for (i, values) in out.builtin.iter_mut().enumerate() {
                let v: Option<String> = row.try_get(i + 1).context("reading an attribute")?;
                if let Some(v) = v {
                    values.push((idx, v));
                }
            }
            let raw: Option<String> = row.try_get(6).context("reading attributes")?;
            let Some(map) = raw.and_then(|r| {
                serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&r).ok()
            }) else {
                continue;
            };
            for (key, value) in map {
                if BUILTIN_ATTRIBUTES.contains(&key.as_str())
                    || SUBSCRIPTION_ATTRIBUTES.contains(&key.as_str())
                {
                    continue;
                }
                let v = match value {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Null => continue,
                    other => other.to_string(),
                };
                if !v.trim().is_empty() {
                    out.custom.entry(key).or_default().push((idx, v));
                }
            }
        }
        drop(rows);
        subscription_attributes(conn, org_id, slice, &mut out).await?;
    }
    Ok(out)
}

impl AttributePairs {
    /// Each attribute's name with its pairs, in column order: built-in, subscription, then
    /// custom keys by name.
    fn into_named(mut self) -> Vec<(String, Vec<(u32, String)>)> {
        let mut keys: Vec<String> = self.custom.keys().cloned().collect();
        keys.sort();
        let mut out: Vec<(String, Vec<(u32, String)>)> = BUILTIN_ATTRIBUTES
            .iter()
            .map(|n| (*n).to_owned())
            .zip(self.builtin)
            .collect();
        out.push((PRODUCT.to_owned(), self.products));
        out.push((CANCELLATION_REASON.to_owned(), self.reasons));
        for key in keys {
            let pairs = self.custom.remove(&key).unwrap_or_default();
            out.push((key, pairs));
        }
        out
    }
}

/// Every attribute column of the numbered accounts in one pass: built-in, subscription, then
/// custom keys by name.
pub(super) async fn read_attributes(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
) -> StoreResult<(usize, Vec<AttributeColumn>)> {
    let n_accounts = count_accounts(conn, org_id).await?;
    let pairs = read_attribute_pairs(conn, dialect, org_id, None).await?;
    let columns = pairs
        .into_named()
        .into_iter()
        .map(|(name, pairs)| {
            AttributeColumn::from_pairs(
                name,
                n_accounts,
                pairs.iter().map(|(i, v)| (*i, v.as_str())),
            )
        })
        .collect();
    Ok((n_accounts, columns))
}

/// Snapshot columns with the values of the `touched` accounts replaced by their current
/// `pairs` (read for those accounts only), over `n_accounts`: the same columns a full read
/// gives — a custom key no account holds any more is gone, a new one appears in name order.
pub(super) fn patch_columns(
    base: Vec<AttributeColumn>,
    n_accounts: usize,
    touched: &[u32],
    pairs: AttributePairs,
) -> Vec<AttributeColumn> {
    let mut fresh: HashMap<String, HashMap<u32, String>> = pairs
        .into_named()
        .into_iter()
        .map(|(name, pairs)| (name, pairs.into_iter().collect()))
        .collect();
    let fixed = BUILTIN_ATTRIBUTES.len() + SUBSCRIPTION_ATTRIBUTES.len();
    let mut columns: Vec<AttributeColumn> = base
        .into_iter()
        .map(|column| {
            let now = fresh.remove(&column.name).unwrap_or_default();
            column.patched(
                n_accounts,
                touched.iter().map(|a| (*a, now.get(a).map(String::as_str))),
            )
        })
        .collect();
    for (name, now) in fresh {
        if !now.is_empty() {
            columns.push(AttributeColumn::from_pairs(
                name,
                n_accounts,
                now.iter().map(|(a, v)| (*a, v.as_str())),
            ));
        }
    }
    let custom = columns.split_off(fixed.min(columns.len()));
    let mut custom: Vec<AttributeColumn> = custom.into_iter().filter(|c| c.has_values()).collect();
    custom.sort_by(|a, b| a.name.cmp(&b.name));
    columns.extend(custom);
    columns
}

/// The attributes of [`SUBSCRIPTION_ATTRIBUTES`], by name.
const PRODUCT: &str = SUBSCRIPTION_ATTRIBUTES[0];
const CANCELLATION_REASON: &str = SUBSCRIPTION_ATTRIBUTES[1];

/// Per account number (of every account, or of the accounts in `only`): its products
/// (joined) and its latest cancellation reason, added to `out`.
async fn subscription_attributes(
    conn: &mut AnyConnection,
    org_id: &str,
    only: Option<&[u32]>,
    out: &mut AttributePairs,
) -> StoreResult<()> {
    let mut products: HashMap<u32, std::collections::BTreeSet<String>> = HashMap::new();
    let mut reasons: HashMap<u32, (i64, String)> = HashMap::new();
    let filter = only.map_or(String::new(), |a| only_accounts("account_idx", a));
    let sql = format!(
        "SELECT account_idx, product, COALESCE(end_day, start_day) AS at, cancellation_reason \
         FROM subscriptions WHERE org_id = $1 \
         AND (product <> '' OR cancellation_reason IS NOT NULL){filter}"
    );
    let mut rows = sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .fetch(&mut *conn);
    while let Some(row) = rows
        .try_next()
        .await
        .context("loading subscription attributes")?
    {
        let idx: i64 = row.try_get(0).context("reading a subscription")?;
        let Ok(idx) = u32::try_from(idx) else {
            continue;
        };
        let product: String = row.try_get(1).context("reading a subscription")?;
        if !product.trim().is_empty() {
            products
                .entry(idx)
                .or_default()
                .insert(product.trim().to_owned());
        }
        let at: i64 = row.try_get(2).context("reading a subscription")?;
        let reason: Option<String> = row.try_get(3).context("reading a subscription")?;
        if let Some(reason) = reason.filter(|r| !r.trim().is_empty())
            && reasons.get(&idx).is_none_or(|(t, _)| *t <= at)
        {
            reasons.insert(idx, (at, reason.trim().to_owned()));
        }
    }
    out.products.extend(
        products
            .into_iter()
            .map(|(a, p)| (a, p.into_iter().collect::<Vec<_>>().join(" + "))),
    );
    out.reasons
        .extend(reasons.into_iter().map(|(a, (_, reason))| (a, reason)));
    Ok(())
}
