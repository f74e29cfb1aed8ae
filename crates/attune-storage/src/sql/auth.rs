//! Organisations, users, API tokens, sessions and server settings.

use attune_domain::org::Role;
use attune_domain::text::slugify;
use sqlx::AssertSqlSafe;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{SqlStore, new_id};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::{Org, Session, TokenGrant, User};

fn org_of(row: &AnyRow) -> StoreResult<Org> {
    Ok(Org {
        id: row.try_get("id").context("reading org")?,
        slug: row.try_get("slug").context("reading org")?,
        name: row.try_get("name").context("reading org")?,
    })
}

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

impl SqlStore {
    pub(crate) async fn setting_or_init_impl(&self, key: &str, init: &str) -> StoreResult<String> {
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

    pub(crate) async fn create_org_impl(&self, name: &str) -> StoreResult<Org> {
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
                "INSERT INTO orgs (id, slug, name, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(&id)
            .bind(&slug)
            .bind(name)
            .bind(now_ms())
            .execute(&mut *tx)
            .await
            .context("creating an organisation");
            match res {
                Ok(_) => {
                    super::closed_loop::insert_defaults(&mut tx, &id, now_ms()).await?;
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

    pub(crate) async fn org_where(&self, column: &str, value: &str) -> StoreResult<Org> {
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

    pub(crate) async fn list_orgs_impl(&self) -> StoreResult<Vec<Org>> {
        let rows = sqlx::query("SELECT id, slug, name FROM orgs ORDER BY slug")
            .fetch_all(&self.pool)
            .await
            .context("listing organisations")?;
        rows.iter().map(org_of).collect()
    }

    pub(crate) async fn create_user_impl(
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

    pub(crate) async fn user_for_login_impl(&self, email: &str) -> StoreResult<(User, String)> {
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

    pub(crate) async fn list_users_impl(&self, org_id: &str) -> StoreResult<Vec<User>> {
        let rows = sqlx::query(
            "SELECT id, org_id, email, role FROM users WHERE org_id = $1 ORDER BY email",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await
        .context("listing users")?;
        rows.iter().map(user_of).collect()
    }

    pub(crate) async fn create_token_impl(
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

    pub(crate) async fn token_grant_impl(&self, token_hash: &str) -> StoreResult<TokenGrant> {
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

    pub(crate) async fn create_session_impl(
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

    pub(crate) async fn session_impl(&self, id_hash: &str, now_ms: i64) -> StoreResult<Session> {
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

    pub(crate) async fn delete_session_impl(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .context("ending a session")?;
        Ok(())
    }
}

/// Wall-clock time for bookkeeping columns (`created_at`); business time is passed in.
pub(crate) fn now_ms() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}
