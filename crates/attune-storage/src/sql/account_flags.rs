//! The relationship flags of every account (single-threaded, no contact, multi-threaded),
//! kept in `account_flags` (migration 0025). Writes that add a touch mark their account
//! (`mark_dirty`, `mark_import`); a refresh recomputes the marked accounts and those whose
//! oldest touch has left the window, through the same rule as one account's page
//! (`attune_domain::customer::relationship::threading`). The first refresh, or one with
//! another window, reads every touch of the window at once and recomputes every account.

use std::collections::HashMap;

use attune_domain::customer::relationship::{Tally, Threading, Touch, threading, threading_of};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::SqlStore;
use crate::error::{Context, StoreResult};
use crate::model::{AccountFlag, FlagRefresh};

const DAY_MS: i64 = 86_400_000;

const MARK: &str =
    "ON CONFLICT (org_id, account_id) DO UPDATE SET gen = account_flags_dirty.gen + 1";

/// Marks an account whose touches changed (on the caller's transaction).
pub(crate) async fn mark_dirty(
    conn: &mut AnyConnection,
    org_id: &str,
    account_id: &str,
) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO account_flags_dirty (org_id, account_id, gen) VALUES ($1, $2, 1) {MARK}"
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(account_id)
        .execute(&mut *conn)
        .await
        .context("marking an account's flags")?;
    Ok(())
}

/// Marks every account an import's answers touch.
pub(crate) async fn mark_import(
    conn: &mut AnyConnection,
    org_id: &str,
    import_id: &str,
) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO account_flags_dirty (org_id, account_id, gen) \
         SELECT DISTINCT org_id, account_id, 1 FROM responses WHERE import_id = $2 \
         AND org_id = $1 AND contact_id IS NOT NULL AND account_id IS NOT NULL {MARK}"
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(import_id)
        .execute(&mut *conn)
        .await
        .context("marking the accounts of an import")?;
    Ok(())
}

/// Marks every account a person is part of or has touched (after a merge of people, whose
/// touches now count as one person's).
pub(crate) async fn mark_person(
    conn: &mut AnyConnection,
    org_id: &str,
    person_id: &str,
) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO account_flags_dirty (org_id, account_id, gen)          SELECT DISTINCT org_id, account_id, 1 FROM (            SELECT org_id, account_id FROM memberships WHERE org_id = $1 AND person_id = $2            UNION SELECT org_id, account_id FROM responses WHERE org_id = $1 AND contact_id = $2              AND account_id IS NOT NULL            UNION SELECT i.org_id, i.account_id FROM interaction_people p              JOIN interactions i ON i.id = p.interaction_id AND i.org_id = p.org_id              WHERE p.org_id = $1 AND p.person_id = $2 AND i.account_id IS NOT NULL          ) AS touched WHERE true {MARK}"
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(person_id)
        .execute(&mut *conn)
        .await
        .context("marking a person's accounts")?;
    Ok(())
}

/// The stored form of a verdict: flag, people, touches, reasons.
fn encode(t: &Threading) -> (&'static str, i64, i64, String) {
    match t {
        Threading::NoContact => ("no_contact", 0, 0, "[]".into()),
        Threading::SingleThreaded {
            reasons,
            people,
            touches,
        } => (
            "single_threaded",
            *people as i64,
            *touches as i64,
            serde_json::to_string(reasons).unwrap_or_else(|_| "[]".into()),
        ),
        Threading::MultiThreaded { people, touches } => (
            "multi_threaded",
            *people as i64,
            *touches as i64,
            "[]".into(),
        ),
    }
}

pub(super) fn decode(flag: &str, people: i64, touches: i64, reasons: &str) -> Threading {
    let (people, touches) = (people.max(0) as usize, touches.max(0) as usize);
    match flag {
        "single_threaded" => Threading::SingleThreaded {
            reasons: serde_json::from_str(reasons).unwrap_or_default(),
            people,
            touches,
        },
        "multi_threaded" => Threading::MultiThreaded { people, touches },
        _ => Threading::NoContact,
    }
}

/// When the verdict over `touches` may change without a write: its oldest touch leaves.
fn expiry(touches: &[Touch], window_ms: i64) -> Option<i64> {
    touches.iter().map(|t| t.at_ms).min().map(|m| m + window_ms)
}

async fn save(
    conn: &mut AnyConnection,
    org_id: &str,
    account_id: &str,
    touches: &[Touch],
    window_ms: i64,
) -> StoreResult<()> {
    let (flag, people, n, reasons) = encode(&threading(touches));
    sqlx::query(
        "INSERT INTO account_flags (org_id, account_id, flag, people, touches, reasons, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id, account_id) DO UPDATE SET \
         flag = excluded.flag, people = excluded.people, touches = excluded.touches, \
         reasons = excluded.reasons, expires_at = excluded.expires_at",
    )
    .bind(org_id)
    .bind(account_id)
    .bind(flag)
    .bind(people)
    .bind(n)
    .bind(reasons)
    .bind(expiry(touches, window_ms))
    .execute(&mut *conn)
    .await
    .context("saving an account's flag")?;
    Ok(())
}

/// One account's window, counted by the database: the rule's tally and the oldest touch.
#[derive(Default)]
struct Counted {
    tally: Tally,
    first_at: i64,
}

/// `expr` of every row of a group, joined by commas (ids are `new_id()` hex: no commas).
fn joined(dialect: super::Dialect, expr: &str) -> String {
    match dialect {
        super::Dialect::Sqlite => format!("group_concat({expr}, ',')"),
        super::Dialect::Postgres => format!("string_agg({expr}, ',')"),
    }
}

/// The window of every account of the organisation, gathered by the database: one row per
/// account for its answers (`person,person,…`, from the account index alone, read in its
/// order so no sort runs) and one for its conversations, then its staff (`user,…`); the people
/// are counted here. A full refresh so moves a few rows per account out of the database rather
/// than one per touch.
async fn all_counts(
    conn: &mut AnyConnection,
    dialect: super::Dialect,
    org_id: &str,
    since_ms: i64,
) -> StoreResult<HashMap<String, Counted>> {
    // Without statistics SQLite's planner reads the answers through the index of people and
    // looks each row up in the table (3.5 s at 10 M answers, against 1.2 s reading the
    // covering account index in order); PostgreSQL plans from its statistics.
    let from = match dialect {
        super::Dialect::Sqlite => "responses r INDEXED BY responses_account",
        super::Dialect::Postgres => "responses r",
    };
    let answers = format!(
        "SELECT r.account_id, {}, MIN(r.submitted_at) FROM {from} \
         WHERE r.org_id = $1 AND r.submitted_at >= $2 AND r.contact_id IS NOT NULL \
           AND r.account_id IS NOT NULL AND {} GROUP BY r.account_id",
        joined(dialect, "r.contact_id"),
        super::responses::VISIBLE
    );
    let conversations = format!(
        "SELECT i.account_id, {}, MIN(i.occurred_at) FROM interactions i \
         JOIN interaction_people p ON p.interaction_id = i.id AND p.org_id = i.org_id \
         WHERE i.org_id = $1 AND i.internal = 0 AND i.occurred_at >= $2 \
           AND i.account_id IS NOT NULL GROUP BY i.account_id",
        joined(dialect, "p.person_id")
    );
    let mut out: HashMap<String, Counted> = HashMap::new();
    for sql in [answers, conversations] {
        for row in sqlx::query(AssertSqlSafe(sql))
            .bind(org_id)
            .bind(since_ms)
            .fetch_all(&mut *conn)
            .await
            .context("reading the touches of the window")?
        {
            let account: String = row.try_get(0).context("reading touches")?;
            let people: String = row.try_get(1).context("reading touches")?;
            let first: i64 = row.try_get(2).context("reading touches")?;
            let c = out.entry(account).or_insert_with(|| Counted {
                tally: Tally::default(),
                first_at: first,
            });
            c.first_at = c.first_at.min(first);
            for person in people.split(',') {
                match c.tally.per_person.get_mut(person) {
                    Some(n) => *n += 1,
                    None => {
                        c.tally.per_person.insert(person.to_owned(), 1);
                    }
                }
            }
        }
    }
    // Staff count only in conversations with someone of the customer's side (the touches).
    let staff = match dialect {
        super::Dialect::Sqlite => "group_concat(DISTINCT s.user_id)",
        super::Dialect::Postgres => "string_agg(DISTINCT s.user_id, ',')",
    };
    let sql = format!(
        "SELECT i.account_id, {staff} FROM interaction_staff s \
         JOIN interactions i ON i.id = s.interaction_id AND i.org_id = s.org_id \
         WHERE i.org_id = $1 AND i.internal = 0 AND i.occurred_at >= $2 \
           AND i.account_id IS NOT NULL AND EXISTS (SELECT 1 FROM interaction_people p \
             WHERE p.interaction_id = i.id AND p.org_id = i.org_id) \
         GROUP BY i.account_id"
    );
    for row in sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(since_ms)
        .fetch_all(&mut *conn)
        .await
        .context("reading the staff of the window")?
    {
        let account: String = row.try_get(0).context("reading the staff")?;
        let users: String = row.try_get(1).context("reading the staff")?;
        if let Some(c) = out.get_mut(&account) {
            c.tally.staff.extend(users.split(',').map(str::to_owned));
        }
    }
    Ok(out)
}

/// The marked accounts with their mark counts.
async fn marked(conn: &mut AnyConnection, org_id: &str) -> StoreResult<Vec<(String, i64)>> {
    let rows = sqlx::query("SELECT account_id, gen FROM account_flags_dirty WHERE org_id = $1")
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await
        .context("reading marked accounts")?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(0).context("reading a mark")?,
                r.try_get(1).context("reading a mark")?,
            ))
        })
        .collect()
}

/// Clears the marks read, unless marked again since.
async fn unmark(
    conn: &mut AnyConnection,
    org_id: &str,
    marks: &[(String, i64)],
) -> StoreResult<()> {
    for (account, gen_) in marks {
        sqlx::query(
            "DELETE FROM account_flags_dirty WHERE org_id = $1 AND account_id = $2 AND gen = $3",
        )
        .bind(org_id)
        .bind(account)
        .bind(gen_)
        .execute(&mut *conn)
        .await
        .context("clearing a mark")?;
    }
    Ok(())
}

async fn recompute_all(
    conn: &mut AnyConnection,
    dialect: super::Dialect,
    org_id: &str,
    since_ms: i64,
    window_ms: i64,
) -> StoreResult<u64> {
    let mut counts = all_counts(conn, dialect, org_id, since_ms).await?;
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM accounts WHERE org_id = $1 AND merged_into IS NULL")
            .bind(org_id)
            .fetch_all(&mut *conn)
            .await
            .context("listing accounts")?;
    sqlx::query("DELETE FROM account_flags WHERE org_id = $1")
        .bind(org_id)
        .execute(&mut *conn)
        .await
        .context("clearing the flags")?;
    let empty = Tally::default();
    let mut rows: Vec<Vec<serde_json::Value>> = Vec::with_capacity(ids.len());
    for id in &ids {
        let c = counts.remove(id);
        let (flag, people, n, reasons) =
            encode(&threading_of(c.as_ref().map_or(&empty, |c| &c.tally)));
        rows.push(vec![
            org_id.into(),
            id.as_str().into(),
            flag.into(),
            people.into(),
            n.into(),
            reasons.into(),
            c.map(|c| c.first_at + window_ms).into(),
        ]);
    }
    let sql = super::retention::insert_sql(
        dialect,
        "account_flags",
        &[
            "org_id",
            "account_id",
            "flag",
            "people",
            "touches",
            "reasons",
            "expires_at",
        ],
        &["text", "text", "text", "int", "int", "text", "int"],
        // A refresh running at the same time on PostgreSQL may have written a row first.
        "ON CONFLICT (org_id, account_id) DO UPDATE SET flag = excluded.flag, \
         people = excluded.people, touches = excluded.touches, reasons = excluded.reasons, \
         expires_at = excluded.expires_at",
    );
    for chunk in rows.chunks(super::retention::BATCH) {
        super::retention::send(conn, &sql, chunk).await?;
    }
    Ok(ids.len() as u64)
}

impl SqlStore {
    pub(crate) async fn refresh_account_flags_impl(
        &self,
        org_id: &str,
        now_ms: i64,
        days: u32,
    ) -> StoreResult<FlagRefresh> {
        let window_ms = i64::from(days) * DAY_MS;
        let since = now_ms - window_ms;
        let mut tx = self.begin_write().await?;
        let run: Option<i64> =
            sqlx::query_scalar("SELECT days FROM account_flag_runs WHERE org_id = $1")
                .bind(org_id)
                .fetch_optional(&mut *tx)
                .await
                .context("reading the flags' window")?;
        let marks = marked(&mut tx, org_id).await?;
        let full = run != Some(i64::from(days));
        let recomputed = if full {
            recompute_all(&mut tx, self.dialect, org_id, since, window_ms).await?
        } else {
            let mut ids: Vec<String> = sqlx::query_scalar(
                "SELECT account_id FROM account_flags WHERE org_id = $1 AND expires_at <= $2",
            )
            .bind(org_id)
            .bind(now_ms)
            .fetch_all(&mut *tx)
            .await
            .context("reading expired flags")?;
            ids.extend(marks.iter().map(|(a, _)| a.clone()));
            ids.sort();
            ids.dedup();
            for id in &ids {
                let t = super::touches::window_touches(&mut tx, org_id, id, since).await?;
                save(&mut tx, org_id, id, &t.touches, window_ms).await?;
            }
            ids.len() as u64
        };
        unmark(&mut tx, org_id, &marks).await?;
        sqlx::query(
            "INSERT INTO account_flag_runs (org_id, days, computed_at) VALUES ($1, $2, $3) \
             ON CONFLICT (org_id) DO UPDATE SET days = excluded.days, computed_at = excluded.computed_at",
        )
        .bind(org_id)
        .bind(i64::from(days))
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .context("recording the flags' window")?;
        tx.commit().await.context("saving the flags")?;
        Ok(FlagRefresh { recomputed, full })
    }

    pub(crate) async fn account_flags_impl(&self, org_id: &str) -> StoreResult<Vec<AccountFlag>> {
        let rows = sqlx::query(
            "SELECT f.account_id, f.flag, f.people, f.touches, f.reasons, f.expires_at \
             FROM account_flags f JOIN accounts a ON a.org_id = f.org_id AND a.id = f.account_id \
             WHERE f.org_id = $1 AND a.merged_into IS NULL",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await
        .context("reading the flags")?;
        rows.iter()
            .map(|r| {
                let flag: String = r.try_get(1).context("reading a flag")?;
                let reasons: String = r.try_get(4).context("reading a flag")?;
                Ok(AccountFlag {
                    account_id: r.try_get(0).context("reading a flag")?,
                    threading: decode(
                        &flag,
                        r.try_get(2).context("reading a flag")?,
                        r.try_get(3).context("reading a flag")?,
                        &reasons,
                    ),
                    expires_at: r.try_get(5).context("reading a flag")?,
                })
            })
            .collect()
    }
}
