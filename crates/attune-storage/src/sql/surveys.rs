//! Surveys and personal invitations.

use attune_domain::survey::SurveyDefinition;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{SqlStore, new_id};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::{Invitation, Survey};

fn survey_of(row: &AnyRow) -> StoreResult<Survey> {
    let definition: String = row.try_get("definition").context("reading survey")?;
    Ok(Survey {
        id: row.try_get("id").context("reading survey")?,
        org_id: row.try_get("org_id").context("reading survey")?,
        created_at_ms: row.try_get("created_at").context("reading survey")?,
        definition: serde_json::from_str(&definition).context("decoding a survey")?,
    })
}

impl SqlStore {
    pub(crate) async fn create_survey_impl(
        &self,
        org_id: &str,
        definition: &SurveyDefinition,
        now_ms: i64,
    ) -> StoreResult<Survey> {
        let id = new_id();
        let json = serde_json::to_string(definition).context("encoding a survey")?;
        sqlx::query(
            "INSERT INTO surveys (id, org_id, name, definition, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(&definition.name)
        .bind(json)
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .context("creating a survey")?;
        Ok(Survey {
            id,
            org_id: org_id.to_owned(),
            created_at_ms: now_ms,
            definition: definition.clone(),
        })
    }

    pub(crate) async fn survey_impl(
        &self,
        org_id: Option<&str>,
        survey_id: &str,
    ) -> StoreResult<Survey> {
        let row = sqlx::query(
            "SELECT id, org_id, definition, created_at FROM surveys \
             WHERE id = $1 AND ($2 IS NULL OR org_id = $2)",
        )
        .bind(survey_id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await
        .context("reading a survey")?
        .ok_or(StoreError::NotFound)?;
        survey_of(&row)
    }

    pub(crate) async fn list_surveys_impl(&self, org_id: &str) -> StoreResult<Vec<Survey>> {
        let rows = sqlx::query(
            "SELECT id, org_id, definition, created_at FROM surveys WHERE org_id = $1 \
             ORDER BY created_at DESC, id DESC",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await
        .context("listing surveys")?;
        rows.iter().map(survey_of).collect()
    }

    pub(crate) async fn create_invitation_impl(
        &self,
        org_id: &str,
        survey_id: &str,
        contact_id: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<Invitation> {
        // Both ids must belong to the caller's organisation.
        self.survey_impl(Some(org_id), survey_id).await?;
        if let Some(c) = contact_id {
            let found = sqlx::query("SELECT id FROM contacts WHERE org_id = $1 AND id = $2")
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

    pub(crate) async fn invitation_impl(&self, invitation_id: &str) -> StoreResult<Invitation> {
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
