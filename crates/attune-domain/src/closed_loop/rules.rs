//! Alert rules: conditions on a response, and what to do when all of them hold.
//!
//! A rule matches when every condition holds (an empty list matches every response). Comment
//! conditions compare [`match_form`]s, so "CANCEL", "cancel" and a decomposed "cancél" written
//! with a combining accent all match, in any script (substring match: Lao and Thai are written
//! without spaces between words).

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::error::{Invalid, Problems};
use crate::metrics::nps::NpsBand;
use crate::response::Channel;
use crate::survey::QuestionType;
use crate::text::{Email, is_bidi_control, parse_name};

/// How a score is compared with a rule's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cmp {
    /// Less than or equal.
    Lte,
    /// Greater than or equal.
    Gte,
    /// Equal.
    Eq,
}

impl Cmp {
    fn holds(self, score: i64, value: i64) -> bool {
        match self {
            Cmp::Lte => score <= value,
            Cmp::Gte => score >= value,
            Cmp::Eq => score == value,
        }
    }
}

/// One condition of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// A scored answer compares with `value`: any question of type `qtype`, or the question
    /// `question` when given.
    Score {
        /// Question type, e.g. `csat`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        qtype: Option<String>,
        /// Question key.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        question: Option<String>,
        /// Comparison.
        op: Cmp,
        /// Value compared with.
        value: i64,
    },
    /// An NPS answer falls in the band.
    Band {
        /// `detractor`, `passive` or `promoter`.
        band: NpsBand,
    },
    /// The response answers one of these surveys.
    Survey {
        /// Survey ids.
        any: Vec<String>,
    },
    /// The response came through one of these channels.
    Channel {
        /// Channels.
        any: Vec<Channel>,
    },
    /// The response's language (primary subtag) is one of these.
    Language {
        /// Language tags, e.g. `pa`.
        any: Vec<String>,
    },
    /// The response's account has one of these values for an attribute (plan, size_band,
    /// industry, region, owner or a custom key).
    Account {
        /// Attribute name.
        attribute: String,
        /// Accepted values (exact match).
        any: Vec<String>,
    },
    /// The comment contains one of these words or phrases.
    Comment {
        /// Words or phrases, in any script.
        any: Vec<String>,
    },
}

/// Priority of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Low.
    Low,
    /// Normal.
    Normal,
    /// High.
    High,
    /// Urgent.
    Urgent,
}

impl Priority {
    /// Every priority, lowest first.
    pub const ALL: [Priority; 4] = [Self::Low, Self::Normal, Self::High, Self::Urgent];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }

    /// Parses a wire name.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == raw)
            .ok_or_else(|| {
                Invalid::one(
                    "priority",
                    format!("`{raw}` is not a priority: use low, normal, high or urgent"),
                )
            })
    }
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn default_true() -> bool {
    true
}

fn default_priority() -> Priority {
    Priority::Normal
}

/// What a matching rule does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actions {
    /// Opens a follow-up case.
    #[serde(default = "default_true")]
    pub open_case: bool,
    /// Priority of the case.
    #[serde(default = "default_priority")]
    pub priority: Priority,
    /// Team whose members share cases round-robin when the account has no owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
    /// SLA policy; the organisation's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_policy_id: Option<String>,
    /// E-mail addresses told about each match.
    #[serde(default)]
    pub notify_emails: Vec<String>,
    /// Sends the `rule.matched` event to the organisation's webhooks.
    #[serde(default)]
    pub notify_webhooks: bool,
}

impl Default for Actions {
    fn default() -> Self {
        Self {
            open_case: true,
            priority: Priority::Normal,
            team_id: None,
            sla_policy_id: None,
            notify_emails: Vec::new(),
            notify_webhooks: false,
        }
    }
}

/// A rule as the API receives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    /// Display name.
    pub name: String,
    /// Whether it runs.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// Conditions, all of which must hold.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// What it does.
    #[serde(default)]
    pub actions: Actions,
}

/// A checked rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleDefinition {
    /// Display name.
    pub name: String,
    /// Whether it runs.
    pub enabled: bool,
    /// Conditions, all of which must hold.
    pub conditions: Vec<Condition>,
    /// What it does.
    pub actions: Actions,
}

/// Most conditions in a rule, and values in one condition.
const MAX_ITEMS: usize = 100;

impl RuleDefinition {
    /// Checks a rule, reporting every problem.
    pub fn parse(input: RuleInput) -> Result<Self, Invalid> {
        let mut p = Problems::default();
        let name = p.take(parse_name("name", &input.name, 200));
        if input.conditions.len() > MAX_ITEMS {
            p.push("conditions", format!("at most {MAX_ITEMS} conditions"));
        }
        let mut conditions = Vec::with_capacity(input.conditions.len());
        for (i, c) in input.conditions.into_iter().enumerate() {
            let field = format!("conditions[{i}]");
            match check_condition(c) {
                Ok(c) => conditions.push(c),
                Err(message) => p.push(field, message),
            }
        }
        let mut actions = input.actions;
        let mut emails = Vec::new();
        for (i, e) in actions.notify_emails.iter().enumerate() {
            match Email::parse(e) {
                Ok(e) => emails.push(e.as_str().to_owned()),
                Err(_) => p.push(
                    format!("actions.notify_emails[{i}]"),
                    "must be an e-mail address",
                ),
            }
        }
        actions.notify_emails = emails;
        if !actions.open_case && actions.notify_emails.is_empty() && !actions.notify_webhooks {
            p.push(
                "actions",
                "a rule must open a case, notify an e-mail address or notify webhooks",
            );
        }
        p.finish(())?;
        Ok(Self {
            name: name.unwrap_or_default(),
            enabled: input.enabled,
            conditions,
            actions,
        })
    }

    /// Whether every condition holds for the response.
    pub fn matches(&self, subject: &Subject<'_>) -> bool {
        self.enabled && self.conditions.iter().all(|c| holds(c, subject))
    }

    /// Every NPS detractor opens a case: one of a new organisation's two rules.
    pub fn default_detractors() -> Self {
        Self {
            name: "Every NPS detractor".into(),
            enabled: true,
            conditions: vec![Condition::Band {
                band: NpsBand::Detractor,
            }],
            actions: Actions {
                priority: Priority::High,
                ..Actions::default()
            },
        }
    }

    /// Every CSAT of 2 or less opens a case: one of a new organisation's two rules.
    pub fn default_low_csat() -> Self {
        Self {
            name: "Every CSAT of 2 or less".into(),
            enabled: true,
            conditions: vec![Condition::Score {
                qtype: Some("csat".into()),
                question: None,
                op: Cmp::Lte,
                value: 2,
            }],
            actions: Actions::default(),
        }
    }
}

fn check_list(any: &[String]) -> Result<(), String> {
    if any.is_empty() {
        return Err("needs at least one value in `any`".into());
    }
    if any.len() > MAX_ITEMS {
        return Err(format!("at most {MAX_ITEMS} values"));
    }
    if any.iter().any(|v| v.trim().is_empty() || v.len() > 500) {
        return Err("values must be non-empty and at most 500 bytes".into());
    }
    Ok(())
}

fn check_condition(c: Condition) -> Result<Condition, String> {
    match c {
        Condition::Score {
            qtype,
            question,
            op,
            value,
        } => {
            if let Some(t) = &qtype {
                match QuestionType::parse(t) {
                    Some(q) if q.default_scale().is_some() => {}
                    _ => return Err(format!("`{t}` is not a scored question type")),
                }
            }
            if qtype.is_none() && question.is_none() {
                return Err("a score condition needs `qtype` or `question`".into());
            }
            if !(-1000..=1000).contains(&value) {
                return Err("value must be between -1000 and 1000".into());
            }
            Ok(Condition::Score {
                qtype,
                question,
                op,
                value,
            })
        }
        Condition::Survey { any } => check_list(&any).map(|()| Condition::Survey { any }),
        Condition::Channel { any } => {
            if any.is_empty() {
                Err("needs at least one channel".into())
            } else {
                Ok(Condition::Channel { any })
            }
        }
        Condition::Language { any } => {
            check_list(&any)?;
            Ok(Condition::Language {
                any: any.iter().map(|l| l.trim().to_ascii_lowercase()).collect(),
            })
        }
        Condition::Account { attribute, any } => {
            check_list(&any)?;
            if attribute.trim().is_empty() {
                return Err("attribute must be named".into());
            }
            Ok(Condition::Account { attribute, any })
        }
        Condition::Comment { any } => {
            check_list(&any)?;
            let any: Vec<String> = any.iter().map(|w| match_form(w)).collect();
            if any.iter().any(String::is_empty) {
                return Err("words must contain letters".into());
            }
            Ok(Condition::Comment { any })
        }
        c @ Condition::Band { .. } => Ok(c),
    }
}

/// The form comments and rule phrases are compared in: NFC, lower case, without control or
/// bidi characters, whitespace collapsed.
pub fn match_form(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfc().flat_map(char::to_lowercase) {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if c.is_control() || is_bidi_control(c) || matches!(c, '\u{200B}' | '\u{FEFF}') {
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// A scored answer as rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoredAnswer {
    /// Question key.
    pub question: String,
    /// Question type.
    pub qtype: QuestionType,
    /// Score.
    pub score: i64,
}

/// What rules look at in a response.
pub struct Subject<'a> {
    /// Survey id.
    pub survey_id: &'a str,
    /// Channel.
    pub channel: Channel,
    /// Language tag, if known.
    pub language: Option<&'a str>,
    /// Scored answers.
    pub scores: &'a [ScoredAnswer],
    /// The comment in [`match_form`].
    pub comment: Option<&'a str>,
    /// The value of an account attribute, if the response has an account.
    pub account_attribute: &'a dyn Fn(&str) -> Option<String>,
}

impl std::fmt::Debug for Subject<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subject")
            .field("survey_id", &self.survey_id)
            .field("channel", &self.channel)
            .field("language", &self.language)
            .field("scores", &self.scores)
            .field("comment", &self.comment)
            .finish_non_exhaustive()
    }
}

fn holds(c: &Condition, s: &Subject<'_>) -> bool {
    match c {
        Condition::Score {
            qtype,
            question,
            op,
            value,
        } => s.scores.iter().any(|a| {
            qtype.as_deref().is_none_or(|t| a.qtype.as_str() == t)
                && question.as_deref().is_none_or(|q| a.question == q)
                && op.holds(a.score, *value)
        }),
        Condition::Band { band } => s.scores.iter().any(|a| {
            a.qtype == QuestionType::Nps
                && u8::try_from(a.score).ok().and_then(NpsBand::of) == Some(*band)
        }),
        Condition::Survey { any } => any.iter().any(|id| id == s.survey_id),
        Condition::Channel { any } => any.contains(&s.channel),
        Condition::Language { any } => s.language.is_some_and(|l| {
            let l = l.to_ascii_lowercase();
            let primary = l.split('-').next().unwrap_or("");
            any.iter().any(|a| *a == l || a == primary)
        }),
        Condition::Account { attribute, any } => {
            (s.account_attribute)(attribute).is_some_and(|v| any.contains(&v))
        }
        Condition::Comment { any } => s
            .comment
            .is_some_and(|text| any.iter().any(|w| text.contains(w.as_str()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject<'a>(scores: &'a [ScoredAnswer], comment: Option<&'a str>) -> Subject<'a> {
        Subject {
            survey_id: "s1",
            channel: Channel::Link,
            language: Some("pa-IN"),
            scores,
            comment,
            account_attribute: &|name| (name == "plan").then(|| "enterprise".to_owned()),
        }
    }

    fn nps(score: i64) -> ScoredAnswer {
        ScoredAnswer {
            question: "nps".into(),
            qtype: QuestionType::Nps,
            score,
        }
    }

    #[test]
    fn default_rules_catch_detractors_and_low_csat_only() {
        let det = RuleDefinition::default_detractors();
        for score in 0..=10 {
            assert_eq!(det.matches(&subject(&[nps(score)], None)), score <= 6);
        }
        let csat = RuleDefinition::default_low_csat();
        for score in 1..=5 {
            let a = [ScoredAnswer {
                question: "sat".into(),
                qtype: QuestionType::Csat,
                score,
            }];
            assert_eq!(csat.matches(&subject(&a, None)), score <= 2);
        }
        // An NPS of 2 is not a CSAT of 2.
        assert!(!csat.matches(&subject(&[nps(2)], None)));
    }

    #[test]
    fn comment_words_match_after_normalisation_in_any_script() {
        let input: RuleInput = serde_json::from_value(serde_json::json!({
            "name": "Cancellation risk",
            "conditions": [{"type": "comment", "any": ["CANCEL", "caf\u{e9}", "ຍົກເລີກ"]}]
        }))
        .unwrap();
        let rule = RuleDefinition::parse(input).unwrap();
        let hit = |text: &str| rule.matches(&subject(&[], Some(&match_form(text))));
        assert!(hit("I will cancel next month"));
        assert!(hit("the cafe\u{301} was cold")); // decomposed é
        assert!(hit("ຂ້ອຍຈະຍົກເລີກບໍລິການ")); // Lao, no spaces
        assert!(hit("can\u{202E}cel")); // a bidi override cannot hide the word
        assert!(!hit("all good"));
        assert!(!rule.matches(&subject(&[], None)));
    }

    #[test]
    fn every_condition_must_hold() {
        let input: RuleInput = serde_json::from_value(serde_json::json!({
            "name": "Enterprise Punjabi detractors",
            "conditions": [
                {"type": "band", "band": "detractor"},
                {"type": "language", "any": ["pa"]},
                {"type": "account", "attribute": "plan", "any": ["enterprise"]},
                {"type": "channel", "any": ["link"]},
                {"type": "survey", "any": ["s1"]}
            ],
            "actions": {"priority": "urgent", "notify_emails": ["lead@example.com"]}
        }))
        .unwrap();
        let rule = RuleDefinition::parse(input).unwrap();
        assert!(rule.matches(&subject(&[nps(3)], None)));
        assert!(!rule.matches(&subject(&[nps(9)], None)));
        let mut other = subject(&[], None);
        let scores = [nps(3)];
        other.scores = &scores;
        other.language = Some("ur");
        assert!(!rule.matches(&other));
        let mut disabled = rule.clone();
        disabled.enabled = false;
        assert!(!disabled.matches(&subject(&[nps(3)], None)));
    }

    #[test]
    fn bad_rules_report_every_problem() {
        let input: RuleInput = serde_json::from_value(serde_json::json!({
            "name": " ",
            "conditions": [
                {"type": "score", "op": "lte", "value": 2},
                {"type": "score", "qtype": "text", "op": "lte", "value": 2},
                {"type": "comment", "any": []}
            ],
            "actions": {"open_case": false, "notify_emails": ["nope"]}
        }))
        .unwrap();
        let err = RuleDefinition::parse(input).unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "conditions[0]",
                "conditions[1]",
                "conditions[2]",
                "actions.notify_emails[0]",
                "actions"
            ]
        );
        // Unknown condition types are refused by the parser itself.
        assert!(
            serde_json::from_value::<RuleInput>(serde_json::json!({
                "name": "x", "conditions": [{"type": "weather"}]
            }))
            .is_err()
        );
    }

    #[test]
    fn match_form_collapses_whitespace_and_is_idempotent() {
        let s = "  Hello\u{200B}  \t WORLD\u{0007} ";
        assert_eq!(match_form(s), "hello world");
        assert_eq!(match_form(&match_form(s)), match_form(s));
    }
}
