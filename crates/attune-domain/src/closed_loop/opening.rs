//! Opening a case: which responses rules may act on (the case window), who owns a new case
//! (account owner, else round-robin), its title, and the case with its first timeline entry,
//! SLA job and `case.opened` event ([`open`]).

use serde_json::{Value, json};
use unicode_segmentation::UnicodeSegmentation;

use super::case::CaseState;
use super::record::Case;
use super::rules::{Priority, ScoredAnswer};
use super::sla::SlaPolicy;
use super::timeline::{EventKind, NewEvent};
use crate::jobs::{BackgroundJob, Email, EmailKind, NewJob, SlaCheck};
use crate::text::grapheme_len;

/// Longest case title, in graphemes.
pub const MAX_TITLE: usize = 120;

/// Whether rules act on a response submitted at `submitted_ms` that arrives at `now_ms`: only
/// within `window_ms` (0 or less: any age), so importing old feedback opens no overdue cases.
pub fn in_case_window(submitted_ms: i64, now_ms: i64, window_ms: i64) -> bool {
    window_ms <= 0 || submitted_ms >= now_ms - window_ms
}

/// A round robin over people, with the index of the next pick as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundRobin {
    /// Who takes turns, in order.
    pub members: Vec<String>,
    /// Index of the next pick (any integer: taken modulo the members).
    pub next: i64,
}

impl RoundRobin {
    /// The next member, moving the cursor on; `None` when nobody takes turns.
    pub fn pick(&mut self) -> Option<String> {
        let n = i64::try_from(self.members.len()).ok().filter(|n| *n > 0)?;
        let i = usize::try_from(self.next.rem_euclid(n)).ok()?;
        self.next += 1;
        self.members.get(i).cloned()
    }
}

/// Who owns a new case: the account's owner, else the rule's team in turn, else the
/// organisation's staff in turn.
pub fn choose_owner(
    account_owner: Option<&str>,
    team: Option<&mut RoundRobin>,
    staff: &mut RoundRobin,
) -> Option<String> {
    if let Some(o) = account_owner {
        return Some(o.to_owned());
    }
    team.and_then(RoundRobin::pick).or_else(|| staff.pick())
}

/// A case's title: the start of the comment (cut by grapheme), else the scores.
pub fn case_title(comment: Option<&str>, scores: &[ScoredAnswer]) -> String {
    if let Some(c) = comment.map(str::trim).filter(|c| !c.is_empty()) {
        if grapheme_len(c) <= MAX_TITLE {
            return c.to_owned();
        }
        let mut t: String = c.graphemes(true).take(MAX_TITLE - 1).collect();
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

/// The e-mail a rule sends to each address it notifies.
pub fn rule_email(
    rule_name: &str,
    title: &str,
    comment: Option<&str>,
    response_id: &str,
    to: &str,
) -> Email {
    Email::new(
        EmailKind::Rule,
        to,
        format!("[{rule_name}] {title}"),
        format!(
            "Rule \"{rule_name}\" matched a response.\n\n{}\n\nResponse {response_id}",
            comment.unwrap_or(title)
        ),
    )
}

/// Which of the case-opening rules that matched one response leads its case (the response
/// opens one case, linked to all of them): the highest priority, the first in rule order among
/// equals. `None` when no rule opens a case.
pub fn lead_rule(priorities: &[Priority]) -> Option<usize> {
    let top = priorities.iter().max()?;
    priorities.iter().position(|p| p == top)
}

/// What a new case is made of.
#[derive(Debug, Clone)]
pub struct NewCase<'a> {
    /// Its id.
    pub id: String,
    /// The lead rule ([`lead_rule`]), and the rule's name.
    pub rule: (&'a str, &'a str),
    /// The other case-opening rules that matched the response, in rule order: ids and names.
    pub also: Vec<(String, String)>,
    /// The response behind it.
    pub response_id: &'a str,
    /// The response's account.
    pub account_id: Option<&'a str>,
    /// The response's contact.
    pub contact_id: Option<&'a str>,
    /// Owner ([`choose_owner`]).
    pub owner: Option<String>,
    /// The rule's team.
    pub team_id: Option<&'a str>,
    /// The rule's priority.
    pub priority: Priority,
    /// Title ([`case_title`]).
    pub title: String,
    /// The SLA policy (copied into the case).
    pub policy: &'a SlaPolicy,
}

/// A case just opened.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    /// The case.
    pub case: Case,
    /// Its first timeline entry.
    pub event: NewEvent,
    /// Its SLA job, due at the first warning (without organisation).
    pub sla_job: NewJob,
    /// The data of its `case.opened` webhook event.
    pub hook_data: Value,
}

/// Opens a case at `now_ms`: deadlines from its policy, state `open`.
pub fn open(n: NewCase<'_>, now_ms: i64) -> Opened {
    let d = n.policy.deadlines(now_ms);
    let (rule_id, rule_name) = n.rule;
    let mut rule_ids = vec![rule_id.to_owned()];
    let mut rules = vec![rule_name.to_owned()];
    for (id, name) in n.also {
        rule_ids.push(id);
        rules.push(name);
    }
    let mut detail = json!({"rule_id": rule_id, "rule": rule_name, "owner": n.owner,
               "response_id": n.response_id,
               "first_response_due_at": d.first_response_due_at,
               "resolution_due_at": d.resolution_due_at});
    // Every rule that matched, when there were several (one is the `rule` already named).
    if rules.len() > 1 {
        detail["rules"] = json!(rules);
    }
    let event = NewEvent::new(now_ms, None, EventKind::Opened, detail);
    let hook_data = json!({"id": n.id, "state": CaseState::Open, "owner": n.owner,
        "title": n.title, "rule_id": rule_id, "rule_ids": rule_ids, "response_id": n.response_id,
        "account_id": n.account_id, "priority": n.priority,
        "first_response_due_at": d.first_response_due_at,
        "resolution_due_at": d.resolution_due_at});
    let sla_job = SlaCheck {
        case_id: n.id.clone(),
    }
    .into_new(None, d.first_response_warn_at);
    let case = Case {
        id: n.id,
        rule_id: rule_id.to_owned(),
        rule_ids,
        response_id: Some(n.response_id.to_owned()),
        account_id: n.account_id.map(str::to_owned),
        contact_id: n.contact_id.map(str::to_owned),
        owner: n.owner,
        team_id: n.team_id.map(str::to_owned),
        priority: n.priority,
        state: CaseState::Open,
        title: n.title,
        opened_at: now_ms,
        first_response_warn_at: d.first_response_warn_at,
        first_response_due_at: d.first_response_due_at,
        resolution_warn_at: d.resolution_warn_at,
        resolution_due_at: d.resolution_due_at,
        first_responded_at: None,
        resolved_at: None,
        closed_at: None,
        paused_at: None,
        first_warned_at: None,
        resolution_warned_at: None,
        first_breached_at: None,
        resolution_breached_at: None,
        breached: false,
        escalated_to: None,
        root_cause: None,
        resolution: None,
        resurvey_invitation_id: None,
        resurvey_response_id: None,
        sla: n.policy.clone(),
        updated_at: now_ms,
    };
    Opened {
        case,
        event,
        sla_job,
        hook_data,
    }
}

#[cfg(test)]
#[path = "opening_tests.rs"]
mod tests;
