//! The dashboard: NPS, CSAT and CES over the last 12 months and the monthly NPS trend.

use askama::Template;
use attune_domain::period::{Interval, day_of_ms, format_day};
use attune_domain::survey::QuestionType;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::chart::{Chart, nps_chart};
use super::render;
use crate::AppState;
use crate::auth::PageUser;
use crate::i18n::{Msg, Tr};
use crate::metrics::{MetricParams, compute};

pub(crate) struct Kpi {
    label: &'static str,
    value: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    t: Tr,
    user_email: String,
    csrf: String,
    kpis: Vec<Kpi>,
    chart: Chart,
}

fn fmt(v: &Value) -> String {
    v.as_f64()
        .map_or_else(|| "no data".into(), |x| format!("{x:.1}"))
}

fn ci(v: &Value) -> String {
    match v["ci95"].as_array() {
        Some(a) if a.len() == 2 => format!("· 95% CI {} to {}", fmt(&a[0]), fmt(&a[1])),
        _ => String::new(),
    }
}

/// `GET /`
pub(crate) async fn show(State(state): State<AppState>, user: PageUser) -> Response {
    let today = day_of_ms(state.now_ms());
    let from_day = Interval::Month.bucket_start(today - 334);
    let range = MetricParams {
        from: Some(format_day(from_day)),
        to: Some(format_day(today)),
        ..Default::default()
    };
    let org = user.actor.org_id.clone();
    let mut kpis = Vec::new();
    for (kind, label) in [
        (QuestionType::Nps, "NPS"),
        (QuestionType::Csat, "CSAT (% satisfied)"),
        (QuestionType::Ces, "CES (mean effort score)"),
    ] {
        let v = match compute(&state, &org, kind, &range).await {
            Ok(v) => v,
            Err(e) => return e.into_response(),
        };
        let (value, detail) = match kind {
            QuestionType::Nps => (fmt(&v["nps"]), format!("n = {} {}", v["n"], ci(&v))),
            QuestionType::Csat => (fmt(&v["csat"]), format!("n = {} {}", v["n"], ci(&v))),
            _ => (
                fmt(&v["mean"]),
                match v["share_easy"].as_f64() {
                    Some(share) => format!("n = {} · {share:.1}% easy", v["n"]),
                    None => format!("n = {}", v["n"]),
                },
            ),
        };
        kpis.push(Kpi {
            label,
            value,
            detail,
        });
    }
    let trend = MetricParams {
        interval: Some("month".into()),
        ..range
    };
    let buckets = match compute(&state, &org, QuestionType::Nps, &trend).await {
        Ok(v) => v["buckets"].as_array().cloned().unwrap_or_default(),
        Err(e) => return e.into_response(),
    };
    render(&DashboardPage {
        t: user.tr.clone(),
        user_email: user.email,
        csrf: user.csrf_token,
        kpis,
        chart: nps_chart(&buckets),
    })
}
