//! Finding a customer by the start of a name, an e-mail address, a domain or an id in another
//! system: one index range read per source (migration 0024), merged and ranked here (exact
//! matches first, then by source, then alphabetically). Merged records are left out.

use sqlx::{AssertSqlSafe, Row};

use super::{Dialect, SqlStore};
use crate::error::{Context, StoreResult};
use crate::model::{CustomerHit, MergeKind};

/// `expr` starts with `lo` (both SQL), as a range the index on `expr` answers.
fn starts_with(dialect: Dialect, expr: &str, lo: &str) -> String {
    match dialect {
        Dialect::Postgres => format!(
            "{expr} COLLATE \"C\" >= {lo} COLLATE \"C\" \
             AND {expr} COLLATE \"C\" < ({lo} || chr(1114111)) COLLATE \"C\""
        ),
        Dialect::Sqlite => format!("{expr} >= {lo} AND {expr} < {lo} || char(1114111)"),
    }
}

/// `expr` in the order of its index (bytes), for ORDER BY.
fn in_order(dialect: Dialect, expr: &str) -> String {
    match dialect {
        Dialect::Postgres => format!("{expr} COLLATE \"C\""),
        Dialect::Sqlite => expr.to_owned(),
    }
}

/// A source: its kind, what it matches, and its query (`$1` org, `$2` the text, `$3` limit;
/// columns: id, name, matched value).
fn sources(dialect: Dialect) -> Vec<(MergeKind, &'static str, String)> {
    let r = |expr: &str, lo: &str| starts_with(dialect, expr, lo);
    let o = |expr: &str| in_order(dialect, expr);
    vec![
        (
            MergeKind::Account,
            "external_id",
            format!(
                "SELECT id, name, external_id FROM accounts WHERE org_id = $1 \
                 AND merged_into IS NULL AND {} ORDER BY {} LIMIT $3",
                r("external_id", "$2"),
                o("external_id")
            ),
        ),
        (
            MergeKind::Account,
            "external_id",
            format!(
                "SELECT a.id, a.name, x.external_id FROM account_external_ids x \
                 JOIN accounts a ON a.org_id = x.org_id AND a.id = x.account_id \
                 WHERE x.org_id = $1 AND a.merged_into IS NULL AND {} \
                 ORDER BY {} LIMIT $3",
                r("x.external_id", "$2"),
                o("x.external_id")
            ),
        ),
        (
            MergeKind::Person,
            "email",
            format!(
                "SELECT p.id, COALESCE(p.name, p.email, e.email), e.email FROM person_emails e \
                 JOIN people p ON p.org_id = e.org_id AND p.id = e.person_id \
                 WHERE e.org_id = $1 AND {} ORDER BY {} LIMIT $3",
                r("e.email", "$2"),
                o("e.email")
            ),
        ),
        (
            MergeKind::Account,
            "domain",
            format!(
                "SELECT a.id, a.name, d.domain FROM account_domains d \
                 JOIN accounts a ON a.org_id = d.org_id AND a.id = d.account_id \
                 WHERE d.org_id = $1 AND a.merged_into IS NULL AND {} ORDER BY {} LIMIT $3",
                r("d.domain", "$2"),
                o("d.domain")
            ),
        ),
        (
            MergeKind::Account,
            "name",
            format!(
                "SELECT id, name, name FROM accounts WHERE org_id = $1 AND merged_into IS NULL \
                 AND {} ORDER BY {}, id LIMIT $3",
                r("lower(name)", "lower($2)"),
                o("lower(name)")
            ),
        ),
        (
            MergeKind::Person,
            "name",
            format!(
                "SELECT id, name, name FROM people WHERE org_id = $1 AND merged_into IS NULL \
                 AND {} ORDER BY {}, id LIMIT $3",
                r("lower(name)", "lower($2)"),
                o("lower(name)")
            ),
        ),
    ]
}

impl SqlStore {
    pub(crate) async fn search_customers_impl(
        &self,
        org_id: &str,
        q: &str,
        limit: u32,
    ) -> StoreResult<Vec<CustomerHit>> {
        let q = q.trim();
        if q.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut conn = self.pool.acquire().await.context("searching customers")?;
        let folded = q.to_lowercase();
        let mut hits: Vec<(bool, usize, CustomerHit)> = Vec::new();
        for (rank, (kind, matched, sql)) in sources(self.dialect).into_iter().enumerate() {
            // Addresses and domains are stored with ASCII letters lower-cased.
            let text = match matched {
                "email" | "domain" => q.to_ascii_lowercase(),
                _ => q.to_owned(),
            };
            let rows = sqlx::query(AssertSqlSafe(sql))
                .bind(org_id)
                .bind(text)
                .bind(i64::from(limit))
                .fetch_all(&mut *conn)
                .await
                .context("searching customers")?;
            for row in rows {
                let value: String = row.try_get(2).context("reading a customer")?;
                let name: Option<String> = row.try_get(1).context("reading a customer")?;
                hits.push((
                    value.to_lowercase() != folded,
                    rank,
                    CustomerHit {
                        kind,
                        id: row.try_get(0).context("reading a customer")?,
                        name: name.unwrap_or_default(),
                        matched,
                        value,
                    },
                ));
            }
        }
        hits.sort_by(|a, b| {
            (a.0, a.1, a.2.name.to_lowercase()).cmp(&(b.0, b.1, b.2.name.to_lowercase()))
        });
        let mut seen = std::collections::HashSet::new();
        Ok(hits
            .into_iter()
            .map(|(_, _, h)| h)
            .filter(|h| seen.insert((h.kind.as_str(), h.id.clone())))
            .take(limit as usize)
            .collect())
    }
}
