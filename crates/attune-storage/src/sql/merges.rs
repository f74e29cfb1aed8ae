//! Merging a duplicate account or person into another, and undoing it exactly.
//!
//! Every table that points at an account or a person is listed once ([`ACCOUNT_LINKS`],
//! [`PERSON_LINKS`]); one generic mover logs each row it moves (table, column and the row's key)
//! in `merge_moves` and drops, with the columns needed to bring it back, a row the survivor
//! already has an equal of (the same person's membership, the same team member). Undo moves the
//! logged rows back and re-inserts the dropped ones; records created on the survivor since
//! were never logged, so they stay. Retention rows and the per-account score aggregates follow
//! the responses and subscriptions they count.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use attune_domain::Invalid;

use super::{Dialect, SqlStore, new_id};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::{Merge, MergeKind, MergePreview, MovedCount, STAYING_LISTED, StayingRecords};
use crate::store::MergeStore;
use async_trait::async_trait;

#[derive(Debug, Clone, Copy)]
enum Ty {
    Text,
    Int,
}

/// A table whose `col` points at the merged record.
struct Link {
    table: &'static str,
    col: &'static str,
    /// The columns that tell its rows of one record apart (one or two, text).
    keys: &'static [&'static str],
    /// The other columns, kept for a row dropped as a duplicate of the survivor's.
    rest: &'static [(&'static str, Ty)],
    /// What the API calls these records.
    what: &'static str,
}

impl Link {
    fn tag(&self) -> String {
        format!("{}.{}", self.table, self.col)
    }

    fn dropped_tag(&self) -> String {
        format!("{}.{}!", self.table, self.col)
    }

    /// Whether the row aliased `m` has an equal among the rows pointing at `$3`.
    fn duplicate(&self) -> String {
        let same: Vec<String> = self.keys.iter().map(|k| format!("s.{k} = m.{k}")).collect();
        format!(
            "EXISTS (SELECT 1 FROM {t} s WHERE s.org_id = m.org_id AND s.{c} = $3 AND {same})",
            t = self.table,
            c = self.col,
            same = same.join(" AND ")
        )
    }

    fn key2(&self, alias: &str) -> String {
        self.keys
            .get(1)
            .map_or_else(|| "''".to_owned(), |k| format!("{alias}.{k}"))
    }
}

const MEMBERSHIP_REST: &[(&str, Ty)] = &[
    ("title", Ty::Text),
    ("roles", Ty::Text),
    ("from_day", Ty::Int),
    ("to_day", Ty::Int),
    ("created_at", Ty::Int),
];

const fn link(
    table: &'static str,
    col: &'static str,
    keys: &'static [&'static str],
    what: &'static str,
) -> Link {
    Link {
        table,
        col,
        keys,
        rest: &[],
        what,
    }
}

/// Everything that points at an account.
const ACCOUNT_LINKS: &[Link] = &[
    link("responses", "account_id", &["id"], "responses"),
    link("cases", "account_id", &["id"], "cases"),
    link("interactions", "account_id", &["id"], "interactions"),
    link("account_events", "account_id", &["id"], "owner_changes"),
    Link {
        table: "memberships",
        col: "account_id",
        keys: &["person_id"],
        rest: MEMBERSHIP_REST,
        what: "memberships",
    },
    Link {
        table: "account_team",
        col: "account_id",
        keys: &["user_id", "role"],
        rest: &[("created_at", Ty::Int)],
        what: "team",
    },
    link(
        "account_external_ids",
        "account_id",
        &["source", "external_id"],
        "external_ids",
    ),
    link("account_domains", "account_id", &["domain"], "domains"),
    link("accounts", "parent_id", &["id"], "child_accounts"),
    link("accounts", "merged_into", &["id"], "merged_accounts"),
];

/// Everything that points at a person.
const PERSON_LINKS: &[Link] = &[
    link("responses", "contact_id", &["id"], "responses"),
    link("cases", "contact_id", &["id"], "cases"),
    link("invitations", "contact_id", &["id"], "invitations"),
    link(
        "interaction_people",
        "person_id",
        &["interaction_id"],
        "interactions",
    ),
    link("person_emails", "person_id", &["email"], "emails"),
    Link {
        table: "memberships",
        col: "person_id",
        keys: &["account_id"],
        rest: MEMBERSHIP_REST,
        what: "memberships",
    },
    link("people", "merged_into", &["id"], "merged_people"),
];

/// The columns of the survivor that, when empty, take the merged record's value.
fn fillable(kind: MergeKind) -> (&'static str, &'static [&'static str]) {
    match kind {
        MergeKind::Account => ("accounts", &["plan", "size_band", "industry", "region"]),
        MergeKind::Person => ("people", &["name", "phone", "language", "time_zone"]),
    }
}

fn links(kind: MergeKind) -> &'static [Link] {
    match kind {
        MergeKind::Account => ACCOUNT_LINKS,
        MergeKind::Person => PERSON_LINKS,
    }
}

fn invalid(message: &str) -> StoreError {
    StoreError::Invalid(Invalid::one("merge", message))
}

/// Moves the rows of `l` from `from` to `to`, logging each; returns what moved and dropped.
async fn move_link(
    conn: &mut AnyConnection,
    org: &str,
    merge_id: &str,
    l: &Link,
    from: &str,
    to: &str,
) -> StoreResult<MovedCount> {
    let (t, c, k1, k2) = (l.table, l.col, l.keys[0], l.key2("m"));
    let dup = l.duplicate();
    let log = format!(
        "INSERT INTO merge_moves (merge_id, tbl, key1, key2) \
         SELECT CAST($4 AS TEXT), CAST($5 AS TEXT), m.{k1}, {k2} FROM {t} m \
         WHERE m.org_id = $1 AND m.{c} = $2 AND NOT {dup}"
    );
    sqlx::query(AssertSqlSafe(log))
        .bind(org)
        .bind(from)
        .bind(to)
        .bind(merge_id)
        .bind(l.tag())
        .execute(&mut *conn)
        .await
        .context("logging what a merge moves")?;
    let rest: Vec<&str> = l.rest.iter().map(|(n, _)| *n).collect();
    let mut cols = vec![format!("m.{k1}"), k2];
    cols.extend(rest.iter().map(|n| format!("m.{n}")));
    let dups = sqlx::query(AssertSqlSafe(format!(
        "SELECT {} FROM {t} m WHERE m.org_id = $1 AND m.{c} = $2 AND {dup}",
        cols.join(", ")
    )))
    .bind(org)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await
    .context("reading duplicates a merge drops")?;
    for row in &dups {
        drop_duplicate(conn, org, merge_id, l, from, row).await?;
    }
    let moved = sqlx::query(AssertSqlSafe(format!(
        "UPDATE {t} SET {c} = $3 WHERE org_id = $1 AND {c} = $2"
    )))
    .bind(org)
    .bind(from)
    .bind(to)
    .execute(&mut *conn)
    .await
    .context("moving records to the survivor")?
    .rows_affected();
    Ok(MovedCount {
        what: l.what.to_owned(),
        moved,
        dropped: dups.len() as u64,
    })
}

/// Logs a row the survivor already has an equal of, with its other columns, and deletes it.
async fn drop_duplicate(
    conn: &mut AnyConnection,
    org: &str,
    merge_id: &str,
    l: &Link,
    from: &str,
    row: &AnyRow,
) -> StoreResult<()> {
    let k1: String = row.try_get(0).context("reading a duplicate")?;
    let k2: String = row.try_get(1).context("reading a duplicate")?;
    let mut values = Vec::with_capacity(l.rest.len());
    for (i, (_, ty)) in l.rest.iter().enumerate() {
        values.push(match ty {
            Ty::Text => serde_json::json!(
                row.try_get::<Option<String>, _>(i + 2)
                    .context("reading a duplicate")?
            ),
            Ty::Int => serde_json::json!(
                row.try_get::<Option<i64>, _>(i + 2)
                    .context("reading a duplicate")?
            ),
        });
    }
    sqlx::query(
        "INSERT INTO merge_moves (merge_id, tbl, key1, key2, data) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(merge_id)
    .bind(l.dropped_tag())
    .bind(&k1)
    .bind(&k2)
    .bind(serde_json::Value::Array(values).to_string())
    .execute(&mut *conn)
    .await
    .context("logging a dropped duplicate")?;
    let second = l
        .keys
        .get(1)
        .map_or_else(String::new, |k| format!(" AND {k} = $4"));
    sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM {t} WHERE org_id = $1 AND {c} = $2 AND {k} = $3{second}",
        t = l.table,
        c = l.col,
        k = l.keys[0]
    )))
    .bind(org)
    .bind(from)
    .bind(&k1)
    .bind(&k2)
    .execute(&mut *conn)
    .await
    .context("dropping a duplicate")?;
    Ok(())
}

/// Moves the logged rows of `l` back from `survivor` to `merged` and restores dropped ones.
async fn unmove_link(
    conn: &mut AnyConnection,
    org: &str,
    merge_id: &str,
    l: &Link,
    survivor: &str,
    merged: &str,
) -> StoreResult<()> {
    let (t, c, k1) = (l.table, l.col, l.keys[0]);
    let second = l
        .keys
        .get(1)
        .map_or_else(String::new, |k| format!(" AND mm.key2 = {t}.{k}"));
    sqlx::query(AssertSqlSafe(format!(
        "UPDATE {t} SET {c} = $3 WHERE org_id = $1 AND {c} = $2 AND EXISTS (\
         SELECT 1 FROM merge_moves mm WHERE mm.merge_id = $4 AND mm.tbl = $5 \
         AND mm.key1 = {t}.{k1}{second})"
    )))
    .bind(org)
    .bind(survivor)
    .bind(merged)
    .bind(merge_id)
    .bind(l.tag())
    .execute(&mut *conn)
    .await
    .context("moving records back")?;
    let dropped =
        sqlx::query("SELECT key1, key2, data FROM merge_moves WHERE merge_id = $1 AND tbl = $2")
            .bind(merge_id)
            .bind(l.dropped_tag())
            .fetch_all(&mut *conn)
            .await
            .context("reading dropped duplicates")?;
    for row in &dropped {
        restore_duplicate(conn, org, l, merged, row).await?;
    }
    Ok(())
}

async fn restore_duplicate(
    conn: &mut AnyConnection,
    org: &str,
    l: &Link,
    merged: &str,
    row: &AnyRow,
) -> StoreResult<()> {
    let k1: String = row.try_get(0).context("reading a dropped duplicate")?;
    let k2: String = row.try_get(1).context("reading a dropped duplicate")?;
    let data: Option<String> = row.try_get(2).context("reading a dropped duplicate")?;
    let values: Vec<serde_json::Value> =
        serde_json::from_str(data.as_deref().unwrap_or("[]")).unwrap_or_default();
    let mut cols = vec!["org_id", l.col];
    cols.extend(l.keys.iter().copied());
    cols.extend(l.rest.iter().map(|(n, _)| *n));
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING",
        l.table,
        cols.join(", "),
        marks.join(", ")
    );
    let mut q = sqlx::query(AssertSqlSafe(sql))
        .bind(org)
        .bind(merged)
        .bind(k1);
    if l.keys.len() > 1 {
        q = q.bind(k2);
    }
    for (i, (_, ty)) in l.rest.iter().enumerate() {
        let v = values.get(i).cloned().unwrap_or_default();
        q = match ty {
            Ty::Text => q.bind(v.as_str().map(str::to_owned)),
            Ty::Int => q.bind(v.as_i64()),
        };
    }
    q.execute(&mut *conn)
        .await
        .context("restoring a dropped duplicate")?;
    Ok(())
}

/// The id of an account (id, external id) or a person (id, e-mail), not merged itself.
async fn resolve(
    conn: &mut AnyConnection,
    org: &str,
    kind: MergeKind,
    wanted: &str,
    field: &str,
) -> StoreResult<String> {
    let found = match kind {
        MergeKind::Account => {
            sqlx::query_scalar::<_, String>(
                "SELECT id FROM accounts WHERE org_id = $1 AND (id = $2 OR external_id = $2) \
                 ORDER BY CASE WHEN id = $2 THEN 0 ELSE 1 END LIMIT 1",
            )
            .bind(org)
            .bind(wanted)
            .fetch_optional(&mut *conn)
            .await
        }
        MergeKind::Person => {
            sqlx::query_scalar::<_, String>(
                "SELECT id FROM people WHERE org_id = $1 AND (id = $2 OR id IN \
                 (SELECT person_id FROM person_emails WHERE org_id = $1 AND email = $3)) LIMIT 1",
            )
            .bind(org)
            .bind(wanted)
            .bind(wanted.to_ascii_lowercase())
            .fetch_optional(&mut *conn)
            .await
        }
    }
    .context("finding a record to merge")?;
    let Some(id) = found else {
        if field == "survivor" {
            return Err(StoreError::NotFound);
        }
        return Err(StoreError::Invalid(Invalid::one(
            field,
            match kind {
                MergeKind::Account => "no account with that id or external id",
                MergeKind::Person => "no person with that id or e-mail",
            },
        )));
    };
    let table = fillable(kind).0;
    let into: Option<String> = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT merged_into FROM {table} WHERE org_id = $1 AND id = $2"
    )))
    .bind(org)
    .bind(&id)
    .fetch_one(&mut *conn)
    .await
    .context("finding a record to merge")?;
    if let Some(into) = into {
        return Err(StoreError::Invalid(Invalid::one(
            field,
            format!("already merged into {into}"),
        )));
    }
    Ok(id)
}

/// Whether `a` is `b`'s parent, grandparent, … (the chain is at most 64 long).
async fn is_ancestor(conn: &mut AnyConnection, org: &str, a: &str, b: &str) -> StoreResult<bool> {
    let mut at = Some(b.to_owned());
    for _ in 0..=64 {
        let Some(id) = at else { return Ok(false) };
        at = sqlx::query_scalar("SELECT parent_id FROM accounts WHERE org_id = $1 AND id = $2")
            .bind(org)
            .bind(&id)
            .fetch_optional(&mut *conn)
            .await
            .context("following the parent accounts")?
            .flatten();
        if at.as_deref() == Some(a) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Fills the survivor's empty columns from the merged record; returns the columns filled.
async fn fill_blanks(
    conn: &mut AnyConnection,
    org: &str,
    kind: MergeKind,
    survivor: &str,
    merged: &str,
) -> StoreResult<Vec<String>> {
    let (table, cols) = fillable(kind);
    let mut filled = Vec::new();
    for col in cols {
        let n = sqlx::query(AssertSqlSafe(format!(
            "UPDATE {table} SET {col} = (SELECT m.{col} FROM {table} m WHERE m.org_id = $1 AND m.id = $3) \
             WHERE org_id = $1 AND id = $2 AND {col} IS NULL AND EXISTS \
             (SELECT 1 FROM {table} m WHERE m.org_id = $1 AND m.id = $3 AND m.{col} IS NOT NULL)"
        )))
        .bind(org)
        .bind(survivor)
        .bind(merged)
        .execute(&mut *conn)
        .await
        .context("filling the survivor's empty fields")?
        .rows_affected();
        if n > 0 {
            filled.push((*col).to_owned());
        }
    }
    Ok(filled)
}

/// Empties the columns a merge filled, where they still hold the merged record's value.
async fn unfill(
    conn: &mut AnyConnection,
    org: &str,
    kind: MergeKind,
    survivor: &str,
    merged: &str,
    filled: &[String],
) -> StoreResult<()> {
    let (table, cols) = fillable(kind);
    for col in cols.iter().filter(|c| filled.iter().any(|f| f == *c)) {
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE {table} SET {col} = NULL WHERE org_id = $1 AND id = $2 AND {col} = \
             (SELECT m.{col} FROM {table} m WHERE m.org_id = $1 AND m.id = $3)"
        )))
        .bind(org)
        .bind(survivor)
        .bind(merged)
        .execute(&mut *conn)
        .await
        .context("emptying fields a merge filled")?;
    }
    Ok(())
}

fn merge_of(row: &AnyRow) -> StoreResult<Merge> {
    let kind: String = row.try_get("kind").context("reading a merge")?;
    let data: String = row.try_get("data").context("reading a merge")?;
    let data: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
    let moved = data
        .get("moved")
        .and_then(|m| m.as_array())
        .map(|m| {
            m.iter()
                .filter_map(|c| {
                    Some(MovedCount {
                        what: c.get("what")?.as_str()?.to_owned(),
                        moved: c.get("moved")?.as_u64()?,
                        dropped: c.get("dropped")?.as_u64()?,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Merge {
        id: row.try_get("id").context("reading a merge")?,
        kind: MergeKind::parse(&kind).unwrap_or(MergeKind::Account),
        survivor_id: row.try_get("survivor_id").context("reading a merge")?,
        merged_id: row.try_get("merged_id").context("reading a merge")?,
        at: row.try_get("at").context("reading a merge")?,
        actor_user_id: row.try_get("actor_user_id").context("reading a merge")?,
        undone_at: row.try_get("undone_at").context("reading a merge")?,
        undone_by: row.try_get("undone_by").context("reading a merge")?,
        moved,
    })
}

const MERGE_COLUMNS: &str =
    "id, kind, survivor_id, merged_id, at, actor_user_id, data, undone_at, undone_by";

async fn merge_in(
    conn: &mut AnyConnection,
    org: &str,
    id: &str,
) -> StoreResult<(Merge, serde_json::Value)> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {MERGE_COLUMNS} FROM merges WHERE org_id = $1 AND id = $2"
    )))
    .bind(org)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .context("reading a merge")?
    .ok_or(StoreError::NotFound)?;
    let data: String = row.try_get("data").context("reading a merge")?;
    Ok((
        merge_of(&row)?,
        serde_json::from_str(&data).unwrap_or_default(),
    ))
}

/// Why the merge cannot be undone now, if it cannot.
async fn undo_blocked(
    conn: &mut AnyConnection,
    org: &str,
    m: &Merge,
) -> StoreResult<Option<&'static str>> {
    if m.undone_at.is_some() {
        return Ok(Some("undone"));
    }
    let table = fillable(m.kind).0;
    let into: Option<String> = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT merged_into FROM {table} WHERE org_id = $1 AND id = $2"
    )))
    .bind(org)
    .bind(&m.survivor_id)
    .fetch_optional(&mut *conn)
    .await
    .context("reading a merge's survivor")?
    .flatten();
    Ok(into.map(|_| "survivor_merged"))
}

/// Records created on the survivor after the merge, by kind.
async fn staying(
    conn: &mut AnyConnection,
    org: &str,
    m: &Merge,
) -> StoreResult<Vec<StayingRecords>> {
    let (col, interactions) = match m.kind {
        MergeKind::Account => (
            "account_id",
            "SELECT id FROM interactions WHERE org_id = $1 AND account_id = $2 AND created_at > $3",
        ),
        MergeKind::Person => (
            "contact_id",
            "SELECT i.id FROM interactions i JOIN interaction_people p \
             ON p.interaction_id = i.id AND p.org_id = i.org_id \
             WHERE i.org_id = $1 AND p.person_id = $2 AND i.created_at > $3",
        ),
    };
    let responses =
        format!("SELECT id FROM responses WHERE org_id = $1 AND {col} = $2 AND created_at > $3");
    let cases = format!("SELECT id FROM cases WHERE org_id = $1 AND {col} = $2 AND opened_at > $3");
    let mut out = Vec::new();
    for (what, sql) in [
        ("responses", responses.as_str()),
        ("cases", cases.as_str()),
        ("interactions", interactions),
    ] {
        let ids: Vec<String> = sqlx::query_scalar(AssertSqlSafe(format!("{sql} ORDER BY 1")))
            .bind(org)
            .bind(&m.survivor_id)
            .bind(m.at)
            .fetch_all(&mut *conn)
            .await
            .context("reading records created since a merge")?;
        if !ids.is_empty() {
            out.push(StayingRecords {
                what: what.to_owned(),
                count: ids.len() as u64,
                ids: ids.into_iter().take(STAYING_LISTED).collect(),
            });
        }
    }
    Ok(out)
}

impl SqlStore {
    async fn lock_pair(
        &self,
        conn: &mut AnyConnection,
        kind: MergeKind,
        org: &str,
        a: &str,
        b: &str,
    ) -> StoreResult<()> {
        if self.dialect == Dialect::Postgres {
            let table = fillable(kind).0;
            sqlx::query(AssertSqlSafe(format!(
                "SELECT id FROM {table} WHERE org_id = $1 AND id IN ($2, $3) ORDER BY id FOR UPDATE"
            )))
            .bind(org)
            .bind(a)
            .bind(b)
            .fetch_all(&mut *conn)
            .await
            .context("locking the records to merge")?;
        }
        Ok(())
    }
}

#[async_trait]
impl MergeStore for SqlStore {
    async fn merge(
        &self,
        org_id: &str,
        kind: MergeKind,
        survivor: &str,
        merged: &str,
        actor: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<Merge> {
        let mut tx = self.begin_write().await?;
        let s = resolve(&mut tx, org_id, kind, survivor, "survivor").await?;
        let m = resolve(&mut tx, org_id, kind, merged, "merge").await?;
        self.lock_pair(&mut tx, kind, org_id, &s, &m).await?;
        if s == m {
            return Err(invalid("a record cannot be merged into itself"));
        }
        if kind == MergeKind::Account
            && (is_ancestor(&mut tx, org_id, &s, &m).await?
                || is_ancestor(&mut tx, org_id, &m, &s).await?)
        {
            return Err(invalid(
                "one account belongs to the other's group: change its parent first",
            ));
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO merges (id, org_id, kind, survivor_id, merged_id, at, actor_user_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(kind.as_str())
        .bind(&s)
        .bind(&m)
        .bind(now_ms)
        .bind(actor)
        .execute(&mut *tx)
        .await
        .context("recording a merge")?;
        let mut moved = Vec::new();
        for l in links(kind) {
            let count = move_link(&mut tx, org_id, &id, l, &m, &s).await?;
            if count.moved + count.dropped > 0 {
                moved.push(count);
            }
        }
        let filled = fill_blanks(&mut tx, org_id, kind, &s, &m).await?;
        let mut data = serde_json::json!({"moved": moved, "filled": filled});
        if kind == MergeKind::Account {
            super::merge_aggregates::merge(&mut tx, self.dialect, org_id, &id, &m, &s, &mut data)
                .await?;
        }
        match kind {
            MergeKind::Account => super::account_flags::mark_dirty(&mut tx, org_id, &s).await?,
            MergeKind::Person => super::account_flags::mark_person(&mut tx, org_id, &s).await?,
        }
        let table = fillable(kind).0;
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE {table} SET merged_into = $3 WHERE org_id = $1 AND id = $2"
        )))
        .bind(org_id)
        .bind(&m)
        .bind(&s)
        .execute(&mut *tx)
        .await
        .context("marking the merged record")?;
        sqlx::query("UPDATE merges SET data = $2 WHERE id = $1")
            .bind(&id)
            .bind(data.to_string())
            .execute(&mut *tx)
            .await
            .context("recording a merge")?;
        let (merge, _) = merge_in(&mut tx, org_id, &id).await?;
        tx.commit().await.context("merging")?;
        Ok(merge)
    }

    async fn merge_preview(&self, org_id: &str, merge_id: &str) -> StoreResult<MergePreview> {
        let mut conn = self.pool.acquire().await.context("reading a merge")?;
        let (merge, _) = merge_in(&mut conn, org_id, merge_id).await?;
        let blocked = undo_blocked(&mut conn, org_id, &merge).await?;
        let staying = if merge.undone_at.is_none() {
            staying(&mut conn, org_id, &merge).await?
        } else {
            Vec::new()
        };
        Ok(MergePreview {
            merge,
            blocked,
            staying,
        })
    }

    async fn undo_merge(
        &self,
        org_id: &str,
        merge_id: &str,
        actor: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<Merge> {
        let mut tx = self.begin_write().await?;
        let (merge, data) = merge_in(&mut tx, org_id, merge_id).await?;
        let (s, m) = (merge.survivor_id.as_str(), merge.merged_id.as_str());
        self.lock_pair(&mut tx, merge.kind, org_id, s, m).await?;
        match undo_blocked(&mut tx, org_id, &merge).await? {
            Some("undone") => {
                return Err(StoreError::Conflict("this merge is already undone".into()));
            }
            Some(_) => {
                return Err(StoreError::Conflict(
                    "the survivor has since been merged into another record: undo that merge first"
                        .into(),
                ));
            }
            None => {}
        }
        let table = fillable(merge.kind).0;
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE {table} SET merged_into = NULL WHERE org_id = $1 AND id = $2"
        )))
        .bind(org_id)
        .bind(m)
        .execute(&mut *tx)
        .await
        .context("unmarking the merged record")?;
        for l in links(merge.kind).iter().rev() {
            unmove_link(&mut tx, org_id, merge_id, l, s, m).await?;
        }
        let filled: Vec<String> = data
            .get("filled")
            .and_then(|f| serde_json::from_value(f.clone()).ok())
            .unwrap_or_default();
        unfill(&mut tx, org_id, merge.kind, s, m, &filled).await?;
        if merge.kind == MergeKind::Account {
            super::merge_aggregates::undo(&mut tx, self.dialect, org_id, merge_id, &merge, &data)
                .await?;
        }
        for id in [s, m] {
            match merge.kind {
                MergeKind::Account => super::account_flags::mark_dirty(&mut tx, org_id, id).await?,
                MergeKind::Person => super::account_flags::mark_person(&mut tx, org_id, id).await?,
            }
        }
        sqlx::query("UPDATE merges SET undone_at = $2, undone_by = $3 WHERE id = $1")
            .bind(merge_id)
            .bind(now_ms)
            .bind(actor)
            .execute(&mut *tx)
            .await
            .context("recording an undo")?;
        let (merge, _) = merge_in(&mut tx, org_id, merge_id).await?;
        tx.commit().await.context("undoing a merge")?;
        Ok(merge)
    }

    async fn merges_of(&self, org_id: &str, record_id: &str) -> StoreResult<Vec<Merge>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {MERGE_COLUMNS} FROM merges WHERE org_id = $1 AND (survivor_id = $2 OR merged_id = $2) \
             ORDER BY at DESC, id DESC"
        )))
        .bind(org_id)
        .bind(record_id)
        .fetch_all(&self.pool)
        .await
        .context("reading merges")?;
        rows.iter().map(merge_of).collect()
    }
}
