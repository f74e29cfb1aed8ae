//! The feedback feed: every response, newest first, filterable, with cursor paging.

use std::collections::HashMap;

use attune_domain::metrics::NpsBand;
use attune_domain::period::parse_instant;
use attune_domain::response::{Answer, Channel};
use attune_domain::survey::QuestionType;
use attune_storage::model::{FeedItem, FeedQuery, Survey};
use axum::extract::State;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::responses::ResponseBody;
use super::schema;
use crate::auth::ApiCaller;
use crate::extract::Query;
use crate::{ApiError, AppState};

/// Feed filters as query parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FeedParams {
    /// Survey id.
    pub survey: Option<String>,
    /// Question key: only responses answering it.
    pub question: Option<String>,
    /// NPS band of the first NPS answer.
    #[param(value_type = Option<schema::BandFilter>)]
    pub band: Option<String>,
    /// From this day or instant (inclusive): `2026-01-31` or RFC 3339.
    #[param(value_type = Option<schema::InstantFilter>, example = "2026-01-01")]
    pub from: Option<String>,
    /// Before this day or instant.
    #[param(value_type = Option<schema::InstantFilter>, example = "2026-02-01")]
    pub to: Option<String>,
    /// Language tag, e.g. `en`.
    #[param(value_type = Option<schema::LanguageFilter>)]
    pub language: Option<String>,
    /// Account id.
    pub account: Option<String>,
    #[param(value_type = Option<schema::ChannelFilter>)]
    pub channel: Option<String>,
    /// Words to search the comments for, in any script; newest first (with `match=any`, comments
    /// holding more of the words, and rarer ones, first).
    pub q: Option<String>,
    /// `any`: a comment matching any word of `q` is enough (default: all of them).
    #[serde(rename = "match")]
    #[param(rename = "match", value_type = Option<schema::MatchFilter>)]
    pub match_mode: Option<String>,
    /// `next_cursor` of the previous page (any other value is a 422).
    pub cursor: Option<String>,
    /// Items per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// An NPS band.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum NpsBandParam {
    Promoter,
    Passive,
    Detractor,
}

/// A feed item: a response with its survey, band, account, contact and case.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FeedItem)]
pub(crate) struct FeedItemBody {
    #[serde(flatten)]
    response: ResponseBody,
    survey_name: String,
    #[schema(value_type = Option<NpsBandParam>)]
    band: Option<&'static str>,
    account: Option<FeedAccount>,
    case: Option<FeedCase>,
    contact: Option<FeedContact>,
}

/// The account of a feed item.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FeedAccount {
    id: String,
    name: Option<String>,
}

/// The contact of a feed item.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FeedContact {
    id: String,
    email: Option<String>,
}

/// The first case a feed item's response opened.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FeedCase {
    id: String,
    #[schema(value_type = schema::CaseState)]
    state: String,
    owner: Option<String>,
    owner_email: Option<String>,
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FeedPage {
    pub items: Vec<FeedItemBody>,
    /// Where the next page starts; null on the last page.
    pub next_cursor: Option<String>,
}

impl FeedParams {
    /// Checks the parameters.
    pub(crate) fn to_query(&self) -> Result<FeedQuery, ApiError> {
        let nonempty = |o: &Option<String>| o.as_ref().filter(|s| !s.trim().is_empty()).cloned();
        let score_range = match nonempty(&self.band) {
            Some(b) => {
                let band = NpsBand::parse(&b).ok_or_else(|| {
                    ApiError::field("band", "must be promoter, passive or detractor")
                })?;
                let (lo, hi) = band.score_range();
                Some((i64::from(lo), i64::from(hi)))
            }
            None => None,
        };
        let (after, offset) = match nonempty(&self.cursor) {
            Some(c) => match decode_cursor(&c)
                .ok_or_else(|| ApiError::field("cursor", "is not a cursor from this feed"))?
            {
                Cursor::After(at, id) => (Some((at, id)), 0),
                Cursor::Offset(n) => (None, n),
            },
            None => (None, 0),
        };
        let any_term = match nonempty(&self.match_mode).as_deref() {
            None | Some("all") => false,
            Some("any") => true,
            Some(_) => return Err(ApiError::field("match", "must be all or any")),
        };
        let limit = self.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(ApiError::field("limit", "must be from 1 to 200"));
        }
        Ok(FeedQuery {
            survey_id: nonempty(&self.survey),
            question_key: nonempty(&self.question),
            score_range,
            from_ms: nonempty(&self.from)
                .map(|f| parse_instant("from", &f))
                .transpose()?,
            to_ms: nonempty(&self.to)
                .map(|t| parse_instant("to", &t))
                .transpose()?,
            language: nonempty(&self.language)
                .map(|l| attune_domain::text::LanguageTag::parse(&l).map(|t| t.as_str().to_owned()))
                .transpose()?,
            account: nonempty(&self.account),
            channel: nonempty(&self.channel)
                .map(|c| Channel::parse(&c))
                .transpose()?,
            text: nonempty(&self.q),
            with_comment: false,
            after,
            offset,
            any_term,
            limit,
        })
    }
}

pub(crate) fn encode_cursor(at_ms: i64, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{at_ms}:{id}"))
}

/// Where the next page starts: after a (time, id) in the newest-first feed, or at a position
/// of a ranked search.
enum Cursor {
    After(i64, String),
    Offset(u32),
}

fn decode_cursor(c: &str) -> Option<Cursor> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(c).ok()?).ok()?;
    let (at, id) = raw.split_once(':')?;
    if at == "rank" {
        return Some(Cursor::Offset(id.parse().ok()?));
    }
    Some(Cursor::After(at.parse().ok()?, id.to_owned()))
}

/// A (time, id) cursor made by [`encode_cursor`], for lists that page by position in time
/// (the case queue pages by deadline the same way).
pub(crate) fn decode_after(c: &str) -> Option<(i64, String)> {
    match decode_cursor(c)? {
        Cursor::After(at, id) => Some((at, id)),
        Cursor::Offset(_) => None,
    }
}

/// The cursor of the page after one that ended with `last` (`shown` items shown).
pub(crate) fn next_cursor(q: &FeedQuery, last: &FeedItem, shown: u32) -> String {
    let ranked = q
        .text
        .as_deref()
        .is_some_and(|t| !attune_text::query_terms(t).is_empty());
    if ranked {
        URL_SAFE_NO_PAD.encode(format!("rank:{}", q.offset.saturating_add(shown)))
    } else {
        encode_cursor(last.response.submitted_at_ms, &last.response.id)
    }
}

/// The NPS band of a response's first NPS answer.
pub(crate) fn band_of(item: &FeedItem, surveys: &HashMap<String, Survey>) -> Option<NpsBand> {
    let survey = surveys.get(&item.response.survey_id)?;
    survey
        .definition
        .questions
        .iter()
        .filter(|q| q.qtype == QuestionType::Nps)
        .find_map(|q| match item.response.answers.get(&q.key) {
            Some(Answer::Score(s)) => u8::try_from(*s).ok().and_then(NpsBand::of),
            _ => None,
        })
}

/// One page of the feed.
pub(crate) async fn feed_page(
    state: &AppState,
    org_id: &str,
    mut q: FeedQuery,
) -> Result<FeedPage, ApiError> {
    let limit = q.limit;
    q.limit = limit + 1;
    let mut items = state.store.feed(org_id, &q).await?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let surveys: HashMap<String, Survey> = state
        .store
        .list_surveys(org_id)
        .await?
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect();
    let next_cursor = more
        .then(|| items.last().map(|l| next_cursor(&q, l, limit)))
        .flatten();
    let items = items
        .into_iter()
        .map(|it| FeedItemBody {
            band: band_of(&it, &surveys).map(NpsBand::as_str),
            response: ResponseBody::from(&it.response),
            account: it.response.account_id.clone().map(|id| FeedAccount {
                id,
                name: it.account_name.clone(),
            }),
            contact: it.response.contact_id.clone().map(|id| FeedContact {
                id,
                email: it.contact_email.clone(),
            }),
            case: it.case.map(|c| FeedCase {
                id: c.id,
                state: c.state.as_str().to_owned(),
                owner: c.owner,
                owner_email: c.owner_email,
            }),
            survey_name: it.survey_name,
        })
        .collect();
    Ok(FeedPage { items, next_cursor })
}

/// `GET /api/v1/feedback`
#[utoipa::path(get, path = "/api/v1/feedback", tag = "feedback",
    summary = "The feedback feed, newest first; with `q`, comments containing every word of it, newest first (any word with `match=any`: more and rarer words first), in any script",
    params(FeedParams),
    responses((status = 200, body = FeedPage), (status = 404, description = "no such survey")))]
pub(crate) async fn feed(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<FeedParams>,
) -> Result<axum::Json<FeedPage>, ApiError> {
    let q = params.to_query()?;
    if let Some(s) = &q.survey_id {
        state.store.survey(caller.org(), s).await?;
    }
    Ok(axum::Json(feed_page(&state, caller.org(), q).await?))
}
