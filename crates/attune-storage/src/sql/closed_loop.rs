//! The closed loop in SQL: rules, SLA policies, teams and templates; cases opened in the same
//! transaction as the responses behind them; the SLA steps the job worker takes; the timeline.

use std::collections::HashMap;

use attune_domain::closed_loop::case::{CasePatch, CaseState, DEFAULT_ROOT_CAUSES};
use attune_domain::closed_loop::rules::{RuleDefinition, ScoredAnswer, Subject, match_form};
use attune_domain::closed_loop::sla::SlaPolicy;
use attune_domain::closed_loop::template::Template;
use attune_domain::text::grapheme_len;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use unicode_segmentation::UnicodeSegmentation;

use super::jobs::{enqueue, schedule};
use super::{Bind, Binds, Dialect, SqlStore, insert_rows, new_id};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::{
    Account, Case, CaseEvent, CaseQuery, LoopCase, LoopSettings, NewJob, Rule, SlaPolicyRow,
    StoredResponse, Survey, Team,
};

/// Attempts for e-mail and webhook jobs (with exponential backoff in the worker).
pub const DELIVERY_ATTEMPTS: i64 = 8;

pub(crate) const CASE_COLUMNS: &str = "c.id, c.rule_id, c.response_id, c.account_id, \
     c.contact_id, c.owner_user_id, c.team_id, c.priority, c.state, c.title, c.sla, c.opened_at, \
     c.first_response_warn_at, c.first_response_due_at, c.resolution_warn_at, \
     c.resolution_due_at, c.first_responded_at, c.resolved_at, c.closed_at, c.paused_at, \
     c.first_warned_at, c.resolution_warned_at, c.first_breached_at, c.resolution_breached_at, \
     c.escalated_to, c.root_cause, c.resolution, c.resurvey_invitation_id, \
     c.resurvey_response_id, c.updated_at";

pub(crate) fn case_of(row: &AnyRow) -> StoreResult<Case> {
    let get_opt = |c: &str| -> StoreResult<Option<i64>> { row.try_get(c).context("reading case") };
    let sla: String = row.try_get("sla").context("reading case")?;
    let first_breached_at = get_opt("first_breached_at")?;
    let resolution_breached_at = get_opt("resolution_breached_at")?;
    Ok(Case {
        id: row.try_get("id").context("reading case")?,
        rule_id: row.try_get("rule_id").context("reading case")?,
        response_id: row.try_get("response_id").context("reading case")?,
        account_id: row.try_get("account_id").context("reading case")?,
        contact_id: row.try_get("contact_id").context("reading case")?,
        owner: row.try_get("owner_user_id").context("reading case")?,
        team_id: row.try_get("team_id").context("reading case")?,
        priority: row.try_get("priority").context("reading case")?,
        state: row.try_get("state").context("reading case")?,
        title: row.try_get("title").context("reading case")?,
        opened_at: row.try_get("opened_at").context("reading case")?,
        first_response_warn_at: row
            .try_get("first_response_warn_at")
            .context("reading case")?,
        first_response_due_at: row
            .try_get("first_response_due_at")
            .context("reading case")?,
        resolution_warn_at: row.try_get("resolution_warn_at").context("reading case")?,
        resolution_due_at: row.try_get("resolution_due_at").context("reading case")?,
        first_responded_at: get_opt("first_responded_at")?,
        resolved_at: get_opt("resolved_at")?,
        closed_at: get_opt("closed_at")?,
        paused_at: get_opt("paused_at")?,
        first_warned_at: get_opt("first_warned_at")?,
        resolution_warned_at: get_opt("resolution_warned_at")?,
        first_breached_at,
        resolution_breached_at,
        breached: first_breached_at.is_some() || resolution_breached_at.is_some(),
        escalated_to: row.try_get("escalated_to").context("reading case")?,
        root_cause: row.try_get("root_cause").context("reading case")?,
        resolution: row.try_get("resolution").context("reading case")?,
        resurvey_invitation_id: row
            .try_get("resurvey_invitation_id")
            .context("reading case")?,
        resurvey_response_id: row
            .try_get("resurvey_response_id")
            .context("reading case")?,
        sla: serde_json::from_str(&sla).context("decoding case SLA")?,
        updated_at: row.try_get("updated_at").context("reading case")?,
    })
}

const EVENT_INSERT: &str = "INSERT INTO case_events (id, org_id, case_id, at, actor, kind, detail)";

fn event_row(
    org_id: &str,
    case_id: &str,
    at: i64,
    actor: Option<&str>,
    kind: &str,
    detail: serde_json::Value,
) -> Vec<Bind> {
    vec![
        Bind::Text(new_id()),
        Bind::Text(org_id.to_owned()),
        Bind::Text(case_id.to_owned()),
        Bind::Int(at),
        Bind::OptText(actor.map(str::to_owned)),
        Bind::Text(kind.to_owned()),
        Bind::Text(detail.to_string()),
    ]
}

#[expect(clippy::too_many_arguments, reason = "one timeline row: its columns")]
async fn add_event(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    case_id: &str,
    at: i64,
    actor: Option<&str>,
    kind: &str,
    detail: serde_json::Value,
) -> StoreResult<()> {
    insert_rows(
        conn,
        dialect,
        EVENT_INSERT,
        "",
        vec![event_row(org_id, case_id, at, actor, kind, detail)],
    )
    .await
}

/// The SLA job of a case, due at `run_at`.
pub(crate) fn sla_job(org_id: &str, case_id: &str, run_at: i64) -> NewJob {
    NewJob {
        org_id: Some(org_id.to_owned()),
        kind: "sla".into(),
        payload: json!({ "case_id": case_id }),
        run_at,
        max_attempts: DELIVERY_ATTEMPTS,
        dedup_key: Some(format!("sla:{case_id}")),
    }
}

/// An e-mail job.
pub(crate) fn email_job(
    org_id: &str,
    kind: &str,
    to: &str,
    subject: &str,
    body: &str,
    case_id: Option<&str>,
    now_ms: i64,
) -> NewJob {
    NewJob {
        org_id: Some(org_id.to_owned()),
        kind: "email".into(),
        payload: json!({ "kind": kind, "to": to, "subject": subject, "body": body, "case_id": case_id }),
        run_at: now_ms,
        max_attempts: DELIVERY_ATTEMPTS,
        dedup_key: None,
    }
}

/// Active webhooks of an organisation: (id, events).
async fn hooks_of(
    conn: &mut AnyConnection,
    org_id: &str,
) -> StoreResult<Vec<(String, Vec<String>)>> {
    let rows = sqlx::query("SELECT id, events FROM webhooks WHERE org_id = $1 AND active = 1")
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await
        .context("reading webhooks")?;
    rows.iter()
        .map(|r| {
            let events: String = r.try_get("events").context("reading webhook")?;
            Ok((
                r.try_get("id").context("reading webhook")?,
                serde_json::from_str(&events).context("decoding webhook events")?,
            ))
        })
        .collect()
}

/// One webhook job per active webhook that subscribed to `event`.
pub(crate) fn event_jobs(
    hooks: &[(String, Vec<String>)],
    org_id: &str,
    event: &str,
    data: &serde_json::Value,
    now_ms: i64,
) -> Vec<NewJob> {
    let event_id = new_id();
    hooks
        .iter()
        .filter(|(_, events)| events.iter().any(|e| e == event || e == "*"))
        .map(|(id, _)| NewJob {
            org_id: Some(org_id.to_owned()),
            kind: "webhook".into(),
            payload: json!({
                "webhook_id": id,
                "event": event,
                "event_id": event_id,
                "body": {"id": event_id, "event": event, "created_at": now_ms, "data": data},
            }),
            run_at: now_ms,
            max_attempts: DELIVERY_ATTEMPTS,
            dedup_key: None,
        })
        .collect()
}

/// Sends an event to the organisation's webhooks (as jobs, in the caller's transaction).
pub(crate) async fn emit(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    event: &str,
    data: serde_json::Value,
    now_ms: i64,
) -> StoreResult<()> {
    let hooks = hooks_of(conn, org_id).await?;
    let jobs = event_jobs(&hooks, org_id, event, &data, now_ms);
    enqueue(conn, dialect, &jobs, now_ms).await
}

/// Payload of a case in events.
pub(crate) fn case_payload(c: &Case) -> serde_json::Value {
    serde_json::to_value(c).unwrap_or_default()
}

/// What the loop needs to know while responses are stored: loaded once per transaction.
pub(crate) struct LoopState {
    rules: Vec<Rule>,
    policies: HashMap<String, SlaPolicy>,
    default_policy: SlaPolicy,
    hooks: Vec<(String, Vec<String>)>,
    accounts: HashMap<String, Option<Account>>,
    /// Team id → (members, next index).
    teams: HashMap<String, (Vec<String>, i64)>,
    /// Organisation-wide round robin: staff who can work cases, and the next index.
    staff: Option<(Vec<String>, i64)>,
    /// Rules act on responses submitted at most this long before they arrive (0: any age).
    window_ms: i64,
    /// The organisation-wide round robin's next index, as stored.
    rr_next: i64,
}

impl LoopState {
    pub(crate) async fn load(conn: &mut AnyConnection, org_id: &str) -> StoreResult<Self> {
        let rules = rules_of(conn, org_id).await?;
        let mut policies = HashMap::new();
        let mut default_policy = SlaPolicy::default();
        for p in policies_of(conn, org_id).await? {
            if p.is_default {
                default_policy = p.policy.clone();
            }
            policies.insert(p.id, p.policy);
        }
        let settings =
            sqlx::query("SELECT rr_next, case_window_days FROM loop_settings WHERE org_id = $1")
                .bind(org_id)
                .fetch_optional(&mut *conn)
                .await
                .context("reading loop settings")?;
        let (rr_next, window_days): (i64, i64) = match settings {
            Some(r) => (
                r.try_get(0).context("reading loop settings")?,
                r.try_get(1).context("reading loop settings")?,
            ),
            None => (0, LoopSettings::DEFAULT_CASE_WINDOW_DAYS),
        };
        Ok(Self {
            window_ms: window_days.max(0) * attune_domain::period::DAY_MS,
            rr_next,
            rules,
            policies,
            default_policy,
            hooks: hooks_of(conn, org_id).await?,
            accounts: HashMap::new(),
            teams: HashMap::new(),
            staff: None,
        })
    }

    /// Whether any rule could act (saves work on imports when every rule is off).
    pub(crate) fn is_idle(&self) -> bool {
        self.hooks.is_empty() && self.rules.iter().all(|r| !r.definition.enabled)
    }

    async fn account(
        &mut self,
        conn: &mut AnyConnection,
        org_id: &str,
        id: &str,
    ) -> StoreResult<Option<Account>> {
        if let Some(a) = self.accounts.get(id) {
            return Ok(a.clone());
        }
        let a = super::accounts::account_in(conn, org_id, id).await?;
        self.accounts.insert(id.to_owned(), a.clone());
        Ok(a)
    }

    /// The next member of a team, or of the organisation's staff, round-robin.
    async fn next_owner(
        &mut self,
        conn: &mut AnyConnection,
        org_id: &str,
        team_id: Option<&str>,
    ) -> StoreResult<Option<String>> {
        if let Some(team) = team_id {
            if !self.teams.contains_key(team) {
                let row = sqlx::query("SELECT rr_next FROM teams WHERE org_id = $1 AND id = $2")
                    .bind(org_id)
                    .bind(team)
                    .fetch_optional(&mut *conn)
                    .await
                    .context("reading a team")?;
                let next: i64 = match row {
                    Some(r) => r.try_get("rr_next").context("reading team")?,
                    None => 0,
                };
                let members = team_members(conn, team).await?;
                self.teams.insert(team.to_owned(), (members, next));
            }
            if let Some((members, next)) = self.teams.get_mut(team)
                && !members.is_empty()
            {
                let pick = members[next.rem_euclid(members.len() as i64) as usize].clone();
                *next += 1;
                return Ok(Some(pick));
            }
        }
        if self.staff.is_none() {
            let rows = sqlx::query(
                "SELECT id FROM users WHERE org_id = $1 AND role IN ('admin', 'member') \
                 ORDER BY created_at, id",
            )
            .bind(org_id)
            .fetch_all(&mut *conn)
            .await
            .context("reading staff")?;
            let staff = rows
                .iter()
                .map(|r| r.try_get("id").context("reading user"))
                .collect::<StoreResult<Vec<String>>>()?;
            self.staff = Some((staff, self.rr_next));
        }
        Ok(self.staff.as_mut().and_then(|(staff, next)| {
            if staff.is_empty() {
                return None;
            }
            let pick = staff[next.rem_euclid(staff.len() as i64) as usize].clone();
            *next += 1;
            Some(pick)
        }))
    }

    /// Writes the round-robin cursors back.
    async fn save_cursors(&self, conn: &mut AnyConnection, org_id: &str) -> StoreResult<()> {
        for (team, (_, next)) in &self.teams {
            sqlx::query("UPDATE teams SET rr_next = $1 WHERE org_id = $2 AND id = $3")
                .bind(*next)
                .bind(org_id)
                .bind(team)
                .execute(&mut *conn)
                .await
                .context("saving a team's round robin")?;
        }
        if let Some((_, next)) = &self.staff {
            sqlx::query("UPDATE loop_settings SET rr_next = $1 WHERE org_id = $2")
                .bind(*next)
                .bind(org_id)
                .execute(&mut *conn)
                .await
                .context("saving the round robin")?;
        }
        Ok(())
    }
}

async fn team_members(conn: &mut AnyConnection, team_id: &str) -> StoreResult<Vec<String>> {
    let rows = sqlx::query("SELECT user_id FROM team_members WHERE team_id = $1 ORDER BY position")
        .bind(team_id)
        .fetch_all(&mut *conn)
        .await
        .context("reading team members")?;
    rows.iter()
        .map(|r| r.try_get("user_id").context("reading team member"))
        .collect()
}

async fn rules_of(conn: &mut AnyConnection, org_id: &str) -> StoreResult<Vec<Rule>> {
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

async fn policies_of(conn: &mut AnyConnection, org_id: &str) -> StoreResult<Vec<SlaPolicyRow>> {
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

/// The scored answers of a response, as rules see them.
fn scored(survey: &Survey, r: &StoredResponse) -> Vec<ScoredAnswer> {
    r.answers
        .iter()
        .filter_map(|(key, a)| match a {
            attune_domain::response::Answer::Score(s) => {
                survey.definition.question(key).map(|q| ScoredAnswer {
                    question: key.clone(),
                    qtype: q.qtype,
                    score: *s,
                })
            }
            _ => None,
        })
        .collect()
}

/// A case's title: the start of the comment, else the scores.
fn title_of(r: &StoredResponse, scores: &[ScoredAnswer]) -> String {
    if let Some(c) = r
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        if grapheme_len(c) <= 120 {
            return c.to_owned();
        }
        let mut t: String = c.graphemes(true).take(119).collect();
        t.push('…');
        return t;
    }
    let parts: Vec<String> = scores
        .iter()
        .map(|s| format!("{} {}", s.qtype.as_str().to_uppercase(), s.score))
        .collect();
    if parts.is_empty() {
        "Feedback".into()
    } else {
        parts.join(", ")
    }
}

const CASE_INSERT: &str = "INSERT INTO cases (id, org_id, rule_id, response_id, account_id, \
     contact_id, owner_user_id, team_id, priority, state, title, sla, opened_at, \
     first_response_warn_at, first_response_due_at, resolution_warn_at, resolution_due_at, \
     updated_at)";

/// Runs the organisation's rules over responses just stored in this transaction: opens cases
/// (one per response per rule: the unique key refuses a second), queues their SLA jobs,
/// notifications and webhook events. `announce` sends `response.created` for each response.
#[expect(
    clippy::too_many_arguments,
    reason = "the transaction, the tenant, the survey and the batch"
)]
pub(crate) async fn on_new_responses(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    survey: &Survey,
    state: &mut LoopState,
    responses: &[StoredResponse],
    now_ms: i64,
    announce: bool,
) -> StoreResult<u64> {
    if state.is_idle() {
        return Ok(0);
    }
    let mut cases = Vec::new();
    let mut events = Vec::new();
    let mut jobs = Vec::new();
    let mut opened = 0;
    let rules = state.rules.clone();
    for r in responses {
        if announce {
            let data = json!({"response": r, "survey_id": survey.id,
                              "submitted_at": r.submitted_at_ms});
            jobs.extend(event_jobs(
                &state.hooks,
                org_id,
                "response.created",
                &data,
                now_ms,
            ));
        }
        if rules.iter().all(|rule| !rule.definition.enabled) {
            continue;
        }
        // Feedback from before the window is history (an import of old exports): it counts in
        // every metric but opens no case and sends nothing.
        if state.window_ms > 0 && r.submitted_at_ms < now_ms - state.window_ms {
            continue;
        }
        let scores = scored(survey, r);
        let comment = r.comment.as_deref().map(match_form);
        let account = match &r.account_id {
            Some(id) => state.account(conn, org_id, id).await?,
            None => None,
        };
        let matched: Vec<&Rule> = {
            let attr = |name: &str| account.as_ref().and_then(|a| a.attribute(name));
            let subject = Subject {
                survey_id: &r.survey_id,
                channel: r.channel,
                language: r.language.as_deref(),
                scores: &scores,
                comment: comment.as_deref(),
                account_attribute: &attr,
            };
            rules
                .iter()
                .filter(|rule| rule.definition.matches(&subject))
                .collect()
        };
        for rule in matched {
            let actions = &rule.definition.actions;
            let data = json!({"rule_id": rule.id, "rule": rule.definition.name,
                              "response_id": r.id});
            if actions.notify_webhooks {
                jobs.extend(event_jobs(
                    &state.hooks,
                    org_id,
                    "rule.matched",
                    &data,
                    now_ms,
                ));
            }
            let title = title_of(r, &scores);
            for to in &actions.notify_emails {
                jobs.push(email_job(
                    org_id,
                    "rule",
                    to,
                    &format!("[{}] {}", rule.definition.name, title),
                    &format!(
                        "Rule \"{}\" matched a response.\n\n{}\n\nResponse {}",
                        rule.definition.name,
                        r.comment.as_deref().unwrap_or(&title),
                        r.id
                    ),
                    None,
                    now_ms,
                ));
            }
            if !actions.open_case {
                continue;
            }
            let owner = match account.as_ref().and_then(|a| a.owner_user_id.clone()) {
                Some(o) => Some(o),
                None => {
                    state
                        .next_owner(conn, org_id, actions.team_id.as_deref())
                        .await?
                }
            };
            let policy = actions
                .sla_policy_id
                .as_ref()
                .and_then(|id| state.policies.get(id))
                .unwrap_or(&state.default_policy)
                .clone();
            let d = policy.deadlines(now_ms);
            let id = new_id();
            cases.push(vec![
                Bind::Text(id.clone()),
                Bind::Text(org_id.to_owned()),
                Bind::Text(rule.id.clone()),
                Bind::Text(r.id.clone()),
                Bind::OptText(r.account_id.clone()),
                Bind::OptText(r.contact_id.clone()),
                Bind::OptText(owner.clone()),
                Bind::OptText(actions.team_id.clone()),
                Bind::Text(actions.priority.as_str().to_owned()),
                Bind::Text(CaseState::Open.as_str().to_owned()),
                Bind::Text(title.clone()),
                Bind::Text(serde_json::to_string(&policy).context("encoding SLA")?),
                Bind::Int(now_ms),
                Bind::Int(d.first_response_warn_at),
                Bind::Int(d.first_response_due_at),
                Bind::Int(d.resolution_warn_at),
                Bind::Int(d.resolution_due_at),
                Bind::Int(now_ms),
            ]);
            events.push(event_row(
                org_id,
                &id,
                now_ms,
                None,
                "opened",
                json!({"rule_id": rule.id, "rule": rule.definition.name, "owner": owner,
                       "response_id": r.id,
                       "first_response_due_at": d.first_response_due_at,
                       "resolution_due_at": d.resolution_due_at}),
            ));
            jobs.push(sla_job(org_id, &id, d.first_response_warn_at));
            let payload = json!({"id": id, "state": "open", "owner": owner, "title": title,
                                 "rule_id": rule.id, "response_id": r.id,
                                 "account_id": r.account_id, "priority": actions.priority,
                                 "first_response_due_at": d.first_response_due_at,
                                 "resolution_due_at": d.resolution_due_at});
            jobs.extend(event_jobs(
                &state.hooks,
                org_id,
                "case.opened",
                &payload,
                now_ms,
            ));
            opened += 1;
        }
    }
    insert_rows(
        conn,
        dialect,
        CASE_INSERT,
        "ON CONFLICT (org_id, rule_id, response_id) DO NOTHING",
        cases,
    )
    .await?;
    insert_rows(conn, dialect, EVENT_INSERT, "", events).await?;
    enqueue(conn, dialect, &jobs, now_ms).await?;
    state.save_cursors(conn, org_id).await?;
    Ok(opened)
}

/// Links a re-survey answer to the case that sent the invitation.
pub(crate) async fn link_resurvey(
    conn: &mut AnyConnection,
    org_id: &str,
    invitation_id: &str,
    response_id: &str,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE cases SET resurvey_response_id = $1, updated_at = $2 \
         WHERE org_id = $3 AND resurvey_invitation_id = $4",
    )
    .bind(response_id)
    .bind(now_ms)
    .bind(org_id)
    .bind(invitation_id)
    .execute(&mut *conn)
    .await
    .context("linking a re-survey")?;
    Ok(())
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

async fn taxonomy_of(conn: &mut AnyConnection, org_id: &str) -> StoreResult<Vec<String>> {
    let rows = sqlx::query("SELECT name FROM root_causes WHERE org_id = $1 ORDER BY name")
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await
        .context("reading root causes")?;
    rows.iter()
        .map(|r| r.try_get("name").context("reading root cause"))
        .collect()
}

async fn case_in(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    case_id: &str,
    lock: bool,
) -> StoreResult<Case> {
    let lock = if lock && dialect == Dialect::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let sql = format!("SELECT {CASE_COLUMNS} FROM cases c WHERE c.org_id = $1 AND c.id = $2{lock}");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await
        .context("reading a case")?
        .ok_or(StoreError::NotFound)?;
    case_of(&row)
}

/// The next instant the SLA job must look at a case, given what is already recorded.
fn next_check(c: &Case) -> Option<i64> {
    let state = CaseState::parse(&c.state).ok()?;
    if !state.is_active() || c.paused_at.is_some() {
        return None;
    }
    let mut due = Vec::new();
    if c.first_responded_at.is_none() {
        if c.first_warned_at.is_none() {
            due.push(c.first_response_warn_at);
        }
        if c.first_breached_at.is_none() {
            due.push(c.first_response_due_at);
        }
    }
    if c.resolved_at.is_none() {
        if c.resolution_warned_at.is_none() {
            due.push(c.resolution_warn_at);
        }
        if c.resolution_breached_at.is_none() {
            due.push(c.resolution_due_at);
        }
    }
    due.into_iter().min()
}

async fn user_email(
    conn: &mut AnyConnection,
    org_id: &str,
    user: &str,
) -> StoreResult<Option<String>> {
    sqlx::query("SELECT email FROM users WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(user)
        .fetch_optional(&mut *conn)
        .await
        .context("reading a user")?
        .map(|r| r.try_get("email").context("reading user"))
        .transpose()
}

/// Who hears of a breach: the team lead, else the organisation's first admin.
async fn escalation_target(
    conn: &mut AnyConnection,
    org_id: &str,
    team_id: Option<&str>,
) -> StoreResult<Option<String>> {
    if let Some(team) = team_id {
        let lead: Option<String> =
            sqlx::query("SELECT lead_user_id FROM teams WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(team)
                .fetch_optional(&mut *conn)
                .await
                .context("reading a team")?
                .map(|r| r.try_get("lead_user_id"))
                .transpose()
                .context("reading team")?
                .flatten();
        if lead.is_some() {
            return Ok(lead);
        }
    }
    sqlx::query(
        "SELECT id FROM users WHERE org_id = $1 AND role = 'admin' ORDER BY created_at, id LIMIT 1",
    )
    .bind(org_id)
    .fetch_optional(&mut *conn)
    .await
    .context("finding an admin")?
    .map(|r| r.try_get("id").context("reading user"))
    .transpose()
}

/// Sets a milestone column once: true when this call set it.
async fn mark_once(
    conn: &mut AnyConnection,
    org_id: &str,
    case_id: &str,
    column: &str,
    now_ms: i64,
) -> StoreResult<bool> {
    // `column` is one of four literals chosen in this module, never user input.
    let sql = format!(
        "UPDATE cases SET {column} = $1, updated_at = $1 \
         WHERE org_id = $2 AND id = $3 AND {column} IS NULL"
    );
    let done = sqlx::query(AssertSqlSafe(sql))
        .bind(now_ms)
        .bind(org_id)
        .bind(case_id)
        .execute(&mut *conn)
        .await
        .context("recording an SLA milestone")?;
    Ok(done.rows_affected() == 1)
}

impl SqlStore {
    pub(crate) async fn list_rules_impl(&self, org_id: &str) -> StoreResult<Vec<Rule>> {
        let mut conn = self.pool.acquire().await.context("connecting")?;
        rules_of(&mut conn, org_id).await
    }

    pub(crate) async fn save_rule_impl(
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

    pub(crate) async fn delete_rule_impl(&self, org_id: &str, rule_id: &str) -> StoreResult<()> {
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

    pub(crate) async fn list_sla_policies_impl(
        &self,
        org_id: &str,
    ) -> StoreResult<Vec<SlaPolicyRow>> {
        let mut conn = self.pool.acquire().await.context("connecting")?;
        policies_of(&mut conn, org_id).await
    }

    pub(crate) async fn save_sla_policy_impl(
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

    pub(crate) async fn create_team_impl(
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

    pub(crate) async fn list_teams_impl(&self, org_id: &str) -> StoreResult<Vec<Team>> {
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

    pub(crate) async fn root_causes_impl(&self, org_id: &str) -> StoreResult<Vec<String>> {
        let mut conn = self.pool.acquire().await.context("connecting")?;
        taxonomy_of(&mut conn, org_id).await
    }

    pub(crate) async fn set_root_causes_impl(
        &self,
        org_id: &str,
        names: &[String],
    ) -> StoreResult<()> {
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

    pub(crate) async fn loop_settings_impl(&self, org_id: &str) -> StoreResult<LoopSettings> {
        let row = sqlx::query(
            "SELECT digest_emails, digest_hour, case_window_days FROM loop_settings WHERE org_id = $1",
        )
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await
        .context("reading loop settings")?;
        Ok(match row {
            Some(r) => {
                let emails: String = r.try_get("digest_emails").context("reading settings")?;
                LoopSettings {
                    digest_emails: serde_json::from_str(&emails).unwrap_or_default(),
                    digest_hour: r.try_get("digest_hour").context("reading settings")?,
                    case_window_days: r.try_get("case_window_days").context("reading settings")?,
                }
            }
            None => LoopSettings {
                digest_emails: Vec::new(),
                digest_hour: 8,
                case_window_days: LoopSettings::DEFAULT_CASE_WINDOW_DAYS,
            },
        })
    }

    pub(crate) async fn set_loop_settings_impl(
        &self,
        org_id: &str,
        s: &LoopSettings,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO loop_settings (org_id, digest_emails, digest_hour, case_window_days) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id) DO UPDATE SET digest_emails = excluded.digest_emails, \
             digest_hour = excluded.digest_hour, case_window_days = excluded.case_window_days",
        )
        .bind(org_id)
        .bind(serde_json::to_string(&s.digest_emails).context("encoding settings")?)
        .bind(s.digest_hour)
        .bind(s.case_window_days)
        .execute(&self.pool)
        .await
        .context("saving loop settings")?;
        Ok(())
    }

    pub(crate) async fn template_impl(
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

    pub(crate) async fn set_template_impl(
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

    pub(crate) async fn cases_impl(&self, org_id: &str, q: &CaseQuery) -> StoreResult<Vec<Case>> {
        let mut b = Binds::default();
        let org = b.text(org_id);
        let mut sql = format!("SELECT {CASE_COLUMNS} FROM cases c WHERE c.org_id = {org}");
        if let Some(s) = &q.state {
            sql += &format!(" AND c.state = {}", b.text(s.clone()));
        }
        if q.active {
            sql += " AND c.state IN ('open', 'in_progress', 'waiting')";
        }
        if let Some(o) = &q.owner {
            sql += &format!(" AND c.owner_user_id = {}", b.text(o.clone()));
        }
        if let Some(a) = &q.account_id {
            sql += &format!(" AND c.account_id = {}", b.text(a.clone()));
        }
        if let Some(r) = &q.response_id {
            sql += &format!(" AND c.response_id = {}", b.text(r.clone()));
        }
        match q.breached {
            Some(true) => {
                sql +=
                    " AND (c.first_breached_at IS NOT NULL OR c.resolution_breached_at IS NOT NULL)"
            }
            Some(false) => {
                sql += " AND c.first_breached_at IS NULL AND c.resolution_breached_at IS NULL"
            }
            None => {}
        }
        if let Some((due, id)) = &q.after {
            let due = b.int(*due);
            let id = b.text(id.clone());
            sql += &format!(
                " AND (c.first_response_due_at > {due} OR (c.first_response_due_at = {due} AND c.id > {id}))"
            );
        }
        sql += &format!(
            " ORDER BY c.first_response_due_at, c.id LIMIT {}",
            b.int(i64::from(q.limit.clamp(1, 1000)))
        );
        let rows = sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
            .fetch_all(&self.pool)
            .await
            .context("listing cases")?;
        rows.iter().map(case_of).collect()
    }

    pub(crate) async fn case_impl(&self, org_id: &str, case_id: &str) -> StoreResult<Case> {
        let mut conn = self.pool.acquire().await.context("connecting")?;
        case_in(&mut conn, self.dialect, org_id, case_id, false).await
    }

    pub(crate) async fn case_events_impl(
        &self,
        org_id: &str,
        case_id: &str,
    ) -> StoreResult<Vec<CaseEvent>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, kind, detail FROM case_events \
             WHERE org_id = $1 AND case_id = $2 ORDER BY at, id",
        )
        .bind(org_id)
        .bind(case_id)
        .fetch_all(&self.pool)
        .await
        .context("reading a timeline")?;
        rows.iter()
            .map(|r| {
                let detail: String = r.try_get("detail").context("reading event")?;
                Ok(CaseEvent {
                    id: r.try_get("id").context("reading event")?,
                    at: r.try_get("at").context("reading event")?,
                    actor: r.try_get("actor").context("reading event")?,
                    kind: r.try_get("kind").context("reading event")?,
                    detail: serde_json::from_str(&detail).unwrap_or_default(),
                })
            })
            .collect()
    }

    pub(crate) async fn add_case_note_impl(
        &self,
        org_id: &str,
        case_id: &str,
        actor: &str,
        text: &str,
        now_ms: i64,
    ) -> StoreResult<Case> {
        let mut tx = self.begin_write().await?;
        let c = case_in(&mut tx, self.dialect, org_id, case_id, true).await?;
        add_event(
            &mut tx,
            self.dialect,
            org_id,
            case_id,
            now_ms,
            Some(actor),
            "note",
            json!({"text": text}),
        )
        .await?;
        if c.first_responded_at.is_none()
            && mark_once(&mut tx, org_id, case_id, "first_responded_at", now_ms).await?
        {
            if now_ms > c.first_response_due_at
                && c.first_breached_at.is_none()
                && mark_once(
                    &mut tx,
                    org_id,
                    case_id,
                    "first_breached_at",
                    c.first_response_due_at,
                )
                .await?
            {
                add_event(&mut tx, self.dialect, org_id, case_id, now_ms, None, "breached",
                    json!({"deadline": "first_response", "due_at": c.first_response_due_at, "late_by_ms": now_ms - c.first_response_due_at})).await?;
            }
            add_event(
                &mut tx,
                self.dialect,
                org_id,
                case_id,
                now_ms,
                Some(actor),
                "first_response",
                json!({"within_deadline": now_ms <= c.first_response_due_at}),
            )
            .await?;
        }
        sqlx::query("UPDATE cases SET updated_at = $1 WHERE org_id = $2 AND id = $3")
            .bind(now_ms)
            .bind(org_id)
            .bind(case_id)
            .execute(&mut *tx)
            .await
            .context("touching a case")?;
        let c = case_in(&mut tx, self.dialect, org_id, case_id, false).await?;
        tx.commit().await.context("adding a note")?;
        Ok(c)
    }

    pub(crate) async fn update_case_impl(
        &self,
        org_id: &str,
        case_id: &str,
        actor: Option<&str>,
        patch: &CasePatch,
        now_ms: i64,
    ) -> StoreResult<Case> {
        let d = self.dialect;
        let mut tx = self.begin_write().await?;
        let mut c = case_in(&mut tx, d, org_id, case_id, true).await?;
        let current = CaseState::parse(&c.state)?;
        let taxonomy = taxonomy_of(&mut tx, org_id).await?;
        patch.check(
            current,
            c.root_cause.is_some(),
            c.resolution.is_some(),
            &taxonomy,
        )?;
        if let Some(owner) = &patch.owner
            && c.owner.as_deref() != Some(owner)
        {
            if user_email(&mut tx, org_id, owner).await?.is_none() {
                return Err(attune_domain::Invalid::one(
                    "owner",
                    "no such user in this organisation",
                )
                .into());
            }
            add_event(
                &mut tx,
                d,
                org_id,
                case_id,
                now_ms,
                actor,
                "assigned",
                json!({"from": c.owner, "to": owner}),
            )
            .await?;
            c.owner = Some(owner.clone());
        }
        if let Some(p) = patch.priority
            && c.priority != p.as_str()
        {
            add_event(
                &mut tx,
                d,
                org_id,
                case_id,
                now_ms,
                actor,
                "priority",
                json!({"from": c.priority, "to": p}),
            )
            .await?;
            c.priority = p.as_str().to_owned();
        }
        if let Some(rc) = &patch.root_cause
            && c.root_cause.as_ref() != Some(rc)
        {
            add_event(
                &mut tx,
                d,
                org_id,
                case_id,
                now_ms,
                actor,
                "root_cause",
                json!({"from": c.root_cause, "to": rc}),
            )
            .await?;
            c.root_cause = Some(rc.clone());
        }
        if let Some(res) = &patch.resolution
            && c.resolution.as_ref() != Some(res)
        {
            add_event(
                &mut tx,
                d,
                org_id,
                case_id,
                now_ms,
                actor,
                "resolution",
                json!({"text": res}),
            )
            .await?;
            c.resolution = Some(res.clone());
        }
        let mut jobs = Vec::new();
        let mut events_out: Vec<(&str, serde_json::Value)> = Vec::new();
        if let Some(to) = patch.state.filter(|to| *to != current) {
            add_event(
                &mut tx,
                d,
                org_id,
                case_id,
                now_ms,
                actor,
                "state",
                json!({"from": current, "to": to}),
            )
            .await?;
            if c.first_responded_at.is_none() {
                c.first_responded_at = Some(now_ms);
                add_event(
                    &mut tx,
                    d,
                    org_id,
                    case_id,
                    now_ms,
                    actor,
                    "first_response",
                    json!({"within_deadline": now_ms <= c.first_response_due_at}),
                )
                .await?;
                if now_ms > c.first_response_due_at && c.first_breached_at.is_none() {
                    // Answered late while no worker noticed: the breach is still recorded.
                    c.first_breached_at = Some(c.first_response_due_at);
                    add_event(&mut tx, d, org_id, case_id, now_ms, None, "breached",
                        json!({"deadline": "first_response", "due_at": c.first_response_due_at, "late_by_ms": now_ms - c.first_response_due_at})).await?;
                }
            }
            // Leaving `waiting` resumes the clock: deadlines not yet passed move on.
            if let Some(paused) = c.paused_at.take() {
                let s = &c.sla;
                c.first_response_warn_at = s.shift(c.first_response_warn_at, paused, now_ms);
                c.first_response_due_at = s.shift(c.first_response_due_at, paused, now_ms);
                c.resolution_warn_at = s.shift(c.resolution_warn_at, paused, now_ms);
                c.resolution_due_at = s.shift(c.resolution_due_at, paused, now_ms);
                add_event(
                    &mut tx,
                    d,
                    org_id,
                    case_id,
                    now_ms,
                    actor,
                    "clock_resumed",
                    json!({"paused_ms": now_ms - paused, "resolution_due_at": c.resolution_due_at}),
                )
                .await?;
            }
            match to {
                CaseState::Waiting => {
                    c.paused_at = Some(now_ms);
                }
                CaseState::Resolved => {
                    c.resolved_at = Some(now_ms);
                    if now_ms > c.resolution_due_at && c.resolution_breached_at.is_none() {
                        c.resolution_breached_at = Some(c.resolution_due_at);
                        add_event(&mut tx, d, org_id, case_id, now_ms, None, "breached",
                            json!({"deadline": "resolution", "due_at": c.resolution_due_at, "late_by_ms": now_ms - c.resolution_due_at})).await?;
                    }
                    jobs.extend((!patch.silent).then(|| NewJob {
                        org_id: Some(org_id.to_owned()),
                        kind: "resolution_message".into(),
                        payload: json!({"case_id": case_id, "resurvey": patch.resurvey}),
                        run_at: now_ms,
                        max_attempts: DELIVERY_ATTEMPTS,
                        dedup_key: None,
                    }));
                }
                CaseState::Closed => c.closed_at = Some(now_ms),
                CaseState::Open | CaseState::InProgress
                    if matches!(current, CaseState::Resolved | CaseState::Closed) =>
                {
                    // A reopened case gets a fresh resolution deadline.
                    let full = i64::from(c.sla.resolution_minutes) * 60_000;
                    c.resolution_warn_at = c.sla.add(now_ms, full * 3 / 4);
                    c.resolution_due_at = c.sla.add(now_ms, full);
                    c.resolved_at = None;
                    c.closed_at = None;
                    c.resolution_warned_at = None;
                    c.resolution_breached_at = None;
                    events_out.push(("case.reopened", json!({})));
                }
                _ => {}
            }
            c.state = to.as_str().to_owned();
        }
        c.updated_at = now_ms;
        sqlx::query(
            "UPDATE cases SET owner_user_id = $1, priority = $2, root_cause = $3, resolution = $4, \
             state = $5, first_responded_at = $6, paused_at = $7, resolved_at = $8, closed_at = $9, \
             first_response_warn_at = $10, first_response_due_at = $11, resolution_warn_at = $12, \
             resolution_due_at = $13, resolution_warned_at = $14, resolution_breached_at = $15, \
             updated_at = $16, first_breached_at = $19 WHERE org_id = $17 AND id = $18",
        )
        .bind(c.owner.clone())
        .bind(&c.priority)
        .bind(c.root_cause.clone())
        .bind(c.resolution.clone())
        .bind(&c.state)
        .bind(c.first_responded_at)
        .bind(c.paused_at)
        .bind(c.resolved_at)
        .bind(c.closed_at)
        .bind(c.first_response_warn_at)
        .bind(c.first_response_due_at)
        .bind(c.resolution_warn_at)
        .bind(c.resolution_due_at)
        .bind(c.resolution_warned_at)
        .bind(c.resolution_breached_at)
        .bind(now_ms)
        .bind(org_id)
        .bind(case_id)
        .bind(c.first_breached_at)
        .execute(&mut *tx)
        .await
        .context("updating a case")?;
        let c = case_in(&mut tx, d, org_id, case_id, false).await?;
        if let Some(at) = next_check(&c) {
            schedule(&mut tx, &sla_job(org_id, case_id, at), now_ms).await?;
        }
        if c.state == "resolved" && current != CaseState::Resolved {
            events_out.push(("case.resolved", json!({})));
        }
        enqueue(&mut tx, d, &jobs, now_ms).await?;
        for (event, _) in events_out {
            emit(&mut tx, d, org_id, event, case_payload(&c), now_ms).await?;
        }
        tx.commit().await.context("updating a case")?;
        Ok(c)
    }

    /// Records the warnings and breaches that are due at `now_ms`, once each.
    pub(crate) async fn sla_step_impl(
        &self,
        org_id: &str,
        case_id: &str,
        now_ms: i64,
    ) -> StoreResult<crate::model::SlaStep> {
        let d = self.dialect;
        let mut tx = self.begin_write().await?;
        let c = match case_in(&mut tx, d, org_id, case_id, true).await {
            Ok(c) => c,
            Err(StoreError::NotFound) => return Ok(crate::model::SlaStep::default()),
            Err(e) => return Err(e),
        };
        let mut step = crate::model::SlaStep::default();
        let active =
            CaseState::parse(&c.state).is_ok_and(CaseState::is_active) && c.paused_at.is_none();
        if active {
            let owner_email = match &c.owner {
                Some(o) => user_email(&mut tx, org_id, o).await?,
                None => None,
            };
            let mut jobs = Vec::new();
            let checkpoints = [
                (
                    "first_response",
                    c.first_responded_at.is_none(),
                    c.first_response_warn_at,
                    c.first_response_due_at,
                    "first_warned_at",
                    "first_breached_at",
                ),
                (
                    "resolution",
                    c.resolved_at.is_none(),
                    c.resolution_warn_at,
                    c.resolution_due_at,
                    "resolution_warned_at",
                    "resolution_breached_at",
                ),
            ];
            for (deadline, pending, warn_at, due_at, warn_col, breach_col) in checkpoints {
                if !pending {
                    continue;
                }
                if now_ms >= warn_at
                    && now_ms < due_at
                    && mark_once(&mut tx, org_id, case_id, warn_col, now_ms).await?
                {
                    add_event(
                        &mut tx,
                        d,
                        org_id,
                        case_id,
                        now_ms,
                        None,
                        "warned",
                        json!({"deadline": deadline, "due_at": due_at}),
                    )
                    .await?;
                    if let Some(to) = &owner_email {
                        jobs.push(email_job(
                            org_id,
                            "warning",
                            to,
                            &format!("Due soon: {}", c.title),
                            &format!(
                                "The {} deadline of case {} is at {}.\n\n{}",
                                deadline.replace('_', " "),
                                c.id,
                                attune_domain::period::format_ms(due_at),
                                c.title
                            ),
                            Some(case_id),
                            now_ms,
                        ));
                    }
                    step.recorded.push(format!("{deadline}.warned"));
                }
                if now_ms >= due_at
                    && mark_once(&mut tx, org_id, case_id, breach_col, now_ms).await?
                {
                    // A warning skipped because the worker ran late is recorded with the breach.
                    mark_once(&mut tx, org_id, case_id, warn_col, now_ms).await?;
                    let target = escalation_target(&mut tx, org_id, c.team_id.as_deref()).await?;
                    sqlx::query("UPDATE cases SET escalated_to = $1 WHERE org_id = $2 AND id = $3")
                        .bind(target.clone())
                        .bind(org_id)
                        .bind(case_id)
                        .execute(&mut *tx)
                        .await
                        .context("escalating a case")?;
                    add_event(
                        &mut tx,
                        d,
                        org_id,
                        case_id,
                        now_ms,
                        None,
                        "breached",
                        json!({"deadline": deadline, "due_at": due_at}),
                    )
                    .await?;
                    add_event(
                        &mut tx,
                        d,
                        org_id,
                        case_id,
                        now_ms,
                        None,
                        "escalated",
                        json!({"deadline": deadline, "to": target}),
                    )
                    .await?;
                    let mut recipients = Vec::new();
                    if let Some(t) = &target
                        && let Some(e) = user_email(&mut tx, org_id, t).await?
                    {
                        recipients.push(e);
                    }
                    if let Some(e) = &owner_email
                        && !recipients.contains(e)
                    {
                        recipients.push(e.clone());
                    }
                    for to in recipients {
                        jobs.push(email_job(
                            org_id,
                            "escalation",
                            &to,
                            &format!("Escalated: {}", c.title),
                            &format!(
                                "The {} deadline of case {} passed at {} without action.\n\n{}",
                                deadline.replace('_', " "),
                                c.id,
                                attune_domain::period::format_ms(due_at),
                                c.title
                            ),
                            Some(case_id),
                            now_ms,
                        ));
                    }
                    let after = case_in(&mut tx, d, org_id, case_id, false).await?;
                    let mut payload = case_payload(&after);
                    payload["deadline"] = json!(deadline);
                    jobs.extend(event_jobs(
                        &hooks_of(&mut tx, org_id).await?,
                        org_id,
                        "case.escalated",
                        &payload,
                        now_ms,
                    ));
                    step.recorded.push(format!("{deadline}.breached"));
                }
            }
            enqueue(&mut tx, d, &jobs, now_ms).await?;
        }
        let after = case_in(&mut tx, d, org_id, case_id, false).await?;
        step.next_check = next_check(&after);
        tx.commit().await.context("recording SLA milestones")?;
        Ok(step)
    }

    pub(crate) async fn loop_cases_impl(
        &self,
        org_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<LoopCase>> {
        let sql = format!(
            "SELECT {CASE_COLUMNS}, u.email AS owner_email, t.name AS team_name, \
             (SELECT rs.qtype FROM response_scores rs WHERE rs.response_id = c.response_id \
                AND rs.qtype IN ('nps', 'csat', 'ces') ORDER BY CASE rs.qtype WHEN 'nps' THEN 0 \
                WHEN 'csat' THEN 1 ELSE 2 END, rs.question_key LIMIT 1) AS before_qtype \
             FROM cases c LEFT JOIN users u ON u.id = c.owner_user_id \
             LEFT JOIN teams t ON t.id = c.team_id \
             WHERE c.org_id = $1 AND c.opened_at >= $2 AND c.opened_at < $3 \
             ORDER BY c.opened_at, c.id"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(org_id)
            .bind(from_ms)
            .bind(to_ms)
            .fetch_all(&self.pool)
            .await
            .context("reading loop cases")?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let case = case_of(r)?;
            let qtype: Option<String> = r.try_get("before_qtype").context("reading loop case")?;
            let mut score_before = None;
            let mut score_after = None;
            if let Some(q) = qtype {
                let score_of = |response: String| {
                    let q = q.clone();
                    async move {
                        sqlx::query(
                            "SELECT score FROM response_scores WHERE org_id = $1 AND response_id = $2 \
                             AND qtype = $3 ORDER BY question_key LIMIT 1",
                        )
                        .bind(org_id)
                        .bind(response)
                        .bind(q)
                        .fetch_optional(&self.pool)
                        .await
                        .context("reading a score")?
                        .map(|r| r.try_get::<i64, _>("score").context("reading score"))
                        .transpose()
                    }
                };
                if let Some(resp) = case.response_id.clone() {
                    score_before = score_of(resp).await?.map(|s| (q.clone(), s));
                }
                if let Some(resp) = case.resurvey_response_id.clone() {
                    score_after = score_of(resp).await?;
                }
            }
            out.push(LoopCase {
                owner_email: r.try_get("owner_email").context("reading loop case")?,
                team_name: r.try_get("team_name").context("reading loop case")?,
                case,
                score_before,
                score_after,
            });
        }
        Ok(out)
    }

    /// Earlier cases of the same account with the same root cause, for recurrence.
    pub(crate) async fn account_root_causes_impl(
        &self,
        org_id: &str,
        since_ms: i64,
    ) -> StoreResult<Vec<(String, String, i64)>> {
        let rows = sqlx::query(
            "SELECT account_id, root_cause, opened_at FROM cases WHERE org_id = $1 \
             AND account_id IS NOT NULL AND root_cause IS NOT NULL AND opened_at >= $2 \
             ORDER BY opened_at",
        )
        .bind(org_id)
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await
        .context("reading root causes by account")?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("account_id").context("reading case")?,
                    r.try_get("root_cause").context("reading case")?,
                    r.try_get("opened_at").context("reading case")?,
                ))
            })
            .collect()
    }

    pub(crate) async fn set_case_resurvey_impl(
        &self,
        org_id: &str,
        case_id: &str,
        invitation_id: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE cases SET resurvey_invitation_id = $1 WHERE org_id = $2 AND id = $3")
            .bind(invitation_id)
            .bind(org_id)
            .bind(case_id)
            .execute(&self.pool)
            .await
            .context("recording a re-survey")?;
        Ok(())
    }

    pub(crate) async fn orgs_needing_digest_impl(&self) -> StoreResult<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT o.id, COALESCE(l.digest_hour, 8) AS hour FROM orgs o \
             LEFT JOIN loop_settings l ON l.org_id = o.id ORDER BY o.id",
        )
        .fetch_all(&self.pool)
        .await
        .context("listing organisations for digests")?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id").context("reading org")?,
                    r.try_get("hour").context("reading org")?,
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use attune_domain::survey::QuestionType;

    #[test]
    fn titles_prefer_the_comment_and_cut_long_ones_by_grapheme() {
        let mut r = StoredResponse {
            id: "r".into(),
            survey_id: "s".into(),
            answers: Default::default(),
            language: None,
            channel: attune_domain::response::Channel::Api,
            contact_id: None,
            account_id: None,
            submitted_at_ms: 0,
            comment: None,
            metadata: Default::default(),
        };
        let scores = [ScoredAnswer {
            question: "n".into(),
            qtype: QuestionType::Nps,
            score: 3,
        }];
        assert_eq!(title_of(&r, &scores), "NPS 3");
        r.comment = Some("ਕ".repeat(200));
        let t = title_of(&r, &scores);
        assert_eq!(grapheme_len(&t), 120);
        assert!(t.ends_with('…'));
    }
}
