//! The feedback feed page: every response, good news and bad, newest first.

use std::collections::HashMap;

use askama::Template;
use attune_domain::metrics::NpsBand;
use attune_domain::response::Answer;
use attune_storage::model::{FeedItem, Survey};
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::{names, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::extract::Query;
use crate::i18n::{Msg, Tr};
use crate::routes::feedback::{FeedParams, next_cursor};

pub(crate) struct ScoreView {
    key: String,
    score: i64,
    band: &'static str,
}

pub(crate) struct BandOption {
    name: &'static str,
    label: String,
    selected: bool,
}

pub(crate) struct ItemView {
    when: String,
    survey: String,
    /// The account's name and page.
    account: Option<(String, String)>,
    /// The person's address and page.
    person: Option<(String, String)>,
    channel: String,
    language: Option<String>,
    scores: Vec<ScoreView>,
    comment: Option<String>,
    /// The comment cut into pieces, searched-for words flagged (rendered as `<mark>`).
    comment_parts: Vec<Piece>,
    case: Option<CaseBadge>,
}

/// A piece of a comment; the template escapes `text` like any other value.
pub(crate) struct Piece {
    text: String,
    mark: bool,
}

/// The follow-up case of a feed item: everyone sees who owns it and where it stands.
pub(crate) struct CaseBadge {
    id: String,
    /// `Case <state>`.
    label: String,
    owner: String,
}

#[derive(Template)]
#[template(path = "feed.html")]
struct FeedPage {
    t: Tr,
    user_email: String,
    csrf: String,
    q: String,
    band: String,
    language: String,
    bands: Vec<BandOption>,
    items: Vec<ItemView>,
    next: Option<String>,
    error: Option<String>,
}

/// `GET /feedback`
pub(crate) async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Query(params): Query<FeedParams>,
) -> Response {
    let org = user.actor.org_id.clone();
    let mut page = FeedPage {
        t: user.tr.clone(),
        user_email: user.email,
        csrf: user.csrf_token,
        q: params.q.clone().unwrap_or_default(),
        band: params.band.clone().unwrap_or_default(),
        language: params.language.clone().unwrap_or_default(),
        bands: [NpsBand::Promoter, NpsBand::Passive, NpsBand::Detractor]
            .into_iter()
            .map(|b| BandOption {
                name: b.as_str(),
                label: names::band(&user.tr, b),
                selected: params.band.as_deref() == Some(b.as_str()),
            })
            .collect(),
        items: Vec::new(),
        next: None,
        error: None,
    };
    let mut query = match params.to_query() {
        Ok(q) => q,
        Err(e) => {
            page.error = Some(e.message());
            return render(&page);
        }
    };
    query.limit = query.limit.min(50) + 1;
    let limit = query.limit as usize - 1;
    let (items, surveys) = match (
        state.store.feed(&org, &query).await,
        state.store.list_surveys(&org).await,
    ) {
        (Ok(i), Ok(s)) => (i, s),
        (Err(e), _) | (_, Err(e)) => return crate::ApiError::from(e).into_response(),
    };
    let surveys: HashMap<String, Survey> = surveys.into_iter().map(|s| (s.id.clone(), s)).collect();
    if items.len() > limit
        && let Some(last) = items.get(limit - 1)
    {
        let cursor = next_cursor(&query, last, limit as u32);
        page.next = Some(next_link(&page, cursor));
    }
    let terms = query
        .text
        .as_deref()
        .map(attune_text::query_terms)
        .unwrap_or_default();
    for it in items.into_iter().take(limit) {
        let survey = surveys.get(&it.response.survey_id);
        page.items.push(item_view(&page.t, it, survey, &terms));
    }
    render(&page)
}

/// The link to the next page of the feed, with the same filters.
fn next_link(page: &FeedPage, cursor: String) -> String {
    let mut pairs: Vec<(&str, String)> = vec![("cursor", cursor)];
    for (k, v) in [
        ("q", &page.q),
        ("band", &page.band),
        ("language", &page.language),
    ] {
        if !v.is_empty() {
            pairs.push((k, v.clone()));
        }
    }
    let qs = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    format!("/feedback?{qs}")
}

/// The scores of a response; NPS scores carry their band (for the colour).
fn scores(it: &FeedItem, survey: Option<&Survey>) -> Vec<ScoreView> {
    it.response
        .answers
        .iter()
        .filter_map(|(k, a)| match a {
            Answer::Score(s) => {
                let is_nps = survey
                    .and_then(|sv| sv.definition.question(k))
                    .is_some_and(|q| q.qtype == attune_domain::survey::QuestionType::Nps);
                let band = if is_nps {
                    u8::try_from(*s)
                        .ok()
                        .and_then(NpsBand::of)
                        .map_or("", NpsBand::as_str)
                } else {
                    ""
                };
                Some(ScoreView {
                    key: k.clone(),
                    score: *s,
                    band,
                })
            }
            _ => None,
        })
        .collect()
}

/// One response of the feed as the page shows it.
fn item_view(t: &Tr, it: FeedItem, survey: Option<&Survey>, terms: &[String]) -> ItemView {
    // Highlighted in the comment's effective language, as its postings were stemmed.
    let language = it.response.language.as_deref();
    let comment_parts = it
        .response
        .comment
        .as_deref()
        .map(|c| {
            attune_text::highlight(c, language, terms)
                .into_iter()
                .map(|(text, mark)| Piece {
                    text: text.to_owned(),
                    mark,
                })
                .collect()
        })
        .unwrap_or_default();
    ItemView {
        when: super::minute(it.response.submitted_at_ms),
        scores: scores(&it, survey),
        survey: it.survey_name,
        account: it
            .account_name
            .zip(it.response.account_id.clone())
            .map(|(name, id)| (name, format!("/accounts/{id}"))),
        person: it
            .contact_email
            .zip(it.response.contact_id.clone())
            .map(|(email, id)| (email, format!("/people/{id}"))),
        channel: names::channel(t, it.response.channel),
        language: it.response.language,
        comment_parts,
        comment: it.response.comment,
        case: it.case.map(|c| CaseBadge {
            id: c.id,
            label: t.args(Msg::FeedCase, [("state", names::state(t, c.state).into())]),
            owner: c.owner_email.unwrap_or_else(|| t.get(Msg::QueueUnassigned)),
        }),
    }
}

/// Percent-encodes a query value.
pub(super) fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The feed with one item and empty, for the catalogue test.
#[cfg(test)]
pub(super) fn samples(t: &Tr) -> Vec<(&'static str, String)> {
    use askama::Template;
    use attune_domain::closed_loop::case::CaseState;
    use attune_domain::response::Channel;
    let page = |items: Vec<ItemView>, error: Option<String>| {
        FeedPage {
            t: t.clone(),
            user_email: "①".into(),
            csrf: "①".into(),
            q: "①".into(),
            band: String::new(),
            language: String::new(),
            bands: NpsBand::ALL
                .into_iter()
                .map(|b| BandOption {
                    name: b.as_str(),
                    label: names::band(t, b),
                    selected: false,
                })
                .collect(),
            items,
            next: Some("/feedback?cursor=1".into()),
            error,
        }
        .render()
        .expect("renders")
    };
    let item = ItemView {
        when: super::minute(0),
        survey: "①".into(),
        account: Some(("①".into(), "/".into())),
        person: Some(("①".into(), "/".into())),
        channel: names::channel(t, Channel::Email),
        language: Some("①".into()),
        scores: vec![ScoreView {
            key: "①".into(),
            score: 3,
            band: "detractor",
        }],
        comment: Some("①".into()),
        comment_parts: vec![Piece {
            text: "①".into(),
            mark: true,
        }],
        case: Some(CaseBadge {
            id: "1".into(),
            label: t.args(
                Msg::FeedCase,
                [("state", names::state(t, CaseState::InProgress).into())],
            ),
            owner: t.get(Msg::QueueUnassigned),
        }),
    };
    vec![
        ("feed", page(vec![item], None)),
        ("empty feed", page(Vec::new(), Some("①".into()))),
    ]
}
