//! Customer accounts and their contacts.

use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::retention_changes::{MAX_LISTED, Touched, bump_generation};
use super::{SqlStore, new_id};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::{Account, AccountUpsert, Contact, ContactUpsert};
use crate::store::CustomerStore;
use async_trait::async_trait;

const ACCOUNT_COLUMNS: &str =
    "id, external_id, name, plan, size_band, industry, region, owner_user_id, attributes";

fn json_map(raw: &str) -> serde_json::Map<String, serde_json::Value> {
    serde_json::from_str(raw).unwrap_or_default()
}

fn account_of(row: &AnyRow) -> StoreResult<Account> {
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
    })
}

fn contact_of(row: &AnyRow) -> StoreResult<Contact> {
    let preferences: String = row.try_get("preferences").context("reading contact")?;
    let decision_maker: i64 = row.try_get("decision_maker").context("reading contact")?;
    Ok(Contact {
        id: row.try_get("id").context("reading contact")?,
        account_id: row.try_get("account_id").context("reading contact")?,
        name: row.try_get("name").context("reading contact")?,
        email: row.try_get("email").context("reading contact")?,
        phone: row.try_get("phone").context("reading contact")?,
        role: row.try_get("role").context("reading contact")?,
        decision_maker: decision_maker != 0,
        language: row.try_get("language").context("reading contact")?,
        preferences: json_map(&preferences),
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
    // The no-op update makes RETURNING yield the existing row on conflict, on both backends.
    let row = sqlx::query(
        "INSERT INTO accounts (id, org_id, external_id, name, attributes, created_at) \
         VALUES ($1, $2, $3, $4, '{}', $5) \
         ON CONFLICT (org_id, external_id) DO UPDATE SET external_id = excluded.external_id \
         RETURNING id",
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

/// The id and account of the contact with this e-mail, created on first sight; an account
/// given here is attached when the contact has none yet.
pub(crate) async fn contact_for(
    conn: &mut AnyConnection,
    org_id: &str,
    email: &str,
    name: Option<&str>,
    account_id: Option<&str>,
    now_ms: i64,
) -> StoreResult<(String, Option<String>)> {
    let row = sqlx::query(
        "INSERT INTO contacts (id, org_id, account_id, name, email, decision_maker, preferences, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0, '{}', $6) \
         ON CONFLICT (org_id, email) DO UPDATE SET \
           account_id = COALESCE(contacts.account_id, excluded.account_id), \
           name = COALESCE(contacts.name, excluded.name) \
         RETURNING id, account_id",
    )
    .bind(new_id())
    .bind(org_id)
    .bind(account_id)
    .bind(name)
    .bind(email)
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await
    .context("finding or creating a contact")?;
    Ok((
        row.try_get("id").context("reading contact id")?,
        row.try_get("account_id")
            .context("reading contact account")?,
    ))
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
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE org_id = $1 AND ($2 IS NULL OR id = $2 OR external_id = $2) ORDER BY name, id"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(org_id)
            .bind(account_id)
            .fetch_all(&self.pool)
            .await
            .context("listing accounts")?;
        rows.iter().map(account_of).collect()
    }
}

/// One account of the organisation, on the caller's connection.
pub(crate) async fn account_in(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
) -> StoreResult<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE org_id = $1 AND id = $2");
    sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .context("reading an account")?
        .as_ref()
        .map(account_of)
        .transpose()
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
        let account = account_of(&row)?;
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

    async fn upsert_contact(&self, org_id: &str, c: &ContactUpsert) -> StoreResult<Contact> {
        let mut tx = self.pool.begin().await.context("starting a transaction")?;
        let account_id = match &c.account_external_id {
            Some(x) => {
                let row = sqlx::query(
                    "SELECT id FROM accounts WHERE org_id = $1 AND (external_id = $2 OR id = $2)",
                )
                .bind(org_id)
                .bind(x)
                .fetch_optional(&mut *tx)
                .await
                .context("finding the contact's account")?
                .ok_or(StoreError::NotFound)?;
                Some(
                    row.try_get::<String, _>("id")
                        .context("reading account id")?,
                )
            }
            None => None,
        };
        let preferences = serde_json::to_string(&c.preferences).context("encoding preferences")?;
        let row = sqlx::query(
            "INSERT INTO contacts (id, org_id, account_id, name, email, phone, role, decision_maker, language, preferences, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (org_id, email) DO UPDATE SET account_id = excluded.account_id, name = excluded.name, \
               phone = excluded.phone, role = excluded.role, decision_maker = excluded.decision_maker, \
               language = excluded.language, preferences = excluded.preferences \
             RETURNING id, account_id, name, email, phone, role, decision_maker, language, preferences",
        )
        .bind(new_id())
        .bind(org_id)
        .bind(account_id)
        .bind(&c.name)
        .bind(&c.email)
        .bind(&c.phone)
        .bind(&c.role)
        .bind(i64::from(c.decision_maker))
        .bind(&c.language)
        .bind(preferences)
        .bind(super::auth::now_ms())
        .fetch_one(&mut *tx)
        .await
        .context("saving a contact")?;
        let contact = contact_of(&row)?;
        tx.commit().await.context("committing a contact")?;
        Ok(contact)
    }

    async fn contact_by_email(&self, org_id: &str, email: &str) -> StoreResult<Contact> {
        self.contact_where(org_id, "email", email).await
    }

    async fn contact(&self, org_id: &str, id: &str) -> StoreResult<Contact> {
        self.contact_where(org_id, "id", id).await
    }

    async fn list_contacts(
        &self,
        org_id: &str,
        account_id: Option<&str>,
    ) -> StoreResult<Vec<Contact>> {
        let rows = sqlx::query(
            "SELECT id, account_id, name, email, phone, role, decision_maker, language, preferences \
             FROM contacts WHERE org_id = $1 AND ($2 IS NULL OR account_id = $2) ORDER BY email, id",
        )
        .bind(org_id)
        .bind(account_id)
        .fetch_all(&self.pool)
        .await
        .context("listing contacts")?;
        rows.iter().map(contact_of).collect()
    }
}

impl SqlStore {
    /// The organisation's contact whose `column` (a fixed name, never input) equals `value`.
    async fn contact_where(
        &self,
        org_id: &str,
        column: &'static str,
        value: &str,
    ) -> StoreResult<Contact> {
        let sql = format!(
            "SELECT id, account_id, name, email, phone, role, decision_maker, language, preferences \
             FROM contacts WHERE org_id = $1 AND {column} = $2"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(org_id)
            .bind(value)
            .fetch_optional(&self.pool)
            .await
            .context("reading a contact")?
            .ok_or(StoreError::NotFound)?;
        contact_of(&row)
    }
}
