//! `GET /loop`: the closed loop's metrics for a period.

use askama::Template;
use attune_domain::Invalid;
use attune_domain::period::DAY_MS;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::{problems, render};
use crate::auth::PageUser;
use crate::extract::Query;
use crate::i18n::{Msg, Tr};
use crate::routes::cases::metrics::{LoopParams, loop_metrics_json};
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

fn share(t: &Tr, v: &Value) -> String {
    match v["share"].as_f64() {
        Some(s) => t.args(
            Msg::LoopShare,
            [
                ("share", format!("{:.0}", s * 100.0).into()),
                ("count", v["count"].to_string().into()),
                ("of", v["of"].to_string().into()),
            ],
        ),
        None => t.get(Msg::LoopNoData),
    }
}

fn duration(t: &Tr, v: &Value) -> String {
    match v.as_i64() {
        Some(ms) if ms >= DAY_MS => {
            t.count(Msg::LoopDays, format!("{:.1}", ms as f64 / DAY_MS as f64))
        }
        Some(ms) => t.count(Msg::LoopHours, format!("{:.1}", ms as f64 / 3_600_000.0)),
        None => t.get(Msg::LoopNoData),
    }
}

fn pairs(v: &Value) -> Vec<(String, u64)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| Some((p[0].as_str()?.to_owned(), p[1].as_u64()?)))
                .collect()
        })
        .unwrap_or_default()
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
    let m = match loop_metrics_json(&state, &user.actor.org_id, &params).await {
        Ok(m) => m,
        Err(ApiError::Invalid(f)) => {
            page.error = Some(problems(&Invalid(f)));
            return render(&page);
        }
        Err(e) => return e.into_response(),
    };
    page.from = m["from"].as_str().unwrap_or("").chars().take(10).collect();
    page.to = m["to"].as_str().unwrap_or("").chars().take(10).collect();
    page.cases = m["cases"].as_u64().unwrap_or(0);
    page.within = share(&page.t, &m["first_response_within_deadline"]);
    page.median_first = duration(&page.t, &m["median_first_response_ms"]);
    page.median_resolution = duration(&page.t, &m["median_resolution_ms"]);
    page.recurrence = share(&page.t, &m["recurrence"]);
    page.recovery = share(&page.t, &m["recovery"]);
    let causes = m["root_causes"].as_array().cloned().unwrap_or_default();
    let top = causes
        .first()
        .and_then(|c| c["count"].as_u64())
        .unwrap_or(1)
        .max(1);
    page.causes = causes
        .iter()
        .map(|c| {
            let count = c["count"].as_u64().unwrap_or(0);
            Bar {
                label: c["root_cause"].as_str().unwrap_or("").to_owned(),
                count,
                width: u32::try_from(count * 300 / top).unwrap_or(300),
                cumulative: format!(
                    "{:.0}%",
                    c["cumulative_share"].as_f64().unwrap_or(0.0) * 100.0
                ),
            }
        })
        .collect();
    page.by_owner = pairs(&m["breaches_by_owner"]);
    page.by_team = pairs(&m["breaches_by_team"]);
    render(&page)
}
