//! `GET /accounts`: the accounts with their relationship flag, filtered by flag, owner or an
//! attribute and sorted (the filters are kept in the URL, so a view can be shared), with the
//! customer search above them.

use askama::Template;
use attune_app::customers::flags::{FlagFilter, FlagQuery, FlagSort, accounts_with_flags};
use attune_domain::customer::relationship::{DEFAULT_DAYS, Threading};
use attune_storage::model::{CustomerHit, MergeKind, User};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::accounts::{attribute, email_of};
use super::render;
use crate::auth::PageUser;
use crate::extract::Query;
use crate::i18n::{Msg, Tr};
use crate::{ApiError, AppState};

/// The attributes the list filters by, with their labels.
const ATTRIBUTES: [(&str, Msg); 5] = [
    ("plan", Msg::AccountsPlan),
    ("lifecycle_stage", Msg::AccountsStage),
    ("size_band", Msg::AccountsSizeBand),
    ("industry", Msg::AccountsIndustry),
    ("region", Msg::AccountsRegion),
];

pub(crate) struct AccountRow {
    link: String,
    name: String,
    external_id: String,
    plan: String,
    stage: String,
    owner: String,
    archived: bool,
    /// The flag in words, and whether it is one (shown as a warning).
    relationship: String,
    flagged: bool,
}

/// One option of a select: value, label, selected.
pub(crate) struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    t: Tr,
    /// The next page, with the same filters.
    next: Option<String>,
    user_email: String,
    csrf: String,
    accounts: Vec<AccountRow>,
    none: String,
    /// The search asked for, and what it found: (name, page, what matched).
    q: String,
    hits: Option<Vec<(String, String, String)>>,
    flags: Vec<Choice>,
    owners: Vec<Choice>,
    attributes: Vec<Choice>,
    value: String,
    sorts: Vec<Choice>,
    shown: String,
}

/// The list's search, filters and order.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    flag: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    attr: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    sort: String,
    /// The last account of the previous page.
    #[serde(default)]
    after: String,
}

/// Accounts on one page of the list.
const PAGE: u32 = 100;

/// The link to the next page, with the same search, filters and order.
fn next_link(p: &ListParams, after: &str) -> String {
    let pairs = [
        ("q", &p.q),
        ("flag", &p.flag),
        ("owner", &p.owner),
        ("attr", &p.attr),
        ("value", &p.value),
        ("sort", &p.sort),
    ];
    let mut qs: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", super::feed::url_encode(v)))
        .collect();
    qs.push(format!("after={}", super::feed::url_encode(after)));
    format!("/accounts?{}", qs.join("&"))
}

/// What a search hit matched, in words: `Person · e-mail: ana@beta.example`.
fn hit_words(t: &Tr, h: &CustomerHit) -> String {
    let kind = t.get(match h.kind {
        MergeKind::Account => Msg::SearchAccount,
        MergeKind::Person => Msg::SearchPerson,
    });
    let matched = t.get(match h.matched {
        "email" => Msg::SearchByEmail,
        "domain" => Msg::SearchByDomain,
        "external_id" => Msg::SearchById,
        _ => Msg::SearchByName,
    });
    format!("{kind} · {matched}: {}", h.value)
}

fn hit_row(t: &Tr, h: &CustomerHit) -> (String, String, String) {
    let base = match h.kind {
        MergeKind::Account => "accounts",
        MergeKind::Person => "people",
    };
    (h.name.clone(), format!("/{base}/{}", h.id), hit_words(t, h))
}

fn choices(pairs: Vec<(String, String)>, chosen: &str) -> Vec<Choice> {
    pairs
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == chosen,
            value,
            label,
        })
        .collect()
}

fn relationship(t: &Tr, th: &Threading) -> (String, bool) {
    match th {
        Threading::NoContact => (t.get(Msg::AccountsFlagNoContact), true),
        Threading::SingleThreaded {
            people, touches, ..
        } => (
            t.args(
                Msg::AccountsCellSingle,
                [("people", (*people).into()), ("touches", (*touches).into())],
            ),
            true,
        ),
        Threading::MultiThreaded { people, touches } => (
            t.args(
                Msg::AccountsCellMulti,
                [("people", (*people).into()), ("touches", (*touches).into())],
            ),
            false,
        ),
    }
}

/// The query the filters ask for; a value that is not one of the choices is ignored.
fn query(p: &ListParams, users: &[User]) -> FlagQuery {
    let owner = match p.owner.as_str() {
        "" => None,
        "none" => Some(None),
        id => users
            .iter()
            .find(|u| u.id == id)
            .map(|u| Some(u.id.clone())),
    };
    let attribute = ATTRIBUTES
        .iter()
        .find(|(k, _)| *k == p.attr)
        .filter(|_| !p.value.trim().is_empty())
        .map(|(k, _)| ((*k).to_owned(), p.value.trim().to_owned()));
    FlagQuery {
        days: DEFAULT_DAYS,
        flag: FlagFilter::parse(&p.flag).ok(),
        owner,
        attribute,
        sort: FlagSort::parse(&p.sort).unwrap_or_default(),
        archived: true,
        after: Some(p.after.trim().to_owned()).filter(|a| !a.is_empty()),
        limit: PAGE,
    }
}

fn filter_choices(t: &Tr, p: &ListParams, users: &[User]) -> [Vec<Choice>; 4] {
    let flags = [
        ("", Msg::AccountsFlagAny),
        ("flagged", Msg::AccountsFlagFlagged),
        ("single_threaded", Msg::AccountSingleThreaded),
        ("no_contact", Msg::AccountsFlagNoContact),
        ("multi_threaded", Msg::AccountsFlagMulti),
    ];
    let mut owners = vec![
        (String::new(), t.get(Msg::AccountsOwnerAny)),
        ("none".to_owned(), t.get(Msg::AccountNoOwner)),
    ];
    owners.extend(users.iter().map(|u| (u.id.clone(), u.email.clone())));
    let mut attrs = vec![(String::new(), t.get(Msg::AccountsAttributeAny))];
    attrs.extend(ATTRIBUTES.iter().map(|(k, m)| ((*k).to_owned(), t.get(*m))));
    let sorts = [
        ("name", Msg::AccountsName),
        ("flag", Msg::AccountsSortFlag),
        ("owner", Msg::AccountsOwner),
    ];
    let own = |list: &[(&str, Msg)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(v, m)| ((*v).to_owned(), t.get(*m)))
            .collect()
    };
    let sort = if p.sort.is_empty() {
        "name"
    } else {
        p.sort.as_str()
    };
    [
        choices(own(&flags), &p.flag),
        choices(owners, &p.owner),
        choices(attrs, &p.attr),
        choices(own(&sorts), sort),
    ]
}

/// `GET /accounts`
pub(crate) async fn list(
    State(state): State<AppState>,
    user: PageUser,
    Query(params): Query<ListParams>,
) -> Response {
    let org = &user.actor.org_id;
    let t = user.tr.clone();
    let q: String = params.q.trim().chars().take(200).collect();
    let hits = if q.is_empty() {
        None
    } else {
        match state.store.search_customers(org, &q, 20).await {
            Ok(found) => Some(found.iter().map(|h| hit_row(&t, h)).collect()),
            Err(e) => return ApiError::from(e).into_response(),
        }
    };
    let users = match state.store.list_users(org).await {
        Ok(u) => u,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let fq = query(&params, &users);
    let listed = accounts_with_flags(state.store.as_ref(), org, state.now_ms(), &fq).await;
    let accounts = match listed {
        Ok(a) => a,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let next = accounts.next.as_deref().map(|a| next_link(&params, a));
    // One page of several says so: "11 accounts" on the second page would read as the total.
    let shown = if next.is_some() || fq.after.is_some() {
        Msg::AccountsShownPage
    } else {
        Msg::AccountsShown
    };
    let rows: Vec<AccountRow> = accounts
        .rows
        .iter()
        .map(|(a, th)| {
            let (relationship, flagged) = relationship(&t, th);
            AccountRow {
                link: format!("/accounts/{}", a.id),
                name: a.name.clone(),
                external_id: a.external_id.clone().unwrap_or_default(),
                plan: attribute(a, "plan"),
                stage: attribute(a, "lifecycle_stage"),
                owner: email_of(&users, a.owner_user_id.as_deref()).unwrap_or_default(),
                archived: a.archived_at.is_some(),
                relationship,
                flagged,
            }
        })
        .collect();
    let [flags, owners, attributes, sorts] = filter_choices(&t, &params, &users);
    render(&AccountsPage {
        none: t.with_code(Msg::AccountsNone, &[("api", "POST /api/v1/accounts")]),
        shown: t.arg(shown, "count", rows.len()),
        next,
        t,
        user_email: user.email.clone(),
        csrf: user.csrf_token.clone(),
        accounts: rows,
        q,
        hits,
        flags,
        owners,
        attributes,
        value: params.value.trim().to_owned(),
        sorts,
    })
}

/// The page as the text test renders it: every message, data without letters.
#[cfg(test)]
pub(super) fn samples(t: &Tr) -> Vec<(&'static str, String)> {
    let hits = [
        Msg::SearchAccount,
        Msg::SearchPerson,
        Msg::SearchByName,
        Msg::SearchByEmail,
        Msg::SearchByDomain,
        Msg::SearchById,
    ]
    .into_iter()
    .map(|m| ("①".into(), "/".into(), t.get(m)))
    .collect();
    let rows = [
        Threading::NoContact,
        Threading::SingleThreaded {
            reasons: Vec::new(),
            people: 1,
            touches: 3,
        },
        Threading::MultiThreaded {
            people: 2,
            touches: 5,
        },
    ]
    .iter()
    .map(|th| {
        let (relationship, flagged) = relationship(t, th);
        AccountRow {
            link: "/".into(),
            name: "①".into(),
            external_id: "①".into(),
            plan: "①".into(),
            stage: "①".into(),
            owner: "①".into(),
            archived: true,
            relationship,
            flagged,
        }
    })
    .collect();
    let [flags, owners, attributes, sorts] = filter_choices(t, &ListParams::default(), &[]);
    let page = AccountsPage {
        t: t.clone(),
        user_email: "①".into(),
        csrf: "①".into(),
        accounts: rows,
        none: t.with_code(Msg::AccountsNone, &[("api", "①")]),
        q: "①".into(),
        hits: Some(hits),
        flags,
        owners,
        attributes,
        value: "①".into(),
        sorts,
        shown: t.arg(Msg::AccountsShownPage, "count", 3),
        next: Some("/".into()),
    }
    .render()
    .expect("renders");
    vec![("accounts", page)]
}
