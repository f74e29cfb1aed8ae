//! Cases open in the response's transaction: the organisation's rules, SLA policies and
//! webhooks are loaded once per transaction ([`LoopState`]); for each response in the case
//! window the matching rules notify, and the domain opens the case
//! (`attune_domain::closed_loop::opening`): one case per response, led by the matching rule of
//! highest priority and linked to every matching rule (`cases.rule_ids`).
//! `UNIQUE (org_id, rule_id, response_id)` refuses a second case if a response were ever
//! written twice.

use std::collections::HashMap;

use attune_domain::closed_loop::loop_counts::CaseLine;
use attune_domain::closed_loop::opening::{
    self, NewCase, RoundRobin, case_title, choose_owner, in_case_window, rule_email,
};
use attune_domain::closed_loop::rules::{ScoredAnswer, Subject, match_form};
use attune_domain::closed_loop::sla::SlaPolicy;
use attune_domain::closed_loop::timeline::HookEvent;
use attune_domain::jobs::{BackgroundJob, NewJob};
use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::super::jobs::enqueue;
use super::super::{Bind, Dialect, insert_rows, new_id};
use super::config::{policies_of, rules_of};
use super::outbox::{Hooks, event_jobs, hooks_of};
use super::teams::team_members;
use super::timeline::{EVENT_INSERT, event_row};
use crate::error::{Context, StoreResult};
use crate::model::{Account, Case, LoopSettings, Rule, StoredResponse, Survey};

/// What the loop needs to know while responses are stored: loaded once per transaction.
pub(crate) struct LoopState {
    rules: Vec<Rule>,
    policies: HashMap<String, SlaPolicy>,
    default_policy: SlaPolicy,
    hooks: Hooks,
    accounts: HashMap<String, Option<Account>>,
    /// Team id → its round robin.
    teams: HashMap<String, RoundRobin>,
    /// Organisation-wide round robin over staff who can work cases (loaded when needed).
    staff: Option<RoundRobin>,
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

    /// Whether a rule could act on a response submitted at `submitted_ms` without announcing it
    /// (an import's): some rule is on and the response is inside the case window.
    pub(crate) fn may_act(&self, submitted_ms: i64, now_ms: i64) -> bool {
        self.rules.iter().any(|r| r.definition.enabled)
            && in_case_window(submitted_ms, now_ms, self.window_ms)
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
        let a = super::super::accounts::account_in(conn, org_id, id).await?;
        self.accounts.insert(id.to_owned(), a.clone());
        Ok(a)
    }

    /// Loads a team's round robin and the staff's, once each per transaction.
    async fn load_turns(
        &mut self,
        conn: &mut AnyConnection,
        org_id: &str,
        team_id: Option<&str>,
    ) -> StoreResult<()> {
        if let Some(team) = team_id
            && !self.teams.contains_key(team)
        {
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
            self.teams
                .insert(team.to_owned(), RoundRobin { members, next });
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
            let members = rows
                .iter()
                .map(|r| r.try_get("id").context("reading user"))
                .collect::<StoreResult<Vec<String>>>()?;
            self.staff = Some(RoundRobin {
                members,
                next: self.rr_next,
            });
        }
        Ok(())
    }

    /// The owner of a new case (the domain's [`choose_owner`] over the loaded turns).
    async fn owner(
        &mut self,
        conn: &mut AnyConnection,
        org_id: &str,
        account: Option<&Account>,
        team_id: Option<&str>,
    ) -> StoreResult<Option<String>> {
        let account_owner = account.and_then(|a| a.owner_user_id.as_deref());
        if account_owner.is_none() {
            self.load_turns(conn, org_id, team_id).await?;
        }
        let team = team_id.and_then(|t| self.teams.get_mut(t));
        let mut none = RoundRobin::default();
        let staff = self.staff.as_mut().unwrap_or(&mut none);
        Ok(choose_owner(account_owner, team, staff))
    }

    /// Writes the round-robin cursors back.
    async fn save_cursors(&self, conn: &mut AnyConnection, org_id: &str) -> StoreResult<()> {
        for (team, rr) in &self.teams {
            sqlx::query("UPDATE teams SET rr_next = $1 WHERE org_id = $2 AND id = $3")
                .bind(rr.next)
                .bind(org_id)
                .bind(team)
                .execute(&mut *conn)
                .await
                .context("saving a team's round robin")?;
        }
        if let Some(rr) = &self.staff {
            sqlx::query("UPDATE loop_settings SET rr_next = $1 WHERE org_id = $2")
                .bind(rr.next)
                .bind(org_id)
                .execute(&mut *conn)
                .await
                .context("saving the round robin")?;
        }
        Ok(())
    }
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

const CASE_INSERT: &str = "INSERT INTO cases (id, org_id, rule_id, response_id, account_id, \
     contact_id, owner_user_id, team_id, priority, state, title, sla, opened_at, \
     first_response_warn_at, first_response_due_at, resolution_warn_at, resolution_due_at, \
     updated_at, rule_ids, score_qtype, score_before)";

/// The score a case's recovery is measured against: the response's first NPS answer, else
/// CSAT, else CES (by question key), with its type.
fn score_before(scores: &[ScoredAnswer]) -> Option<(&'static str, i64)> {
    use attune_domain::survey::QuestionType;
    [QuestionType::Nps, QuestionType::Csat, QuestionType::Ces]
        .into_iter()
        .find_map(|t| {
            scores
                .iter()
                .filter(|s| s.qtype == t)
                .min_by(|a, b| a.question.cmp(&b.question))
                .map(|s| (t.as_str(), s.score))
        })
}

fn case_row(org_id: &str, c: &Case, score: Option<(&str, i64)>) -> StoreResult<Vec<Bind>> {
    Ok(vec![
        Bind::Text(c.id.clone()),
        Bind::Text(org_id.to_owned()),
        Bind::Text(c.rule_id.clone()),
        Bind::OptText(c.response_id.clone()),
        Bind::OptText(c.account_id.clone()),
        Bind::OptText(c.contact_id.clone()),
        Bind::OptText(c.owner.clone()),
        Bind::OptText(c.team_id.clone()),
        Bind::Text(c.priority.as_str().to_owned()),
        Bind::Text(c.state.as_str().to_owned()),
        Bind::Text(c.title.clone()),
        Bind::Text(serde_json::to_string(&c.sla).context("encoding SLA")?),
        Bind::Int(c.opened_at),
        Bind::Int(c.first_response_warn_at),
        Bind::Int(c.first_response_due_at),
        Bind::Int(c.resolution_warn_at),
        Bind::Int(c.resolution_due_at),
        Bind::Int(c.updated_at),
        Bind::Text(c.rule_ids.join(" ")),
        Bind::OptText(score.map(|(t, _)| t.to_owned())),
        Bind::OptInt(score.map(|(_, s)| s)),
    ])
}

/// What a batch of responses writes, gathered to be written in bulk.
#[derive(Default)]
struct Batch {
    cases: Vec<Vec<Bind>>,
    /// What the new cases add to the loop's counts.
    lines: Vec<CaseLine>,
    events: Vec<Vec<Bind>>,
    jobs: Vec<NewJob>,
    opened: u64,
}

/// Runs the organisation's rules over responses just stored in this transaction: opens one
/// case per response however many rules match it (linked to all of them), queues their SLA jobs,
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
    let mut b = Batch::default();
    let rules = state.rules.clone();
    let any_enabled = rules.iter().any(|rule| rule.definition.enabled);
    for r in responses {
        if announce {
            let data = json!({"response": r, "survey_id": survey.id,
                              "submitted_at": r.submitted_at_ms});
            let event = HookEvent::ResponseCreated.as_str();
            b.jobs
                .extend(event_jobs(&state.hooks, org_id, event, &data, now_ms));
        }
        // Feedback from before the window is history (an import of old exports): it counts in
        // every metric but opens no case and sends nothing.
        if !any_enabled || !in_case_window(r.submitted_at_ms, now_ms, state.window_ms) {
            continue;
        }
        let account = match &r.account_id {
            Some(id) => state.account(conn, org_id, id).await?,
            None => None,
        };
        let scores = scored(survey, r);
        let comment = r.comment.as_deref().map(match_form);
        // The subject borrows a `dyn Fn`, which is not `Send`: it must not live across an await.
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
        let title = case_title(r.comment.as_deref(), &scores);
        for rule in &matched {
            notify(state, org_id, rule, r, &title, now_ms, &mut b);
        }
        let openers: Vec<&Rule> = matched
            .into_iter()
            .filter(|rule| rule.definition.actions.open_case)
            .collect();
        let priorities: Vec<_> = openers
            .iter()
            .map(|rule| rule.definition.actions.priority)
            .collect();
        if let Some(lead) = opening::lead_rule(&priorities) {
            let also = openers
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != lead)
                .map(|(_, rule)| (rule.id.clone(), rule.definition.name.clone()))
                .collect();
            let opener = Opener {
                rule: openers[lead],
                also,
            };
            let score = score_before(&scores);
            let case = NewCaseOf {
                opener,
                response: r,
                account: account.as_ref(),
                title: &title,
                score,
            };
            open_case(conn, org_id, state, case, now_ms, &mut b).await?;
        }
    }
    insert_rows(
        conn,
        dialect,
        CASE_INSERT,
        "ON CONFLICT (org_id, rule_id, response_id) DO NOTHING",
        b.cases,
    )
    .await?;
    let new: Vec<_> = b.lines.iter().map(|l| (None, Some(l))).collect();
    super::loop_counts::apply(conn, dialect, org_id, &new).await?;
    insert_rows(conn, dialect, EVENT_INSERT, "", b.events).await?;
    enqueue(conn, dialect, &b.jobs, now_ms).await?;
    state.save_cursors(conn, org_id).await?;
    Ok(b.opened)
}

/// What every matched rule does with a response, case or not: its webhook event and e-mails.
fn notify(
    state: &LoopState,
    org_id: &str,
    rule: &Rule,
    r: &StoredResponse,
    title: &str,
    now_ms: i64,
    b: &mut Batch,
) {
    let (def, actions) = (&rule.definition, &rule.definition.actions);
    if actions.notify_webhooks {
        let data = json!({"rule_id": rule.id, "rule": def.name, "response_id": r.id});
        let event = HookEvent::RuleMatched.as_str();
        b.jobs
            .extend(event_jobs(&state.hooks, org_id, event, &data, now_ms));
    }
    for to in &actions.notify_emails {
        let email = rule_email(&def.name, title, r.comment.as_deref(), &r.id, to);
        b.jobs.push(email.into_new(Some(org_id), now_ms));
    }
}

/// The rule that leads a response's case, and the other case-opening rules that matched.
struct Opener<'a> {
    rule: &'a Rule,
    also: Vec<(String, String)>,
}

/// What a response's case is opened from.
struct NewCaseOf<'a> {
    opener: Opener<'a>,
    response: &'a StoredResponse,
    account: Option<&'a Account>,
    title: &'a str,
    score: Option<(&'static str, i64)>,
}

/// Opens the one case of a response: team, SLA policy and priority from the lead rule.
async fn open_case(
    conn: &mut AnyConnection,
    org_id: &str,
    state: &mut LoopState,
    new: NewCaseOf<'_>,
    now_ms: i64,
    b: &mut Batch,
) -> StoreResult<()> {
    let NewCaseOf {
        opener,
        response: r,
        account,
        title,
        score,
    } = new;
    let (rule, actions) = (opener.rule, &opener.rule.definition.actions);
    let team_id = actions.team_id.as_deref();
    let owner = state.owner(conn, org_id, account, team_id).await?;
    let policy = actions
        .sla_policy_id
        .as_ref()
        .and_then(|id| state.policies.get(id))
        .unwrap_or(&state.default_policy);
    let opened = opening::open(
        NewCase {
            id: new_id(),
            rule: (&rule.id, &rule.definition.name),
            also: opener.also,
            response_id: &r.id,
            account_id: r.account_id.as_deref(),
            contact_id: r.contact_id.as_deref(),
            owner,
            team_id,
            priority: actions.priority,
            title: title.to_owned(),
            policy,
        },
        now_ms,
    );
    let c = &opened.case;
    b.cases.push(case_row(org_id, c, score)?);
    b.lines.push(CaseLine {
        opened_at: c.opened_at,
        first_response_due_at: c.first_response_due_at,
        owner_id: c.owner.clone(),
        team_id: c.team_id.clone(),
        has_account: c.account_id.is_some(),
        score_before: score.map(|(_, s)| s),
        ..CaseLine::default()
    });
    b.events.push(event_row(org_id, &c.id, &opened.event));
    b.jobs.push(opened.sla_job.in_org(org_id));
    let event = HookEvent::CaseOpened.as_str();
    b.jobs.extend(event_jobs(
        &state.hooks,
        org_id,
        event,
        &opened.hook_data,
        now_ms,
    ));
    b.opened += 1;
    Ok(())
}

/// Links a re-survey answer to the case that sent the invitation, with the score recovery
/// compares (of the question type that opened the case), and moves the loop's counts.
pub(crate) async fn link_resurvey(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    invitation_id: &str,
    response_id: &str,
    now_ms: i64,
) -> StoreResult<()> {
    let ctx = "linking a re-survey";
    let cases: Vec<String> =
        sqlx::query("SELECT id FROM cases WHERE org_id = $1 AND resurvey_invitation_id = $2")
            .bind(org_id)
            .bind(invitation_id)
            .fetch_all(&mut *conn)
            .await
            .context(ctx)?
            .iter()
            .map(|r| r.try_get("id").context(ctx))
            .collect::<StoreResult<_>>()?;
    for case_id in cases {
        let before = super::loop_counts::line(conn, org_id, &case_id).await?;
        sqlx::query(
            "UPDATE cases SET resurvey_response_id = $1, updated_at = $2, score_after = \
             (SELECT rs.score FROM response_scores rs WHERE rs.org_id = $3 \
              AND rs.response_id = $1 AND rs.qtype = cases.score_qtype \
              ORDER BY rs.question_key LIMIT 1) \
             WHERE org_id = $3 AND id = $4",
        )
        .bind(response_id)
        .bind(now_ms)
        .bind(org_id)
        .bind(&case_id)
        .execute(&mut *conn)
        .await
        .context(ctx)?;
        super::cases::counted(conn, dialect, org_id, &case_id, before).await?;
    }
    Ok(())
}
