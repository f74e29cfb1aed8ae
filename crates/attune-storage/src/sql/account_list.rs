//! The account list by relationship flag: accounts joined to their kept flags, filtered,
//! ordered and cut into pages by the database (keyset pages: the next page starts after the
//! last account of the previous one, in the list's own order), so a list of 100,000 accounts
//! reads one page, not every account.

use attune_domain::customer::relationship::Threading;
use sqlx::{AssertSqlSafe, Row};

use super::accounts::{ACCOUNT_COLUMNS, account_of};
use super::{Binds, Dialect, SqlStore};
use crate::error::{Context, StoreResult};
use crate::model::{Account, FlagListQuery, FlagOrder};

/// The flag of a joined row (`f` may be missing: no touch yet, no contact).
const FLAG: &str = "COALESCE(f.flag, 'no_contact')";

/// The sort key of an order, as a row value.
fn key(order: FlagOrder) -> String {
    match order {
        FlagOrder::Name => "a.name, a.id".into(),
        FlagOrder::Flag => format!(
            "CASE {FLAG} WHEN 'no_contact' THEN 0 WHEN 'single_threaded' THEN 1 ELSE 2 END, \
             a.name, a.id"
        ),
        FlagOrder::Owner => "CASE WHEN a.owner_user_id IS NULL THEN 1 ELSE 0 END, \
             COALESCE(a.owner_user_id, ''), a.name, a.id"
            .into(),
    }
}

/// The expression of an attribute: a column, or a key of the custom attributes.
fn attribute(dialect: Dialect, name: &str, binds: &mut Binds) -> String {
    match name {
        "plan" => "a.plan".into(),
        "size_band" | "size" => "a.size_band".into(),
        "industry" => "a.industry".into(),
        "region" => "a.region".into(),
        "owner" => "a.owner_user_id".into(),
        "name" => "a.name".into(),
        custom => match dialect {
            Dialect::Sqlite => {
                let path = format!("$.\"{}\"", custom.replace('"', "\\\""));
                format!(
                    "CAST(json_extract(a.attributes, {}) AS TEXT)",
                    binds.text(path)
                )
            }
            Dialect::Postgres => format!("(a.attributes::jsonb ->> {})", binds.text(custom)),
        },
    }
}

/// The filters of the query, after `WHERE a.org_id = $1 AND a.merged_into IS NULL`.
fn filters(dialect: Dialect, q: &FlagListQuery, binds: &mut Binds) -> String {
    let mut sql = String::new();
    if !q.archived {
        sql.push_str(" AND a.archived_at IS NULL");
    }
    if !q.flags.is_empty() {
        let list: Vec<String> = q.flags.iter().map(|f| binds.text(*f)).collect();
        sql.push_str(&format!(" AND {FLAG} IN ({})", list.join(", ")));
    }
    match &q.owner {
        None => {}
        Some(None) => sql.push_str(" AND a.owner_user_id IS NULL"),
        Some(Some(user)) => {
            sql.push_str(&format!(" AND a.owner_user_id = {}", binds.text(user)));
        }
    }
    if let Some((name, value)) = &q.attribute {
        let expr = attribute(dialect, name, binds);
        sql.push_str(&format!(" AND {expr} = {}", binds.text(value)));
    }
    sql
}

impl SqlStore {
    pub(crate) async fn account_flag_page_impl(
        &self,
        org_id: &str,
        q: &FlagListQuery,
    ) -> StoreResult<Vec<(Account, Threading)>> {
        let mut binds = Binds::default();
        let org = binds.text(org_id);
        let join = format!(
            "FROM accounts a LEFT JOIN account_flags f ON f.org_id = a.org_id AND f.account_id = a.id \
             WHERE a.org_id = {org} AND a.merged_into IS NULL"
        );
        let mut sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, f.flag AS kept_flag, f.people AS kept_people, \
             f.touches AS kept_touches, f.reasons AS kept_reasons {join}{}",
            filters(self.dialect, q, &mut binds)
        );
        let key = key(q.order);
        if let Some(after) = &q.after {
            let after = binds.text(after);
            sql.push_str(&format!(
                " AND ({key}) > (SELECT {key} {join} AND a.id = {after})"
            ));
        }
        sql.push_str(&format!(
            " ORDER BY {key} LIMIT {}",
            binds.int(i64::from(q.limit))
        ));
        let mut conn = self.pool.acquire().await.context("listing accounts")?;
        let rows = sqlx::query_with(AssertSqlSafe(sql), binds.into_args()?)
            .fetch_all(&mut *conn)
            .await
            .context("listing accounts by flag")?;
        let mut accounts = Vec::with_capacity(rows.len());
        let mut verdicts = Vec::with_capacity(rows.len());
        for row in &rows {
            accounts.push(account_of(row)?);
            let flag: Option<String> = row.try_get("kept_flag").context("reading a flag")?;
            verdicts.push(match flag {
                None => Threading::NoContact,
                Some(flag) => {
                    let reasons: String = row.try_get("kept_reasons").context("reading a flag")?;
                    super::account_flags::decode(
                        &flag,
                        row.try_get("kept_people").context("reading a flag")?,
                        row.try_get("kept_touches").context("reading a flag")?,
                        &reasons,
                    )
                }
            });
        }
        super::account_links::load(&mut conn, org_id, &mut accounts).await?;
        Ok(accounts.into_iter().zip(verdicts).collect())
    }
}
