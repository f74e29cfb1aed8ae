//! A batch of accounts and people from another system (a CRM export, a continuous sync),
//! stored in one transaction: accounts first (then their parents, which may come later in the
//! batch), then people and their memberships. Whatever a row leaves out is kept.

use sqlx::{AnyConnection, Row};

use super::retention_changes::{Touched, bump_generation};
use super::{SqlStore, new_id};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::{
    AccountRef, AccountSync, AccountUpsert, MembershipSync, PersonSync, SyncBatch, SyncList,
    SyncOutcome, SyncRefusal,
};

/// Why a row stopped the batch: a refusal to report, or a failure of the database.
enum Fail {
    Refused(&'static str, String, bool),
    Store(StoreError),
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Fail::Store(e)
    }
}

/// Turns what storage refused about `field` into a refusal; database failures stay failures.
fn at(field: &'static str) -> impl FnOnce(StoreError) -> Fail {
    move |e| match e {
        StoreError::Conflict(m) => Fail::Refused(field, m, true),
        StoreError::Invalid(i) => Fail::Refused(
            field,
            i.0.into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
                .join("; "),
            false,
        ),
        StoreError::NotFound => Fail::Refused(field, "not found".into(), false),
        other => Fail::Store(other),
    }
}

/// A row's outcome for the caller: `Ok(Err(..))` names the refused row.
fn settle<T>(
    r: Result<T, Fail>,
    list: SyncList,
    index: usize,
) -> StoreResult<Result<T, SyncRefusal>> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(Fail::Store(e)) => Err(e),
        Err(Fail::Refused(field, message, conflict)) => Ok(Err(SyncRefusal {
            list,
            index,
            field,
            message,
            conflict,
        })),
    }
}

/// The account with this id in `source`'s system (the survivor of a merged one).
async fn by_source(
    conn: &mut AnyConnection,
    org_id: &str,
    source: &str,
    id: &str,
) -> StoreResult<Option<String>> {
    sqlx::query_scalar(
        "SELECT COALESCE(a.merged_into, a.id) FROM account_external_ids x \
         JOIN accounts a ON a.org_id = x.org_id AND a.id = x.account_id \
         WHERE x.org_id = $1 AND x.source = $2 AND x.external_id = $3",
    )
    .bind(org_id)
    .bind(source)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .context("finding an account by its id in another system")
}

/// The account a reference names, if there is one.
async fn resolve(
    conn: &mut AnyConnection,
    org_id: &str,
    r: &AccountRef,
) -> StoreResult<Option<String>> {
    match r {
        AccountRef::Source(source, id) => by_source(conn, org_id, source, id).await,
        AccountRef::Key(key) => match super::people::account_id_of(conn, org_id, key).await {
            Ok(id) => Ok(Some(id)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        },
    }
}

fn describe(r: &AccountRef) -> String {
    match r {
        AccountRef::Source(source, id) => format!("no account has the {source} id `{id}`"),
        AccountRef::Key(key) => format!("no account has the id or external id `{key}`"),
    }
}

/// The external id an account row is known by: the one given, else its id in the source.
fn key_of(a: &AccountSync) -> Option<&str> {
    a.external_id
        .as_deref()
        .or(a.source_id.as_ref().map(|(_, id)| id.as_str()))
}

/// What one account row did.
struct AccountDone {
    id: String,
    created: bool,
    previous_owner: Option<Option<String>>,
}

async fn find_account(
    conn: &mut AnyConnection,
    org_id: &str,
    a: &AccountSync,
) -> StoreResult<Option<String>> {
    if let Some((source, id)) = &a.source_id
        && let Some(found) = by_source(conn, org_id, source, id).await?
    {
        return Ok(Some(found));
    }
    let Some(key) = key_of(a) else {
        return Ok(None);
    };
    sqlx::query_scalar(
        "SELECT COALESCE(merged_into, id) FROM accounts WHERE org_id = $1 AND external_id = $2",
    )
    .bind(org_id)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await
    .context("finding an account")
}

async fn insert_account(
    conn: &mut AnyConnection,
    org_id: &str,
    a: &AccountSync,
    now_ms: i64,
) -> Result<String, Fail> {
    let Some(key) = key_of(a) else {
        return Err(Fail::Refused(
            "external_id",
            "a new account needs an external id or an id in another system".into(),
            false,
        ));
    };
    let id = new_id();
    let attributes: serde_json::Map<_, _> = a
        .attributes
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    sqlx::query(
        "INSERT INTO accounts (id, org_id, external_id, name, plan, size_band, industry, region, \
         owner_user_id, attributes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(org_id)
    .bind(key)
    .bind(a.name.as_deref().unwrap_or(key))
    .bind(&a.plan)
    .bind(&a.size_band)
    .bind(&a.industry)
    .bind(&a.region)
    .bind(&a.owner_user_id)
    .bind(serde_json::Value::Object(attributes).to_string())
    .bind(a.created_at.map_or(now_ms, |c| c.min(now_ms)))
    .execute(&mut *conn)
    .await
    .context("creating an account")
    .map_err(at("external_id"))?;
    Ok(id)
}

/// Updates the stored account `id` with what the row gives; returns the previous owner when
/// the row changed it.
async fn update_account(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
    a: &AccountSync,
) -> Result<Option<Option<String>>, Fail> {
    let row =
        sqlx::query("SELECT owner_user_id, attributes FROM accounts WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .fetch_one(&mut *conn)
            .await
            .context("reading an account")?;
    let owner: Option<String> = row.try_get(0).context("reading an account")?;
    let raw: String = row.try_get(1).context("reading an account")?;
    let mut attributes: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&raw).unwrap_or_default();
    for (k, v) in &a.attributes {
        if v.is_null() {
            attributes.remove(k);
        } else {
            attributes.insert(k.clone(), v.clone());
        }
    }
    sqlx::query(
        "UPDATE accounts SET name = COALESCE($3, name), plan = COALESCE($4, plan), \
         size_band = COALESCE($5, size_band), industry = COALESCE($6, industry), \
         region = COALESCE($7, region), owner_user_id = COALESCE($8, owner_user_id), \
         attributes = $9, external_id = COALESCE($10, external_id), \
         created_at = CASE WHEN $11 < created_at THEN $11 ELSE created_at END \
         WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(id)
    .bind(&a.name)
    .bind(&a.plan)
    .bind(&a.size_band)
    .bind(&a.industry)
    .bind(&a.region)
    .bind(&a.owner_user_id)
    .bind(serde_json::Value::Object(attributes).to_string())
    .bind(&a.external_id)
    .bind(a.created_at)
    .execute(&mut *conn)
    .await
    .context("saving an account")
    .map_err(at("external_id"))?;
    let changed = a.owner_user_id.is_some() && a.owner_user_id != owner;
    Ok(changed.then_some(owner))
}

async fn sync_account(
    conn: &mut AnyConnection,
    org_id: &str,
    a: &AccountSync,
    now_ms: i64,
) -> Result<AccountDone, Fail> {
    let (id, created, previous_owner) = match find_account(conn, org_id, a).await? {
        Some(id) => {
            let previous = update_account(conn, org_id, &id, a).await?;
            (id, false, previous)
        }
        None => (insert_account(conn, org_id, a, now_ms).await?, true, None),
    };
    if let Some(previous) = &previous_owner {
        super::account_team::record_owner_change(
            conn,
            org_id,
            &id,
            previous.as_deref(),
            a.owner_user_id.as_deref(),
            None,
            now_ms,
        )
        .await?;
    }
    if a.domains.is_some() {
        let links = AccountUpsert {
            domains: a.domains.clone(),
            ..AccountUpsert::default()
        };
        super::account_links::apply(conn, org_id, &id, &links)
            .await
            .map_err(at("domains"))?;
    }
    if let Some((source, sid)) = &a.source_id {
        let links = AccountUpsert {
            other_ids: vec![(source.clone(), Some(sid.clone()))],
            ..AccountUpsert::default()
        };
        super::account_links::apply(conn, org_id, &id, &links)
            .await
            .map_err(at("source_id"))?;
    }
    if !a.other_ids.is_empty() {
        let links = AccountUpsert {
            other_ids: a.other_ids.clone(),
            ..AccountUpsert::default()
        };
        super::account_links::apply(conn, org_id, &id, &links)
            .await
            .map_err(at("external_ids"))?;
    }
    Ok(AccountDone {
        id,
        created,
        previous_owner,
    })
}

async fn set_parent(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
    parent: Option<&AccountRef>,
) -> Result<(), Fail> {
    let parent_id = match parent {
        None => None,
        Some(p) => match resolve(conn, org_id, p).await? {
            Some(id) => Some(id),
            None => return Err(Fail::Refused("parent", describe(p), false)),
        },
    };
    let links = AccountUpsert {
        parent: Some(parent_id),
        ..AccountUpsert::default()
    };
    super::account_links::apply(conn, org_id, id, &links)
        .await
        .map_err(at("parent"))
}

async fn sync_membership(
    conn: &mut AnyConnection,
    org_id: &str,
    person_id: &str,
    m: &MembershipSync,
    now_ms: i64,
) -> Result<(), Fail> {
    let Some(account_id) = resolve(conn, org_id, &m.account).await? else {
        return Err(Fail::Refused("memberships", describe(&m.account), false));
    };
    sqlx::query(
        "INSERT INTO memberships (org_id, person_id, account_id, title, roles, from_day, to_day, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (org_id, person_id, account_id) DO UPDATE SET \
           title = COALESCE(excluded.title, memberships.title), \
           roles = CASE WHEN $9 = 1 THEN excluded.roles ELSE memberships.roles END, \
           from_day = COALESCE(excluded.from_day, memberships.from_day), \
           to_day = COALESCE(excluded.to_day, memberships.to_day)",
    )
    .bind(org_id)
    .bind(person_id)
    .bind(&account_id)
    .bind(&m.title)
    .bind(m.roles.unwrap_or_default().encode())
    .bind(m.from_day)
    .bind(m.to_day)
    .bind(now_ms)
    .bind(i64::from(m.roles.is_some()))
    .execute(&mut *conn)
    .await
    .context("saving a membership")
    .map_err(at("memberships"))?;
    Ok(())
}

async fn sync_person(
    conn: &mut AnyConnection,
    org_id: &str,
    p: &PersonSync,
    now_ms: i64,
) -> Result<(String, bool), Fail> {
    let mut found: Option<String> = None;
    for email in std::iter::once(&p.email).chain(&p.other_emails) {
        if let Some(id) = super::people::person_id_by_email(conn, org_id, email).await? {
            if found.as_ref().is_some_and(|f| *f != id) {
                return Err(Fail::Refused(
                    "other_emails",
                    format!(
                        "`{}` and `{email}` belong to two different people: merge them first",
                        p.email
                    ),
                    true,
                ));
            }
            found = Some(id);
        }
    }
    let created = found.is_none();
    let id = match found {
        Some(id) => id,
        None => super::people::create_person(conn, org_id, &p.email, p.name.as_deref(), now_ms)
            .await
            .map_err(at("email"))?,
    };
    sqlx::query(
        "UPDATE people SET name = COALESCE($3, name), phone = COALESCE($4, phone), \
         language = COALESCE($5, language), time_zone = COALESCE($6, time_zone) \
         WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(&id)
    .bind(&p.name)
    .bind(&p.phone)
    .bind(&p.language)
    .bind(&p.time_zone)
    .execute(&mut *conn)
    .await
    .context("saving a person")?;
    for email in &p.other_emails {
        if super::people::person_id_by_email(conn, org_id, email)
            .await?
            .is_none()
        {
            super::people::add_email(conn, org_id, &id, email)
                .await
                .map_err(at("other_emails"))?;
        }
    }
    for m in &p.memberships {
        sync_membership(conn, org_id, &id, m, now_ms).await?;
    }
    Ok((id, created))
}

/// The retention numbers of these accounts (those the reports know).
async fn retention_numbers_of(
    conn: &mut AnyConnection,
    org_id: &str,
    ids: &[String],
) -> StoreResult<Vec<u32>> {
    let mut out = Vec::new();
    for id in ids {
        let idx: Option<i64> = sqlx::query_scalar(
            "SELECT idx FROM retention_accounts WHERE org_id = $1 AND account_id = $2",
        )
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .context("reading an account number")?;
        out.extend(idx.and_then(|i| u32::try_from(i).ok()));
    }
    Ok(out)
}

impl SqlStore {
    pub(crate) async fn sync_customers_impl(
        &self,
        org_id: &str,
        batch: &SyncBatch,
        now_ms: i64,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<Result<SyncOutcome, SyncRefusal>> {
        let mut tx = self.begin_write().await?;
        let mut out = SyncOutcome::default();
        let mut updated = Vec::new();
        let mut done = 0u64;
        for (i, a) in batch.accounts.iter().enumerate() {
            let r = sync_account(&mut tx, org_id, a, now_ms).await;
            let d = match settle(r, SyncList::Accounts, i)? {
                Ok(d) => d,
                Err(refused) => return Ok(Err(refused)),
            };
            if let Some(previous) = d.previous_owner {
                out.owner_changes.push((d.id.clone(), previous));
            }
            if !d.created {
                updated.push(d.id.clone());
            }
            out.accounts.push((d.id, d.created));
            done += 1;
            if done.is_multiple_of(500) {
                progress(done);
            }
        }
        // Parents last, so a row may name a parent that comes later in the batch.
        for (i, a) in batch.accounts.iter().enumerate() {
            if let Some(parent) = &a.parent {
                let r = set_parent(&mut tx, org_id, &out.accounts[i].0, parent.as_ref()).await;
                if let Err(refused) = settle(r, SyncList::Accounts, i)? {
                    return Ok(Err(refused));
                }
            }
        }
        for (i, p) in batch.people.iter().enumerate() {
            let r = sync_person(&mut tx, org_id, p, now_ms).await;
            match settle(r, SyncList::People, i)? {
                Ok(person) => out.people.push(person),
                Err(refused) => return Ok(Err(refused)),
            }
            done += 1;
            if done.is_multiple_of(500) {
                progress(done);
            }
        }
        // What the retention reports read about an updated account may have changed.
        updated.sort_unstable();
        updated.dedup();
        let numbers = retention_numbers_of(&mut tx, org_id, &updated).await?;
        if !numbers.is_empty() {
            bump_generation(&mut tx, org_id, Touched::accounts(numbers)).await?;
        }
        tx.commit().await.context("committing the sync")?;
        progress(done);
        Ok(Ok(out))
    }
}
