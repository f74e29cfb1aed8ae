//! Failed logins per normalised e-mail (`login_failures`), for the login back-off. The e-mail
//! is not tenant data until an admin clears it: then the organisation must have that user.

use attune_domain::login::{BackoffPolicy, FORGET_AFTER_MS, normalize_email};
use sqlx::Row;

use super::SqlStore;
use crate::error::{Context, StoreError, StoreResult};
use crate::model::LoginFailures;

impl SqlStore {
    pub(crate) async fn login_backoff_until_impl(
        &self,
        email: &str,
        now_ms: i64,
    ) -> StoreResult<Option<i64>> {
        let row = sqlx::query(
            "SELECT next_allowed_at FROM login_failures WHERE email = $1 AND next_allowed_at > $2",
        )
        .bind(normalize_email(email))
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await
        .context("reading a login back-off")?;
        row.map(|r| r.try_get("next_allowed_at"))
            .transpose()
            .context("reading a login back-off")
    }

    pub(crate) async fn record_login_failure_impl(
        &self,
        email: &str,
        now_ms: i64,
        policy: &BackoffPolicy,
    ) -> StoreResult<LoginFailures> {
        let email = normalize_email(email);
        let forget_before = now_ms.saturating_sub(FORGET_AFTER_MS);
        // One write transaction: concurrent failures (on any instance) count one after another.
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO login_failures (email, failures, last_failure_at, next_allowed_at) \
             VALUES ($1, 1, $2, $2) \
             ON CONFLICT (email) DO UPDATE SET \
               failures = CASE WHEN login_failures.last_failure_at < $3 THEN 1 \
                               ELSE login_failures.failures + 1 END, \
               last_failure_at = $2 \
             RETURNING failures",
        )
        .bind(&email)
        .bind(now_ms)
        .bind(forget_before)
        .fetch_one(&mut *tx)
        .await
        .context("recording a failed login")?;
        let failures: i64 = row
            .try_get("failures")
            .context("recording a failed login")?;
        let next_allowed_at_ms = now_ms.saturating_add(policy.delay_ms(failures));
        sqlx::query("UPDATE login_failures SET next_allowed_at = $2 WHERE email = $1")
            .bind(&email)
            .bind(next_allowed_at_ms)
            .execute(&mut *tx)
            .await
            .context("recording a failed login")?;
        // Guessed e-mails must not pile up: a day without failures forgets an e-mail.
        sqlx::query("DELETE FROM login_failures WHERE last_failure_at < $1")
            .bind(forget_before)
            .execute(&mut *tx)
            .await
            .context("forgetting old failed logins")?;
        tx.commit().await.context("recording a failed login")?;
        Ok(LoginFailures {
            failures,
            next_allowed_at_ms,
        })
    }

    pub(crate) async fn forget_login_failures_impl(&self, email: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE email = $1")
            .bind(normalize_email(email))
            .execute(&self.pool)
            .await
            .context("forgetting failed logins")?;
        Ok(())
    }

    pub(crate) async fn clear_login_backoff_impl(
        &self,
        org_id: &str,
        email: &str,
    ) -> StoreResult<bool> {
        let email = normalize_email(email);
        sqlx::query("SELECT id FROM users WHERE org_id = $1 AND email = $2")
            .bind(org_id)
            .bind(&email)
            .fetch_optional(&self.pool)
            .await
            .context("finding a user")?
            .ok_or(StoreError::NotFound)?;
        let done = sqlx::query(
            "DELETE FROM login_failures WHERE email = $2 \
             AND EXISTS (SELECT 1 FROM users u WHERE u.org_id = $1 AND u.email = $2)",
        )
        .bind(org_id)
        .bind(&email)
        .execute(&self.pool)
        .await
        .context("clearing a login back-off")?;
        Ok(done.rows_affected() > 0)
    }
}
