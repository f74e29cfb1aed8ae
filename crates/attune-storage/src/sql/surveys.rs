//! Surveys and personal invitations.

use attune_domain::survey::SurveyDefinition;
use attune_domain::survey_access::{AccessMode, EmbedOrigin, SurveyAccess};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::{SqlStore, new_id};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::{Invitation, Survey};
use crate::store::SurveyStore;
use async_trait::async_trait;

const SURVEY_COLUMNS: &str =
    "id, org_id, definition, created_at, access_mode, anonymous_dedup, embed_origins";

fn survey_of(row: &AnyRow) -> StoreResult<Survey> {
    let definition: String = row.try_get("definition").context("reading survey")?;
    let mode: String = row.try_get("access_mode").context("reading survey")?;
    let dedup: i64 = row.try_get("anonymous_dedup").context("reading survey")?;
    let origins: String = row.try_get("embed_origins").context("reading survey")?;
    let origins: Vec<String> =
        serde_json::from_str(&origins).context("decoding a survey's embed origins")?;
    Ok(Survey {
        id: row.try_get("id").context("reading survey")?,
        org_id: row.try_get("org_id").context("reading survey")?,
        created_at_ms: row.try_get("created_at").context("reading survey")?,
        definition: serde_json::from_str(&definition).context("decoding a survey")?,
        access: SurveyAccess {
            // Written only through `AccessMode::as_str`; an unknown value (a newer version's
            // mode) is read as the strictest one.
            mode: AccessMode::parse(&mode).unwrap_or(AccessMode::Invitation),
            anonymous_dedup: dedup != 0,
            // Stored only after `EmbedOrigin::parse`.
            embed_origins: origins
                .iter()
                .filter_map(|o| EmbedOrigin::parse(o).ok())
                .collect(),
        },
    })
}

fn origins_json(access: &SurveyAccess) -> StoreResult<String> {
    serde_json::to_string(&access.embed_origins).context("encoding embed origins")
}

/// The organisation's surveys, newest first.
pub(super) async fn surveys_of(
    conn: &mut sqlx::AnyConnection,
    org_id: &str,
) -> StoreResult<Vec<Survey>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {SURVEY_COLUMNS} FROM surveys WHERE org_id = $1 \
         ORDER BY created_at DESC, id DESC"
    )))
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await
    .context("listing surveys")?;
    rows.iter().map(survey_of).collect()
}

impl SqlStore {
    async fn find_survey(&self, org_id: Option<&str>, survey_id: &str) -> StoreResult<Survey> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {SURVEY_COLUMNS} FROM surveys WHERE id = $1 AND ($2 IS NULL OR org_id = $2)"
        )))
        .bind(survey_id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await
        .context("reading a survey")?
        .ok_or(StoreError::NotFound)?;
        survey_of(&row)
    }
}

#[async_trait]
impl SurveyStore for SqlStore {
    async fn create_survey_with_access(
        &self,
        org_id: &str,
        definition: &SurveyDefinition,
        access: &SurveyAccess,
        now_ms: i64,
    ) -> StoreResult<Survey> {
        let id = new_id();
        let json = serde_json::to_string(definition).context("encoding a survey")?;
        sqlx::query(
            "INSERT INTO surveys (id, org_id, name, definition, created_at, access_mode, \
             anonymous_dedup, embed_origins) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(&definition.name)
        .bind(json)
        .bind(now_ms)
        .bind(access.mode.as_str())
        .bind(i64::from(access.anonymous_dedup))
        .bind(origins_json(access)?)
        .execute(&self.pool)
        .await
        .context("creating a survey")?;
        Ok(Survey {
            id,
            org_id: org_id.to_owned(),
            created_at_ms: now_ms,
            definition: definition.clone(),
            access: access.clone(),
        })
    }

    async fn set_survey_access(
        &self,
        org_id: &str,
        survey_id: &str,
        access: &SurveyAccess,
    ) -> StoreResult<Survey> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "UPDATE surveys SET access_mode = $1, anonymous_dedup = $2, embed_origins = $3 \
             WHERE org_id = $4 AND id = $5 RETURNING {SURVEY_COLUMNS}"
        )))
        .bind(access.mode.as_str())
        .bind(i64::from(access.anonymous_dedup))
        .bind(origins_json(access)?)
        .bind(org_id)
        .bind(survey_id)
        .fetch_optional(&self.pool)
        .await
        .context("saving a survey's access settings")?
        .ok_or(StoreError::NotFound)?;
        survey_of(&row)
    }

    async fn survey(&self, org_id: &str, survey_id: &str) -> StoreResult<Survey> {
        self.find_survey(Some(org_id), survey_id).await
    }

    async fn public_survey(&self, survey_id: &str) -> StoreResult<Survey> {
        self.find_survey(None, survey_id).await
    }

    async fn list_surveys(&self, org_id: &str) -> StoreResult<Vec<Survey>> {
        let mut conn = self.pool.acquire().await.context("listing surveys")?;
        surveys_of(&mut conn, org_id).await
    }

    async fn create_invitation(
        &self,
        org_id: &str,
        survey_id: &str,
        contact_id: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<Invitation> {
        // Both ids must belong to the caller's organisation.
        self.find_survey(Some(org_id), survey_id).await?;
        if let Some(c) = contact_id {
            let found = sqlx::query("SELECT id FROM people WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(c)
                .fetch_optional(&self.pool)
                .await
                .context("checking the invited contact")?;
            if found.is_none() {
                return Err(StoreError::NotFound);
            }
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO invitations (id, org_id, survey_id, contact_id, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(survey_id)
        .bind(contact_id)
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .context("creating an invitation")?;
        Ok(Invitation {
            id,
            survey_id: survey_id.to_owned(),
            contact_id: contact_id.map(str::to_owned),
            used_at_ms: None,
        })
    }

    async fn invitation(&self, invitation_id: &str) -> StoreResult<Invitation> {
        let row =
            sqlx::query("SELECT id, survey_id, contact_id, used_at FROM invitations WHERE id = $1")
                .bind(invitation_id)
                .fetch_optional(&self.pool)
                .await
                .context("reading an invitation")?
                .ok_or(StoreError::NotFound)?;
        Ok(Invitation {
            id: row.try_get("id").context("reading invitation")?,
            survey_id: row.try_get("survey_id").context("reading invitation")?,
            contact_id: row.try_get("contact_id").context("reading invitation")?,
            used_at_ms: row.try_get("used_at").context("reading invitation")?,
        })
    }
}
