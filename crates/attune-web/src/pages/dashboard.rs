//! The dashboard: NPS, CSAT and CES over the last 12 months and the monthly NPS trend.

use askama::Template;
use attune_app::metrics::output::{MetricReport, MetricValue};
use attune_app::metrics::{MetricQuery, compute};
use attune_domain::period::{Interval, day_of_ms};
use attune_domain::survey::QuestionType;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::chart::{Chart, nps_chart};
use super::render;
use crate::AppState;
use crate::auth::PageUser;
use crate::i18n::{Msg, Tr};

pub(crate) struct Kpi {
    label: String,
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

fn fmt(t: &Tr, v: Option<f64>) -> String {
    v.map_or_else(|| t.get(Msg::NoData), |x| format!("{x:.1}"))
}

/// `n = …`, with the 95% interval when there is one.
fn detail(t: &Tr, n: u64, ci: Option<[f64; 2]>) -> String {
    match ci {
        Some([lo, hi]) => t.args(
            Msg::DashboardDetailCi,
            [
                ("n", n.into()),
                ("lo", format!("{lo:.1}").into()),
                ("hi", format!("{hi:.1}").into()),
            ],
        ),
        None => t.args(Msg::DashboardDetail, [("n", n.into())]),
    }
}

/// The headline figure and its detail line.
fn kpi(t: &Tr, v: &MetricValue) -> (String, String) {
    match v {
        MetricValue::Nps(v) => (fmt(t, v.nps), detail(t, v.n, v.ci95)),
        MetricValue::Csat(v) => (fmt(t, v.csat), detail(t, v.n, v.ci95)),
        MetricValue::Ces(v) => (
            fmt(t, v.mean),
            match v.share_easy {
                Some(share) => t.args(
                    Msg::DashboardDetailCes,
                    [("n", v.n.into()), ("share", format!("{share:.1}").into())],
                ),
                None => detail(t, v.n, None),
            },
        ),
    }
}

/// `GET /`
pub(crate) async fn show(State(state): State<AppState>, user: PageUser) -> Response {
    let today = day_of_ms(state.now_ms());
    let from_day = Interval::Month.bucket_start(today - 334);
    // What `from=<first day>&to=<today>` parses to.
    let range = MetricQuery {
        from_day: Some(from_day),
        to_day: Some(today),
        ..MetricQuery::default()
    };
    let org = user.actor.org_id.clone();
    let mut kpis = Vec::new();
    for (kind, label) in [
        (QuestionType::Nps, Msg::DashboardNps),
        (QuestionType::Csat, Msg::DashboardCsat),
        (QuestionType::Ces, Msg::DashboardCes),
    ] {
        let t = &user.tr;
        let (value, detail) = match compute(state.store.as_ref(), &org, kind, &range).await {
            Ok(MetricReport::Total(v)) => kpi(t, &v),
            Ok(MetricReport::Buckets { .. }) => (fmt(t, None), String::new()),
            Err(e) => return crate::ApiError::from(e).into_response(),
        };
        kpis.push(Kpi {
            label: user.tr.get(label),
            value,
            detail,
        });
    }
    let trend = MetricQuery {
        interval: Some(Interval::Month),
        ..range
    };
    let buckets = match compute(state.store.as_ref(), &org, QuestionType::Nps, &trend).await {
        Ok(MetricReport::Buckets { buckets }) => buckets,
        Ok(MetricReport::Total(_)) => Vec::new(),
        Err(e) => return crate::ApiError::from(e).into_response(),
    };
    render(&DashboardPage {
        t: user.tr.clone(),
        user_email: user.email,
        csrf: user.csrf_token,
        kpis,
        chart: nps_chart(&user.tr, &buckets),
    })
}

/// The dashboard with and without data, for the catalogue test.
#[cfg(test)]
pub(super) fn samples(t: &Tr) -> Vec<(&'static str, String)> {
    use askama::Template;
    use attune_app::metrics::output::{Bucket, NpsValue};
    let nps = |nps: Option<f64>| {
        MetricValue::Nps(NpsValue {
            n: 3,
            promoters: 1,
            passives: 1,
            detractors: 1,
            nps,
            se: None,
            ci95: nps.map(|x| [x - 10.0, x + 10.0]),
        })
    };
    let bucket = Bucket {
        start: Some("2026-10-01".into()),
        segment: None,
        value: nps(Some(5.0)),
    };
    let page = |kpis: Vec<Kpi>, buckets: &[Bucket]| {
        DashboardPage {
            t: t.clone(),
            user_email: "①".into(),
            csrf: "①".into(),
            kpis,
            chart: nps_chart(t, buckets),
        }
        .render()
        .expect("renders")
    };
    let (value, detail) = kpi(t, &nps(Some(5.0)));
    let (empty, none) = kpi(t, &nps(None));
    let kpis = vec![
        Kpi {
            label: t.get(Msg::DashboardNps),
            value,
            detail,
        },
        Kpi {
            label: t.get(Msg::DashboardCes),
            value: empty,
            detail: none,
        },
    ];
    vec![
        ("dashboard", page(kpis, &[bucket])),
        ("empty dashboard", page(Vec::new(), &[])),
    ]
}
