//! The public survey page `/s/{id}`: in the respondent's language (`?lang=`, then
//! `Accept-Language`, then the survey's default), usable without JavaScript and by keyboard,
//! right-to-left for RTL languages. A personal link carries a signed token `t` and can be
//! answered once. The survey's access settings decide who may answer: an invitation-only
//! survey refuses the bare link politely; with `anonymous_dedup`, an anonymous form carries a
//! signed one-time token `ft` (its answer's dedup key) and answering sets a per-survey cookie.
//! An expired, missing or foreign token never loses an answer: the form comes back with what
//! was typed and a fresh token.

use std::collections::BTreeMap;

use askama::Template;
use attune_domain::survey::{QuestionType, SurveyDefinition};
use attune_domain::survey_access::FormToken;
use attune_domain::text::LanguageTag;
use attune_storage::StoreError;
use attune_storage::model::Survey;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

mod submit;

use super::{message, render};
use crate::auth::{cookie, random_token, sign_form_token, verify_invitation};
use crate::i18n::{Msg, Tr};
use crate::security::survey_csp;
use crate::{ApiError, AppState};
pub(crate) use submit::submit;

pub(crate) struct OptionView {
    value: String,
    label: String,
    checked: bool,
}

pub(crate) struct QuestionView {
    key: String,
    kind: &'static str,
    text: String,
    required: bool,
    options: Vec<OptionView>,
    value: String,
    /// Words at the two ends of an NPS scale.
    ends: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "survey.html")]
struct SurveyPage {
    t: Tr,
    title: String,
    survey_id: String,
    token: Option<String>,
    /// The one-time form token, when the survey deduplicates anonymous answers.
    form_token: Option<String>,
    /// A note above the form (e.g. "please send again").
    notice: Option<String>,
    questions: Vec<QuestionView>,
    errors: Vec<String>,
    submit_label: String,
}

/// Picks the respondent's language among the survey's.
fn choose_language(def: &SurveyDefinition, asked: Option<&str>, headers: &HeaderMap) -> String {
    let available = def.languages();
    let pick = |tag: &str| -> Option<String> {
        let tag = LanguageTag::parse(tag).ok()?;
        available
            .iter()
            .find(|a| a.as_str() == tag.as_str())
            .or_else(|| {
                available
                    .iter()
                    .find(|a| a.split('-').next() == Some(tag.primary()))
            })
            .cloned()
    };
    if let Some(l) = asked.and_then(pick) {
        return l;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mut prefs: Vec<(f32, &str)> = accept
        .split(',')
        .filter_map(|part| {
            let mut it = part.trim().split(';');
            let tag = it.next()?.trim();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse().ok())
                .unwrap_or(1.0);
            (!tag.is_empty() && tag != "*").then_some((q, tag))
        })
        .collect();
    prefs.sort_by(|a, b| b.0.total_cmp(&a.0));
    prefs
        .into_iter()
        .find_map(|(_, t)| pick(t))
        .unwrap_or_else(|| def.default_language.as_str().to_owned())
}

fn views(
    def: &SurveyDefinition,
    lang: &str,
    given: &BTreeMap<String, Vec<String>>,
) -> Vec<QuestionView> {
    let d = def.default_language.as_str();
    def.questions
        .iter()
        .map(|q| {
            let prior = given.get(&q.key).cloned().unwrap_or_default();
            let checked = |v: &str| prior.iter().any(|p| p == v);
            let (kind, options) = match q.qtype {
                QuestionType::SingleChoice | QuestionType::MultiChoice => (
                    if q.qtype == QuestionType::SingleChoice {
                        "single"
                    } else {
                        "multi"
                    },
                    q.choices
                        .iter()
                        .map(|c| OptionView {
                            value: c.key.clone(),
                            label: c
                                .label
                                .get(lang)
                                .or_else(|| c.label.get(d))
                                .cloned()
                                .unwrap_or_else(|| c.key.clone()),
                            checked: checked(&c.key),
                        })
                        .collect(),
                ),
                QuestionType::Text => ("text", Vec::new()),
                _ => {
                    let scale = q
                        .effective_scale()
                        .unwrap_or(attune_domain::metrics::Scale::NPS);
                    (
                        "scale",
                        (scale.min..=scale.max)
                            .map(|s| OptionView {
                                value: s.to_string(),
                                label: s.to_string(),
                                checked: checked(&s.to_string()),
                            })
                            .collect(),
                    )
                }
            };
            QuestionView {
                key: q.key.clone(),
                kind,
                text: q.text_in(lang, d).to_owned(),
                required: q.required,
                options,
                value: prior.first().cloned().unwrap_or_default(),
                ends: (q.qtype == QuestionType::Nps).then(|| {
                    let t = Tr::respondent(lang);
                    (t.get(Msg::SurveyNpsLow), t.get(Msg::SurveyNpsHigh))
                }),
            }
        })
        .collect()
}

/// What the survey form is rendered with besides the questions.
struct FormState<'a> {
    token: Option<String>,
    given: &'a BTreeMap<String, Vec<String>>,
    errors: Vec<String>,
    notice: Option<String>,
}

fn survey_page(state: &AppState, survey: &Survey, lang: &str, form: FormState<'_>) -> Response {
    let status = if form.errors.is_empty() && form.notice.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // Personal links are their own one-time token.
    let form_token = (survey.access.anonymous_dedup && form.token.is_none()).then(|| {
        let t = FormToken::issue(&survey.id, state.now_ms(), random_token(16));
        sign_form_token(&state.config.signing_key, &t)
    });
    let mut res = render(&SurveyPage {
        t: Tr::respondent(lang),
        title: survey.definition.name.clone(),
        survey_id: survey.id.clone(),
        token: form.token,
        form_token,
        notice: form.notice,
        questions: views(&survey.definition, lang, form.given),
        errors: form.errors,
        submit_label: Tr::respondent(lang).get(Msg::SurveySend),
    });
    *res.status_mut() = status;
    res
}

/// Name of the cookie that says this browser answered the survey.
fn answered_cookie(survey: &Survey) -> String {
    format!("attune_answered_{}", survey.id)
}

/// Whether this browser already answered (only consulted with `anonymous_dedup`).
fn answered_here(survey: &Survey, headers: &HeaderMap) -> bool {
    cookie(headers, &answered_cookie(survey)).is_some()
}

/// Marks this browser as having answered, for a year, on the survey's own path.
fn mark_answered(state: &AppState, survey: &Survey, res: &mut Response) {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let value = format!(
        "{}=1; Path=/s/{}; Max-Age=31536000; HttpOnly; SameSite=Lax{secure}",
        answered_cookie(survey),
        survey.id
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&value) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// The polite refusal of the bare link of an invitation-only survey.
fn invitation_only(lang: &str) -> Response {
    let t = Tr::respondent(lang);
    let (heading, text) = (
        Msg::SurveyInvitationOnlyHeading,
        Msg::SurveyInvitationOnlyText,
    );
    message(StatusCode::FORBIDDEN, &t, &t.get(heading), &t.get(text))
}

fn already_answered(status: StatusCode, lang: &str) -> Response {
    let t = Tr::respondent(lang);
    let (heading, text) = (Msg::SurveyThanksHeading, Msg::SurveyAlreadyAnswered);
    message(status, &t, &t.get(heading), &t.get(text))
}

/// Query of the survey page.
#[derive(Debug, Deserialize)]
pub(crate) struct SurveyQuery {
    lang: Option<String>,
    t: Option<String>,
}

/// Checks a personal link's token: its invitation id when valid and unused.
async fn check_token(
    state: &AppState,
    survey: &Survey,
    token: &str,
    lang: &str,
) -> Result<String, Response> {
    let t = Tr::respondent(lang);
    let invalid = || {
        message(
            StatusCode::FORBIDDEN,
            &t,
            &t.get(Msg::SurveyInvalidLinkHeading),
            &t.get(Msg::SurveyInvalidLinkText),
        )
    };
    let id = verify_invitation(&state.config.signing_key, token).ok_or_else(invalid)?;
    match state.store.invitation(&id).await {
        Ok(inv) if inv.survey_id != survey.id => Err(invalid()),
        Ok(inv) if inv.used_at_ms.is_some() => Err(message(
            StatusCode::CONFLICT,
            &t,
            &t.get(Msg::SurveyThanksHeading),
            &t.get(Msg::SurveyInvitationUsed),
        )),
        Ok(inv) => Ok(inv.id),
        Err(StoreError::NotFound) => Err(invalid()),
        Err(e) => Err(ApiError::from(e).into_response()),
    }
}

/// The survey behind a public address, or the page saying there is none.
async fn load_survey(state: &AppState, id: &str) -> Result<Survey, Response> {
    match state.store.public_survey(id).await {
        Ok(s) => Ok(s),
        Err(StoreError::NotFound) => {
            let t = Tr::respondent("en");
            Err(message(
                StatusCode::NOT_FOUND,
                &t,
                &t.get(Msg::SurveyNotFoundHeading),
                &t.get(Msg::SurveyNotFoundText),
            ))
        }
        Err(e) => Err(ApiError::from(e).into_response()),
    }
}

/// Every answer of `/s/{id}` carries the survey's own policy (its `frame-ancestors`), also
/// the pages after it (thanks, already answered, errors) that replace it inside a frame.
fn with_survey_csp(mut res: Response, frame_ancestors: Option<String>) -> Response {
    let ancestors = frame_ancestors.unwrap_or_else(|| "'none'".to_owned());
    res.headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, survey_csp(&ancestors));
    res
}

/// `GET /s/{id}`
pub(crate) async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<SurveyQuery>,
    headers: HeaderMap,
) -> Response {
    let mut ancestors = None;
    let res = show_survey(&state, &id, q, &headers, &mut ancestors).await;
    with_survey_csp(res, ancestors)
}

async fn show_survey(
    state: &AppState,
    id: &str,
    q: SurveyQuery,
    headers: &HeaderMap,
    ancestors: &mut Option<String>,
) -> Response {
    let survey = match load_survey(state, id).await {
        Ok(s) => s,
        Err(res) => return res,
    };
    *ancestors = Some(survey.access.frame_ancestors());
    let lang = choose_language(&survey.definition, q.lang.as_deref(), headers);
    match &q.t {
        Some(t) => {
            if let Err(res) = check_token(state, &survey, t, &lang).await {
                return res;
            }
        }
        None if survey.access.needs_invitation() => return invitation_only(&lang),
        None if survey.access.anonymous_dedup && answered_here(&survey, headers) => {
            return already_answered(StatusCode::OK, &lang);
        }
        None => {}
    }
    let form = FormState {
        token: q.t,
        given: &BTreeMap::new(),
        errors: Vec::new(),
        notice: None,
    };
    survey_page(state, &survey, &lang, form)
}
