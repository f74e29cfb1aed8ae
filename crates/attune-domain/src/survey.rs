//! Surveys and their questions: what can be asked, in which languages, and which answers fit.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Problems;
use crate::metrics::Scale;
use crate::text::{LanguageTag, parse_name};
use crate::{FieldError, Invalid};

/// Most questions one survey may hold.
pub const MAX_QUESTIONS: usize = 50;

/// The kinds of question a survey can ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionType {
    /// "How likely are you to recommend us?" on 0–10.
    Nps,
    /// Satisfaction, 1–5 unless configured.
    Csat,
    /// Customer effort, 1–7 unless configured.
    Ces,
    /// A plain rating on a configured scale (1–5 by default).
    Rating,
    /// Pick one of the choices.
    SingleChoice,
    /// Pick any of the choices.
    MultiChoice,
    /// Free text.
    Text,
}

impl QuestionType {
    /// Parses the type's wire name.
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "nps" => Self::Nps,
            "csat" => Self::Csat,
            "ces" => Self::Ces,
            "rating" => Self::Rating,
            "single_choice" => Self::SingleChoice,
            "multi_choice" => Self::MultiChoice,
            "text" => Self::Text,
            _ => return None,
        })
    }

    /// The type's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nps => "nps",
            Self::Csat => "csat",
            Self::Ces => "ces",
            Self::Rating => "rating",
            Self::SingleChoice => "single_choice",
            Self::MultiChoice => "multi_choice",
            Self::Text => "text",
        }
    }

    /// The scale used when none is configured; `None` for non-numeric questions.
    pub fn default_scale(self) -> Option<Scale> {
        match self {
            Self::Nps => Some(Scale::NPS),
            Self::Csat | Self::Rating => Some(Scale::CSAT_DEFAULT),
            Self::Ces => Some(Scale::CES_DEFAULT),
            _ => None,
        }
    }

    /// Whether a scale may be configured (NPS is always 0–10).
    fn scale_configurable(self) -> bool {
        matches!(self, Self::Csat | Self::Ces | Self::Rating)
    }

    /// Whether the question lists choices.
    fn has_choices(self) -> bool {
        matches!(self, Self::SingleChoice | Self::MultiChoice)
    }
}

/// One option of a choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// Stable key stored in answers.
    pub key: String,
    /// Label per language.
    pub label: BTreeMap<String, String>,
}

/// A question as stored: validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable key that answers refer to, e.g. `nps` or `why`.
    pub key: String,
    /// What kind of answer it takes.
    #[serde(rename = "type")]
    pub qtype: QuestionType,
    /// The question's wording per language tag.
    pub text: BTreeMap<String, String>,
    /// Whether a response must answer it.
    #[serde(default)]
    pub required: bool,
    /// The numeric scale, for numeric questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Scale>,
    /// The options, for choice questions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
}

impl Question {
    /// The numeric scale in force (configured or the type's default).
    pub fn effective_scale(&self) -> Option<Scale> {
        self.scale.or_else(|| self.qtype.default_scale())
    }

    /// The groups of answers that key drivers compare, as (the highest score of the focus
    /// group, the lowest of the background): NPS detractors (0–6) against promoters (9–10);
    /// CSAT the bottom two scores of its scale against the top two (≤ 2 against ≥ 4 on 1–5).
    /// `None` for other types.
    pub fn driver_groups(&self) -> Option<(i64, i64)> {
        match self.qtype {
            QuestionType::Nps => Some((6, 9)),
            QuestionType::Csat => {
                let scale = self.effective_scale().unwrap_or(Scale { min: 1, max: 5 });
                Some((scale.min + 1, scale.max - 1))
            }
            _ => None,
        }
    }

    /// The wording in `lang`, falling back to `default_lang`, then to any wording.
    pub fn text_in(&self, lang: &str, default_lang: &str) -> &str {
        self.text
            .get(lang)
            .or_else(|| self.text.get(default_lang))
            .or_else(|| self.text.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// A survey definition as the API receives it, before validation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyInput {
    /// Name shown to staff.
    pub name: Option<String>,
    /// Language used when the respondent's is not available.
    pub default_language: Option<String>,
    /// Questions, in order.
    #[serde(default)]
    pub questions: Vec<QuestionInput>,
    /// Access settings (who may answer, embedding); public when left out.
    #[serde(default)]
    pub access: Option<crate::survey_access::SurveyAccessInput>,
}

/// A question as the API receives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    /// Stable key.
    pub key: Option<String>,
    /// Type name.
    #[serde(rename = "type")]
    pub qtype: Option<String>,
    /// Wording per language.
    #[serde(default)]
    pub text: BTreeMap<String, String>,
    /// Whether it must be answered.
    #[serde(default)]
    pub required: bool,
    /// Scale for csat, ces and rating.
    pub scale: Option<ScaleInput>,
    /// Options for choice questions.
    #[serde(default)]
    pub choices: Vec<ChoiceInput>,
}

/// A scale as received.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleInput {
    /// Lowest score.
    pub min: i64,
    /// Highest score.
    pub max: i64,
}

/// A choice as received: a bare key, or a key with labels.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ChoiceInput {
    /// Key only; the key is also the label.
    Key(String),
    /// Key with labels per language.
    Labeled {
        /// Stable key.
        key: String,
        /// Label per language.
        #[serde(default)]
        label: BTreeMap<String, String>,
    },
}

/// A validated survey, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyDefinition {
    /// Name shown to staff.
    pub name: String,
    /// Fallback language.
    pub default_language: LanguageTag,
    /// Questions, in order.
    pub questions: Vec<Question>,
}

impl SurveyDefinition {
    /// Validates a whole survey, reporting every problem with its field path.
    pub fn parse(input: SurveyInput) -> Result<Self, Invalid> {
        let mut p = Problems::default();
        let name = match input.name.as_deref() {
            Some(n) => p.take(parse_name("name", n, 200)),
            None => {
                p.push("name", "is required");
                None
            }
        };
        let default_language = match input.default_language.as_deref() {
            Some(l) => p.take(LanguageTag::parse(l).map_err(|e| rename(e, "default_language"))),
            None => Some(LanguageTag::parse("en").map_err(|_| Invalid(vec![]))?),
        };
        if input.questions.is_empty() {
            p.push("questions", "a survey needs at least one question");
        }
        if input.questions.len() > MAX_QUESTIONS {
            p.push(
                "questions",
                format!("a survey may have at most {MAX_QUESTIONS} questions"),
            );
        }
        let mut questions = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, q) in input.questions.into_iter().enumerate() {
            let at = format!("questions[{i}]");
            if let Some(q) = p.take(parse_question(&at, q, default_language.as_ref())) {
                if !seen.insert(q.key.clone()) {
                    p.push(format!("{at}.key"), format!("`{}` is used twice", q.key));
                }
                questions.push(q);
            }
        }
        let (Some(name), Some(default_language)) = (name, default_language) else {
            return Err(p.finish(()).err().unwrap_or_else(|| Invalid(vec![])));
        };
        p.finish(Self {
            name,
            default_language,
            questions,
        })
    }

    /// The question with this key.
    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.key == key)
    }

    /// Every language the survey has wording in, default first.
    pub fn languages(&self) -> Vec<String> {
        let mut langs = vec![self.default_language.as_str().to_owned()];
        for q in &self.questions {
            for l in q.text.keys() {
                if !langs.contains(l) {
                    langs.push(l.clone());
                }
            }
        }
        langs
    }
}

fn rename(mut e: Invalid, field: &str) -> Invalid {
    for fe in &mut e.0 {
        fe.field = field.to_owned();
    }
    e
}

fn is_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn parse_question(
    at: &str,
    q: QuestionInput,
    default_language: Option<&LanguageTag>,
) -> Result<Question, Invalid> {
    let mut p = Problems::default();
    let key = question_key(&mut p, at, q.key);
    let qtype = question_type(&mut p, at, q.qtype.as_deref());
    let text = wording(&mut p, at, q.text, default_language);
    let scale = qtype.and_then(|t| q.scale.and_then(|s| scale(&mut p, at, t, s)));
    let choices = match qtype {
        Some(t) => choices(&mut p, at, t, q.choices),
        None => Vec::new(),
    };
    match (key, qtype) {
        (Some(key), Some(qtype)) => p.finish(Question {
            key,
            qtype,
            text,
            required: q.required,
            scale,
            choices,
        }),
        _ => Err(p.finish(()).err().unwrap_or_else(|| {
            Invalid(vec![FieldError {
                field: at.to_owned(),
                message: "is invalid".into(),
            }])
        })),
    }
}

fn question_key(p: &mut Problems, at: &str, key: Option<String>) -> Option<String> {
    match key {
        Some(k) if is_key(&k) => Some(k),
        Some(k) => {
            p.push(
                format!("{at}.key"),
                format!("`{k}` must be 1–64 letters, digits, `_` or `-`"),
            );
            None
        }
        None => {
            p.push(format!("{at}.key"), "is required");
            None
        }
    }
}

fn question_type(p: &mut Problems, at: &str, qtype: Option<&str>) -> Option<QuestionType> {
    let Some(t) = qtype else {
        p.push(format!("{at}.type"), "is required");
        return None;
    };
    let parsed = QuestionType::parse(t);
    if parsed.is_none() {
        p.push(
            format!("{at}.type"),
            format!(
                "`{t}` is not a question type: use nps, csat, ces, rating, single_choice, multi_choice or text"
            ),
        );
    }
    parsed
}

/// The question's wording per language: at least one, and the default language's when the
/// survey names one.
fn wording(
    p: &mut Problems,
    at: &str,
    input: BTreeMap<String, String>,
    default_language: Option<&LanguageTag>,
) -> BTreeMap<String, String> {
    let mut text = BTreeMap::new();
    if input.is_empty() {
        p.push(
            format!("{at}.text"),
            "needs the question's wording in at least one language",
        );
    }
    for (lang, wording) in input {
        match LanguageTag::parse(&lang) {
            Ok(tag) => {
                if let Some(w) = p.take(parse_name(&format!("{at}.text.{lang}"), &wording, 1000)) {
                    text.insert(tag.as_str().to_owned(), w);
                }
            }
            Err(_) => p.push(
                format!("{at}.text.{lang}"),
                format!("`{lang}` is not a language tag"),
            ),
        }
    }
    if let Some(d) = default_language
        && !text.is_empty()
        && !text.contains_key(d.as_str())
    {
        p.push(
            format!("{at}.text"),
            format!("needs wording in the default language `{d}`"),
        );
    }
    text
}

fn scale(p: &mut Problems, at: &str, t: QuestionType, s: ScaleInput) -> Option<Scale> {
    if !t.scale_configurable() {
        p.push(
            format!("{at}.scale"),
            format!("a {} question has a fixed scale", t.as_str()),
        );
        None
    } else if s.min >= s.max || s.min < -100 || s.max > 100 || s.max - s.min < 2 {
        p.push(
            format!("{at}.scale"),
            "needs min < max with at least three points, within -100..100",
        );
        None
    } else {
        Some(Scale {
            min: s.min,
            max: s.max,
        })
    }
}

fn choices(p: &mut Problems, at: &str, t: QuestionType, input: Vec<ChoiceInput>) -> Vec<Choice> {
    let mut choices = Vec::new();
    if !t.has_choices() {
        if !input.is_empty() {
            p.push(
                format!("{at}.choices"),
                format!("a {} question has no choices", t.as_str()),
            );
        }
        return choices;
    }
    if input.len() < 2 {
        p.push(format!("{at}.choices"), "needs at least two choices");
    }
    for (i, c) in input.into_iter().enumerate() {
        let (key, label) = match c {
            ChoiceInput::Key(k) => (k.clone(), BTreeMap::new()),
            ChoiceInput::Labeled { key, label } => (key, label),
        };
        if !is_key(&key) {
            p.push(
                format!("{at}.choices[{i}]"),
                "keys must be 1–64 letters, digits, `_` or `-`",
            );
        } else if choices.iter().any(|c: &Choice| c.key == key) {
            p.push(
                format!("{at}.choices[{i}]"),
                format!("`{key}` is used twice"),
            );
        } else {
            choices.push(Choice { key, label });
        }
    }
    choices
}
