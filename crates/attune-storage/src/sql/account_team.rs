//! Our side of an account: its team with roles, and owner changes (recorded as account
//! events for its timeline).

use attune_domain::Invalid;
use attune_domain::customer::TeamRole;
use sqlx::{AnyConnection, Row};

use super::{SqlStore, new_id};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::Account;

/// The account's team, by role then user.
pub(crate) async fn team_of(
    conn: &mut AnyConnection,
    org_id: &str,
    account_id: &str,
) -> StoreResult<Vec<(String, TeamRole)>> {
    let rows = sqlx::query(
        "SELECT user_id, role FROM account_team WHERE org_id = $1 AND account_id = $2 \
         ORDER BY role, created_at, user_id",
    )
    .bind(org_id)
    .bind(account_id)
    .fetch_all(&mut *conn)
    .await
    .context("reading an account's team")?;
    let mut team = Vec::with_capacity(rows.len());
    for row in rows {
        let role: String = row.try_get(1).context("reading a team member")?;
        if let Some(role) = TeamRole::parse(&role) {
            team.push((row.try_get(0).context("reading a team member")?, role));
        }
    }
    Ok(team)
}

/// Records that the account's owner changed from `from` to `to` (on the caller's transaction).
pub(crate) async fn record_owner_change(
    conn: &mut AnyConnection,
    org_id: &str,
    account_id: &str,
    from: Option<&str>,
    to: Option<&str>,
    actor: Option<&str>,
    now_ms: i64,
) -> StoreResult<()> {
    let data = serde_json::json!({"from": from, "to": to}).to_string();
    sqlx::query(
        "INSERT INTO account_events (id, org_id, account_id, kind, at, actor_user_id, data) \
         VALUES ($1, $2, $3, 'owner_changed', $4, $5, $6)",
    )
    .bind(new_id())
    .bind(org_id)
    .bind(account_id)
    .bind(now_ms)
    .bind(actor)
    .bind(data)
    .execute(&mut *conn)
    .await
    .context("recording an owner change")?;
    Ok(())
}

async fn user_of_org(
    conn: &mut AnyConnection,
    org_id: &str,
    user_id: &str,
    field: &str,
) -> StoreResult<()> {
    let found: Option<i32> =
        sqlx::query_scalar("SELECT 1 FROM users WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await
            .context("checking a user")?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::Invalid(Invalid::one(
            field,
            "no user of this organisation has that id",
        ))),
    }
}

impl SqlStore {
    /// Replaces the account's team.
    pub(crate) async fn set_team_impl(
        &self,
        org_id: &str,
        account: &str,
        team: &[(String, TeamRole)],
        now_ms: i64,
    ) -> StoreResult<Account> {
        let mut tx = self.begin_write().await?;
        let account_id = super::people::account_id_of(&mut tx, org_id, account).await?;
        for (i, (user, _)) in team.iter().enumerate() {
            user_of_org(&mut tx, org_id, user, &format!("team[{i}].user")).await?;
        }
        sqlx::query("DELETE FROM account_team WHERE org_id = $1 AND account_id = $2")
            .bind(org_id)
            .bind(&account_id)
            .execute(&mut *tx)
            .await
            .context("replacing an account's team")?;
        for (user, role) in team {
            sqlx::query(
                "INSERT INTO account_team (org_id, account_id, user_id, role, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(org_id)
            .bind(&account_id)
            .bind(user)
            .bind(role.as_str())
            .bind(now_ms)
            .execute(&mut *tx)
            .await
            .context("saving a team member")?;
        }
        let saved = super::accounts::account_in(&mut tx, org_id, &account_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await.context("saving an account's team")?;
        Ok(saved)
    }

    /// Gives the account to `owner` (a user id, or nobody), recording the change; returns the
    /// account and its previous owner.
    pub(crate) async fn change_owner_impl(
        &self,
        org_id: &str,
        account: &str,
        owner: Option<&str>,
        actor: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<(Account, Option<String>)> {
        let mut tx = self.begin_write().await?;
        let account_id = super::people::account_id_of(&mut tx, org_id, account).await?;
        if let Some(o) = owner {
            user_of_org(&mut tx, org_id, o, "owner").await?;
        }
        let before = super::accounts::account_in(&mut tx, org_id, &account_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if before.owner_user_id.as_deref() != owner {
            sqlx::query("UPDATE accounts SET owner_user_id = $3 WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(&account_id)
                .bind(owner)
                .execute(&mut *tx)
                .await
                .context("changing an account's owner")?;
            record_owner_change(
                &mut tx,
                org_id,
                &account_id,
                before.owner_user_id.as_deref(),
                owner,
                actor,
                now_ms,
            )
            .await?;
            super::accounts::owner_changed_for_retention(&mut tx, org_id, &account_id).await?;
        }
        let after = super::accounts::account_in(&mut tx, org_id, &account_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await.context("changing an account's owner")?;
        Ok((after, before.owner_user_id))
    }
}
