//! Customer accounts and contacts.

use attune_domain::error::Problems;
use attune_domain::text::{Email, LanguageTag, parse_name};
use attune_storage::model::{AccountUpsert, ContactUpsert};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::auth::ApiCaller;
use crate::extract::{Json, Query};
use crate::{ApiError, AppState};

/// An account as received.
#[derive(Debug, Deserialize)]
pub(crate) struct AccountInput {
    external_id: Option<String>,
    name: Option<String>,
    plan: Option<String>,
    size_band: Option<String>,
    industry: Option<String>,
    region: Option<String>,
    owner_email: Option<String>,
    #[serde(default)]
    attributes: Map<String, Value>,
}

fn optional(p: &mut Problems, field: &str, v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
        .and_then(|s| p.take(parse_name(field, &s, 200)))
}

/// `POST /api/v1/accounts`: create or update by `external_id`.
pub(crate) async fn upsert(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<AccountInput>,
) -> Result<(StatusCode, axum::Json<Value>), ApiError> {
    let actor = caller.writer()?;
    let mut p = Problems::default();
    let external_id = match input.external_id {
        Some(x) => p.take(parse_name("external_id", &x, 200)),
        None => {
            p.push("external_id", "is required");
            None
        }
    };
    let name = optional(&mut p, "name", input.name);
    let owner_user_id = match input.owner_email {
        Some(e) => {
            let users = state.store.list_users(&actor.org_id).await?;
            let found = users
                .into_iter()
                .find(|u| u.email.eq_ignore_ascii_case(e.trim()));
            if found.is_none() {
                p.push(
                    "owner_email",
                    "no user of this organisation has that e-mail",
                );
            }
            found.map(|u| u.id)
        }
        None => None,
    };
    let account = AccountUpsert {
        name: name.or_else(|| external_id.clone()).unwrap_or_default(),
        external_id: external_id.unwrap_or_default(),
        plan: optional(&mut p, "plan", input.plan),
        size_band: optional(&mut p, "size_band", input.size_band),
        industry: optional(&mut p, "industry", input.industry),
        region: optional(&mut p, "region", input.region),
        owner_user_id,
        attributes: input.attributes,
    };
    let account = p.finish(account)?;
    let saved = state.store.upsert_account(&actor.org_id, &account).await?;
    Ok((StatusCode::CREATED, axum::Json(json!(saved))))
}

/// `GET /api/v1/accounts`
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::Json<Value>, ApiError> {
    let accounts = state.store.list_accounts(caller.org()).await?;
    Ok(axum::Json(json!({"items": accounts})))
}

/// `GET /api/v1/accounts/{id}`: the account with its contacts.
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<Value>, ApiError> {
    let account = state.store.account(caller.org(), &id).await?;
    let contacts = state
        .store
        .list_contacts(caller.org(), Some(&account.id))
        .await?;
    let mut v = json!(account);
    if let Value::Object(m) = &mut v {
        m.insert("contacts".into(), json!(contacts));
    }
    Ok(axum::Json(v))
}

/// A contact as received.
#[derive(Debug, Deserialize)]
pub(crate) struct ContactInput {
    email: Option<String>,
    account: Option<String>,
    name: Option<String>,
    phone: Option<String>,
    role: Option<String>,
    #[serde(default)]
    decision_maker: bool,
    language: Option<String>,
    #[serde(default)]
    preferences: Map<String, Value>,
}

/// `POST /api/v1/contacts`: create or update by e-mail.
pub(crate) async fn upsert_contact(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<ContactInput>,
) -> Result<(StatusCode, axum::Json<Value>), ApiError> {
    let actor = caller.writer()?;
    let mut p = Problems::default();
    let email = match input.email {
        Some(e) => p.take(Email::parse(&e)),
        None => {
            p.push("email", "is required");
            None
        }
    };
    let language = input.language.and_then(|l| {
        p.take(LanguageTag::parse(&l))
            .map(|t| t.as_str().to_owned())
    });
    let contact = ContactUpsert {
        email: email.map(|e| e.as_str().to_owned()).unwrap_or_default(),
        account_external_id: optional(&mut p, "account", input.account),
        name: optional(&mut p, "name", input.name),
        phone: optional(&mut p, "phone", input.phone),
        role: optional(&mut p, "role", input.role),
        decision_maker: input.decision_maker,
        language,
        preferences: input.preferences,
    };
    let contact = p.finish(contact)?;
    let saved = match state.store.upsert_contact(&actor.org_id, &contact).await {
        Err(attune_storage::StoreError::NotFound) => {
            return Err(ApiError::field(
                "account",
                "no account with that id or external id",
            ));
        }
        other => other?,
    };
    Ok((StatusCode::CREATED, axum::Json(json!(saved))))
}

/// Filters of the contact list.
#[derive(Debug, Deserialize)]
pub(crate) struct ContactParams {
    account: Option<String>,
}

/// `GET /api/v1/contacts?account=`
pub(crate) async fn contacts(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<ContactParams>,
) -> Result<axum::Json<Value>, ApiError> {
    let account_id = match params.account {
        Some(a) => Some(state.store.account(caller.org(), &a).await?.id),
        None => None,
    };
    let contacts = state
        .store
        .list_contacts(caller.org(), account_id.as_deref())
        .await?;
    Ok(axum::Json(json!({"items": contacts})))
}
