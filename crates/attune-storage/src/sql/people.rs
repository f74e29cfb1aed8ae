//! People on the customer's side, their e-mail addresses and their memberships of accounts.

use std::collections::HashMap;

use attune_domain::customer::Roles;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::{SqlStore, new_id};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::{Membership, MembershipUpsert, PeopleQuery, Person, PersonUpsert};

pub(crate) const PERSON_COLUMNS: &str = "id, name, email, phone, language, time_zone, \
     preferences, contact_rules, accessibility, merged_into, created_at";

/// The order memberships are shown in (columns of the table aliased `t`, or unqualified with
/// ""): open-ended first, then by last day, then the latest start, then the latest recorded.
fn membership_order(t: &str) -> String {
    format!(
        "COALESCE({t}to_day, 99999999) DESC, COALESCE({t}from_day, -99999999) DESC, \
         {t}created_at DESC, {t}account_id"
    )
}

pub(crate) fn person_of(row: &AnyRow) -> StoreResult<Person> {
    let preferences: String = row.try_get("preferences").context("reading a person")?;
    let rules: String = row.try_get("contact_rules").context("reading a person")?;
    let needs: String = row.try_get("accessibility").context("reading a person")?;
    Ok(Person {
        contact_rules: serde_json::from_str(&rules).unwrap_or_default(),
        accessibility: serde_json::from_str(&needs).unwrap_or_default(),
        id: row.try_get("id").context("reading a person")?,
        name: row.try_get("name").context("reading a person")?,
        email: row.try_get("email").context("reading a person")?,
        other_emails: Vec::new(),
        phone: row.try_get("phone").context("reading a person")?,
        language: row.try_get("language").context("reading a person")?,
        time_zone: row.try_get("time_zone").context("reading a person")?,
        preferences: serde_json::from_str(&preferences).unwrap_or_default(),
        memberships: Vec::new(),
        merged_into: row.try_get("merged_into").context("reading a person")?,
        created_at: row.try_get("created_at").context("reading a person")?,
    })
}

pub(crate) fn today() -> i64 {
    super::auth::now_ms().div_euclid(86_400_000)
}

/// The person with this address (matched ignoring ASCII case), created (with `name`) on first sight, and the account a
/// response from them counts for: `account_id` when given (the person becomes a member of
/// it if they were not), else their primary membership's.
pub(crate) async fn person_for_email(
    conn: &mut AnyConnection,
    org_id: &str,
    email: &str,
    name: Option<&str>,
    account_id: Option<&str>,
    now_ms: i64,
) -> StoreResult<(String, Option<String>)> {
    let id = match person_id_by_email(conn, org_id, email).await? {
        Some(id) => id,
        None => create_person(conn, org_id, email, name, now_ms).await?,
    };
    let account = match account_id {
        Some(a) => {
            sqlx::query(
                "INSERT INTO memberships (org_id, person_id, account_id, roles, created_at) \
                 VALUES ($1, $2, $3, '', $4) ON CONFLICT (org_id, person_id, account_id) DO NOTHING",
            )
            .bind(org_id)
            .bind(&id)
            .bind(a)
            .bind(now_ms)
            .execute(&mut *conn)
            .await
            .context("adding a membership")?;
            Some(a.to_owned())
        }
        None => primary_account(conn, org_id, &id).await?,
    };
    Ok((id, account))
}

/// The account of the person's primary membership: the current one that started last.
pub(crate) async fn primary_account(
    conn: &mut AnyConnection,
    org_id: &str,
    person_id: &str,
) -> StoreResult<Option<String>> {
    let sql = format!(
        "SELECT account_id FROM memberships WHERE org_id = $1 AND person_id = $2 \
         AND (to_day IS NULL OR to_day >= $3) ORDER BY {} LIMIT 1",
        membership_order("")
    );
    sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(person_id)
        .bind(today())
        .fetch_optional(&mut *conn)
        .await
        .context("reading a person's account")
}

pub(crate) async fn person_id_by_email(
    conn: &mut AnyConnection,
    org_id: &str,
    email: &str,
) -> StoreResult<Option<String>> {
    sqlx::query_scalar("SELECT person_id FROM person_emails WHERE org_id = $1 AND email = $2")
        .bind(org_id)
        .bind(email.to_ascii_lowercase())
        .fetch_optional(&mut *conn)
        .await
        .context("finding a person by e-mail")
}

pub(crate) async fn create_person(
    conn: &mut AnyConnection,
    org_id: &str,
    email: &str,
    name: Option<&str>,
    now_ms: i64,
) -> StoreResult<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO people (id, org_id, name, email, decision_maker, preferences, created_at) \
         VALUES ($1, $2, $3, $4, 0, '{}', $5)",
    )
    .bind(&id)
    .bind(org_id)
    .bind(name)
    .bind(email)
    .bind(now_ms)
    .execute(&mut *conn)
    .await
    .context("creating a person")?;
    add_email(conn, org_id, &id, email).await?;
    Ok(id)
}

pub(crate) async fn add_email(
    conn: &mut AnyConnection,
    org_id: &str,
    person_id: &str,
    email: &str,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO person_emails (org_id, email, person_id) VALUES ($1, $2, $3)")
        .bind(org_id)
        .bind(email.to_ascii_lowercase())
        .bind(person_id)
        .execute(&mut *conn)
        .await
        .context("saving an e-mail address")?;
    Ok(())
}

/// The account id of `wanted` (id or external id; the survivor of a merged one), or not found.
pub(crate) async fn account_id_of(
    conn: &mut AnyConnection,
    org_id: &str,
    wanted: &str,
) -> StoreResult<String> {
    sqlx::query_scalar(
        "SELECT COALESCE(merged_into, id) FROM accounts WHERE org_id = $1 AND (id = $2 OR external_id = $2) \
         ORDER BY CASE WHEN id = $2 THEN 0 ELSE 1 END LIMIT 1",
    )
    .bind(org_id)
    .bind(wanted)
    .fetch_optional(&mut *conn)
    .await
    .context("finding an account")?
    .ok_or(StoreError::NotFound)
}

/// Creates or updates the person any of whose addresses is among `p`'s, and their named
/// memberships, on the caller's transaction. Addresses of two different people are a conflict
/// (merge them first); an unknown account is not found.
pub(crate) async fn upsert_person_in(
    conn: &mut AnyConnection,
    org_id: &str,
    p: &PersonUpsert,
    now_ms: i64,
) -> StoreResult<String> {
    let mut found: Option<String> = None;
    for email in std::iter::once(&p.email).chain(&p.other_emails) {
        if let Some(id) = person_id_by_email(conn, org_id, email).await? {
            if found.as_ref().is_some_and(|f| *f != id) {
                return Err(StoreError::Conflict(format!(
                    "`{}` and `{email}` belong to two different people: merge them first",
                    p.email
                )));
            }
            found = Some(id);
        }
    }
    let preferences = serde_json::to_string(&p.preferences).context("encoding preferences")?;
    // A new person is created first (with the address that finds them), then both are
    // updated the same way.
    let id = match found {
        Some(id) => id,
        None => create_person(conn, org_id, &p.email, p.name.as_deref(), now_ms).await?,
    };
    sqlx::query(
        "UPDATE people SET name = $3, phone = $4, language = $5, time_zone = $6, \
         preferences = $7 WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(&id)
    .bind(&p.name)
    .bind(&p.phone)
    .bind(&p.language)
    .bind(&p.time_zone)
    .bind(&preferences)
    .execute(&mut *conn)
    .await
    .context("saving a person")?;
    if let Some(rules) = &p.contact_rules {
        let rules = serde_json::to_string(rules).context("encoding contact rules")?;
        set_json(conn, org_id, &id, "contact_rules", &rules).await?;
    }
    if let Some(needs) = &p.accessibility {
        let needs = serde_json::to_string(needs).context("encoding accessibility needs")?;
        set_json(conn, org_id, &id, "accessibility", &needs).await?;
    }
    for email in std::iter::once(&p.email).chain(&p.other_emails) {
        if person_id_by_email(conn, org_id, email).await?.is_none() {
            add_email(conn, org_id, &id, email).await?;
        }
    }
    for m in &p.memberships {
        upsert_membership(conn, org_id, &id, m, now_ms).await?;
    }
    Ok(id)
}

/// `column` is one of the fixed names above, never input.
async fn set_json(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
    column: &'static str,
    json: &str,
) -> StoreResult<()> {
    let sql = format!("UPDATE people SET {column} = $3 WHERE org_id = $1 AND id = $2");
    sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(id)
        .bind(json)
        .execute(&mut *conn)
        .await
        .context("saving a person")?;
    Ok(())
}

async fn upsert_membership(
    conn: &mut AnyConnection,
    org_id: &str,
    person_id: &str,
    m: &MembershipUpsert,
    now_ms: i64,
) -> StoreResult<()> {
    let account_id = account_id_of(conn, org_id, &m.account).await?;
    sqlx::query(
        "INSERT INTO memberships (org_id, person_id, account_id, title, roles, from_day, to_day, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (org_id, person_id, account_id) DO UPDATE SET title = excluded.title, \
           roles = excluded.roles, from_day = excluded.from_day, to_day = excluded.to_day",
    )
    .bind(org_id)
    .bind(person_id)
    .bind(&account_id)
    .bind(&m.title)
    .bind(m.roles.encode())
    .bind(m.from_day)
    .bind(m.to_day)
    .bind(now_ms)
    .execute(&mut *conn)
    .await
    .context("saving a membership")?;
    Ok(())
}

/// Fills the addresses and memberships of these people (all of one organisation).
pub(crate) async fn load_links(
    conn: &mut AnyConnection,
    org_id: &str,
    people: &mut [Person],
) -> StoreResult<()> {
    let mut emails: HashMap<String, Vec<String>> = HashMap::new();
    let mut members: HashMap<String, Vec<Membership>> = HashMap::new();
    for chunk in people.chunks(500) {
        let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let list = list.join(", ");
        let sql = format!(
            "SELECT person_id, email FROM person_emails WHERE org_id = $1 AND person_id IN ({list}) ORDER BY email"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(org_id);
        for p in chunk {
            q = q.bind(&p.id);
        }
        for row in q
            .fetch_all(&mut *conn)
            .await
            .context("reading e-mail addresses")?
        {
            let person: String = row.try_get(0).context("reading an address")?;
            emails
                .entry(person)
                .or_default()
                .push(row.try_get(1).context("reading an address")?);
        }
        let sql = format!(
            "SELECT m.person_id, m.account_id, a.name, m.title, m.roles, m.from_day, m.to_day, m.created_at \
             FROM memberships m JOIN accounts a ON a.id = m.account_id AND a.org_id = m.org_id \
             WHERE m.org_id = $1 AND m.person_id IN ({list}) ORDER BY {}",
            membership_order("m.")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(org_id);
        for p in chunk {
            q = q.bind(&p.id);
        }
        for row in q
            .fetch_all(&mut *conn)
            .await
            .context("reading memberships")?
        {
            let person: String = row.try_get(0).context("reading a membership")?;
            let roles: String = row.try_get(4).context("reading a membership")?;
            members.entry(person).or_default().push(Membership {
                account_id: row.try_get(1).context("reading a membership")?,
                account_name: row.try_get(2).context("reading a membership")?,
                title: row.try_get(3).context("reading a membership")?,
                roles: Roles::decode(&roles),
                from_day: row.try_get(5).context("reading a membership")?,
                to_day: row.try_get(6).context("reading a membership")?,
                created_at: row.try_get(7).context("reading a membership")?,
            });
        }
    }
    for p in people {
        let mut all = emails.remove(&p.id).unwrap_or_default();
        let primary = p.email.as_ref().map(|e| e.to_ascii_lowercase());
        all.retain(|e| Some(e) != primary.as_ref());
        p.other_emails = all;
        p.memberships = members.remove(&p.id).unwrap_or_default();
    }
    Ok(())
}

impl SqlStore {
    /// One person of the organisation by id, with addresses and memberships.
    pub(crate) async fn person_impl(&self, org_id: &str, id: &str) -> StoreResult<Person> {
        let mut conn = self.pool.acquire().await.context("reading a person")?;
        person_in(&mut conn, org_id, id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// One person by any of their addresses.
    pub(crate) async fn person_by_email_impl(
        &self,
        org_id: &str,
        email: &str,
    ) -> StoreResult<Person> {
        let mut conn = self.pool.acquire().await.context("reading a person")?;
        let id = person_id_by_email(&mut conn, org_id, email)
            .await?
            .ok_or(StoreError::NotFound)?;
        person_in(&mut conn, org_id, &id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// People of the organisation (optionally members of one account), by id.
    pub(crate) async fn list_people_impl(
        &self,
        org_id: &str,
        q: &PeopleQuery,
    ) -> StoreResult<Vec<Person>> {
        let mut conn = self.pool.acquire().await.context("listing people")?;
        // With an account, from its memberships (an `OR` of both forms would scan everyone).
        let members = match q.account_id {
            Some(_) => {
                "AND id IN (SELECT person_id FROM memberships WHERE org_id = $1 AND account_id = $2)"
            }
            None => "AND $2 IS NULL",
        };
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people p WHERE org_id = $1 AND merged_into IS NULL \
             {members} AND ($3 IS NULL OR id > $3) ORDER BY id LIMIT $4"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(org_id)
            .bind(q.account_id.as_deref())
            .bind(q.after.as_deref())
            .bind(i64::from(q.limit))
            .fetch_all(&mut *conn)
            .await
            .context("listing people")?;
        let mut people: Vec<Person> = rows.iter().map(person_of).collect::<StoreResult<_>>()?;
        load_links(&mut conn, org_id, &mut people).await?;
        Ok(people)
    }

    /// Creates or updates a person and their named memberships in one transaction.
    pub(crate) async fn upsert_person_impl(
        &self,
        org_id: &str,
        p: &PersonUpsert,
    ) -> StoreResult<Person> {
        let mut tx = self.begin_write().await?;
        let id = upsert_person_in(&mut tx, org_id, p, super::auth::now_ms()).await?;
        let person = person_in(&mut tx, org_id, &id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await.context("saving a person")?;
        Ok(person)
    }

    /// Removes one membership (the person and their history stay).
    pub(crate) async fn remove_membership_impl(
        &self,
        org_id: &str,
        person_id: &str,
        account: &str,
    ) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        let account_id = account_id_of(&mut tx, org_id, account).await?;
        let gone = sqlx::query(
            "DELETE FROM memberships WHERE org_id = $1 AND person_id = $2 AND account_id = $3",
        )
        .bind(org_id)
        .bind(person_id)
        .bind(&account_id)
        .execute(&mut *tx)
        .await
        .context("removing a membership")?;
        if gone.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await.context("removing a membership")?;
        Ok(())
    }
}

/// One person with links, on the caller's connection.
pub(crate) async fn person_in(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
) -> StoreResult<Option<Person>> {
    let sql = format!("SELECT {PERSON_COLUMNS} FROM people WHERE org_id = $1 AND id = $2");
    let Some(row) = sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .context("reading a person")?
    else {
        return Ok(None);
    };
    let mut person = person_of(&row)?;
    load_links(conn, org_id, std::slice::from_mut(&mut person)).await?;
    Ok(Some(person))
}
