//! Contacts, the people on the customer's side: create or update by e-mail, list.

use attune_domain::error::Problems;
use attune_domain::text::{Email, LanguageTag};
use attune_storage::model::{Contact, ContactUpsert};
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::accounts::optional;
use super::schema::{self, Items, OptionalName};
use crate::auth::ApiCaller;
use crate::extract::{Json, Query};
use crate::{ApiError, AppState};

/// A contact as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Contact)]
pub(crate) struct ContactBody {
    id: String,
    account_id: Option<String>,
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    role: Option<String>,
    decision_maker: bool,
    language: Option<String>,
    #[schema(value_type = Object)]
    preferences: Map<String, Value>,
}

impl From<Contact> for ContactBody {
    fn from(c: Contact) -> Self {
        Self {
            id: c.id,
            account_id: c.account_id,
            name: c.name,
            email: c.email,
            phone: c.phone,
            role: c.role,
            decision_maker: c.decision_maker,
            language: c.language,
            preferences: c.preferences,
        }
    }
}

impl ContactBody {
    /// The contact as `caller` may see them: viewers do not see personal preferences.
    pub(crate) fn for_caller(mut self, caller: &ApiCaller) -> Self {
        if !caller.sees_sensitive() {
            self.preferences = Map::new();
        }
        self
    }
}

/// A contact as received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContactInput {
    /// The match key.
    #[schema(required = true, nullable = false, format = Email)]
    email: Option<String>,
    /// The account, by id or external id (blank: none; an unknown one is a 422).
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<OptionalName>)]
    account: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<OptionalName>)]
    name: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<OptionalName>)]
    phone: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<OptionalName>)]
    role: Option<String>,
    #[serde(default)]
    decision_maker: bool,
    /// Language tag, e.g. `en` (null is refused).
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<schema::LanguageTag>)]
    language: Option<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    preferences: Map<String, Value>,
}

/// `POST /api/v1/contacts`: create or update by e-mail.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "accounts",
    summary = "Create or update a contact by e-mail",
    request_body = ContactInput,
    responses((status = 201, body = ContactBody), (status = 403, description = "a viewer's token")))]
pub(crate) async fn upsert(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<ContactInput>,
) -> Result<(StatusCode, axum::Json<ContactBody>), ApiError> {
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
    Ok((StatusCode::CREATED, axum::Json(ContactBody::from(saved))))
}

/// Filters of the contact list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ContactParams {
    /// Only the contacts of this account (id or external id).
    account: Option<String>,
}

/// `GET /api/v1/contacts?account=`
#[utoipa::path(get, path = "/api/v1/contacts", tag = "accounts", summary = "List contacts",
    params(ContactParams),
    responses((status = 200, body = Items<ContactBody>), (status = 404, description = "no such account")))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<ContactParams>,
) -> Result<axum::Json<Items<ContactBody>>, ApiError> {
    let account_id = match params.account {
        Some(a) => Some(state.store.account(caller.org(), &a).await?.id),
        None => None,
    };
    let contacts = state
        .store
        .list_contacts(caller.org(), account_id.as_deref())
        .await?;
    Ok(axum::Json(Items {
        items: contacts
            .into_iter()
            .map(|c| ContactBody::from(c).for_caller(&caller))
            .collect(),
    }))
}
