//! Customer accounts: create or update by external id, list, show with contacts.

use attune_domain::error::Problems;
use attune_domain::text::parse_name;
use attune_storage::model::{Account, AccountUpsert};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::contacts::ContactBody;
use super::schema::{Items, Name, OptionalName};
use crate::auth::ApiCaller;
use crate::extract::Json;
use crate::{ApiError, AppState};

/// An account as received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountInput {
    /// The account's id in the customer's own systems (the match key).
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(required = true, nullable = false, value_type = Option<Name>)]
    external_id: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<OptionalName>)]
    name: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<OptionalName>)]
    plan: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<OptionalName>, example = "11-50")]
    size_band: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<OptionalName>)]
    industry: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<OptionalName>)]
    region: Option<String>,
    /// The e-mail of a staff user of the organisation, who owns the relationship (another
    /// address is a 422).
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, format = Email)]
    owner_email: Option<String>,
    /// Custom attributes (segments and the churn audit can use them).
    #[serde(default)]
    #[schema(value_type = Object)]
    attributes: Map<String, Value>,
}

/// An account as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Account)]
pub(crate) struct AccountBody {
    id: String,
    external_id: Option<String>,
    name: String,
    plan: Option<String>,
    size_band: Option<String>,
    industry: Option<String>,
    region: Option<String>,
    /// The staff user who owns the relationship.
    owner_user_id: Option<String>,
    #[schema(value_type = Object)]
    attributes: Map<String, Value>,
}

impl From<Account> for AccountBody {
    fn from(a: Account) -> Self {
        Self {
            id: a.id,
            external_id: a.external_id,
            name: a.name,
            plan: a.plan,
            size_band: a.size_band,
            industry: a.industry,
            region: a.region,
            owner_user_id: a.owner_user_id,
            attributes: a.attributes,
        }
    }
}

/// An account with its contacts.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AccountDetail {
    #[serde(flatten)]
    account: AccountBody,
    contacts: Vec<ContactBody>,
}

/// A trimmed optional name of at most 200 characters; blank is none.
pub(super) fn optional(p: &mut Problems, field: &str, v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
        .and_then(|s| p.take(parse_name(field, &s, 200)))
}

/// `POST /api/v1/accounts`: create or update by `external_id`.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts",
    summary = "Create or update an account by external id",
    request_body = AccountInput,
    responses((status = 201, body = AccountBody), (status = 403, description = "a viewer's token")))]
pub(crate) async fn upsert(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<AccountInput>,
) -> Result<(StatusCode, axum::Json<AccountBody>), ApiError> {
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
    Ok((StatusCode::CREATED, axum::Json(AccountBody::from(saved))))
}

/// `GET /api/v1/accounts`
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", summary = "List accounts",
    responses((status = 200, body = Items<AccountBody>)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::Json<Items<AccountBody>>, ApiError> {
    let accounts = state.store.list_accounts(caller.org()).await?;
    Ok(axum::Json(Items {
        items: accounts.into_iter().map(AccountBody::from).collect(),
    }))
}

/// `GET /api/v1/accounts/{id}`: the account with its contacts.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts",
    summary = "An account with its contacts",
    params(("id" = String, Path, description = "account id or external id")),
    responses((status = 200, body = AccountDetail), (status = 404, description = "no such account")))]
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<AccountDetail>, ApiError> {
    let account = state.store.account(caller.org(), &id).await?;
    let contacts = state
        .store
        .list_contacts(caller.org(), Some(&account.id))
        .await?;
    Ok(axum::Json(AccountDetail {
        account: AccountBody::from(account),
        contacts: contacts.into_iter().map(ContactBody::from).collect(),
    }))
}
