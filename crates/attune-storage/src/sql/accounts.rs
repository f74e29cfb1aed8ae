//! Customer accounts: create or update by external id, list, archive.

use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::retention_changes::{MAX_LISTED, Touched, bump_generation};
use super::{SqlStore, new_id};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::{
    Account, AccountTouches, AccountUpsert, Contact, ContactUpsert, PeopleQuery, Person,
    PersonUpsert, TimelineEntry, TimelineQuery,
};
use crate::store::CustomerStore;
use async_trait::async_trait;

pub(super) const ACCOUNT_COLUMNS: &str = "id, external_id, name, plan, size_band, industry, region, \
     owner_user_id, attributes, parent_id, archived_at, merged_into, created_at";

fn json_map(raw: &str) -> serde_json::Map<String, serde_json::Value> {
    serde_json::from_str(raw).unwrap_or_default()
}

pub(super) fn account_of(row: &AnyRow) -> StoreResult<Account> {
    let attributes: String = row.try_get("attributes").context("reading account")?;
    Ok(Account {
        id: row.try_get("id").context("reading account")?,
        external_id: row.try_get("external_id").context("reading account")?,
        name: row.try_get("name").context("reading account")?,
        plan: row.try_get("plan").context("reading account")?,
        size_band: row.try_get("size_band").context("reading account")?,
        industry: row.try_get("industry").context("reading account")?,
        region: row.try_get("region").context("reading account")?,
        owner_user_id: row.try_get("owner_user_id").context("reading account")?,
        attributes: json_map(&attributes),
        parent_id: row.try_get("parent_id").context("reading account")?,
        archived_at: row.try_get("archived_at").context("reading account")?,
        merged_into: row.try_get("merged_into").context("reading account")?,
        created_at: row.try_get("created_at").context("reading account")?,
        other_ids: Vec::new(),
        domains: Vec::new(),
        team: Vec::new(),
    })
}

/// The id of the account with this external id, created (named after the id) on first sight.
pub(crate) async fn account_id_for(
    conn: &mut AnyConnection,
    org_id: &str,
    external_id: &str,
    name: Option<&str>,
    now_ms: i64,
) -> StoreResult<String> {
    // The no-op update makes RETURNING yield the existing row on conflict, on both backends;
    // an account merged into another yields the survivor.
    let row = sqlx::query(
        "INSERT INTO accounts (id, org_id, external_id, name, attributes, created_at) \
         VALUES ($1, $2, $3, $4, '{}', $5) \
         ON CONFLICT (org_id, external_id) DO UPDATE SET external_id = excluded.external_id \
         RETURNING COALESCE(merged_into, id) AS id",
    )
    .bind(new_id())
    .bind(org_id)
    .bind(external_id)
    .bind(name.unwrap_or(external_id))
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await
    .context("finding or creating an account")?;
    row.try_get("id").context("reading account id")
}

/// The retention numbers of the accounts with these external ids (those the reports know).
async fn retention_numbers(
    conn: &mut AnyConnection,
    org_id: &str,
    external_ids: &[&str],
) -> StoreResult<Vec<u32>> {
    let mut out = Vec::new();
    for chunk in external_ids.chunks(500) {
        let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT r.idx FROM retention_accounts r JOIN accounts a ON a.id = r.account_id \
             WHERE r.org_id = $1 AND a.org_id = $1 AND a.external_id IN ({})",
            list.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(org_id);
        for id in chunk {
            q = q.bind(*id);
        }
        for row in q
            .fetch_all(&mut *conn)
            .await
            .context("reading account numbers")?
        {
            let idx: i64 = row.try_get(0).context("reading an account number")?;
            out.extend(u32::try_from(idx).ok());
        }
    }
    Ok(out)
}

/// Bumps the retention generation for one account (by id), whose owner, an attribute the
/// retention reports read, changed.
pub(crate) async fn owner_changed_for_retention(
    conn: &mut AnyConnection,
    org_id: &str,
    account_id: &str,
) -> StoreResult<()> {
    let idx: Option<i64> = sqlx::query_scalar(
        "SELECT idx FROM retention_accounts WHERE org_id = $1 AND account_id = $2",
    )
    .bind(org_id)
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await
    .context("reading an account number")?;
    if let Some(idx) = idx.and_then(|i| u32::try_from(i).ok()) {
        bump_generation(conn, org_id, Touched::accounts(vec![idx])).await?;
    }
    Ok(())
}

async fn count_accounts(conn: &mut AnyConnection, org_id: &str) -> StoreResult<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM accounts WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(&mut *conn)
        .await
        .context("counting accounts")?
        .try_get("n")
        .context("counting accounts")
}

impl SqlStore {
    async fn accounts_where(
        &self,
        org_id: &str,
        account_id: Option<&str>,
    ) -> StoreResult<Vec<Account>> {
        // One account by its id, its primary external id or an id in another system, in that
        // order of preference; or all of them. Each lookup is its own indexed read (an `OR`
        // of them would scan every account).
        let sql = match account_id {
            None => format!(
                "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE org_id = $1 AND merged_into IS NULL \
                 AND $2 IS NULL ORDER BY name, id"
            ),
            Some(_) => format!(
                "SELECT {ACCOUNT_COLUMNS} FROM (\
                   SELECT {ACCOUNT_COLUMNS}, 0 AS rank FROM accounts WHERE org_id = $1 AND id = $2 \
                   UNION ALL SELECT {ACCOUNT_COLUMNS}, 1 AS rank FROM accounts \
                     WHERE org_id = $1 AND external_id = $2 \
                   UNION ALL SELECT {ACCOUNT_COLUMNS}, 2 AS rank FROM accounts WHERE org_id = $1 \
                     AND id IN (SELECT account_id FROM account_external_ids \
                       WHERE org_id = $1 AND external_id = $2)\
                 ) AS found ORDER BY rank, name, id LIMIT 1"
            ),
        };
        let mut conn = self.pool.acquire().await.context("reading accounts")?;
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(org_id)
            .bind(account_id)
            .fetch_all(&mut *conn)
            .await
            .context("listing accounts")?;
        let mut accounts: Vec<Account> = rows.iter().map(account_of).collect::<StoreResult<_>>()?;
        super::account_links::load(&mut conn, org_id, &mut accounts).await?;
        Ok(accounts)
    }
}

/// One account of the organisation, on the caller's connection.
pub(crate) async fn account_in(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
) -> StoreResult<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE org_id = $1 AND id = $2");
    let Some(mut account) = sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .context("reading an account")?
        .as_ref()
        .map(account_of)
        .transpose()?
    else {
        return Ok(None);
    };
    super::account_links::load(conn, org_id, std::slice::from_mut(&mut account)).await?;
    Ok(Some(account))
}

#[async_trait]
impl CustomerStore for SqlStore {
    async fn upsert_account(&self, org_id: &str, a: &AccountUpsert) -> StoreResult<Account> {
        let attributes = serde_json::to_string(&a.attributes).context("encoding attributes")?;
        let sql = format!(
            "INSERT INTO accounts (id, org_id, external_id, name, plan, size_band, industry, region, owner_user_id, attributes, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (org_id, external_id) DO UPDATE SET name = excluded.name, plan = excluded.plan, \
               size_band = excluded.size_band, industry = excluded.industry, region = excluded.region, \
               owner_user_id = excluded.owner_user_id, attributes = excluded.attributes \
             RETURNING {ACCOUNT_COLUMNS}"
        );
        let mut tx = self.begin_write().await?;
        // The account as it was, locked until this transaction ends, to tell whether what the
        // retention reports read about it changes.
        let lock = match self.dialect {
            super::Dialect::Sqlite => "",
            super::Dialect::Postgres => " FOR UPDATE",
        };
        let before = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE org_id = $1 AND external_id = $2{lock}"
        )))
        .bind(org_id)
        .bind(&a.external_id)
        .fetch_optional(&mut *tx)
        .await
        .context("reading the account")?
        .as_ref()
        .map(account_of)
        .transpose()?;
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(new_id())
            .bind(org_id)
            .bind(&a.external_id)
            .bind(&a.name)
            .bind(&a.plan)
            .bind(&a.size_band)
            .bind(&a.industry)
            .bind(&a.region)
            .bind(&a.owner_user_id)
            .bind(attributes)
            .bind(super::auth::now_ms())
            .fetch_one(&mut *tx)
            .await
            .context("saving an account")?;
        let mut account = account_of(&row)?;
        super::account_links::apply(&mut tx, org_id, &account.id, a).await?;
        if let Some(b) = &before
            && b.owner_user_id != account.owner_user_id
        {
            super::account_team::record_owner_change(
                &mut tx,
                org_id,
                &account.id,
                b.owner_user_id.as_deref(),
                account.owner_user_id.as_deref(),
                None,
                super::auth::now_ms(),
            )
            .await?;
        }
        if let Some(fresh) = account_in(&mut tx, org_id, &account.id).await? {
            account = fresh;
        }
        // An account the retention reports know, changed in what they read: their attribute
        // snapshot is out of date. (A new account has no retention number yet.)
        let audited = |x: &Account| {
            (
                x.plan.clone(),
                x.size_band.clone(),
                x.industry.clone(),
                x.region.clone(),
                x.owner_user_id.clone(),
                x.attributes.clone(),
            )
        };
        if before
            .as_ref()
            .is_some_and(|b| audited(b) != audited(&account))
        {
            let numbers = retention_numbers(&mut tx, org_id, &[a.external_id.as_str()]).await?;
            if !numbers.is_empty() {
                bump_generation(&mut tx, org_id, Touched::accounts(numbers)).await?;
            }
        }
        tx.commit().await.context("saving an account")?;
        Ok(account)
    }

    async fn list_accounts(&self, org_id: &str) -> StoreResult<Vec<Account>> {
        self.accounts_where(org_id, None).await
    }

    async fn account(&self, org_id: &str, account_id: &str) -> StoreResult<Account> {
        self.accounts_where(org_id, Some(account_id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// Upserts many accounts in one transaction (all or nothing); a later row with the same
    /// external id wins. Returns how many accounts are new and how many were updated.
    async fn import_accounts(
        &self,
        org_id: &str,
        rows: &[AccountUpsert],
        now_ms: i64,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<crate::model::ImportOutcome> {
        let mut last: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (i, a) in rows.iter().enumerate() {
            last.insert(a.external_id.as_str(), i);
        }
        let mut tx = self.begin_write().await?;
        let before = count_accounts(&mut tx, org_id).await?;
        let sql = super::retention::insert_sql(
            self.dialect,
            "accounts",
            &[
                "id",
                "org_id",
                "external_id",
                "name",
                "plan",
                "size_band",
                "industry",
                "region",
                "owner_user_id",
                "attributes",
                "created_at",
            ],
            &[
                "text", "text", "text", "text", "text", "text", "text", "text", "text", "text",
                "int",
            ],
            "ON CONFLICT (org_id, external_id) DO UPDATE SET name = excluded.name, \
             plan = excluded.plan, size_band = excluded.size_band, industry = excluded.industry, \
             region = excluded.region, owner_user_id = excluded.owner_user_id, \
             attributes = excluded.attributes",
        );
        let mut done = 0u64;
        for chunk in rows.chunks(super::retention::BATCH) {
            let mut json = Vec::with_capacity(chunk.len());
            for (i, a) in chunk.iter().enumerate() {
                if last.get(a.external_id.as_str()) != Some(&(done as usize + i)) {
                    continue;
                }
                let attributes =
                    serde_json::to_string(&a.attributes).context("encoding attributes")?;
                json.push(vec![
                    new_id().into(),
                    org_id.into(),
                    a.external_id.as_str().into(),
                    a.name.as_str().into(),
                    a.plan.as_deref().into(),
                    a.size_band.as_deref().into(),
                    a.industry.as_deref().into(),
                    a.region.as_deref().into(),
                    a.owner_user_id.as_deref().into(),
                    attributes.into(),
                    now_ms.into(),
                ]);
            }
            super::retention::send(&mut tx, &sql, &json).await?;
            done += chunk.len() as u64;
            progress(done);
        }
        let after = count_accounts(&mut tx, org_id).await?;
        let touched = if last.len() > MAX_LISTED {
            Touched::Unknown
        } else {
            let ids: Vec<&str> = last.keys().copied().collect();
            Touched::accounts(retention_numbers(&mut tx, org_id, &ids).await?)
        };
        bump_generation(&mut tx, org_id, touched).await?;
        tx.commit().await.context("committing the import")?;
        Ok(super::retention::outcome(
            (after - before).max(0) as u64,
            rows.len(),
        ))
    }

    async fn set_account_team(
        &self,
        org_id: &str,
        account: &str,
        team: &[(String, attune_domain::customer::TeamRole)],
        now_ms: i64,
    ) -> StoreResult<Account> {
        self.set_team_impl(org_id, account, team, now_ms).await
    }

    async fn change_owner(
        &self,
        org_id: &str,
        account: &str,
        owner: Option<&str>,
        actor: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<(Account, Option<String>)> {
        self.change_owner_impl(org_id, account, owner, actor, now_ms)
            .await
    }

    async fn archive_account(
        &self,
        org_id: &str,
        account_id: &str,
        archived_at: Option<i64>,
    ) -> StoreResult<Account> {
        let account = self.account(org_id, account_id).await?;
        sqlx::query("UPDATE accounts SET archived_at = $3 WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(&account.id)
            .bind(archived_at)
            .execute(&self.pool)
            .await
            .context("archiving an account")?;
        self.account(org_id, &account.id).await
    }

    async fn refresh_account_flags(
        &self,
        org_id: &str,
        now_ms: i64,
        days: u32,
    ) -> StoreResult<crate::model::FlagRefresh> {
        self.refresh_account_flags_impl(org_id, now_ms, days).await
    }

    async fn account_flags(&self, org_id: &str) -> StoreResult<Vec<crate::model::AccountFlag>> {
        self.account_flags_impl(org_id).await
    }

    async fn account_flag_page(
        &self,
        org_id: &str,
        query: &crate::model::FlagListQuery,
    ) -> StoreResult<Vec<(Account, attune_domain::customer::relationship::Threading)>> {
        self.account_flag_page_impl(org_id, query).await
    }

    async fn sync_customers(
        &self,
        org_id: &str,
        batch: &crate::model::SyncBatch,
        now_ms: i64,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<Result<crate::model::SyncOutcome, crate::model::SyncRefusal>> {
        self.sync_customers_impl(org_id, batch, now_ms, progress)
            .await
    }

    async fn upsert_person(&self, org_id: &str, p: &PersonUpsert) -> StoreResult<Person> {
        self.upsert_person_impl(org_id, p).await
    }

    async fn person(&self, org_id: &str, id: &str) -> StoreResult<Person> {
        self.person_impl(org_id, id).await
    }

    async fn person_by_email(&self, org_id: &str, email: &str) -> StoreResult<Person> {
        self.person_by_email_impl(org_id, email).await
    }

    async fn list_people(&self, org_id: &str, q: &PeopleQuery) -> StoreResult<Vec<Person>> {
        self.list_people_impl(org_id, q).await
    }

    async fn remove_membership(
        &self,
        org_id: &str,
        person: &str,
        account: &str,
    ) -> StoreResult<()> {
        self.remove_membership_impl(org_id, person, account).await
    }

    async fn account_touches(
        &self,
        org_id: &str,
        account_id: &str,
        since_ms: i64,
    ) -> StoreResult<AccountTouches> {
        self.account_touches_impl(org_id, account_id, since_ms)
            .await
    }

    async fn search_customers(
        &self,
        org_id: &str,
        q: &str,
        limit: u32,
    ) -> StoreResult<Vec<crate::model::CustomerHit>> {
        self.search_customers_impl(org_id, q, limit).await
    }

    async fn timeline(&self, org_id: &str, q: &TimelineQuery) -> StoreResult<Vec<TimelineEntry>> {
        self.timeline_impl(org_id, q).await
    }

    async fn upsert_contact(&self, org_id: &str, c: &ContactUpsert) -> StoreResult<Contact> {
        self.upsert_contact_impl(org_id, c).await
    }

    async fn contact_by_email(&self, org_id: &str, email: &str) -> StoreResult<Contact> {
        self.contact_impl(org_id, email, true).await
    }

    async fn contact(&self, org_id: &str, id: &str) -> StoreResult<Contact> {
        self.contact_impl(org_id, id, false).await
    }

    async fn list_contacts(
        &self,
        org_id: &str,
        account_id: Option<&str>,
    ) -> StoreResult<Vec<Contact>> {
        self.list_contacts_impl(org_id, account_id).await
    }
}
