//! Loop configuration: alert rules, SLA policies, loop settings and message templates, and
//! what a new organisation starts with.

use attune_domain::closed_loop::case::DEFAULT_ROOT_CAUSES;
use attune_domain::closed_loop::rules::RuleDefinition;
use attune_domain::closed_loop::sla::SlaPolicy;
use attune_domain::closed_loop::template::Template;
use sqlx::{AnyConnection, Row};

use super::super::{SqlStore, new_id};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::{LoopSettings, Rule, SlaPolicyRow};
use crate::store::LoopConfigStore;
use async_trait::async_trait;

pub(super) async fn rules_of(conn: &mut AnyConnection, org_id: &str) -> StoreResult<Vec<Rule>> {
    let rows = sqlx::query(
        "SELECT id, definition FROM alert_rules WHERE org_id = $1 ORDER BY created_at, id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await
    .context("reading rules")?;
    rows.iter()
        .map(|r| {
            let def: String = r.try_get("definition").context("reading rule")?;
            Ok(Rule {
                id: r.try_get("id").context("reading rule")?,
                definition: serde_json::from_str(&def).context("decoding rule")?,
            })
        })
        .collect()
}

pub(super) async fn policies_of(
    conn: &mut AnyConnection,
    org_id: &str,
) -> StoreResult<Vec<SlaPolicyRow>> {
    let rows = sqlx::query(
        "SELECT id, definition, is_default FROM sla_policies WHERE org_id = $1 \
         ORDER BY created_at, id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await
    .context("reading SLA policies")?;
    rows.iter()
        .map(|r| {
            let def: String = r.try_get("definition").context("reading SLA policy")?;
            let is_default: i64 = r.try_get("is_default").context("reading SLA policy")?;
            Ok(SlaPolicyRow {
                id: r.try_get("id").context("reading SLA policy")?,
                is_default: is_default != 0,
                policy: serde_json::from_str(&def).context("decoding SLA policy")?,
            })
        })
        .collect()
}

/// Inserts what a new organisation starts with: the default SLA policy, the two default rules,
/// the root-cause taxonomy and loop settings.
pub(crate) async fn insert_defaults(
    conn: &mut AnyConnection,
    org_id: &str,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO loop_settings (org_id) VALUES ($1)")
        .bind(org_id)
        .execute(&mut *conn)
        .await
        .context("creating loop settings")?;
    sqlx::query(
        "INSERT INTO sla_policies (id, org_id, definition, is_default, created_at) \
         VALUES ($1, $2, $3, 1, $4)",
    )
    .bind(new_id())
    .bind(org_id)
    .bind(serde_json::to_string(&SlaPolicy::default()).context("encoding SLA")?)
    .bind(now_ms)
    .execute(&mut *conn)
    .await
    .context("creating the default SLA policy")?;
    for (i, rule) in [
        RuleDefinition::default_detractors(),
        RuleDefinition::default_low_csat(),
    ]
    .into_iter()
    .enumerate()
    {
        sqlx::query(
            "INSERT INTO alert_rules (id, org_id, definition, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(new_id())
        .bind(org_id)
        .bind(serde_json::to_string(&rule).context("encoding rule")?)
        .bind(now_ms + i as i64)
        .execute(&mut *conn)
        .await
        .context("creating the default rules")?;
    }
    for name in DEFAULT_ROOT_CAUSES {
        sqlx::query("INSERT INTO root_causes (org_id, name) VALUES ($1, $2)")
            .bind(org_id)
            .bind(name)
            .execute(&mut *conn)
            .await
            .context("creating the root-cause taxonomy")?;
    }
    Ok(())
}

#[async_trait]
impl LoopConfigStore for SqlStore {
    async fn list_rules(&self, org_id: &str) -> StoreResult<Vec<Rule>> {
        let mut conn = self.pool.acquire().await.context("connecting")?;
        rules_of(&mut conn, org_id).await
    }

    async fn save_rule(
        &self,
        org_id: &str,
        rule_id: Option<&str>,
        def: &RuleDefinition,
        now_ms: i64,
    ) -> StoreResult<Rule> {
        let mut tx = self.begin_write().await?;
        let policies = policies_of(&mut tx, org_id).await?;
        let mut p = attune_domain::error::Problems::default();
        if let Some(sla) = &def.actions.sla_policy_id
            && !policies.iter().any(|x| &x.id == sla)
        {
            p.push(
                "actions.sla_policy_id",
                "no such SLA policy in this organisation",
            );
        }
        if let Some(team) = &def.actions.team_id {
            let found = sqlx::query("SELECT id FROM teams WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(team)
                .fetch_optional(&mut *tx)
                .await
                .context("checking a team")?;
            if found.is_none() {
                p.push("actions.team_id", "no such team in this organisation");
            }
        }
        p.finish(())?;
        let json = serde_json::to_string(def).context("encoding rule")?;
        let id = match rule_id {
            Some(id) => {
                let done = sqlx::query(
                    "UPDATE alert_rules SET definition = $1, updated_at = $2 \
                     WHERE org_id = $3 AND id = $4",
                )
                .bind(&json)
                .bind(now_ms)
                .bind(org_id)
                .bind(id)
                .execute(&mut *tx)
                .await
                .context("updating a rule")?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                id.to_owned()
            }
            None => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO alert_rules (id, org_id, definition, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $4)",
                )
                .bind(&id)
                .bind(org_id)
                .bind(&json)
                .bind(now_ms)
                .execute(&mut *tx)
                .await
                .context("creating a rule")?;
                id
            }
        };
        tx.commit().await.context("saving a rule")?;
        Ok(Rule {
            id,
            definition: def.clone(),
        })
    }

    async fn delete_rule(&self, org_id: &str, rule_id: &str) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM alert_rules WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(rule_id)
            .execute(&self.pool)
            .await
            .context("deleting a rule")?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn list_sla_policies(&self, org_id: &str) -> StoreResult<Vec<SlaPolicyRow>> {
        let mut conn = self.pool.acquire().await.context("connecting")?;
        policies_of(&mut conn, org_id).await
    }

    async fn save_sla_policy(
        &self,
        org_id: &str,
        policy_id: Option<&str>,
        policy: &SlaPolicy,
        make_default: bool,
        now_ms: i64,
    ) -> StoreResult<SlaPolicyRow> {
        let mut tx = self.begin_write().await?;
        let json = serde_json::to_string(policy).context("encoding SLA policy")?;
        let id = match policy_id {
            Some(id) => {
                let done = sqlx::query(
                    "UPDATE sla_policies SET definition = $1 WHERE org_id = $2 AND id = $3",
                )
                .bind(&json)
                .bind(org_id)
                .bind(id)
                .execute(&mut *tx)
                .await
                .context("updating an SLA policy")?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                id.to_owned()
            }
            None => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO sla_policies (id, org_id, definition, is_default, created_at) \
                     VALUES ($1, $2, $3, 0, $4)",
                )
                .bind(&id)
                .bind(org_id)
                .bind(&json)
                .bind(now_ms)
                .execute(&mut *tx)
                .await
                .context("creating an SLA policy")?;
                id
            }
        };
        if make_default {
            sqlx::query(
                "UPDATE sla_policies SET is_default = CASE WHEN id = $1 THEN 1 ELSE 0 END \
                 WHERE org_id = $2",
            )
            .bind(&id)
            .bind(org_id)
            .execute(&mut *tx)
            .await
            .context("choosing the default SLA policy")?;
        }
        let row = policies_of(&mut tx, org_id)
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or(StoreError::NotFound)?;
        tx.commit().await.context("saving an SLA policy")?;
        Ok(row)
    }

    async fn loop_settings(&self, org_id: &str) -> StoreResult<LoopSettings> {
        let row = sqlx::query(
            "SELECT digest_emails, digest_hour, case_window_days, handover_cases FROM loop_settings \
             WHERE org_id = $1",
        )
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await
        .context("reading loop settings")?;
        Ok(match row {
            Some(r) => {
                let emails: String = r.try_get("digest_emails").context("reading settings")?;
                let handover: String = r.try_get("handover_cases").context("reading settings")?;
                LoopSettings {
                    handover_cases: attune_domain::customer::HandoverRule::parse(&handover)
                        .unwrap_or_default(),
                    digest_emails: serde_json::from_str(&emails).unwrap_or_default(),
                    digest_hour: r.try_get("digest_hour").context("reading settings")?,
                    case_window_days: r.try_get("case_window_days").context("reading settings")?,
                }
            }
            None => LoopSettings {
                digest_emails: Vec::new(),
                digest_hour: 8,
                case_window_days: LoopSettings::DEFAULT_CASE_WINDOW_DAYS,
                handover_cases: attune_domain::customer::HandoverRule::default(),
            },
        })
    }

    async fn set_loop_settings(&self, org_id: &str, s: &LoopSettings) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO loop_settings (org_id, digest_emails, digest_hour, case_window_days, handover_cases) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (org_id) DO UPDATE SET digest_emails = excluded.digest_emails, \
             digest_hour = excluded.digest_hour, case_window_days = excluded.case_window_days, \
             handover_cases = excluded.handover_cases",
        )
        .bind(org_id)
        .bind(serde_json::to_string(&s.digest_emails).context("encoding settings")?)
        .bind(s.digest_hour)
        .bind(s.case_window_days)
        .bind(s.handover_cases.as_str())
        .execute(&self.pool)
        .await
        .context("saving loop settings")?;
        Ok(())
    }

    async fn template(
        &self,
        org_id: &str,
        kind: &str,
        language: &str,
    ) -> StoreResult<Option<Template>> {
        let row = sqlx::query(
            "SELECT subject, body FROM message_templates WHERE org_id = $1 AND kind = $2 AND language = $3",
        )
        .bind(org_id)
        .bind(kind)
        .bind(language)
        .fetch_optional(&self.pool)
        .await
        .context("reading a template")?;
        row.map(|r| {
            Ok(Template {
                subject: r.try_get("subject").context("reading template")?,
                body: r.try_get("body").context("reading template")?,
            })
        })
        .transpose()
    }

    async fn set_template(
        &self,
        org_id: &str,
        kind: &str,
        language: &str,
        t: &Template,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO message_templates (org_id, kind, language, subject, body) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, kind, language) \
             DO UPDATE SET subject = excluded.subject, body = excluded.body",
        )
        .bind(org_id)
        .bind(kind)
        .bind(language)
        .bind(&t.subject)
        .bind(&t.body)
        .execute(&self.pool)
        .await
        .context("saving a template")?;
        Ok(())
    }
}
