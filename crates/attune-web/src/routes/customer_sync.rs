//! `POST /api/v1/customers/sync`: continuous sync from another system (a CRM, a billing
//! system): up to 1,000 accounts and people a call, stored all or nothing, fields left out
//! kept.

use attune_app::customers::sync::{MAX_BATCH, SyncReport, refusal_error, sync};
use attune_domain::Invalid;
use attune_domain::customer::parse_time_zone;
use attune_domain::error::Problems;
use attune_domain::text::{Email, LanguageTag};
use attune_storage::model::{AccountRef, AccountSync, MembershipSync, PersonSync, SyncBatch};
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

use super::accounts::{AccountInput, check_account, optional};
use super::people::{MAX_EMAILS, MAX_MEMBERSHIPS, MembershipInput, membership};
use super::schema::{self, OptionalName};
use crate::auth::ApiCaller;
use crate::extract::Json;
use crate::{ApiError, AppState};

/// A person as a sync sends them: found by `email` or any of `other_emails`; preferences,
/// contact rules and accessibility needs are kept as staff set them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SyncPersonInput {
    #[schema(required = true, nullable = false, format = Email)]
    email: Option<String>,
    /// Further addresses (added; one of another person is a 409).
    #[serde(default)]
    #[schema(value_type = Vec<String>, format = Email, max_items = 20)]
    other_emails: Vec<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<OptionalName>)]
    name: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<OptionalName>)]
    phone: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<schema::LanguageTag>)]
    language: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<schema::TimeZone>)]
    time_zone: Option<String>,
    /// Memberships to create or update (each naming an account by id or external id, which
    /// may be one of this call's accounts); a title, roles or days left out are kept.
    #[serde(default)]
    #[schema(max_items = 100)]
    memberships: Vec<MembershipInput>,
}

/// A batch: accounts are stored first, so people can name them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SyncInput {
    /// Accounts, found by `external_id`. Fields left out keep what is stored; `attributes`
    /// are set one by one (`null` removes one).
    #[serde(default)]
    #[schema(max_items = 1000)]
    accounts: Vec<AccountInput>,
    /// People, found by any of their addresses.
    #[serde(default)]
    #[schema(max_items = 1000)]
    people: Vec<SyncPersonInput>,
}

/// Prefixes each problem's field with the row it is in, e.g. `accounts[3].name`.
fn at_row(list: &str, i: usize, invalid: Invalid, into: &mut Problems) {
    for e in invalid.0 {
        into.push(format!("{list}[{i}].{}", e.field), e.message);
    }
}

fn account_row(
    input: AccountInput,
    users: &[attune_storage::model::User],
) -> Result<AccountSync, Invalid> {
    let mut p = Problems::default();
    let c = check_account(&mut p, input, users);
    p.finish(AccountSync {
        source_id: None,
        external_id: c.external_id,
        name: c.name,
        plan: c.plan,
        size_band: c.size_band,
        industry: c.industry,
        region: c.region,
        owner_user_id: c.owner_user_id,
        attributes: c.attributes,
        parent: c.parent.map(|p| p.map(AccountRef::Key)),
        domains: c.domains,
        other_ids: c.other_ids,
        created_at: None,
    })
}

fn person_row(input: SyncPersonInput) -> Result<PersonSync, Invalid> {
    let mut p = Problems::default();
    let email = match input.email {
        Some(e) => p.take(Email::parse(&e)),
        None => {
            p.push("email", "is required");
            None
        }
    };
    if input.other_emails.len() > MAX_EMAILS {
        p.push("other_emails", format!("at most {MAX_EMAILS} addresses"));
    }
    if input.memberships.len() > MAX_MEMBERSHIPS {
        p.push("memberships", format!("at most {MAX_MEMBERSHIPS}"));
    }
    let other_emails = input
        .other_emails
        .iter()
        .filter_map(|e| p.take(Email::parse(e)).map(|e| e.as_str().to_owned()))
        .collect();
    let memberships = input
        .memberships
        .into_iter()
        .enumerate()
        .filter_map(|(i, m)| membership(&mut p, i, m))
        .map(|m| MembershipSync {
            account: AccountRef::Key(m.account),
            title: m.title,
            roles: (m.roles != attune_domain::customer::Roles::NONE).then_some(m.roles),
            from_day: m.from_day,
            to_day: m.to_day,
        })
        .collect();
    let language = input.language.and_then(|l| {
        p.take(LanguageTag::parse(&l))
            .map(|t| t.as_str().to_owned())
    });
    let time_zone = input
        .time_zone
        .and_then(|z| p.take(parse_time_zone("time_zone", &z)));
    let person = PersonSync {
        email: email.map(|e| e.as_str().to_owned()).unwrap_or_default(),
        other_emails,
        name: optional(&mut p, "name", input.name),
        phone: optional(&mut p, "phone", input.phone),
        language,
        time_zone,
        memberships,
    };
    p.finish(person)
}

/// `POST /api/v1/customers/sync`
#[utoipa::path(post, path = "/api/v1/customers/sync", tag = "accounts",
    summary = "Create or update up to 1,000 accounts and people at once, all or nothing",
    request_body = SyncInput,
    responses((status = 200, body = SyncReport), (status = 403, description = "a viewer's token"),
        (status = 409, description = "a row clashes with stored data (a domain or an address of another record); nothing was stored"),
        (status = 422, description = "a row is invalid or names an unknown account; nothing was stored")))]
pub(crate) async fn sync_customers(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<SyncInput>,
) -> Result<axum::Json<SyncReport>, ApiError> {
    let actor = caller.writer()?;
    let mut p = Problems::default();
    if input.accounts.len() + input.people.len() > MAX_BATCH {
        p.push(
            "accounts",
            format!("at most {MAX_BATCH} accounts and people in one call"),
        );
    }
    let users = if input.accounts.iter().any(AccountInput::names_owner) {
        state.store.list_users(&actor.org_id).await?
    } else {
        Vec::new()
    };
    let mut batch = SyncBatch::default();
    for (i, a) in input.accounts.into_iter().enumerate() {
        match account_row(a, &users) {
            Ok(a) => batch.accounts.push(a),
            Err(e) => at_row("accounts", i, e, &mut p),
        }
    }
    for (i, person) in input.people.into_iter().enumerate() {
        match person_row(person) {
            Ok(person) => batch.people.push(person),
            Err(e) => at_row("people", i, e, &mut p),
        }
    }
    let batch = p.finish(batch)?;
    let store = state.store.as_ref();
    match sync(store, &actor.org_id, &batch, state.now_ms(), &|_| {}).await? {
        Ok(report) => Ok(axum::Json(report)),
        Err(refused) => Err(refusal_error(refused).into()),
    }
}
