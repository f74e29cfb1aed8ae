//! Responses: answers checked against their survey, the channel they came through, and who
//! gave them when known.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Problems;
use crate::survey::{QuestionType, SurveyDefinition};
use crate::text::{Email, LanguageTag, MAX_ANSWER_GRAPHEMES, grapheme_len};
use crate::{Invalid, period};

/// How a response reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The JSON API.
    Api,
    /// The public survey page.
    Link,
    /// A personal e-mail invitation.
    Email,
    /// The embeddable widget.
    Widget,
    /// A CSV/JSON import.
    Import,
    /// Entered by staff from a call or meeting.
    Staff,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 6] = [
        Self::Api,
        Self::Link,
        Self::Email,
        Self::Widget,
        Self::Import,
        Self::Staff,
    ];

    /// Parses a channel's wire name.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == raw)
            .ok_or_else(|| {
                Invalid::one(
                    "channel",
                    format!(
                        "`{raw}` is not a channel: use api, link, email, widget, import or staff"
                    ),
                )
            })
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Link => "link",
            Self::Email => "email",
            Self::Widget => "widget",
            Self::Import => "import",
            Self::Staff => "staff",
        }
    }
}

/// One checked answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// A score on the question's scale.
    Score(i64),
    /// Several choice keys.
    Choices(Vec<String>),
    /// Free text or one choice key.
    Text(String),
}

/// Answers by question key, each checked against its question.
pub type Answers = BTreeMap<String, Answer>;

/// Checks raw JSON answers against a survey: unknown keys, wrong types, out-of-scale scores and
/// missing required answers are reported per field (`answers.<key>`).
pub fn parse_answers(
    survey: &SurveyDefinition,
    raw: &serde_json::Map<String, Value>,
) -> Result<Answers, Invalid> {
    let mut p = Problems::default();
    let mut answers = Answers::new();
    let mut rejected = std::collections::HashSet::new();
    for (key, value) in raw {
        let field = format!("answers.{key}");
        let Some(q) = survey.question(key) else {
            p.push(field, format!("`{key}` is not a question of this survey"));
            continue;
        };
        if value.is_null() {
            continue;
        }
        let parsed = match q.qtype {
            QuestionType::Nps | QuestionType::Csat | QuestionType::Ces | QuestionType::Rating => {
                let scale = q.effective_scale().unwrap_or(crate::metrics::Scale::NPS);
                let score = value
                    .as_i64()
                    .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()));
                match score {
                    Some(s) if scale.contains(s) => Ok(Answer::Score(s)),
                    _ => Err(format!(
                        "must be a whole number from {} to {}",
                        scale.min, scale.max
                    )),
                }
            }
            QuestionType::SingleChoice => match value.as_str() {
                Some(c) if q.choices.iter().any(|x| x.key == c) => Ok(Answer::Text(c.to_owned())),
                _ => Err(format!("must be one of: {}", choice_list(q))),
            },
            QuestionType::MultiChoice => {
                let picked: Option<Vec<String>> = value
                    .as_array()
                    .map(|a| a.iter().map(|v| v.as_str().map(str::to_owned)).collect())
                    .unwrap_or(None);
                match picked {
                    Some(list) if list.iter().all(|c| q.choices.iter().any(|x| &x.key == c)) => {
                        let mut list = list;
                        list.sort();
                        list.dedup();
                        Ok(Answer::Choices(list))
                    }
                    _ => Err(format!("must be a list of: {}", choice_list(q))),
                }
            }
            QuestionType::Text => match value.as_str() {
                Some(t) if grapheme_len(t) <= MAX_ANSWER_GRAPHEMES => {
                    if t.trim().is_empty() {
                        continue;
                    }
                    // NUL cannot be stored in PostgreSQL text and carries no meaning in a
                    // comment; every other character is kept as written.
                    Ok(Answer::Text(t.replace('\0', "")))
                }
                Some(_) => Err(format!("must be at most {MAX_ANSWER_GRAPHEMES} characters")),
                None => Err("must be text".to_owned()),
            },
        };
        match parsed {
            Ok(a) => {
                answers.insert(key.clone(), a);
            }
            Err(message) => {
                rejected.insert(key.as_str());
                p.push(field, message);
            }
        }
    }
    for q in &survey.questions {
        // An answer already rejected is reported once, not also as missing.
        if q.required && !answers.contains_key(&q.key) && !rejected.contains(q.key.as_str()) {
            p.push(format!("answers.{}", q.key), "is required");
        }
    }
    if answers.is_empty() && p.is_empty() {
        p.push("answers", "a response needs at least one answer");
    }
    p.finish(answers)
}

fn choice_list(q: &crate::survey::Question) -> String {
    q.choices
        .iter()
        .map(|c| c.key.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The free-text answers of a response joined into one comment, in question order.
pub fn comment_of(survey: &SurveyDefinition, answers: &Answers) -> Option<String> {
    let parts: Vec<&str> = survey
        .questions
        .iter()
        .filter(|q| q.qtype == QuestionType::Text)
        .filter_map(|q| match answers.get(&q.key) {
            Some(Answer::Text(t)) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n"))
}

/// The person who answered, when known.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ContactRef {
    /// Their e-mail address.
    pub email: Option<String>,
    /// Their name, used when the contact is created.
    pub name: Option<String>,
}

/// The customer account the answer belongs to, when known.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AccountRef {
    /// The account's id in the customer's own systems.
    pub external_id: Option<String>,
    /// The account's name, used when the account is created.
    pub name: Option<String>,
}

/// A response as the API receives it (serialised only to be kept until it is stored, as an
/// interaction's feedback is).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseInput {
    /// Answers by question key.
    pub answers: Option<serde_json::Map<String, Value>>,
    /// The respondent's language.
    pub language: Option<String>,
    /// How it arrived; defaults to `api`.
    pub channel: Option<String>,
    /// Who answered.
    pub contact: Option<ContactRef>,
    /// For which customer account.
    pub account: Option<AccountRef>,
    /// When it was given (RFC 3339); defaults to now.
    pub submitted_at: Option<String>,
    /// Free-form extra data.
    pub metadata: Option<serde_json::Map<String, Value>>,
    /// An id from the system the response came from; a second response with the same id is
    /// a duplicate and is not counted again.
    pub external_id: Option<String>,
}

/// A checked response, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewResponse {
    /// Checked answers.
    pub answers: Answers,
    /// Respondent's language.
    pub language: Option<LanguageTag>,
    /// How it arrived.
    pub channel: Channel,
    /// Who answered, by e-mail.
    pub contact_email: Option<Email>,
    /// Their name.
    pub contact_name: Option<String>,
    /// For which account, by external id.
    pub account_external_id: Option<String>,
    /// The account's name.
    pub account_name: Option<String>,
    /// When it was given, epoch milliseconds.
    pub submitted_at_ms: i64,
    /// Extra data.
    pub metadata: serde_json::Map<String, Value>,
    /// Key that makes a repeated submission a no-op (external id, invitation or import row).
    pub dedup_key: Option<String>,
}

impl NewResponse {
    /// Checks a received response against its survey. `now_ms` fills a missing `submitted_at`;
    /// a time more than a day in the future is refused.
    pub fn parse(
        survey: &SurveyDefinition,
        input: ResponseInput,
        default_channel: Channel,
        now_ms: i64,
    ) -> Result<Self, Invalid> {
        let mut p = Problems::default();
        let answers = match input.answers.as_ref() {
            Some(raw) => p.take(parse_answers(survey, raw)),
            None => {
                p.push("answers", "is required");
                None
            }
        };
        let language = input
            .language
            .as_deref()
            .and_then(|l| p.take(LanguageTag::parse(l)));
        let channel = match input.channel.as_deref() {
            Some(c) => p.take(Channel::parse(c)).unwrap_or(default_channel),
            None => default_channel,
        };
        let contact = input.contact.unwrap_or_default();
        let contact_email = contact
            .email
            .as_deref()
            .and_then(|e| p.take(Email::parse(e).map_err(|e| at_field(e, "contact.email"))));
        let contact_name = contact
            .name
            .and_then(|n| p.take(crate::text::parse_name("contact.name", &n, 200)));
        let account = input.account.unwrap_or_default();
        let account_external_id = account
            .external_id
            .and_then(|x| p.take(crate::text::parse_name("account.external_id", &x, 200)));
        let account_name = account
            .name
            .and_then(|n| p.take(crate::text::parse_name("account.name", &n, 200)));
        let submitted_at_ms = match input.submitted_at.as_deref() {
            Some(raw) => p
                .take(period::parse_instant("submitted_at", raw))
                .unwrap_or(now_ms),
            None => now_ms,
        };
        if submitted_at_ms > now_ms + period::DAY_MS {
            p.push("submitted_at", "must not be in the future");
        }
        let dedup_key = input.external_id.and_then(|x| {
            p.take(crate::text::parse_name("external_id", &x, 200))
                .map(|x| format!("ext:{x}"))
        });
        let metadata = input.metadata.unwrap_or_default();
        if serde_json::to_string(&metadata).map_or(0, |s| s.len()) > 16 * 1024 {
            p.push("metadata", "must be at most 16 KiB of JSON");
        }
        p.finish(())?;
        Ok(Self {
            answers: answers.unwrap_or_default(),
            language,
            channel,
            contact_email,
            contact_name,
            account_external_id,
            account_name,
            submitted_at_ms,
            metadata,
            dedup_key,
        })
    }
}

fn at_field(mut e: Invalid, field: &str) -> Invalid {
    for fe in &mut e.0 {
        fe.field = field.to_owned();
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::SurveyInput;

    fn survey() -> SurveyDefinition {
        let input: SurveyInput = serde_json::from_value(serde_json::json!({
            "name": "Relationship",
            "default_language": "en",
            "questions": [
                {"key": "nps", "type": "nps", "text": {"en": "How likely…?", "ur": "کتنا امکان ہے؟"}, "required": true},
                {"key": "why", "type": "text", "text": {"en": "Why?"}},
                {"key": "csat", "type": "csat", "text": {"en": "Satisfied?"}, "scale": {"min": 1, "max": 10}},
                {"key": "plan", "type": "multi_choice", "text": {"en": "Which?"}, "choices": ["a", "b"]}
            ]
        }))
        .unwrap();
        SurveyDefinition::parse(input).unwrap()
    }

    fn answers(v: serde_json::Value) -> Result<Answers, Invalid> {
        parse_answers(&survey(), v.as_object().unwrap())
    }

    #[test]
    fn nps_eleven_is_rejected_naming_the_field() {
        let err = answers(serde_json::json!({"nps": 11})).unwrap_err();
        assert_eq!(err.0[0].field, "answers.nps");
        assert!(err.0[0].message.contains("0 to 10"));
    }

    #[test]
    fn unknown_keys_wrong_types_and_missing_required_are_all_reported() {
        let err = answers(serde_json::json!({"nope": 1, "why": 5, "plan": ["c"]})).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["answers.nope", "answers.plan", "answers.why", "answers.nps"]
        );
    }

    #[test]
    fn an_invalid_required_answer_is_reported_once() {
        let err = answers(serde_json::json!({"nps": 11})).unwrap_err();
        assert_eq!(err.0.len(), 1, "{err}");
        let err = answers(serde_json::json!({"why": "only text"})).unwrap_err();
        assert_eq!(err.0[0].message, "is required");
    }

    #[test]
    fn configured_scales_bound_scores() {
        assert!(answers(serde_json::json!({"nps": 0, "csat": 10})).is_ok());
        assert!(answers(serde_json::json!({"nps": 0, "csat": 0})).is_err());
    }

    #[test]
    fn nul_is_the_only_character_dropped_from_comments() {
        let a =
            answers(serde_json::json!({"nps": 1, "why": "bad\u{0}byte\u{7}bell\u{202e}"})).unwrap();
        assert_eq!(a["why"], Answer::Text("badbyte\u{7}bell\u{202e}".into()));
    }

    #[test]
    fn comments_join_text_answers() {
        let s = survey();
        let a = answers(serde_json::json!({"nps": 3, "why": "سروس سست ہے"})).unwrap();
        assert_eq!(comment_of(&s, &a).as_deref(), Some("سروس سست ہے"));
    }

    #[test]
    fn future_responses_are_refused() {
        let input: ResponseInput = serde_json::from_value(serde_json::json!({
            "answers": {"nps": 9}, "submitted_at": "2100-01-01T00:00:00Z"
        }))
        .unwrap();
        let err = NewResponse::parse(&survey(), input, Channel::Api, 0).unwrap_err();
        assert_eq!(err.0[0].field, "submitted_at");
    }

    #[test]
    fn survey_validation_names_each_bad_field() {
        let input: SurveyInput = serde_json::from_value(serde_json::json!({
            "name": "",
            "questions": [{"key": "a b", "type": "stars", "text": {}}]
        }))
        .unwrap();
        let err = SurveyDefinition::parse(input).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"name"));
        assert!(fields.contains(&"questions[0].key"));
        assert!(fields.contains(&"questions[0].type"));
        assert!(fields.contains(&"questions[0].text"));
    }
}
