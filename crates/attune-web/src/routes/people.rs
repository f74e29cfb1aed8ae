//! People on the customer's side: create or update by e-mail (with their memberships of
//! accounts), show, list a page at a time, end or remove a membership.

use attune_domain::customer::preferences::{
    AccessNeed, ContactChannel, ContactRules, OptOut, QuietHours,
};
use attune_domain::customer::{MembershipRole, Roles, parse_time_zone};
use attune_domain::error::Problems;
use attune_domain::period::{format_day, format_ms, parse_day, parse_instant};
use attune_domain::text::{Email, LanguageTag};
use attune_storage::model::{Membership, MembershipUpsert, PeopleQuery, Person, PersonUpsert};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::accounts::optional;
use super::schema::{self, Name, OptionalName};
use crate::auth::ApiCaller;
use crate::extract::{Json, Query};
use crate::{ApiError, AppState};

/// The most memberships one request may name.
pub(super) const MAX_MEMBERSHIPS: usize = 100;
/// The most addresses one person may be given in one request.
pub(super) const MAX_EMAILS: usize = 20;

/// A person's place in one account, as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Membership)]
pub(crate) struct MembershipBody {
    account_id: String,
    account_name: String,
    /// Job title there.
    title: Option<String>,
    #[schema(value_type = Vec<schema::MembershipRole>)]
    roles: Vec<MembershipRole>,
    /// First day (`YYYY-MM-DD`), if known.
    from: Option<String>,
    /// Last day, once they have left.
    to: Option<String>,
}

impl From<Membership> for MembershipBody {
    fn from(m: Membership) -> Self {
        Self {
            account_id: m.account_id,
            account_name: m.account_name,
            title: m.title,
            roles: m.roles.iter().collect(),
            from: m.from_day.map(format_day),
            to: m.to_day.map(format_day),
        }
    }
}

/// A person as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Person)]
pub(crate) struct PersonBody {
    /// Responses, invitations and cases name the person by this id (`contact_id`).
    id: String,
    name: Option<String>,
    /// The primary address.
    email: Option<String>,
    other_emails: Vec<String>,
    phone: Option<String>,
    language: Option<String>,
    /// IANA time zone.
    time_zone: Option<String>,
    /// Personal preferences; absent for viewers (sensitive).
    #[schema(value_type = Option<Object>)]
    preferences: Option<Map<String, Value>>,
    /// How and when they want to be contacted.
    contact: ContactBody,
    /// Accessibility needs; absent for viewers (sensitive).
    #[schema(value_type = Option<Vec<schema::AccessNeed>>)]
    accessibility: Option<Vec<AccessNeed>>,
    /// Every account they are or were with: open-ended memberships first, then by last day.
    memberships: Vec<MembershipBody>,
    /// RFC 3339.
    /// The person they were merged into (`POST /api/v1/people/{id}/merge`), if they were.
    merged_into: Option<String>,
    created_at: String,
}

impl From<Person> for PersonBody {
    fn from(p: Person) -> Self {
        Self {
            id: p.id,
            name: p.name,
            email: p.email,
            other_emails: p.other_emails,
            phone: p.phone,
            language: p.language,
            time_zone: p.time_zone,
            preferences: Some(p.preferences),
            contact: ContactBody::from(p.contact_rules),
            accessibility: Some(p.accessibility),
            memberships: p
                .memberships
                .into_iter()
                .map(MembershipBody::from)
                .collect(),
            merged_into: p.merged_into,
            created_at: format_ms(p.created_at),
        }
    }
}

impl PersonBody {
    /// The person as `caller` may see them: viewers do not see sensitive data.
    pub(crate) fn for_caller(mut self, caller: &ApiCaller) -> Self {
        if !caller.sees_sensitive() {
            self.preferences = None;
            self.accessibility = None;
        }
        self
    }
}

/// Quiet hours, `HH:MM` in the person's time zone (`from` after `to` wraps midnight).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct QuietHoursBody {
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    from: String,
    #[schema(pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    to: String,
}

/// Withdrawn consent.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OptOutBody {
    /// The channel, or every channel when absent or null.
    #[serde(default)]
    #[schema(value_type = Option<schema::ContactChannel>)]
    channel: Option<ContactChannel>,
    /// When (RFC 3339 or a day).
    #[schema(value_type = schema::Instant)]
    at: String,
    /// How it was said, e.g. "asked on a call".
    #[schema(value_type = Name)]
    how: String,
}

/// How and when a person wants to be contacted.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ContactRules)]
pub(crate) struct ContactBody {
    /// Preferred channels, best first.
    #[serde(default)]
    #[schema(value_type = Vec<schema::ContactChannel>, max_items = 4)]
    channels: Vec<ContactChannel>,
    #[serde(default)]
    quiet_hours: Option<QuietHoursBody>,
    /// At most this many contacts a month (1–31).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 31)]
    max_per_month: Option<u8>,
    #[serde(default)]
    #[schema(max_items = 20)]
    opt_outs: Vec<OptOutBody>,
}

impl From<ContactRules> for ContactBody {
    fn from(r: ContactRules) -> Self {
        Self {
            channels: r.channels,
            quiet_hours: r.quiet_hours.map(|q| QuietHoursBody {
                from: QuietHours::hhmm(q.from_minute),
                to: QuietHours::hhmm(q.to_minute),
            }),
            max_per_month: r.max_per_month,
            opt_outs: r
                .opt_outs
                .into_iter()
                .map(|o| OptOutBody {
                    channel: o.channel,
                    at: format_ms(o.at_ms),
                    how: o.how,
                })
                .collect(),
        }
    }
}

fn contact_rules(p: &mut Problems, c: ContactBody) -> Option<ContactRules> {
    let quiet_hours = c
        .quiet_hours
        .and_then(|q| p.take(QuietHours::parse("contact.quiet_hours", &q.from, &q.to)));
    let mut opt_outs = Vec::new();
    for (i, o) in c.opt_outs.into_iter().enumerate() {
        let at = p.take(parse_instant(&format!("contact.opt_outs[{i}].at"), &o.at));
        let how = p.take(attune_domain::text::parse_name(
            &format!("contact.opt_outs[{i}].how"),
            &o.how,
            200,
        ));
        if let (Some(at_ms), Some(how)) = (at, how) {
            opt_outs.push(OptOut {
                channel: o.channel,
                at_ms,
                how,
            });
        }
    }
    let rules = ContactRules {
        channels: c.channels,
        quiet_hours,
        max_per_month: c.max_per_month,
        opt_outs,
    };
    p.take(rules.check("contact"))
}

/// A membership as received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MembershipInput {
    /// The account, by id or external id.
    #[schema(value_type = Name)]
    account: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<OptionalName>)]
    title: Option<String>,
    #[serde(default)]
    #[schema(value_type = Vec<schema::MembershipRole>)]
    roles: Vec<String>,
    /// First day, `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<schema::Day>)]
    from: Option<String>,
    /// Last day, `YYYY-MM-DD`, not before `from`: the person has left (their history stays).
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<schema::Day>)]
    to: Option<String>,
}

/// A person as received: matched by `email` or any of `other_emails`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PersonInput {
    #[schema(required = true, nullable = false, format = Email)]
    email: Option<String>,
    /// Further addresses of the same person (kept; one of another person is a 409).
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
    /// IANA time zone, e.g. `Asia/Karachi`.
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<schema::TimeZone>)]
    time_zone: Option<String>,
    /// Personal preferences, e.g. `{"calls": "prefers mornings"}` (sensitive: viewers do not
    /// see them).
    #[serde(default)]
    #[schema(value_type = Object)]
    preferences: Map<String, Value>,
    /// How and when to contact them. Left out: kept.
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false)]
    contact: Option<ContactBody>,
    /// Accessibility needs (sensitive). Left out: kept.
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<Vec<schema::AccessNeed>>)]
    accessibility: Option<Vec<AccessNeed>>,
    /// Memberships to create or update (each naming an account of the organisation); the
    /// person's other memberships are kept.
    #[serde(default)]
    #[schema(max_items = 100)]
    memberships: Vec<MembershipInput>,
}

pub(super) fn membership(
    p: &mut Problems,
    i: usize,
    m: MembershipInput,
) -> Option<MembershipUpsert> {
    let field = |f: &str| format!("memberships[{i}].{f}");
    let account = match m.account.filter(|a| !a.trim().is_empty()) {
        Some(a) => Some(a.trim().to_owned()),
        None => {
            p.push(field("account"), "is required");
            None
        }
    };
    let roles = p.take(Roles::parse(
        &field("roles"),
        m.roles.iter().map(String::as_str),
    ));
    let from_day = m.from.and_then(|d| p.take(parse_day(&field("from"), &d)));
    let to_day = m.to.and_then(|d| p.take(parse_day(&field("to"), &d)));
    if let (Some(f), Some(t)) = (from_day, to_day)
        && t < f
    {
        p.push(field("to"), "is before `from`");
    }
    Some(MembershipUpsert {
        account: account?,
        title: optional(p, &field("title"), m.title),
        roles: roles?,
        from_day,
        to_day,
    })
}

fn person(input: PersonInput) -> Result<PersonUpsert, ApiError> {
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
    let mut other_emails: Vec<String> = input
        .other_emails
        .iter()
        .filter_map(|e| p.take(Email::parse(e)).map(|e| e.as_str().to_owned()))
        .filter(|e| Some(e.as_str()) != email.as_ref().map(Email::as_str))
        .collect();
    other_emails.sort();
    other_emails.dedup();
    if input.memberships.len() > MAX_MEMBERSHIPS {
        p.push(
            "memberships",
            format!("at most {MAX_MEMBERSHIPS} in one request"),
        );
    }
    let memberships: Vec<MembershipUpsert> = input
        .memberships
        .into_iter()
        .enumerate()
        .filter_map(|(i, m)| membership(&mut p, i, m))
        .collect();
    let language = input.language.and_then(|l| {
        p.take(LanguageTag::parse(&l))
            .map(|t| t.as_str().to_owned())
    });
    let time_zone = input
        .time_zone
        .and_then(|z| p.take(parse_time_zone("time_zone", &z)));
    let person = PersonUpsert {
        email: email.map(|e| e.as_str().to_owned()).unwrap_or_default(),
        other_emails,
        name: optional(&mut p, "name", input.name),
        phone: optional(&mut p, "phone", input.phone),
        language,
        time_zone,
        preferences: input.preferences,
        contact_rules: input.contact.and_then(|c| contact_rules(&mut p, c)),
        accessibility: input.accessibility.map(|mut a| {
            a.sort_by_key(|n| AccessNeed::ALL.iter().position(|x| x == n));
            a.dedup();
            a
        }),
        memberships,
    };
    Ok(p.finish(person)?)
}

/// `POST /api/v1/people`: create or update a person and the memberships named.
#[utoipa::path(post, path = "/api/v1/people", tag = "accounts",
    summary = "Create or update a person by e-mail, with memberships of accounts",
    request_body = PersonInput,
    responses((status = 201, body = PersonBody), (status = 403, description = "a viewer's token"),
        (status = 409, description = "the addresses belong to two different people, or a membership names no known account")))]
pub(crate) async fn upsert(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<PersonInput>,
) -> Result<(StatusCode, axum::Json<PersonBody>), ApiError> {
    let actor = caller.writer()?;
    let person = person(input)?;
    let saved = match state.store.upsert_person(&actor.org_id, &person).await {
        Err(attune_storage::StoreError::NotFound) => {
            return Err(ApiError::field(
                "memberships",
                "a membership names no account with that id or external id",
            ));
        }
        other => other?,
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(PersonBody::from(saved).for_caller(&caller)),
    ))
}

/// Which people to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct PeopleParams {
    /// Only members (current or past) of this account (id or external id).
    account: Option<String>,
    /// The `next` of the previous page.
    after: Option<String>,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

/// A page of people.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PeoplePage {
    items: Vec<PersonBody>,
    /// Pass as `after` for the next page; absent on the last.
    next: Option<String>,
}

/// `GET /api/v1/people?account=&after=&limit=`
#[utoipa::path(get, path = "/api/v1/people", tag = "accounts",
    summary = "List people, a page at a time",
    params(PeopleParams),
    responses((status = 200, body = PeoplePage), (status = 404, description = "no such account")))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<PeopleParams>,
) -> Result<axum::Json<PeoplePage>, ApiError> {
    let limit = params.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::field("limit", "must be from 1 to 500"));
    }
    let account_id = match params.account {
        Some(a) => Some(state.store.account(caller.org(), &a).await?.id),
        None => None,
    };
    let query = PeopleQuery {
        account_id,
        after: params.after,
        limit: limit + 1,
    };
    let mut people = state.store.list_people(caller.org(), &query).await?;
    let next = if people.len() > limit as usize {
        people.truncate(limit as usize);
        people.last().map(|p| p.id.clone())
    } else {
        None
    };
    Ok(axum::Json(PeoplePage {
        items: people
            .into_iter()
            .map(|p| PersonBody::from(p).for_caller(&caller))
            .collect(),
        next,
    }))
}

/// `GET /api/v1/people/{id}`: one person by id or by any of their addresses.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "accounts",
    summary = "A person with their memberships",
    params(("id" = String, Path, description = "person id or e-mail address")),
    responses((status = 200, body = PersonBody), (status = 404, description = "no such person")))]
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<PersonBody>, ApiError> {
    let person = if id.contains('@') {
        let email = Email::parse(&id).map_err(|_| ApiError::NotFound)?;
        state
            .store
            .person_by_email(caller.org(), email.as_str())
            .await?
    } else {
        state.store.person(caller.org(), &id).await?
    };
    Ok(axum::Json(PersonBody::from(person).for_caller(&caller)))
}

/// `DELETE /api/v1/people/{id}/memberships/{account}`: removes a membership recorded by
/// mistake (someone who left is given a `to` day instead, which keeps the history).
#[utoipa::path(delete, path = "/api/v1/people/{id}/memberships/{account}", tag = "accounts",
    summary = "Remove a membership",
    params(("id" = String, Path, description = "person id"),
        ("account" = String, Path, description = "account id or external id")),
    responses((status = 204), (status = 404, description = "no such membership")))]
pub(crate) async fn remove_membership(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, account)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let actor = caller.writer()?;
    state
        .store
        .remove_membership(&actor.org_id, &id, &account)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
