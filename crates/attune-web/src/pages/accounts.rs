//! `GET /accounts/{id}`: one customer — header, relationship
//! health and map, people, subscriptions, open cases, the timeline and "log a call";
//! `POST /accounts/{id}/interactions`: log it.

use std::collections::HashMap;

use askama::Template;
use attune_app::customers::relationship::{self, RelationshipReport};
use attune_domain::customer::relationship::{ThreadReason, Threading};
use attune_domain::period::format_day;
use attune_storage::model::{Account, CaseQuery, PeopleQuery, Person, TimelineQuery, User};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::timeline_rows::{TimelineRow, cut_page, money, rows};
use super::{minute, names, render};
use crate::auth::PageUser;
use crate::extract::Query;
use crate::i18n::{Msg, Tr};
use crate::{ApiError, AppState};

/// Each person's name to show, by id (`unnamed` for those without one).
pub(super) fn display_names(t: &Tr, people: &[Person]) -> HashMap<String, String> {
    people
        .iter()
        .map(|p| {
            (
                p.id.clone(),
                p.name.clone().unwrap_or_else(|| t.get(Msg::PersonUnnamed)),
            )
        })
        .collect()
}

pub(super) fn email_of(users: &[User], id: Option<&str>) -> Option<String> {
    let id = id?;
    users.iter().find(|u| u.id == id).map(|u| u.email.clone())
}

pub(super) fn attribute(a: &Account, key: &str) -> String {
    a.attribute(key).unwrap_or_default()
}

pub(crate) struct MapView {
    pub(super) name: String,
    pub(super) link: String,
    pub(super) title: String,
    pub(super) roles: String,
    pub(super) last_touch: String,
    pub(super) with_staff: String,
    pub(super) sentiment: String,
    pub(super) gap: bool,
}

pub(crate) struct PersonRow {
    pub(super) name: String,
    pub(super) link: String,
    pub(super) email: String,
    pub(super) title: String,
    pub(super) roles: String,
    pub(super) left: Option<String>,
}

pub(crate) struct SubRow {
    product: String,
    start: String,
    end: String,
    mrr: String,
    reason: String,
}

pub(crate) struct CaseRow {
    pub(super) link: String,
    pub(super) title: String,
    pub(super) state: String,
    pub(super) priority: String,
}

pub(crate) struct Choice {
    value: String,
    label: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    t: Tr,
    user_email: String,
    csrf: String,
    can_write: bool,
    id: String,
    name: String,
    owner: String,
    facts: Vec<(String, String)>,
    archived: Option<String>,
    days: u32,
    flagged: bool,
    verdict: String,
    reasons: Vec<String>,
    map: Vec<MapView>,
    roles_missing: Option<String>,
    people: Vec<PersonRow>,
    subs: Vec<SubRow>,
    mrr_now: String,
    cases: Vec<CaseRow>,
    timeline: Vec<TimelineRow>,
    older: Option<String>,
    kinds: Vec<Choice>,
    surveys: Vec<Choice>,
    participants: Vec<Choice>,
    today: String,
    error: Option<String>,
    merge: super::merges::MergeBox,
}

/// The timeline's page (`after`, from the "older" link).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountParams {
    pub(super) after: Option<String>,
}

pub(super) fn verdict(
    t: &Tr,
    r: &RelationshipReport,
    names: &HashMap<String, String>,
    users: &[User],
) -> (bool, String, Vec<String>) {
    let who = |id: &str| {
        names
            .get(id)
            .cloned()
            .unwrap_or_else(|| t.get(Msg::PersonUnnamed))
    };
    match &r.threading {
        Threading::NoContact => (true, t.get(Msg::AccountNoContact), Vec::new()),
        Threading::MultiThreaded { people, touches } => (
            false,
            t.args(
                Msg::AccountMultiThreaded,
                [("people", (*people).into()), ("touches", (*touches).into())],
            ),
            Vec::new(),
        ),
        Threading::SingleThreaded { reasons, .. } => {
            let lines = reasons
                .iter()
                .map(|reason| match reason {
                    ThreadReason::FewPeople { people } => {
                        t.arg(Msg::ReasonFewPeople, "people", *people)
                    }
                    ThreadReason::OnePersonHoldsMost {
                        person_id,
                        touches,
                        of,
                    } => t.args(
                        Msg::ReasonOnePerson,
                        [
                            ("name", who(person_id).into()),
                            ("touches", (*touches).into()),
                            ("of", (*of).into()),
                        ],
                    ),
                    ThreadReason::OneStaffMember { user_id } => t.arg(
                        Msg::ReasonOneStaff,
                        "user",
                        email_of(users, Some(user_id)).unwrap_or_else(|| user_id.clone()),
                    ),
                })
                .collect();
            (true, t.get(Msg::AccountSingleThreaded), lines)
        }
    }
}

pub(super) fn map_rows(t: &Tr, r: &RelationshipReport, users: &[User]) -> Vec<MapView> {
    r.map
        .iter()
        .map(|p| MapView {
            name: p.name.clone().unwrap_or_else(|| t.get(Msg::PersonUnnamed)),
            link: format!("/people/{}", p.row.person_id),
            title: p.title.clone().unwrap_or_default(),
            roles: names::roles(t, p.row.roles),
            last_touch: p
                .row
                .last_touch_ms
                .map(minute)
                .unwrap_or_else(|| t.get(Msg::AccountMapNever)),
            with_staff: p
                .row
                .by_staff
                .iter()
                .map(|(u, at)| {
                    format!(
                        "{} · {}",
                        email_of(users, Some(u)).unwrap_or_else(|| u.clone()),
                        minute(*at)
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            sentiment: p.sentiment.map(|b| names::band(t, b)).unwrap_or_default(),
            gap: p.row.gap,
        })
        .collect()
}

pub(super) fn people_rows(t: &Tr, account_id: &str, people: &[Person]) -> Vec<PersonRow> {
    people
        .iter()
        .filter_map(|p| {
            let m = p.memberships.iter().find(|m| m.account_id == account_id)?;
            Some(PersonRow {
                name: p.name.clone().unwrap_or_else(|| t.get(Msg::PersonUnnamed)),
                link: format!("/people/{}", p.id),
                email: p.email.clone().unwrap_or_default(),
                title: m.title.clone().unwrap_or_default(),
                roles: names::roles(t, m.roles),
                left: m
                    .to_day
                    .map(|d| t.arg(Msg::AccountLeftOn, "date", format_day(d))),
            })
        })
        .collect()
}

fn header_facts(t: &Tr, a: &Account, parent: Option<&Account>) -> Vec<(String, String)> {
    let mut facts = Vec::new();
    let mut ids: Vec<String> = a.external_id.iter().cloned().collect();
    ids.extend(a.other_ids.iter().map(|(s, i)| format!("{s}: {i}")));
    facts.push((t.get(Msg::AccountIds), ids.join(" · ")));
    facts.push((t.get(Msg::AccountsPlan), attribute(a, "plan")));
    facts.push((t.get(Msg::AccountsStage), attribute(a, "lifecycle_stage")));
    facts.push((t.get(Msg::AccountDomains), a.domains.join(" · ")));
    if let Some(p) = parent {
        facts.push((t.get(Msg::AccountParent), p.name.clone()));
    }
    facts.retain(|(_, v)| !v.is_empty());
    facts
}

/// Everything the account page reads.
struct Loaded {
    account: Account,
    parent: Option<Account>,
    users: Vec<User>,
    people: Vec<Person>,
    report: RelationshipReport,
    subs: Vec<attune_storage::retention::AccountSubscription>,
    cases: Vec<attune_storage::model::Case>,
    timeline: Vec<attune_storage::model::TimelineEntry>,
    surveys: Vec<attune_storage::model::Survey>,
    scores: Vec<attune_app::customers::scores::AccountScore>,
}

/// The account's scores in the header: `NPS · Relationship` → `+20 (95 % interval …)`.
fn score_facts(
    t: &Tr,
    scores: &[attune_app::customers::scores::AccountScore],
) -> Vec<(String, String)> {
    scores
        .iter()
        .map(|s| {
            let label = t.args(
                if s.metric == "nps" {
                    Msg::AccountScoreNps
                } else {
                    Msg::AccountScoreCsat
                },
                [("survey", s.survey_name.as_str().into())],
            );
            let value = t.args(
                if s.metric == "nps" {
                    Msg::AccountScoreNpsValue
                } else {
                    Msg::AccountScoreCsatValue
                },
                [
                    ("value", format!("{:.0}", s.value).into()),
                    ("low", format!("{:.0}", s.ci95.0).into()),
                    ("high", format!("{:.0}", s.ci95.1).into()),
                    ("n", s.n.into()),
                ],
            );
            (label, value)
        })
        .collect()
}

async fn load(
    state: &AppState,
    org: &str,
    id: &str,
    after: Option<&str>,
) -> Result<Loaded, ApiError> {
    let account = state.store.account(org, id).await?;
    let parent = match &account.parent_id {
        Some(p) => Some(state.store.account(org, p).await?),
        None => None,
    };
    let query = PeopleQuery {
        account_id: Some(account.id.clone()),
        after: None,
        limit: 10_000,
    };
    let cases = CaseQuery {
        account_id: Some(account.id.clone()),
        active: true,
        limit: 50,
        ..CaseQuery::default()
    };
    let timeline = TimelineQuery {
        account_id: Some(account.id.clone()),
        person_id: None,
        kinds: Vec::new(),
        after: after.and_then(crate::routes::timeline::parse_cursor),
        limit: 51,
    };
    let days = attune_domain::customer::relationship::DEFAULT_DAYS;
    Ok(Loaded {
        parent,
        users: state.store.list_users(org).await?,
        people: state.store.list_people(org, &query).await?,
        report: relationship::report(state.store.as_ref(), org, &account.id, days, state.now_ms())
            .await?,
        subs: state.store.account_subscriptions(org, &account.id).await?,
        cases: state.store.cases(org, &cases).await?,
        timeline: state.store.timeline(org, &timeline).await?,
        surveys: state.store.list_surveys(org).await?,
        scores: attune_app::customers::scores::account_scores(
            state.store.as_ref(),
            org,
            &account.id,
            state.now_ms().div_euclid(86_400_000),
        )
        .await?,
        account,
    })
}

fn build(user: &PageUser, mut l: Loaded, today: i64, error: Option<String>) -> AccountPage {
    let t = user.tr.clone();
    let names_by_id = display_names(&t, &l.people);
    let (flagged, verdict, reasons) = verdict(&t, &l.report, &names_by_id, &l.users);
    let older = cut_page(&mut l.timeline, 50);
    let mrr: i64 = l
        .subs
        .iter()
        .filter(|s| s.start_day <= today && s.end_day.is_none_or(|e| e > today))
        .map(|s| s.mrr_cents)
        .sum();
    let missing = names::roles(
        &t,
        l.report.roles_missing.iter().fold(
            Default::default(),
            |r: attune_domain::customer::Roles, x| r.with(*x),
        ),
    );
    AccountPage {
        user_email: user.email.clone(),
        csrf: user.csrf_token.clone(),
        can_write: user.actor.role.can_write(),
        merge: super::merges::MergeBox::of(
            user,
            attune_storage::model::MergeKind::Account,
            &l.account.id,
            l.account.merged_into.as_deref(),
        ),
        id: l.account.id.clone(),
        name: l.account.name.clone(),
        owner: email_of(&l.users, l.account.owner_user_id.as_deref())
            .unwrap_or_else(|| t.get(Msg::AccountNoOwner)),
        facts: header_facts(&t, &l.account, l.parent.as_ref())
            .into_iter()
            .chain(score_facts(&t, &l.scores))
            .collect(),
        archived: l
            .account
            .archived_at
            .map(|a| t.arg(Msg::AccountArchivedOn, "date", minute(a))),
        days: l.report.days,
        flagged,
        verdict,
        reasons,
        map: map_rows(&t, &l.report, &l.users),
        roles_missing: (!missing.is_empty())
            .then(|| t.arg(Msg::AccountRolesMissing, "roles", missing)),
        people: people_rows(&t, &l.account.id, &l.people),
        subs: l
            .subs
            .iter()
            .map(|s| SubRow {
                product: s.product.clone(),
                start: format_day(s.start_day),
                end: s.end_day.map(format_day).unwrap_or_default(),
                mrr: money(s.mrr_cents),
                reason: s.cancellation_reason.clone().unwrap_or_default(),
            })
            .collect(),
        mrr_now: t.arg(Msg::AccountMrr, "amount", money(mrr)),
        cases: l
            .cases
            .iter()
            .map(|c| CaseRow {
                link: format!("/cases/{}", c.id),
                title: c.title.clone(),
                state: names::state(&t, c.state),
                priority: names::priority(&t, c.priority),
            })
            .collect(),
        timeline: rows(&t, &l.timeline, &names_by_id),
        older,
        kinds: attune_domain::customer::InteractionKind::ALL
            .into_iter()
            .map(|k| Choice {
                value: k.as_str().into(),
                label: names::interaction(&t, k),
            })
            .collect(),
        surveys: l
            .surveys
            .iter()
            .filter(|s| {
                s.definition
                    .questions
                    .iter()
                    .any(|q| q.qtype == attune_domain::survey::QuestionType::Nps)
            })
            .map(|s| Choice {
                value: s.id.clone(),
                label: s.definition.name.clone(),
            })
            .collect(),
        participants: l
            .people
            .iter()
            .map(|p| Choice {
                value: p.id.clone(),
                label: names_by_id.get(&p.id).cloned().unwrap_or_default(),
            })
            .collect(),
        today: format_day(today),
        error,
        t,
    }
}

async fn account_page(
    state: &AppState,
    user: &PageUser,
    id: &str,
    after: Option<&str>,
    error: Option<String>,
) -> Response {
    match load(state, &user.actor.org_id, id, after).await {
        Ok(l) => render(&build(
            user,
            l,
            state.now_ms().div_euclid(86_400_000),
            error,
        )),
        Err(e) => e.into_response(),
    }
}

/// `GET /accounts/{id}`
pub(crate) async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(params): Query<AccountParams>,
) -> Response {
    account_page(&state, &user, &id, params.after.as_deref(), None).await
}

/// The account page again, with the problems of a form shown on it.
pub(super) async fn page_with_error(
    state: &AppState,
    user: &PageUser,
    id: &str,
    error: String,
) -> Response {
    account_page(state, user, id, None, Some(error)).await
}

/// The pages as the text test renders them: every message, data without letters.
#[cfg(test)]
pub(super) fn samples(t: &Tr) -> Vec<(&'static str, String)> {
    let one = |flagged: bool| {
        AccountPage {
            t: t.clone(),
            user_email: "①".into(),
            csrf: "①".into(),
            can_write: flagged,
            merge: super::merges::MergeBox::sample(flagged),
            id: "①".into(),
            name: "①".into(),
            owner: t.get(Msg::AccountNoOwner),
            facts: std::iter::once((t.get(Msg::AccountIds), "①".into()))
                .chain(score_facts(
                    t,
                    &["nps", "csat"].map(|metric| attune_app::customers::scores::AccountScore {
                        survey_id: "①".into(),
                        survey_name: "①".into(),
                        question_key: "①".into(),
                        metric,
                        value: 20.0,
                        ci95: (-5.0, 42.0),
                        n: 15,
                    }),
                ))
                .collect(),
            archived: flagged.then(|| t.arg(Msg::AccountArchivedOn, "date", "①")),
            days: 90,
            flagged,
            verdict: if flagged {
                t.get(Msg::AccountSingleThreaded)
            } else {
                t.get(Msg::AccountNoContact)
            },
            reasons: vec![
                t.arg(Msg::ReasonFewPeople, "people", 1),
                t.args(
                    Msg::ReasonOnePerson,
                    [
                        ("name", "①".into()),
                        ("touches", 3.into()),
                        ("of", 4.into()),
                    ],
                ),
                t.arg(Msg::ReasonOneStaff, "user", "①"),
                t.args(
                    Msg::AccountMultiThreaded,
                    [("people", 2.into()), ("touches", 5.into())],
                ),
            ],
            map: vec![MapView {
                name: "①".into(),
                link: "/".into(),
                title: "①".into(),
                roles: names::roles(
                    t,
                    attune_domain::customer::MembershipRole::ALL
                        .into_iter()
                        .fold(Default::default(), attune_domain::customer::Roles::with),
                ),
                last_touch: t.get(Msg::AccountMapNever),
                with_staff: "①".into(),
                sentiment: "①".into(),
                gap: true,
            }],
            roles_missing: Some(t.arg(Msg::AccountRolesMissing, "roles", "①")),
            people: vec![PersonRow {
                name: t.get(Msg::PersonUnnamed),
                link: "/".into(),
                email: "①".into(),
                title: "①".into(),
                roles: "①".into(),
                left: Some(t.arg(Msg::AccountLeftOn, "date", "①")),
            }],
            subs: vec![SubRow {
                product: "①".into(),
                start: "①".into(),
                end: "①".into(),
                mrr: "①".into(),
                reason: "①".into(),
            }],
            mrr_now: t.arg(Msg::AccountMrr, "amount", "①"),
            cases: vec![CaseRow {
                link: "/".into(),
                title: "①".into(),
                state: "①".into(),
                priority: "①".into(),
            }],
            timeline: timeline_samples(t),
            older: Some("①".into()),
            kinds: attune_domain::customer::InteractionKind::ALL
                .into_iter()
                .map(|k| Choice {
                    value: "①".into(),
                    label: names::interaction(t, k),
                })
                .collect(),
            surveys: vec![Choice {
                value: "①".into(),
                label: "①".into(),
            }],
            participants: vec![Choice {
                value: "①".into(),
                label: "①".into(),
            }],
            today: "①".into(),
            error: Some("①".into()),
        }
        .render()
        .expect("renders")
    };
    vec![("account", one(true)), ("quiet account", one(false))]
}

/// Timeline rows of every kind, for the text test.
#[cfg(test)]
pub(super) fn timeline_samples(t: &Tr) -> Vec<TimelineRow> {
    use attune_storage::model::{TimelineDetail, TimelineEntry, TimelineKind};
    let entries: Vec<TimelineEntry> = TimelineKind::ALL
        .into_iter()
        .map(|kind| TimelineEntry {
            at: 0,
            kind,
            id: "①".into(),
            account_id: None,
            person_id: Some("①".into()),
            detail: TimelineDetail::Membership {
                title: Some("①".into()),
            },
        })
        .chain(
            attune_domain::customer::InteractionKind::ALL
                .into_iter()
                .map(|k| TimelineEntry {
                    at: 0,
                    kind: TimelineKind::Interaction,
                    id: "①".into(),
                    account_id: None,
                    person_id: None,
                    detail: TimelineDetail::Interaction {
                        kind: k,
                        summary: "①".into(),
                        internal: true,
                        created_by: None,
                    },
                }),
        )
        .collect();
    rows(
        t,
        &entries,
        &HashMap::from([("①".to_owned(), "①".to_owned())]),
    )
}
