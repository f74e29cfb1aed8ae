//! Stored credentials, handed out for (re-)sealing: the settings and the webhook secrets. The
//! SQL here never sees a plain secret from Attune itself (callers seal before they store); it
//! only finds the rows and swaps values in one transaction.

use sqlx::Row;

use super::SqlStore;
use crate::error::{Context, StoreError, StoreResult, anyhow_like};
use crate::model::{CredentialRow, Reseal, StoredCredential};

impl SqlStore {
    pub(crate) async fn setting_impl(&self, key: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .context("reading a setting")?;
        row.map(|r| r.try_get("value").context("reading a setting"))
            .transpose()
    }

    pub(crate) async fn reseal_credentials_impl(&self, f: &Reseal<'_>) -> StoreResult<u64> {
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
}
