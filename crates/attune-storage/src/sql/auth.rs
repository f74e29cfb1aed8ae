//! Users, API tokens, sessions, and failed logins per normalised e-mail (`login_failures`) for
//! the login back-off. The e-mail is not tenant data until an admin clears it: then the
//! organisation must have that user.

use async_trait::async_trait;
use attune_domain::login::{BackoffPolicy, FORGET_AFTER_MS, normalize_email};
use attune_domain::org::Role;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{SqlStore, new_id};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::{LoginFailures, Session, TokenGrant, User};
use crate::store::AccessStore;

fn role_of(raw: &str) -> StoreResult<Role> {
    Role::parse(raw).map_err(|e| StoreError::Conflict(format!("stored role is invalid: {e}")))
}

fn user_of(row: &AnyRow) -> StoreResult<User> {
    let role: String = row.try_get("role").context("reading user")?;
    Ok(User {
        id: row.try_get("id").context("reading user")?,
        org_id: row.try_get("org_id").context("reading user")?,
        email: row.try_get("email").context("reading user")?,
        role: role_of(&role)?,
    })
}

/// Wall-clock time for bookkeeping columns (`created_at`); business time is passed in.
pub(crate) fn now_ms() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

#[async_trait]
impl AccessStore for SqlStore {
    async fn create_user(
        &self,
        org_id: &str,
        email: &str,
        password_hash: &str,
        role: Role,
    ) -> StoreResult<User> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO users (id, org_id, email, password_hash, role, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(email.to_lowercase())
        .bind(password_hash)
        .bind(role.as_str())
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .context("creating a user")?;
        Ok(User {
            id,
            org_id: org_id.to_owned(),
            email: email.to_lowercase(),
            role,
        })
    }

    async fn user_for_login(&self, email: &str) -> StoreResult<(User, String)> {
        let row = sqlx::query(
            "SELECT id, org_id, email, role, password_hash FROM users WHERE email = $1",
        )
        .bind(email.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await
        .context("finding a user")?
        .ok_or(StoreError::NotFound)?;
        let hash: String = row.try_get("password_hash").context("reading user")?;
        Ok((user_of(&row)?, hash))
    }

    async fn login_backoff_until(&self, email: &str, now_ms: i64) -> StoreResult<Option<i64>> {
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

    async fn record_login_failure(
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

    async fn forget_login_failures(&self, email: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM login_failures WHERE email = $1")
            .bind(normalize_email(email))
            .execute(&self.pool)
            .await
            .context("forgetting failed logins")?;
        Ok(())
    }

    async fn clear_login_backoff(&self, org_id: &str, email: &str) -> StoreResult<bool> {
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

    async fn list_users(&self, org_id: &str) -> StoreResult<Vec<User>> {
        let rows = sqlx::query(
            "SELECT id, org_id, email, role FROM users WHERE org_id = $1 ORDER BY email",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await
        .context("listing users")?;
        rows.iter().map(user_of).collect()
    }

    async fn create_token(
        &self,
        org_id: &str,
        token_hash: &str,
        role: Role,
        label: &str,
    ) -> StoreResult<String> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO api_tokens (id, org_id, token_hash, role, label, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(token_hash)
        .bind(role.as_str())
        .bind(label)
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .context("creating a token")?;
        Ok(id)
    }

    async fn token_grant(&self, token_hash: &str) -> StoreResult<TokenGrant> {
        let row = sqlx::query("SELECT id, org_id, role FROM api_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .context("checking a token")?
            .ok_or(StoreError::NotFound)?;
        let role: String = row.try_get("role").context("reading token")?;
        Ok(TokenGrant {
            token_id: row.try_get("id").context("reading token")?,
            org_id: row.try_get("org_id").context("reading token")?,
            role: role_of(&role)?,
        })
    }

    async fn create_session(
        &self,
        id_hash: &str,
        user_id: &str,
        csrf_token: &str,
        expires_at_ms: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(expires_at_ms)
        .execute(&self.pool)
        .await
        .context("creating a session")?;
        Ok(())
    }

    async fn session(&self, id_hash: &str, now_ms: i64) -> StoreResult<Session> {
        let row = sqlx::query(
            "SELECT u.id, u.org_id, u.email, u.role, s.csrf_token, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2",
        )
        .bind(id_hash)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await
        .context("reading a session")?
        .ok_or(StoreError::NotFound)?;
        Ok(Session {
            user: user_of(&row)?,
            csrf_token: row.try_get("csrf_token").context("reading session")?,
            expires_at_ms: row.try_get("expires_at").context("reading session")?,
        })
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .context("ending a session")?;
        Ok(())
    }
}
