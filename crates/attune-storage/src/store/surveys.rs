//! Surveys and invitations.

use attune_domain::survey::SurveyDefinition;
use attune_domain::survey_access::SurveyAccess;

use crate::StoreResult;
use crate::model::{Invitation, Survey};

store_trait! {
    /// Surveys, their access settings and personal invitations.
    pub trait SurveyStore {
        /// Stores a validated survey, public (the default access settings).
        async fn create_survey(
            &self,
            org_id: &str,
            definition: &SurveyDefinition,
            now_ms: i64,
        ) -> StoreResult<Survey> {
            self.create_survey_with_access(org_id, definition, &SurveyAccess::default(), now_ms)
                .await
        }
        /// Stores a validated survey with its access settings.
        async fn create_survey_with_access(
            &self,
            org_id: &str,
            definition: &SurveyDefinition,
            access: &SurveyAccess,
            now_ms: i64,
        ) -> StoreResult<Survey>;
        /// Replaces a survey's access settings; another organisation's survey is `NotFound`.
        async fn set_survey_access(
            &self,
            org_id: &str,
            survey_id: &str,
            access: &SurveyAccess,
        ) -> StoreResult<Survey>;
        /// One survey of the organisation.
        async fn survey(&self, org_id: &str, survey_id: &str) -> StoreResult<Survey>;
        /// A survey by id alone, for its public page.
        async fn public_survey(&self, survey_id: &str) -> StoreResult<Survey>;
        /// Surveys of the organisation, newest first.
        async fn list_surveys(&self, org_id: &str) -> StoreResult<Vec<Survey>>;
        /// Creates a personal invitation.
        async fn create_invitation(
            &self,
            org_id: &str,
            survey_id: &str,
            contact_id: Option<&str>,
            now_ms: i64,
        ) -> StoreResult<Invitation>;
        /// An invitation by id alone (its id arrives signed in a link).
        async fn invitation(&self, invitation_id: &str) -> StoreResult<Invitation>;
    }
}
