//! Resolution message templates, one per language: show, replace (admin).

use attune_domain::closed_loop::template::{Template, default_resolution_template};
use attune_domain::text::LanguageTag;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::ApiCaller;
use crate::extract::Json;
use crate::{ApiError, AppState};

/// A resolution message template as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Template)]
pub(crate) struct TemplateBody {
    /// Primary language subtag.
    language: String,
    subject: String,
    body: String,
    /// Whether the organisation set it (else it is the built-in one).
    custom: bool,
}

/// `GET /api/v1/templates/resolution/{lang}`: the organisation's template, else the built-in.
#[utoipa::path(get, path = "/api/v1/templates/resolution/{lang}", tag = "settings",
    summary = "The resolution message in a language (the organisation's, else built in)",
    params(("lang" = crate::routes::schema::LanguageTag, Path, description = "language tag", example = "en")),
    responses((status = 200, body = TemplateBody),
        (status = 422, description = "not a language tag")))]
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(lang): Path<String>,
) -> Result<axum::Json<TemplateBody>, ApiError> {
    let lang = LanguageTag::parse(&lang)?.primary().to_owned();
    let (t, custom) = match state
        .store
        .template(caller.org(), "resolution", &lang)
        .await?
    {
        Some(t) => (t, true),
        None => (default_resolution_template(&lang), false),
    };
    Ok(axum::Json(TemplateBody {
        language: lang,
        subject: t.subject,
        body: t.body,
        custom,
    }))
}

/// A template as received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateInput {
    /// At most 300 characters, one line.
    #[schema(value_type = crate::routes::schema::Subject)]
    subject: String,
    /// Placeholders: {{name}} {{feedback}} {{resolution}} {{resurvey}} {{org}}.
    #[schema(value_type = crate::routes::schema::Text)]
    body: String,
}

/// `PUT /api/v1/templates/resolution/{lang}`
#[utoipa::path(put, path = "/api/v1/templates/resolution/{lang}", tag = "settings",
    summary = "Set the resolution message of a language (admin)",
    params(("lang" = crate::routes::schema::LanguageTag, Path, description = "language tag", example = "en")),
    request_body = TemplateInput,
    responses((status = 200, body = TemplateBody), (status = 403, description = "not an admin's token")))]
pub(crate) async fn replace(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(lang): Path<String>,
    Json(input): Json<TemplateInput>,
) -> Result<axum::Json<TemplateBody>, ApiError> {
    let actor = caller.admin()?;
    let lang = LanguageTag::parse(&lang)?.primary().to_owned();
    let t = Template::parse(&input.subject, &input.body)?;
    state
        .store
        .set_template(&actor.org_id, "resolution", &lang, &t)
        .await?;
    Ok(axum::Json(TemplateBody {
        language: lang,
        subject: t.subject,
        body: t.body,
        custom: true,
    }))
}
