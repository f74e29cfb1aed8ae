//! `GET /people/{id}`: one person — how to reach them, their accounts, their preferences and
//! their timeline.

use std::collections::HashMap;

use askama::Template;
use attune_domain::period::format_day;
use attune_storage::model::{Person, TimelineQuery};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::accounts::AccountParams;
use super::timeline_rows::{TimelineRow, cut_page, rows};
use super::{names, render};
use crate::auth::PageUser;
use crate::extract::Query;
use crate::i18n::{Msg, Tr};
use crate::{ApiError, AppState};

pub(crate) struct MembershipRow {
    link: String,
    account: String,
    title: String,
    roles: String,
    left: Option<String>,
}

pub(crate) struct Sensitive {
    needs: Vec<String>,
    preferences: Vec<(String, String)>,
}

/// The contact rules in words.
pub(super) fn contact_lines(
    t: &Tr,
    r: &attune_domain::customer::preferences::ContactRules,
) -> Vec<String> {
    use attune_domain::customer::preferences::QuietHours;
    let mut lines = Vec::new();
    if !r.channels.is_empty() {
        let c: Vec<String> = r
            .channels
            .iter()
            .map(|c| names::contact_channel(t, *c))
            .collect();
        lines.push(t.arg(Msg::PersonChannels, "channels", c.join(", ")));
    }
    if let Some(q) = r.quiet_hours {
        lines.push(t.args(
            Msg::PersonQuietHours,
            [
                ("from", QuietHours::hhmm(q.from_minute).into()),
                ("to", QuietHours::hhmm(q.to_minute).into()),
            ],
        ));
    }
    if let Some(m) = r.max_per_month {
        lines.push(t.count(Msg::PersonMaxPerMonth, m));
    }
    for o in &r.opt_outs {
        let date = super::minute(o.at_ms);
        lines.push(match o.channel {
            Some(c) => t.args(
                Msg::PersonOptedOut,
                [
                    ("channel", names::contact_channel(t, c).into()),
                    ("date", date.into()),
                    ("how", o.how.clone().into()),
                ],
            ),
            None => t.args(
                Msg::PersonOptedOutAll,
                [("date", date.into()), ("how", o.how.clone().into())],
            ),
        });
    }
    lines
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    t: Tr,
    user_email: String,
    csrf: String,
    name: String,
    facts: Vec<(String, String)>,
    memberships: Vec<MembershipRow>,
    /// How to contact them, a line each (empty: no rules).
    contact: Vec<String>,
    /// Sensitive data, shown only to members and admins.
    sensitive: Option<Sensitive>,
    timeline: Vec<TimelineRow>,
    older: Option<String>,
    error: Option<String>,
    merge: super::merges::MergeBox,
}

fn build(
    user: &PageUser,
    p: Person,
    mut timeline: Vec<attune_storage::model::TimelineEntry>,
) -> PersonPage {
    let t = user.tr.clone();
    let name = p.name.clone().unwrap_or_else(|| t.get(Msg::PersonUnnamed));
    let mut emails: Vec<String> = p.email.iter().cloned().collect();
    emails.extend(p.other_emails.iter().cloned());
    let mut facts = vec![
        (t.get(Msg::PersonEmails), emails.join(" · ")),
        (t.get(Msg::PersonPhone), p.phone.clone().unwrap_or_default()),
        (
            t.get(Msg::PersonLanguage),
            p.language.clone().unwrap_or_default(),
        ),
        (
            t.get(Msg::PersonTimeZone),
            p.time_zone.clone().unwrap_or_default(),
        ),
    ];
    facts.retain(|(_, v)| !v.is_empty());
    let older = cut_page(&mut timeline, 50);
    let known = HashMap::from([(p.id.clone(), name.clone())]);
    PersonPage {
        error: None,
        merge: super::merges::MergeBox::of(
            user,
            attune_storage::model::MergeKind::Person,
            &p.id,
            p.merged_into.as_deref(),
        ),
        user_email: user.email.clone(),
        csrf: user.csrf_token.clone(),
        facts,
        memberships: p
            .memberships
            .iter()
            .map(|m| MembershipRow {
                link: format!("/accounts/{}", m.account_id),
                account: m.account_name.clone(),
                title: m.title.clone().unwrap_or_default(),
                roles: names::roles(&t, m.roles),
                left: m
                    .to_day
                    .map(|d| t.arg(Msg::AccountLeftOn, "date", format_day(d))),
            })
            .collect(),
        contact: contact_lines(&t, &p.contact_rules),
        sensitive: user.actor.role.can_write().then(|| Sensitive {
            needs: p
                .accessibility
                .iter()
                .map(|n| names::access_need(&t, *n))
                .collect(),
            preferences: p
                .preferences
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    )
                })
                .collect(),
        }),
        timeline: rows(&t, &timeline, &known),
        older,
        name,
        t,
    }
}

/// The person page, with `error` shown at its top.
async fn person_page(
    state: &AppState,
    user: &PageUser,
    id: &str,
    after: Option<&str>,
    error: Option<String>,
) -> Response {
    let org = &user.actor.org_id;
    let person = match state.store.person(org, id).await {
        Ok(p) => p,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let q = TimelineQuery {
        account_id: None,
        person_id: Some(person.id.clone()),
        kinds: Vec::new(),
        after: after.and_then(crate::routes::timeline::parse_cursor),
        limit: 51,
    };
    match state.store.timeline(org, &q).await {
        Ok(timeline) => {
            let mut page = build(user, person, timeline);
            page.error = error;
            render(&page)
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `GET /people/{id}`
pub(crate) async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(params): Query<AccountParams>,
) -> Response {
    person_page(&state, &user, &id, params.after.as_deref(), None).await
}

/// The person page with a problem of a form posted from it.
pub(super) async fn page_with_error(
    state: &AppState,
    user: &PageUser,
    id: &str,
    error: String,
) -> Response {
    person_page(state, user, id, None, Some(error)).await
}

/// The page as the text test renders it.
#[cfg(test)]
pub(super) fn samples(t: &Tr) -> Vec<(&'static str, String)> {
    let page = PersonPage {
        t: t.clone(),
        user_email: "①".into(),
        csrf: "①".into(),
        name: t.get(Msg::PersonUnnamed),
        facts: vec![
            (t.get(Msg::PersonEmails), "①".into()),
            (t.get(Msg::PersonPhone), "①".into()),
            (t.get(Msg::PersonLanguage), "①".into()),
            (t.get(Msg::PersonTimeZone), "①".into()),
        ],
        memberships: vec![MembershipRow {
            link: "/".into(),
            account: "①".into(),
            title: "①".into(),
            roles: "①".into(),
            left: Some(t.arg(Msg::AccountLeftOn, "date", "①")),
        }],
        contact: {
            use attune_domain::customer::preferences::*;
            contact_lines(
                t,
                &ContactRules {
                    channels: vec![
                        ContactChannel::Email,
                        ContactChannel::Phone,
                        ContactChannel::Sms,
                        ContactChannel::InPerson,
                    ],
                    quiet_hours: QuietHours::parse("q", "21:00", "08:00").ok(),
                    max_per_month: Some(2),
                    opt_outs: vec![
                        OptOut {
                            channel: Some(ContactChannel::Sms),
                            at_ms: 0,
                            how: "①".into(),
                        },
                        OptOut {
                            channel: None,
                            at_ms: 0,
                            how: "①".into(),
                        },
                    ],
                },
            )
        },
        sensitive: Some(Sensitive {
            needs: attune_domain::customer::preferences::AccessNeed::ALL
                .iter()
                .map(|n| names::access_need(t, *n))
                .collect(),
            preferences: vec![("①".into(), "①".into())],
        }),
        timeline: super::accounts::timeline_samples(t),
        older: None,
        error: Some("①".into()),
        merge: super::merges::MergeBox::sample(true),
    }
    .render()
    .expect("renders");
    let hidden = PersonPage {
        t: t.clone(),
        user_email: "①".into(),
        csrf: "①".into(),
        name: "①".into(),
        facts: Vec::new(),
        memberships: Vec::new(),
        contact: Vec::new(),
        sensitive: None,
        timeline: Vec::new(),
        older: None,
        error: None,
        merge: super::merges::MergeBox::sample(false),
    }
    .render()
    .expect("renders");
    let none = PersonPage {
        t: t.clone(),
        user_email: "①".into(),
        csrf: "①".into(),
        name: "①".into(),
        facts: Vec::new(),
        memberships: Vec::new(),
        contact: Vec::new(),
        sensitive: Some(Sensitive {
            needs: Vec::new(),
            preferences: Vec::new(),
        }),
        timeline: Vec::new(),
        older: None,
        error: None,
        merge: super::merges::MergeBox::sample(false),
    }
    .render()
    .expect("renders");
    vec![
        ("person", page),
        ("person for a viewer", hidden),
        ("person with nothing", none),
    ]
}
