//! Customer accounts: create or update by external id, list, show with their people, archive.

use attune_domain::customer::{Domain, parse_source};
use attune_domain::error::Problems;
use attune_domain::period::{format_day, format_ms};
use attune_domain::text::parse_name;
use attune_storage::model::{Account, AccountUpsert, PeopleQuery};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::contacts::ContactBody;
use super::people::PersonBody;
use super::schema::{self, Items, Name, OptionalName};
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
    /// Further attributes (segments and the churn audit can use them), e.g. the well-known
    /// `lifecycle_stage` and `budget`.
    #[serde(default)]
    #[schema(value_type = Object)]
    attributes: Map<String, Value>,
    /// The group this account belongs to: the parent's id or external id. Left out: kept;
    /// `null`: removed.
    #[serde(default, deserialize_with = "crate::extract::patch")]
    #[schema(value_type = Option<OptionalName>)]
    parent: Option<Option<String>>,
    /// Web domains (`example.com`; a URL is reduced to its domain). Left out: kept; a list
    /// replaces them. A domain of another account is a 409.
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<Vec<schema::WebDomain>>, max_items = 50)]
    domains: Option<Vec<String>>,
    /// Ids in other systems by source, e.g. `{"crm": "0015g00000XyZ", "billing": "cus_42"}`;
    /// `null` removes a source's id, sources left out are kept. An id of another account is a 409.
    #[serde(default)]
    #[schema(value_type = schema::SourceIds)]
    external_ids: Map<String, Value>,
}

impl AccountInput {
    /// Whether it names an owner (checking it needs the organisation's users).
    pub(crate) fn names_owner(&self) -> bool {
        self.owner_email.is_some()
    }
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
    /// The account this one belongs to.
    parent_id: Option<String>,
    /// Ids in other systems, by source.
    #[schema(value_type = Object)]
    external_ids: Map<String, Value>,
    domains: Vec<String>,
    /// When it was archived (RFC 3339); archived accounts keep their history.
    archived_at: Option<String>,
    /// The account it was merged into (`POST /api/v1/accounts/{id}/merge`), if it was.
    merged_into: Option<String>,
    /// RFC 3339.
    created_at: String,
    /// Our team for the account (shown for one account; empty in lists).
    team: Vec<TeamMemberBody>,
}

/// One member of our team for an account.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TeamMemberBody {
    user_id: String,
    /// `csm`, `account_executive`, `support_lead` or `executive_sponsor`.
    #[schema(value_type = String)]
    role: attune_domain::customer::TeamRole,
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
            parent_id: a.parent_id,
            external_ids: a
                .other_ids
                .into_iter()
                .map(|(source, id)| (source, Value::String(id)))
                .collect(),
            domains: a.domains,
            archived_at: a.archived_at.map(format_ms),
            merged_into: a.merged_into,
            created_at: format_ms(a.created_at),
            team: a
                .team
                .into_iter()
                .map(|(user_id, role)| TeamMemberBody { user_id, role })
                .collect(),
        }
    }
}

/// An account with the people on its side.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AccountDetail {
    #[serde(flatten)]
    account: AccountBody,
    /// Every person who is or was a member, with all their memberships.
    people: Vec<PersonBody>,
    /// The same people in the older contact form (this account, a job role, a decision-maker
    /// flag).
    contacts: Vec<ContactBody>,
}

/// A patched optional name: kept, cleared or set.
fn patched(p: &mut Problems, field: &str, v: Option<Option<String>>) -> Option<Option<String>> {
    v.map(|inner| optional(p, field, inner))
}

/// Ids in other systems to set (`Some`) or remove (`None`), by source.
type OtherIds = Vec<(String, Option<String>)>;

/// Domains and other systems' ids, checked.
fn links(
    p: &mut Problems,
    domains: Option<Vec<String>>,
    external_ids: Map<String, Value>,
) -> (Option<Vec<String>>, OtherIds) {
    if domains.as_ref().is_some_and(|d| d.len() > 50) {
        p.push("domains", "at most 50");
    }
    if external_ids.len() > 20 {
        p.push("external_ids", "at most 20 sources");
    }
    let domains = domains.map(|list| {
        let mut out: Vec<String> = list
            .iter()
            .enumerate()
            .filter_map(|(i, d)| p.take(Domain::parse(&format!("domains[{i}]"), d)))
            .map(|d| d.as_str().to_owned())
            .collect();
        out.sort();
        out.dedup();
        out
    });
    let mut ids = Vec::new();
    for (source, id) in external_ids {
        let field = format!("external_ids.{source}");
        let Some(source) = p.take(parse_source(&field, &source)) else {
            continue;
        };
        match id {
            Value::Null => ids.push((source, None)),
            Value::String(s) => {
                if let Some(id) = p.take(parse_name(&field, &s, 200)) {
                    ids.push((source, Some(id)));
                }
            }
            _ => p.push(field, "must be a string or null"),
        }
    }
    (domains, ids)
}

/// A trimmed optional name of at most 200 characters; blank is none.
pub(super) fn optional(p: &mut Problems, field: &str, v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
        .and_then(|s| p.take(parse_name(field, &s, 200)))
}

/// An account as received, checked (fields left out are `None`).
pub(super) struct CheckedAccount {
    pub(super) external_id: Option<String>,
    pub(super) name: Option<String>,
    pub(super) plan: Option<String>,
    pub(super) size_band: Option<String>,
    pub(super) industry: Option<String>,
    pub(super) region: Option<String>,
    pub(super) owner_user_id: Option<String>,
    pub(super) attributes: Map<String, Value>,
    pub(super) parent: Option<Option<String>>,
    pub(super) domains: Option<Vec<String>>,
    pub(super) other_ids: OtherIds,
}

/// Checks an account as received; `users` are the organisation's (needed only when it names
/// an owner).
pub(super) fn check_account(
    p: &mut Problems,
    input: AccountInput,
    users: &[attune_storage::model::User],
) -> CheckedAccount {
    let external_id = match input.external_id {
        Some(x) => p.take(parse_name("external_id", &x, 200)),
        None => {
            p.push("external_id", "is required");
            None
        }
    };
    let owner_user_id = input.owner_email.and_then(|e| {
        let found = users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(e.trim()));
        if found.is_none() {
            p.push(
                "owner_email",
                "no user of this organisation has that e-mail",
            );
        }
        found.map(|u| u.id.clone())
    });
    let (domains, other_ids) = links(p, input.domains, input.external_ids);
    CheckedAccount {
        external_id,
        name: optional(p, "name", input.name),
        plan: optional(p, "plan", input.plan),
        size_band: optional(p, "size_band", input.size_band),
        industry: optional(p, "industry", input.industry),
        region: optional(p, "region", input.region),
        owner_user_id,
        attributes: input.attributes,
        parent: patched(p, "parent", input.parent),
        domains,
        other_ids,
    }
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
    let users = match input.owner_email {
        Some(_) => state.store.list_users(&actor.org_id).await?,
        None => Vec::new(),
    };
    let mut p = Problems::default();
    let c = check_account(&mut p, input, &users);
    let account = AccountUpsert {
        parent: c.parent,
        domains: c.domains,
        other_ids: c.other_ids,
        name: c.name.or_else(|| c.external_id.clone()).unwrap_or_default(),
        external_id: c.external_id.unwrap_or_default(),
        plan: c.plan,
        size_band: c.size_band,
        industry: c.industry,
        region: c.region,
        owner_user_id: c.owner_user_id,
        attributes: c.attributes,
    };
    let account = p.finish(account)?;
    let before = match state
        .store
        .account(&actor.org_id, &account.external_id)
        .await
    {
        Ok(a) => Some(a),
        Err(attune_storage::StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let saved = state.store.upsert_account(&actor.org_id, &account).await?;
    // A new owner takes over the previous one's open cases by the organisation's rule.
    let saved = match before {
        Some(b) if b.owner_user_id != saved.owner_user_id => {
            let change = attune_app::customers::handover::reassign(
                state.store.as_ref(),
                &actor.org_id,
                state.store.account(&actor.org_id, &saved.id).await?,
                b.owner_user_id,
                None,
                actor.user_id.as_deref(),
                state.now_ms(),
            )
            .await?;
            change.account
        }
        _ => saved,
    };
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

/// `GET /api/v1/accounts/{id}`: the account with its people.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts",
    summary = "An account with its people",
    params(("id" = String, Path, description = "account id, external id or an id in another system")),
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
    let query = PeopleQuery {
        account_id: Some(account.id.clone()),
        after: None,
        limit: 10_000,
    };
    let people = state.store.list_people(caller.org(), &query).await?;
    Ok(axum::Json(AccountDetail {
        account: AccountBody::from(account),
        people: people
            .into_iter()
            .map(|p| PersonBody::from(p).for_caller(&caller))
            .collect(),
        contacts: contacts
            .into_iter()
            .map(|c| ContactBody::from(c).for_caller(&caller))
            .collect(),
    }))
}

/// `POST /api/v1/accounts/{id}/archive`: archives the account (it keeps its history).
#[utoipa::path(post, path = "/api/v1/accounts/{id}/archive", tag = "accounts",
    summary = "Archive an account",
    params(("id" = String, Path, description = "account id or external id")),
    responses((status = 200, body = AccountBody), (status = 404, description = "no such account")))]
pub(crate) async fn archive(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<AccountBody>, ApiError> {
    let actor = caller.writer()?;
    let now = state.now_ms();
    let saved = state
        .store
        .archive_account(&actor.org_id, &id, Some(now))
        .await?;
    Ok(axum::Json(AccountBody::from(saved)))
}

/// `DELETE /api/v1/accounts/{id}/archive`: brings an archived account back.
#[utoipa::path(delete, path = "/api/v1/accounts/{id}/archive", tag = "accounts",
    summary = "Restore an archived account",
    params(("id" = String, Path, description = "account id or external id")),
    responses((status = 200, body = AccountBody), (status = 404, description = "no such account")))]
pub(crate) async fn restore(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<AccountBody>, ApiError> {
    let actor = caller.writer()?;
    let saved = state
        .store
        .archive_account(&actor.org_id, &id, None)
        .await?;
    Ok(axum::Json(AccountBody::from(saved)))
}

/// One subscription row of an account.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AccountSubscription)]
pub(crate) struct SubscriptionBody {
    /// Product or plan ('' when the source has none).
    product: String,
    /// First active day, `YYYY-MM-DD`.
    start: String,
    /// First day no longer active; absent while it runs.
    end: Option<String>,
    /// Monthly recurring revenue in cents.
    mrr_cents: i64,
    quantity: Option<i64>,
    billing_period: Option<String>,
    cancellation_reason: Option<String>,
}

/// `GET /api/v1/accounts/{id}/subscriptions`: the account's subscription rows.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/subscriptions", tag = "accounts",
    summary = "An account's subscriptions, newest start first",
    params(("id" = String, Path, description = "account id or external id")),
    responses((status = 200, body = Items<SubscriptionBody>), (status = 404, description = "no such account")))]
pub(crate) async fn subscriptions(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<Items<SubscriptionBody>>, ApiError> {
    let account = state.store.account(caller.org(), &id).await?;
    let rows = state
        .store
        .account_subscriptions(caller.org(), &account.id)
        .await?;
    Ok(axum::Json(Items {
        items: rows
            .into_iter()
            .map(|s| SubscriptionBody {
                product: s.product,
                start: format_day(s.start_day),
                end: s.end_day.map(format_day),
                mrr_cents: s.mrr_cents,
                quantity: s.quantity,
                billing_period: s.billing_period,
                cancellation_reason: s.cancellation_reason,
            })
            .collect(),
    }))
}

/// The window of the relationship report.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct RelationshipParams {
    /// Days before now, 1–730 (default 90).
    #[param(minimum = 1, maximum = 730)]
    days: Option<u32>,
}

/// `GET /api/v1/accounts/{id}/relationship`: single-threaded or not, and why; the relationship
/// map; which roles answered.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/relationship", tag = "accounts",
    summary = "How well-threaded the relationship with an account is",
    params(("id" = String, Path, description = "account id or external id"), RelationshipParams),
    responses((status = 200, body = attune_app::customers::relationship::RelationshipReport),
        (status = 404, description = "no such account")))]
pub(crate) async fn relationship(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    crate::extract::Query(params): crate::extract::Query<RelationshipParams>,
) -> Result<axum::Json<attune_app::customers::relationship::RelationshipReport>, ApiError> {
    let account = state.store.account(caller.org(), &id).await?;
    let report = attune_app::customers::relationship::report(
        state.store.as_ref(),
        caller.org(),
        &account.id,
        params
            .days
            .unwrap_or(attune_domain::customer::relationship::DEFAULT_DAYS),
        state.now_ms(),
    )
    .await?;
    Ok(axum::Json(report))
}
