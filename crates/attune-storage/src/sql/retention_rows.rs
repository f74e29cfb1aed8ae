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

pub(super) async fn count_accounts(conn: &mut AnyConnection, org_id: &str) -> StoreResult<usize> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM retention_accounts WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(&mut *conn)
        .await
        .context("counting accounts")?;
    let n: i64 = row.try_get("n").context("reading a count")?;
    Ok(n.max(0) as usize)
}

/// The rows themselves, streamed, so millions never sit in memory as driver rows.
pub(super) async fn read_rows(
    conn: &mut AnyConnection,
    org_id: &str,
    source: RetentionSource,
) -> StoreResult<RetentionRows> {
    let n_accounts = count_accounts(conn, org_id).await?;
    let mut out = RetentionRows {
        n_accounts,
        ..RetentionRows::default()
    };
    let to_u32 = |v: i64| u32::try_from(v).map_err(|_| other(format!("bad account number {v}")));
    let to_day = |v: i64| i32::try_from(v).map_err(|_| other(format!("day {v} out of range")));
    match source {
        RetentionSource::Subscriptions => {
            let mut rows = sqlx::query(
                "SELECT account_idx, start_day, end_day, mrr_cents FROM subscriptions \
                 WHERE org_id = $1",
            )
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
            let mut rows = sqlx::query(
                "SELECT account_idx, day, value_cents FROM activity_events WHERE org_id = $1",
            )
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
    if let Some(s) = out
        .subscriptions
        .iter()
        .find(|s| s.account as usize >= n_accounts)
    {
        return Err(other(format!(
            "account number {} has no account",
            s.account
        )));
    }
    if let Some(e) = out
        .activity
        .iter()
        .find(|e| e.account as usize >= n_accounts)
    {
        return Err(other(format!(
            "account number {} has no account",
            e.account
        )));
    }
    Ok(out)
}

/// Every attribute of the numbered accounts in one pass: the built-in columns, then each
/// custom key (a custom key named like a built-in column is shadowed by it).
pub(super) async fn read_attributes(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
) -> StoreResult<(usize, Vec<AttributeColumn>)> {
    let n_accounts = count_accounts(conn, org_id).await?;
    let attributes = match dialect {
        Dialect::Sqlite => "a.attributes",
        Dialect::Postgres => "a.attributes::text",
    };
    let sql = format!(
        "SELECT r.idx, a.plan, a.size_band, a.industry, a.region, u.email, \
           CASE WHEN {attributes} = '{{}}' THEN NULL ELSE {attributes} END \
         FROM retention_accounts r \
         JOIN accounts a ON a.id = r.account_id \
         LEFT JOIN users u ON u.id = a.owner_user_id \
         WHERE r.org_id = $1"
    );
    let mut builtin: Vec<Vec<(u32, String)>> = vec![Vec::new(); BUILTIN_ATTRIBUTES.len()];
    let mut custom: HashMap<String, Vec<(u32, String)>> = HashMap::new();
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
        for (i, values) in builtin.iter_mut().enumerate() {
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
            if BUILTIN_ATTRIBUTES.contains(&key.as_str()) {
                continue;
            }
            let v = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => continue,
                other => other.to_string(),
            };
            custom.entry(key).or_default().push((idx, v));
        }
    }
    drop(rows);
    let (products, reasons) = subscription_attributes(conn, org_id).await?;
    let mut keys: Vec<String> = custom.keys().cloned().collect();
    keys.sort();
    let mut columns: Vec<AttributeColumn> = BUILTIN_ATTRIBUTES
        .iter()
        .zip(builtin)
        .map(|(name, pairs)| {
            AttributeColumn::from_pairs(
                *name,
                n_accounts,
                pairs.iter().map(|(i, v)| (*i, v.as_str())),
            )
        })
        .collect();
    for (name, values) in [(PRODUCT, products), (CANCELLATION_REASON, reasons)] {
        columns.push(AttributeColumn::from_pairs(
            name,
            n_accounts,
            values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| Some((i as u32, v.as_deref()?))),
        ));
    }
    for key in keys {
        if key == PRODUCT || key == CANCELLATION_REASON {
            continue;
        }
        let pairs = custom.remove(&key).unwrap_or_default();
        columns.push(AttributeColumn::from_pairs(
            key,
            n_accounts,
            pairs.iter().map(|(i, v)| (*i, v.as_str())),
        ));
    }
    Ok((n_accounts, columns))
}

/// The attributes of [`SUBSCRIPTION_ATTRIBUTES`], by name.
const PRODUCT: &str = SUBSCRIPTION_ATTRIBUTES[0];
const CANCELLATION_REASON: &str = SUBSCRIPTION_ATTRIBUTES[1];

/// Per account number: its products (joined) and its latest cancellation reason.
async fn subscription_attributes(
    conn: &mut AnyConnection,
    org_id: &str,
) -> StoreResult<(Vec<Option<String>>, Vec<Option<String>>)> {
    let mut products: Vec<std::collections::BTreeSet<String>> = Vec::new();
    let mut reasons: Vec<Option<(i64, String)>> = Vec::new();
    let mut rows = sqlx::query(
        "SELECT account_idx, product, COALESCE(end_day, start_day) AS at, cancellation_reason \
         FROM subscriptions WHERE org_id = $1 AND (product <> '' OR cancellation_reason IS NOT NULL)",
    )
    .bind(org_id)
    .fetch(&mut *conn);
    while let Some(row) = rows
        .try_next()
        .await
        .context("loading subscription attributes")?
    {
        let idx: i64 = row.try_get(0).context("reading a subscription")?;
        let Ok(idx) = usize::try_from(idx) else {
            continue;
        };
        if products.len() <= idx {
            products.resize_with(idx + 1, Default::default);
            reasons.resize(idx + 1, None);
        }
        let product: String = row.try_get(1).context("reading a subscription")?;
        if !product.trim().is_empty() {
            products[idx].insert(product.trim().to_owned());
        }
        let at: i64 = row.try_get(2).context("reading a subscription")?;
        let reason: Option<String> = row.try_get(3).context("reading a subscription")?;
        if let Some(reason) = reason.filter(|r| !r.trim().is_empty())
            && reasons[idx].as_ref().is_none_or(|(t, _)| *t <= at)
        {
            reasons[idx] = Some((at, reason.trim().to_owned()));
        }
    }
    Ok((
        products
            .into_iter()
            .map(|p| (!p.is_empty()).then(|| p.into_iter().collect::<Vec<_>>().join(" + ")))
            .collect(),
        reasons.into_iter().map(|r| r.map(|(_, v)| v)).collect(),
    ))
}
