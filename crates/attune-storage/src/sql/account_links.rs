//! What an account is linked to beyond its row: its ids in other systems, its web domains and
//! its parent. Loaded with the account, written in the account's transaction.

use std::collections::HashMap;

use attune_domain::Invalid;
use sqlx::{AnyConnection, Row};

use crate::error::{Context, StoreError, StoreResult};
use crate::model::{Account, AccountUpsert};

/// How many parents up a chain is followed before it is called a loop.
const MAX_DEPTH: usize = 64;

/// Fills `other_ids` and `domains` of these accounts (all of one organisation).
pub(crate) async fn load(
    conn: &mut AnyConnection,
    org_id: &str,
    accounts: &mut [Account],
) -> StoreResult<()> {
    let mut ids: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let mut domains: HashMap<String, Vec<String>> = HashMap::new();
    // One account: its rows only; a whole list: every row of the organisation, grouped here.
    let one = match accounts {
        [a] => Some(a.id.clone()),
        _ => None,
    };
    let rows = sqlx::query(
        "SELECT account_id, source, external_id FROM account_external_ids \
         WHERE org_id = $1 AND ($2 IS NULL OR account_id = $2) ORDER BY source, external_id",
    )
    .bind(org_id)
    .bind(one.as_deref())
    .fetch_all(&mut *conn)
    .await
    .context("reading accounts' other ids")?;
    for row in rows {
        let account: String = row.try_get(0).context("reading an account id")?;
        let source: String = row.try_get(1).context("reading a source")?;
        let id: String = row.try_get(2).context("reading an external id")?;
        ids.entry(account).or_default().push((source, id));
    }
    let rows = sqlx::query(
        "SELECT account_id, domain FROM account_domains \
         WHERE org_id = $1 AND ($2 IS NULL OR account_id = $2) ORDER BY domain",
    )
    .bind(org_id)
    .bind(one.as_deref())
    .fetch_all(&mut *conn)
    .await
    .context("reading accounts' domains")?;
    for row in rows {
        let account: String = row.try_get(0).context("reading an account id")?;
        let domain: String = row.try_get(1).context("reading a domain")?;
        domains.entry(account).or_default().push(domain);
    }
    for a in accounts.iter_mut() {
        a.other_ids = ids.remove(&a.id).unwrap_or_default();
        a.domains = domains.remove(&a.id).unwrap_or_default();
    }
    // The team only for one account (the list shows none).
    if let [a] = accounts {
        a.team = super::account_team::team_of(conn, org_id, &a.id).await?;
    }
    Ok(())
}

/// Writes what `a` changes beyond the account's row: parent, domains, other ids. A domain or id that belongs to another account is a conflict; a parent
/// that is unknown or would make a loop is invalid input.
pub(crate) async fn apply(
    conn: &mut AnyConnection,
    org_id: &str,
    account_id: &str,
    a: &AccountUpsert,
) -> StoreResult<()> {
    if let Some(parent) = &a.parent {
        let parent_id = match parent {
            Some(p) => Some(parent_of(conn, org_id, account_id, p).await?),
            None => None,
        };
        set_column(conn, org_id, account_id, "parent_id", parent_id.as_deref()).await?;
    }
    if let Some(list) = &a.domains {
        sqlx::query("DELETE FROM account_domains WHERE org_id = $1 AND account_id = $2")
            .bind(org_id)
            .bind(account_id)
            .execute(&mut *conn)
            .await
            .context("replacing an account's domains")?;
        for domain in list {
            owned_elsewhere(
                conn,
                "SELECT account_id FROM account_domains WHERE org_id = $1 AND domain = $2",
                &[org_id, domain],
                account_id,
                &format!("`{domain}` is already the domain of another account"),
            )
            .await?;
            sqlx::query(
                "INSERT INTO account_domains (org_id, domain, account_id) VALUES ($1, $2, $3) \
                 ON CONFLICT (org_id, domain) DO NOTHING",
            )
            .bind(org_id)
            .bind(domain)
            .bind(account_id)
            .execute(&mut *conn)
            .await
            .context("saving an account's domain")?;
        }
    }
    for (source, id) in &a.other_ids {
        sqlx::query(
            "DELETE FROM account_external_ids WHERE org_id = $1 AND account_id = $2 AND source = $3",
        )
        .bind(org_id)
        .bind(account_id)
        .bind(source)
        .execute(&mut *conn)
        .await
        .context("replacing an account's id")?;
        let Some(id) = id else { continue };
        owned_elsewhere(
            conn,
            "SELECT account_id FROM account_external_ids \
             WHERE org_id = $1 AND external_id = $2 AND source = $3",
            &[org_id, id, source],
            account_id,
            &format!("`{source}` id `{id}` already belongs to another account"),
        )
        .await?;
        sqlx::query(
            "INSERT INTO account_external_ids (org_id, source, external_id, account_id) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(org_id)
        .bind(source)
        .bind(id)
        .bind(account_id)
        .execute(&mut *conn)
        .await
        .context("saving an account's id")?;
    }
    Ok(())
}

/// `column` is one of the fixed names above, never input.
async fn set_column(
    conn: &mut AnyConnection,
    org_id: &str,
    account_id: &str,
    column: &'static str,
    value: Option<&str>,
) -> StoreResult<()> {
    let sql = format!("UPDATE accounts SET {column} = $3 WHERE org_id = $1 AND id = $2");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org_id)
        .bind(account_id)
        .bind(value)
        .execute(&mut *conn)
        .await
        .context("saving an account")?;
    Ok(())
}

/// A conflict when the account `sql` (a fixed query) finds with `binds` is not `mine`.
async fn owned_elsewhere(
    conn: &mut AnyConnection,
    sql: &'static str,
    binds: &[&str],
    mine: &str,
    message: &str,
) -> StoreResult<()> {
    let mut q = sqlx::query_scalar(sql);
    for b in binds {
        q = q.bind(*b);
    }
    let owner: Option<String> = q
        .fetch_optional(&mut *conn)
        .await
        .context("checking who owns an id")?;
    match owner {
        Some(o) if o != mine => Err(StoreError::Conflict(message.to_owned())),
        _ => Ok(()),
    }
}

/// The id of the parent named `wanted` (id or external id), refusing an unknown account and a
/// parent whose own chain of parents leads back to `account_id`.
async fn parent_of(
    conn: &mut AnyConnection,
    org_id: &str,
    account_id: &str,
    wanted: &str,
) -> StoreResult<String> {
    let invalid = |m: &str| StoreError::Invalid(Invalid::one("parent", m));
    let parent = match super::people::account_id_of(conn, org_id, wanted).await {
        Ok(id) => id,
        Err(StoreError::NotFound) => return Err(invalid("no account with that id or external id")),
        Err(e) => return Err(e),
    };
    let mut at = Some(parent.clone());
    for _ in 0..MAX_DEPTH {
        let Some(id) = at else {
            return Ok(parent);
        };
        if id == account_id {
            return Err(invalid(
                "that account is this one or belongs to it: a group cannot contain itself",
            ));
        }
        at = sqlx::query_scalar("SELECT parent_id FROM accounts WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(&id)
            .fetch_optional(&mut *conn)
            .await
            .context("following the parent accounts")?
            .flatten();
    }
    Err(invalid("the chain of parent accounts is longer than 64"))
}
