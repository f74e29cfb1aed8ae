//! Server settings, organisations, and the stored credentials handed out for (re-)sealing: the
//! settings and the webhook secrets. The SQL here never sees a plain secret from Attune itself
//! (callers seal before they store); it only finds the rows and swaps values in one
//! transaction.

use async_trait::async_trait;
use attune_domain::text::slugify;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::auth::now_ms;
use super::{SqlStore, new_id};
use crate::error::{Context, StoreError, StoreResult, anyhow_like};
use crate::model::{CredentialRow, Org, Reseal, StoredCredential};
use crate::store::SettingsStore;

pub(super) fn org_of(row: &AnyRow) -> StoreResult<Org> {
    Ok(Org {
        id: row.try_get("id").context("reading org")?,
        slug: row.try_get("slug").context("reading org")?,
        name: row.try_get("name").context("reading org")?,
    })
}

impl SqlStore {
    async fn org_where(&self, column: &str, value: &str) -> StoreResult<Org> {
        // `column` is one of two literals chosen by the caller, never user input.
        let sql = format!("SELECT id, slug, name FROM orgs WHERE {column} = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(value)
            .fetch_optional(&self.pool)
            .await
            .context("finding an organisation")?
            .ok_or(StoreError::NotFound)?;
        org_of(&row)
    }
}

#[async_trait]
impl SettingsStore for SqlStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .context("pinging the database")?;
        Ok(())
    }

    async fn setting_or_init(&self, key: &str, init: &str) -> StoreResult<String> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(init)
        .execute(&self.pool)
        .await
        .context("initialising a setting")?;
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_one(&self.pool)
            .await
            .context("reading a setting")?;
        row.try_get("value").context("reading a setting")
    }

    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .context("reading a setting")?;
        row.map(|r| r.try_get("value").context("reading a setting"))
            .transpose()
    }

    async fn reseal_credentials(&self, f: &Reseal<'_>) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let mut found = Vec::new();
        for r in sqlx::query("SELECT key, value FROM settings ORDER BY key")
            .fetch_all(&mut *tx)
            .await
            .context("reading settings")?
        {
            found.push(StoredCredential {
                row: CredentialRow::Setting {
                    key: r.try_get("key").context("reading settings")?,
                },
                value: r.try_get("value").context("reading settings")?,
            });
        }
        for r in sqlx::query("SELECT id, org_id, secret FROM webhooks ORDER BY org_id, id")
            .fetch_all(&mut *tx)
            .await
            .context("reading webhook secrets")?
        {
            found.push(StoredCredential {
                row: CredentialRow::WebhookSecret {
                    org_id: r.try_get("org_id").context("reading webhook secrets")?,
                    webhook_id: r.try_get("id").context("reading webhook secrets")?,
                },
                value: r.try_get("secret").context("reading webhook secrets")?,
            });
        }
        let mut replaced = 0;
        for c in &found {
            let new = f(c).map_err(|why| {
                StoreError::Other(anyhow_like::Error {
                    context: "re-sealing stored credentials (nothing was changed)".into(),
                    source: why.into(),
                })
            })?;
            let Some(new) = new else { continue };
            // Compare-and-set: only the value read above is replaced.
            let done = match &c.row {
                CredentialRow::Setting { key } => {
                    sqlx::query("UPDATE settings SET value = $1 WHERE key = $2 AND value = $3")
                        .bind(new)
                        .bind(key)
                        .bind(&c.value)
                        .execute(&mut *tx)
                        .await
                }
                CredentialRow::WebhookSecret { org_id, webhook_id } => sqlx::query(
                    "UPDATE webhooks SET secret = $1 WHERE org_id = $2 AND id = $3 AND secret = $4",
                )
                .bind(new)
                .bind(org_id)
                .bind(webhook_id)
                .bind(&c.value)
                .execute(&mut *tx)
                .await,
            }
            .context("storing a re-sealed credential")?;
            replaced += done.rows_affected();
        }
        tx.commit().await.context("storing re-sealed credentials")?;
        Ok(replaced)
    }

    async fn create_org(&self, name: &str) -> StoreResult<Org> {
        let base = slugify(name);
        for attempt in 1..=1000 {
            let slug = if attempt == 1 {
                base.clone()
            } else {
                format!("{base}-{attempt}")
            };
            let id = new_id();
            let mut tx = self.begin_write().await?;
            let res = sqlx::query(
                "INSERT INTO orgs (id, slug, name, created_at, text_index_version) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&id)
            .bind(&slug)
            .bind(name)
            .bind(now_ms())
            // A new organisation's postings are written by this analysis from the start.
            .bind(attune_text::INDEX_VERSION)
            .execute(&mut *tx)
            .await
            .context("creating an organisation");
            match res {
                Ok(_) => {
                    super::closed_loop::insert_defaults(&mut tx, &id, now_ms()).await?;
                    super::closed_loop::mark_loop_counts_built(&mut tx, &id).await?;
                    super::drivers::mark_built(&mut tx, &id).await?;
                    tx.commit().await.context("creating an organisation")?;
                    return Ok(Org {
                        id,
                        slug,
                        name: name.to_owned(),
                    });
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Conflict(format!(
            "no free slug for organisation `{name}`"
        )))
    }

    async fn org_by_slug(&self, slug: &str) -> StoreResult<Org> {
        self.org_where("slug", slug).await
    }

    async fn org_by_id(&self, org_id: &str) -> StoreResult<Org> {
        self.org_where("id", org_id).await
    }

    async fn list_orgs(&self) -> StoreResult<Vec<Org>> {
        let rows = sqlx::query("SELECT id, slug, name FROM orgs ORDER BY slug")
            .fetch_all(&self.pool)
            .await
            .context("listing organisations")?;
        rows.iter().map(org_of).collect()
    }
}
