//! The closed loop: its configuration, teams and cases.

use attune_domain::closed_loop::case::CasePatch;
use attune_domain::closed_loop::rules::RuleDefinition;
use attune_domain::closed_loop::sla::SlaPolicy;
use attune_domain::closed_loop::template::Template;

use crate::StoreResult;
use crate::model::{
    Case, CaseEvent, CaseQuery, LoopCase, LoopSettings, LoopSums, Rule, SlaPolicyRow, SlaStep, Team,
};

store_trait! {
    /// How the closed loop is set up: rules, SLA policies, digest settings and templates.
    pub trait LoopConfigStore {
        /// Alert rules, oldest first.
        async fn list_rules(&self, org_id: &str) -> StoreResult<Vec<Rule>>;
        /// Creates a rule, or replaces rule `rule_id`.
        async fn save_rule(
            &self,
            org_id: &str,
            rule_id: Option<&str>,
            rule: &RuleDefinition,
            now_ms: i64,
        ) -> StoreResult<Rule>;
        /// Deletes a rule (its cases stay).
        async fn delete_rule(&self, org_id: &str, rule_id: &str) -> StoreResult<()>;
        /// SLA policies.
        async fn list_sla_policies(&self, org_id: &str) -> StoreResult<Vec<SlaPolicyRow>>;
        /// Creates a policy, or replaces policy `policy_id`; `make_default` makes it the default.
        async fn save_sla_policy(
            &self,
            org_id: &str,
            policy_id: Option<&str>,
            policy: &SlaPolicy,
            make_default: bool,
            now_ms: i64,
        ) -> StoreResult<SlaPolicyRow>;
        /// Digest recipients and hour.
        async fn loop_settings(&self, org_id: &str) -> StoreResult<LoopSettings>;
        /// Saves digest recipients and hour.
        async fn set_loop_settings(&self, org_id: &str, settings: &LoopSettings) -> StoreResult<()>;
        /// The organisation's own template of a kind in a language.
        async fn template(
            &self,
            org_id: &str,
            kind: &str,
            language: &str,
        ) -> StoreResult<Option<Template>>;
        /// Saves a template.
        async fn set_template(
            &self,
            org_id: &str,
            kind: &str,
            language: &str,
            template: &Template,
        ) -> StoreResult<()>;
    }
}

store_trait! {
    /// Teams and the root-cause taxonomy.
    pub trait TeamStore {
        /// Creates a team.
        async fn create_team(
            &self,
            org_id: &str,
            name: &str,
            lead_user_id: Option<&str>,
            members: &[String],
            now_ms: i64,
        ) -> StoreResult<Team>;
        /// Teams.
        async fn list_teams(&self, org_id: &str) -> StoreResult<Vec<Team>>;
        /// The root-cause taxonomy.
        async fn root_causes(&self, org_id: &str) -> StoreResult<Vec<String>>;
        /// Replaces the root-cause taxonomy.
        async fn set_root_causes(&self, org_id: &str, names: &[String]) -> StoreResult<()>;
    }
}

store_trait! {
    /// Cases: reading, changing, their timeline, their SLA steps and what loop metrics read.
    pub trait CaseStore {
        /// Cases, by first-response deadline (overdue first).
        async fn cases(&self, org_id: &str, query: &CaseQuery) -> StoreResult<Vec<Case>>;
        /// One case.
        async fn case(&self, org_id: &str, case_id: &str) -> StoreResult<Case>;
        /// A case's timeline, oldest first.
        async fn case_events(&self, org_id: &str, case_id: &str) -> StoreResult<Vec<CaseEvent>>;
        /// Changes a case (state, owner, priority, root cause, resolution) and records each change
        /// on its timeline. Rule violations are `Invalid`.
        async fn update_case(
            &self,
            org_id: &str,
            case_id: &str,
            actor_user_id: Option<&str>,
            patch: &CasePatch,
            now_ms: i64,
        ) -> StoreResult<Case>;
        /// Adds a note to a case's timeline (the first action on a case is its first response).
        async fn add_case_note(
            &self,
            org_id: &str,
            case_id: &str,
            actor_user_id: &str,
            text: &str,
            now_ms: i64,
        ) -> StoreResult<Case>;
        /// Records the warnings and breaches of a case due at `now_ms`, each exactly once.
        async fn sla_step(&self, org_id: &str, case_id: &str, now_ms: i64) -> StoreResult<SlaStep>;
        /// Remembers the re-survey invitation sent with a case's resolution.
        async fn set_case_resurvey(
            &self,
            org_id: &str,
            case_id: &str,
            invitation_id: &str,
        ) -> StoreResult<()>;
        /// Cases opened in `[from, to)` with the scores before and after, for loop metrics.
        async fn loop_cases(
            &self,
            org_id: &str,
            from_ms: i64,
            to_ms: i64,
        ) -> StoreResult<Vec<LoopCase>>;
        /// The maintained counts of cases opened in `[from, to)` at `now_ms`, for loop
        /// metrics in milliseconds; `None` when they are not built (then read the cases).
        async fn loop_sums(
            &self,
            org_id: &str,
            from_ms: i64,
            to_ms: i64,
            now_ms: i64,
        ) -> StoreResult<Option<LoopSums>>;
        /// Of the cases opened since `since_ms`: how many were opened, resolved and breached
        /// (either deadline) in `[from, to)`, for the daily digest.
        async fn case_activity(
            &self,
            org_id: &str,
            since_ms: i64,
            from_ms: i64,
            to_ms: i64,
        ) -> StoreResult<(u64, u64, u64)>;
        /// (account, root cause, opened at) of cases opened since `since_ms`, for recurrence.
        async fn account_root_causes(
            &self,
            org_id: &str,
            since_ms: i64,
        ) -> StoreResult<Vec<(String, String, i64)>>;
    }
}
