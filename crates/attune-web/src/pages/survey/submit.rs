//! `POST /s/{survey}`: the answers read from the form, checked, rate limited and stored, or
//! the page shown again with each problem beside its question.

use std::collections::BTreeMap;

use attune_domain::response::{Channel, NewResponse, ResponseInput};
use attune_domain::survey::{QuestionType, SurveyDefinition};
use attune_domain::survey_access::FormTokenCheck;
use attune_storage::StoreError;
use attune_storage::model::Survey;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::super::{ClientIp, message};
use super::*;
use crate::auth::verify_form_token;
use crate::extract::Form;
use crate::i18n::{Msg, Tr};
use crate::ratelimit::Key;
use crate::{ApiError, AppState};

/// Problems as the respondent reads them: a field `<prefix><question key>` is named by the
/// question's text in their language; other fields by their name.
fn field_messages(
    def: &SurveyDefinition,
    lang: &str,
    problems: &[attune_domain::FieldError],
    prefix: &str,
) -> Vec<String> {
    let d = def.default_language.as_str();
    problems
        .iter()
        .map(|e| {
            let q = e
                .field
                .strip_prefix(prefix)
                .and_then(|k| def.question(k))
                .map(|q| q.text_in(lang, d).to_owned());
            match q {
                Some(text) => format!("{text}: {}", e.message),
                None if prefix == "q." => format!("{}: {}", e.field, e.message),
                None => e.message.clone(),
            }
        })
        .collect()
}

/// `POST /s/{id}`: fields `q.<key>` (repeated for multiple choice), `lang`, optional `t` (a
/// personal link) and `ft` (a one-time form token). Nothing else is read: who answers comes
/// from the invitation alone.
pub(crate) async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, ApiError>,
) -> Response {
    let mut ancestors = None;
    let res = submit_answers(&state, ip, &id, &headers, form, &mut ancestors).await;
    with_survey_csp(res, ancestors)
}

async fn submit_answers(
    state: &AppState,
    ip: std::net::IpAddr,
    id: &str,
    headers: &HeaderMap,
    form: Result<Form<Vec<(String, String)>>, ApiError>,
    ancestors: &mut Option<String>,
) -> Response {
    let survey = match load_survey(state, id).await {
        Ok(s) => s,
        Err(res) => return res,
    };
    *ancestors = Some(survey.access.frame_ancestors());
    let fields = match form {
        Ok(Form(fields)) => fields,
        Err(ApiError::Invalid(problems)) => {
            // The form could not be read (a NUL in a field): shown on the survey, typed
            // answers cannot be kept.
            let lang = choose_language(&survey.definition, None, headers);
            let form = FormState {
                token: None,
                given: &BTreeMap::new(),
                errors: field_messages(&survey.definition, &lang, &problems, "q."),
                notice: None,
            };
            return survey_page(state, &survey, &lang, form);
        }
        Err(e) => return crate::nul::page_refusal(&e, &Tr::from_headers(headers)),
    };
    let Posted {
        given,
        lang,
        token,
        form_token,
    } = Posted::read(fields);
    let lang = choose_language(&survey.definition, lang.as_deref(), headers);
    if let Err(secs) = state.limits.public.check(Key::addr(ip)) {
        return too_many(state, &survey, &lang, token, &given, secs);
    }
    let invitation = match &token {
        Some(t) => match check_token(state, &survey, t, &lang).await {
            Ok(id) => Some(id),
            Err(res) => return res,
        },
        None if survey.access.needs_invitation() => return invitation_only(&lang),
        None => None,
    };
    // Anonymous answers to a deduplicated survey: the same browser is told it answered; a
    // valid one-time token becomes the answer's dedup key; a bad one brings the form back.
    let dedup = survey.access.anonymous_dedup && invitation.is_none();
    if dedup && answered_here(&survey, headers) {
        return already_answered(StatusCode::CONFLICT, &lang);
    }
    let form_key = if dedup {
        let now = state.now_ms();
        match form_token
            .as_deref()
            .and_then(|t| verify_form_token(&state.config.signing_key, t))
        {
            Some(t) if t.check(&survey.id, now) == FormTokenCheck::Valid => Some(t.dedup_key()),
            _ => {
                let form = FormState {
                    token: None,
                    given: &given,
                    errors: Vec::new(),
                    notice: Some(Tr::respondent(&lang).get(Msg::SurveySendAgain)),
                };
                return survey_page(state, &survey, &lang, form);
            }
        }
    } else {
        None
    };
    let answers = answers_of(&survey.definition, &given);
    let input = ResponseInput {
        answers: Some(answers),
        language: Some(lang.clone()),
        channel: Some(
            if invitation.is_some() {
                "email"
            } else {
                "link"
            }
            .into(),
        ),
        contact: None,
        account: None,
        submitted_at: None,
        metadata: None,
        external_id: None,
    };
    let now = state.now_ms();
    let response = match NewResponse::parse(&survey.definition, input, Channel::Link, now) {
        Ok(mut r) => {
            if form_key.is_some() {
                r.dedup_key = form_key;
            }
            r
        }
        Err(invalid) => {
            let errors = field_messages(&survey.definition, &lang, &invalid.0, "answers.");
            let form = FormState {
                token,
                given: &given,
                errors,
                notice: None,
            };
            return survey_page(state, &survey, &lang, form);
        }
    };
    let stored = store_answer(
        state,
        &survey,
        &response,
        invitation.as_deref(),
        now,
        &lang,
        dedup,
    )
    .await;
    stored.unwrap_or_else(|Busy| busy(state, &survey, &lang, token, &given))
}

/// The writer's queue was full: nothing was stored.
struct Busy;

/// The form again, with what was typed, when the server is too busy to store it now.
fn busy(
    state: &AppState,
    survey: &Survey,
    lang: &str,
    token: Option<String>,
    given: &BTreeMap<String, Vec<String>>,
) -> Response {
    let form = FormState {
        token,
        given,
        errors: vec![Tr::respondent(lang).get(Msg::SurveyBusy)],
        notice: None,
    };
    let mut res = survey_page(state, survey, lang, form);
    *res.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    res.headers_mut()
        .insert(header::RETRY_AFTER, axum::http::HeaderValue::from(1));
    res
}

/// The form again, with what was typed and when to send it.
fn too_many(
    state: &AppState,
    survey: &Survey,
    lang: &str,
    token: Option<String>,
    given: &BTreeMap<String, Vec<String>>,
    secs: u64,
) -> Response {
    let wait = Tr::respondent(lang).args(Msg::SurveyTooMany, [("seconds", secs.into())]);
    let form = FormState {
        token,
        given,
        errors: vec![wait],
        notice: None,
    };
    let mut res = survey_page(state, survey, lang, form);
    *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    res.headers_mut()
        .insert(header::RETRY_AFTER, axum::http::HeaderValue::from(secs));
    res
}

/// What a survey form posted: the answers by question key, and the hidden fields.
struct Posted {
    given: BTreeMap<String, Vec<String>>,
    lang: Option<String>,
    token: Option<String>,
    form_token: Option<String>,
}

impl Posted {
    fn read(fields: Vec<(String, String)>) -> Self {
        let mut given: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let (mut lang, mut token, mut form_token) = (None, None, None);
        for (k, v) in fields {
            match k.as_str() {
                "lang" => lang = Some(v),
                "t" if !v.is_empty() => token = Some(v),
                "ft" if !v.is_empty() => form_token = Some(v),
                _ => {
                    if let Some(key) = k.strip_prefix("q.") {
                        given.entry(key.to_owned()).or_default().push(v);
                    }
                }
            }
        }
        Self {
            given,
            lang,
            token,
            form_token,
        }
    }
}

/// The posted values as the answers of a response (empty text left out).
fn answers_of(
    definition: &SurveyDefinition,
    given: &BTreeMap<String, Vec<String>>,
) -> Map<String, Value> {
    let mut answers = Map::new();
    for (key, values) in given {
        let Some(q) = definition.question(key) else {
            continue;
        };
        let value = match q.qtype {
            QuestionType::MultiChoice => Value::from(values.clone()),
            QuestionType::Text | QuestionType::SingleChoice => {
                Value::from(values.first().cloned().unwrap_or_default())
            }
            _ => match values.first().map(|v| v.trim().parse::<i64>()) {
                Some(Ok(n)) => Value::from(n),
                Some(Err(_)) => Value::from(values.first().cloned().unwrap_or_default()),
                None => Value::Null,
            },
        };
        if !(value.is_string() && value.as_str().is_some_and(str::is_empty)) {
            answers.insert(key.clone(), value);
        }
    }
    answers
}

/// Stores the answer and thanks the respondent (or says the form was already answered).
async fn store_answer(
    state: &AppState,
    survey: &Survey,
    response: &NewResponse,
    invitation: Option<&str>,
    now: i64,
    lang: &str,
    dedup: bool,
) -> Result<Response, Busy> {
    Ok(
        match state
            .store
            .insert_response(&survey.org_id, survey, response, invitation, now)
            .await
        {
            Ok(stored) => {
                tracing::info!(org.id = %survey.org_id, survey.id = %survey.id, response.id = %stored.id, "public response stored");
                let t = Tr::respondent(lang);
                let (heading, text) = (Msg::SurveyThanksHeading, Msg::SurveyThanksText);
                let mut res = message(StatusCode::OK, &t, &t.get(heading), &t.get(text));
                if dedup {
                    mark_answered(state, survey, &mut res);
                }
                res
            }
            Err(StoreError::Conflict(_)) => {
                let mut res = already_answered(StatusCode::CONFLICT, lang);
                if dedup {
                    mark_answered(state, survey, &mut res);
                }
                res
            }
            Err(StoreError::Busy(_)) => return Err(Busy),
            Err(e) => ApiError::from(e).into_response(),
        },
    )
}
