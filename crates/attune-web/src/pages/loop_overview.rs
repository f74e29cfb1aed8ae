//! `GET /loop`: the closed loop's metrics for a period.

use askama::Template;
use attune_domain::Invalid;
use attune_domain::closed_loop::metrics::Share;
use attune_domain::period::DAY_MS;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::{problems, render};
use crate::auth::PageUser;
use crate::extract::Query;
use crate::i18n::{Msg, Tr};
use crate::routes::cases::metrics::{LoopParams, loop_metrics};
use crate::{ApiError, AppState};

pub(crate) struct Bar {
    label: String,
    count: u64,
    width: u32,
    cumulative: String,
}

#[derive(Template)]
#[template(path = "loop.html")]
struct LoopPage {
    t: Tr,
    user_email: String,
    csrf: String,
    from: String,
    to: String,
    cases: u64,
    within: String,
    median_first: String,
    median_resolution: String,
    recurrence: String,
    recovery: String,
    causes: Vec<Bar>,
    by_owner: Vec<(String, u64)>,
    by_team: Vec<(String, u64)>,
    error: Option<String>,
}

fn share(t: &Tr, v: &Share) -> String {
    match v.share {
        Some(s) => t.args(
            Msg::LoopShare,
            [
                ("share", format!("{:.0}", s * 100.0).into()),
                ("count", v.count.to_string().into()),
                ("of", v.of.to_string().into()),
            ],
        ),
        None => t.get(Msg::LoopNoData),
    }
}

fn duration(t: &Tr, v: Option<i64>) -> String {
    match v {
        Some(ms) if ms >= DAY_MS => {
            t.count(Msg::LoopDays, format!("{:.1}", ms as f64 / DAY_MS as f64))
        }
        Some(ms) => t.count(Msg::LoopHours, format!("{:.1}", ms as f64 / 3_600_000.0)),
        None => t.get(Msg::LoopNoData),
    }
}

/// `GET /loop`: loop metrics for a period (default the last 30 days).
pub(crate) async fn metrics(
    State(state): State<AppState>,
    user: PageUser,
    Query(params): Query<LoopParams>,
) -> Response {
    let mut page = LoopPage {
        t: user.tr.clone(),
        user_email: user.email.clone(),
        csrf: user.csrf_token.clone(),
        from: params.from.clone().unwrap_or_default(),
        to: params.to.clone().unwrap_or_default(),
        cases: 0,
        within: String::new(),
        median_first: String::new(),
        median_resolution: String::new(),
        recurrence: String::new(),
        recovery: String::new(),
        causes: Vec::new(),
        by_owner: Vec::new(),
        by_team: Vec::new(),
        error: None,
    };
    let m = match loop_metrics(&state, &user.actor.org_id, &params).await {
        Ok(m) => m,
        Err(ApiError::Invalid(f)) => {
            page.error = Some(problems(&Invalid(f)));
            return render(&page);
        }
        Err(e) => return e.into_response(),
    };
    page.from = m.from.chars().take(10).collect();
    page.to = m.to.chars().take(10).collect();
    page.cases = m.cases;
    page.within = share(&page.t, &m.first_response_within_deadline);
    page.median_first = duration(&page.t, m.median_first_response_ms);
    page.median_resolution = duration(&page.t, m.median_resolution_ms);
    page.recurrence = share(&page.t, &m.recurrence);
    page.recovery = share(&page.t, &m.recovery);
    let top = m.root_causes.first().map_or(1, |c| c.count).max(1);
    page.causes = m
        .root_causes
        .iter()
        .map(|c| Bar {
            label: c.root_cause.clone(),
            count: c.count,
            width: u32::try_from(c.count * 300 / top).unwrap_or(300),
            cumulative: format!("{:.0}%", c.cumulative_share * 100.0),
        })
        .collect();
    page.by_owner = m.breaches_by_owner;
    page.by_team = m.breaches_by_team;
    render(&page)
}

/// Loop metrics with data and with a problem, for the catalogue test.
#[cfg(test)]
pub(super) fn samples(t: &Tr) -> Vec<(&'static str, String)> {
    let v = |share| Share {
        count: 1,
        of: 2,
        share,
    };
    let page = |full: bool| {
        LoopPage {
            t: t.clone(),
            user_email: "①".into(),
            csrf: "①".into(),
            from: String::new(),
            to: String::new(),
            cases: 2,
            within: share(t, &v(Some(0.5))),
            median_first: duration(t, Some(3_600_000)),
            median_resolution: duration(t, Some(2 * DAY_MS)),
            recurrence: share(t, &v(None)),
            recovery: duration(t, None),
            causes: if full {
                vec![Bar {
                    label: "①".into(),
                    count: 1,
                    width: 300,
                    cumulative: "100%".into(),
                }]
            } else {
                Vec::new()
            },
            by_owner: if full {
                vec![("①".into(), 1)]
            } else {
                Vec::new()
            },
            by_team: Vec::new(),
            error: (!full).then(|| "①".into()),
        }
        .render()
        .expect("renders")
    };
    vec![("loop", page(true)), ("empty loop", page(false))]
}
