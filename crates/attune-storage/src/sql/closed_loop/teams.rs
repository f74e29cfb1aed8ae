//! Teams (round-robin owners, escalation leads) and the root-cause taxonomy.

use sqlx::{AnyConnection, Row};

use super::super::{SqlStore, new_id};
use super::user_email;
use crate::error::{Context, StoreResult};
use crate::model::Team;
use crate::store::TeamStore;
use async_trait::async_trait;

/// A team's members in round-robin order.
pub(super) async fn team_members(
    conn: &mut AnyConnection,
    team_id: &str,
) -> StoreResult<Vec<String>> {
    let rows = sqlx::query("SELECT user_id FROM team_members WHERE team_id = $1 ORDER BY position")
        .bind(team_id)
        .fetch_all(&mut *conn)
        .await
        .context("reading team members")?;
    rows.iter()
        .map(|r| r.try_get("user_id").context("reading team member"))
        .collect()
}

/// The organisation's root-cause taxonomy.
pub(super) async fn taxonomy_of(
    conn: &mut AnyConnection,
    org_id: &str,
) -> StoreResult<Vec<String>> {
    let rows = sqlx::query("SELECT name FROM root_causes WHERE org_id = $1 ORDER BY name")
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await
        .context("reading root causes")?;
    rows.iter()
        .map(|r| r.try_get("name").context("reading root cause"))
        .collect()
}

#[async_trait]
impl TeamStore for SqlStore {
    async fn create_team(
        &self,
        org_id: &str,
        name: &str,
        lead: Option<&str>,
        members: &[String],
        now_ms: i64,
    ) -> StoreResult<Team> {
        let mut tx = self.begin_write().await?;
        let mut p = attune_domain::error::Problems::default();
        for (i, u) in lead
            .iter()
            .map(|l| ("lead_user_id".to_owned(), *l))
            .chain(
                members
                    .iter()
                    .enumerate()
                    .map(|(i, m)| (format!("members[{i}]"), m.as_str())),
            )
            .collect::<Vec<_>>()
        {
            if user_email(&mut tx, org_id, u).await?.is_none() {
                p.push(i, "no such user in this organisation");
            }
        }
        p.finish(())?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO teams (id, org_id, name, lead_user_id, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(name)
        .bind(lead)
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .context("creating a team")?;
        for (i, m) in members.iter().enumerate() {
            sqlx::query(
                "INSERT INTO team_members (team_id, user_id, position) VALUES ($1, $2, $3)",
            )
            .bind(&id)
            .bind(m)
            .bind(i as i64)
            .execute(&mut *tx)
            .await
            .context("adding a team member")?;
        }
        tx.commit().await.context("creating a team")?;
        Ok(Team {
            id,
            name: name.to_owned(),
            lead_user_id: lead.map(str::to_owned),
            members: members.to_vec(),
        })
    }

    async fn list_teams(&self, org_id: &str) -> StoreResult<Vec<Team>> {
        let mut conn = self.pool.acquire().await.context("connecting")?;
        let rows =
            sqlx::query("SELECT id, name, lead_user_id FROM teams WHERE org_id = $1 ORDER BY name")
                .bind(org_id)
                .fetch_all(&mut *conn)
                .await
                .context("listing teams")?;
        let mut teams = Vec::new();
        for r in &rows {
            let id: String = r.try_get("id").context("reading team")?;
            let members = team_members(&mut conn, &id).await?;
            teams.push(Team {
                id,
                name: r.try_get("name").context("reading team")?,
                lead_user_id: r.try_get("lead_user_id").context("reading team")?,
                members,
            });
        }
        Ok(teams)
    }

    async fn root_causes(&self, org_id: &str) -> StoreResult<Vec<String>> {
        let mut conn = self.pool.acquire().await.context("connecting")?;
        taxonomy_of(&mut conn, org_id).await
    }

    async fn set_root_causes(&self, org_id: &str, names: &[String]) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM root_causes WHERE org_id = $1")
            .bind(org_id)
            .execute(&mut *tx)
            .await
            .context("replacing root causes")?;
        for n in names {
            sqlx::query(
                "INSERT INTO root_causes (org_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(org_id)
            .bind(n)
            .execute(&mut *tx)
            .await
            .context("replacing root causes")?;
        }
        tx.commit().await.context("replacing root causes")?;
        Ok(())
    }
}
