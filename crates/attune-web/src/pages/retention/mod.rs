//! The retention page: the period summary (CRR beside the retained share, with why they
//! differ), the customers lost in the latest period, the Kaplan–Meier survival curve and the
//! cohort heat map, both as server-rendered SVG. Coordinates are computed here; every label is
//! written by the template, which escapes it.

use askama::Template;
use attune_retention::calendar::format_day;
use attune_retention::{Member, PeriodUnit};
use axum::extract::State;
use axum::response::{IntoResponse, Response};

mod charts;
mod members;

use super::{problems, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::extract::Query;
use crate::i18n::{Msg, Tr};
use attune_app::retention::{Report, RetentionParams, Spec, day_of_ms};
use charts::{curve, heat};
use fluent_bundle::FluentValue;
use members::listed;
pub(crate) use members::members;

/// Accounts listed under "lost in the latest period".
const LOST_SHOWN: usize = 20;

pub(crate) struct Row {
    label: String,
    /// The query string of the drill-down into this period (without `which`).
    drill: String,
    s: u64,
    e: u64,
    n: u64,
    lost: u64,
    lost_new: u64,
    crr: String,
    retained_share: String,
    churn_rate: String,
    grr: String,
    nrr: String,
    complete: bool,
}

pub(crate) struct Curve {
    /// Polyline points of the step function.
    pub line: String,
    /// Polygon of the 95% band.
    pub band: String,
    pub x_ticks: Vec<(f64, String)>,
    pub y_ticks: Vec<(f64, String)>,
    /// The paragraph above the curve: customers, ended lifetimes, median and mean.
    pub text: String,
}

pub(crate) struct Cell {
    /// The drill-down into the customers behind the cell.
    href: String,
    x: f64,
    y: f64,
    opacity: String,
    text: String,
    title: String,
    dark: bool,
}

pub(crate) struct Heat {
    width: f64,
    height: f64,
    cells: Vec<Cell>,
    rows: Vec<(f64, String)>,
    cols: Vec<(f64, String)>,
}

pub(crate) struct Lost {
    name: String,
    external_id: String,
    /// The account's page.
    link: String,
}

#[derive(Template)]
#[template(path = "retention.html")]
struct RetentionPage {
    t: Tr,
    user_email: String,
    csrf: String,
    period: String,
    basis: String,
    from: String,
    to: String,
    as_of: String,
    window_days: u32,
    problem: Option<String>,
    n_accounts: usize,
    rows: Vec<Row>,
    lost_new_total: u64,
    lost_period: String,
    lost: Vec<Lost>,
    lost_count: usize,
    curve: Option<Curve>,
    heat: Option<Heat>,
    /// The period choices: value and label.
    periods: Vec<(&'static str, String)>,
}

impl RetentionPage {
    /// A period unit in words (the parameter as given when it is none of them).
    fn period_name(&self, period: &str) -> String {
        match period {
            "month" => self.t.get(Msg::RetentionPeriodMonth),
            "quarter" => self.t.get(Msg::RetentionPeriodQuarter),
            "year" => self.t.get(Msg::RetentionPeriodYear),
            "custom" => self.t.get(Msg::RetentionPeriodCustom),
            other => other.to_owned(),
        }
    }

    /// The line under "Lost in …" when only the first of them are listed, as HTML.
    fn lost_listed(&self) -> String {
        self.t.markup(
            Msg::RetentionLostTextSome,
            [
                ("count", self.lost_count.into()),
                ("shown", self.lost.len().into()),
            ],
            &[("api", "/api/v1/retention/members")],
        )
    }
}

fn pct(t: &Tr, v: Option<f64>) -> String {
    v.map_or_else(
        || t.get(Msg::RetentionUndefined),
        |x| format!("{:.1}%", x * 100.0),
    )
}

/// A whole number as `format!("{x:.0}")` rounds it, for a plural.
fn whole(x: f64) -> FluentValue<'static> {
    format!("{x:.0}").parse::<f64>().unwrap_or(x).into()
}

pub(super) fn month_label(day: i32) -> String {
    format_day(day).get(..7).unwrap_or_default().to_owned()
}

/// `GET /retention`
pub(crate) async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<RetentionParams>,
) -> Response {
    let today = day_of_ms(state.now_ms());
    let org = user.actor.org_id.clone();
    let mut page = RetentionPage {
        t: user.tr.clone(),
        user_email: user.email,
        csrf: user.csrf_token,
        period: q.period.clone().unwrap_or_else(|| "quarter".into()),
        basis: q.basis.clone().unwrap_or_else(|| "subscription".into()),
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        as_of: q.as_of.clone().unwrap_or_else(|| format_day(today)),
        window_days: attune_retention::Basis::DEFAULT_WINDOW_DAYS,
        problem: None,
        n_accounts: 0,
        rows: Vec::new(),
        lost_new_total: 0,
        lost_period: String::new(),
        lost: Vec::new(),
        lost_count: 0,
        curve: None,
        heat: None,
        periods: Vec::new(),
    };
    page.periods = ["month", "quarter", "year", "custom"]
        .into_iter()
        .map(|p| (p, page.period_name(p)))
        .collect();
    let spec = match Spec::parse(&q, today, PeriodUnit::Quarter) {
        Ok(s) => s,
        Err(e) => {
            page.problem = Some(problems(&e));
            return render(&page);
        }
    };
    if let attune_retention::Basis::Activity { window_days } = spec.basis {
        page.window_days = window_days;
    }
    let query = spec.query();
    let rows = match state.store.retention_rows(&org, spec.source()).await {
        Ok(r) => r,
        Err(e) => return crate::ApiError::from(e).into_response(),
    };
    let t = user.tr.clone();
    let built = tokio::task::spawn_blocking(move || {
        let report = Report::build(&rows, spec)?;
        let summary = report.ledger.summary(&report.grid);
        let n_accounts = report.ledger.n_accounts();
        let last = summary.iter().rev().find(|p| p.lost > 0).map(|p| p.period);
        let lost = last
            .map(|p| report.ledger.period_members(p, Member::Lost))
            .unwrap_or_default();
        // Cohorts and survival read monthly, whatever the summary's period: the same ledger
        // over a monthly grid.
        let monthly = report.with_unit(PeriodUnit::Month, &rows)?;
        Ok::<_, crate::ApiError>((
            n_accounts,
            summary,
            last,
            lost,
            curve(&t, &monthly),
            heat(&t, &monthly),
        ))
    })
    .await;
    let (n_accounts, summary, last, lost, curve, heat) = match built {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return e.into_response(),
        Err(e) => {
            return crate::ApiError::Internal(format!("retention page: {e}")).into_response();
        }
    };
    page.n_accounts = n_accounts;
    page.lost_new_total = summary.iter().map(|p| p.lost_new).sum();
    page.rows = summary
        .iter()
        .rev()
        .take(12)
        .rev()
        .map(|p| Row {
            label: format!(
                "{} – {}",
                format_day(p.period.start),
                format_day(p.period.last_day())
            ),
            drill: format!(
                "/retention/members?{query}&period_start={}",
                format_day(p.period.start)
            ),
            s: p.s,
            e: p.e,
            n: p.n,
            lost: p.lost,
            lost_new: p.lost_new,
            crr: pct(&page.t, p.crr),
            retained_share: pct(&page.t, p.retained_share),
            churn_rate: pct(&page.t, p.churn_rate),
            grr: pct(&page.t, p.grr),
            nrr: pct(&page.t, p.nrr),
            complete: p.complete,
        })
        .collect();
    if let Some(p) = last {
        page.lost_period = format!("{} – {}", format_day(p.start), format_day(p.last_day()));
        page.lost_count = lost.len();
        match listed(&state, &org, lost, LOST_SHOWN).await {
            Ok(accounts) => page.lost = accounts,
            Err(e) => return e.into_response(),
        }
    }
    page.curve = curve;
    page.heat = heat;
    render(&page)
}

/// The retention page with every part, without data, and a drill-down, for the catalogue
/// test.
#[cfg(test)]
pub(super) fn samples(t: &Tr) -> Vec<(&'static str, String)> {
    use askama::Template;
    use attune_app::retention::{AtStep, Drill};
    use attune_retention::{Median, TimeUnit};
    use charts::{cell_title, survival_text};
    use members::{MembersPage, describe};
    let row = |complete: bool| Row {
        label: "①".into(),
        drill: "/retention/members?period=month".into(),
        s: 1,
        e: 1,
        n: 0,
        lost: 1,
        lost_new: 0,
        crr: pct(t, Some(0.5)),
        retained_share: pct(t, None),
        churn_rate: pct(t, Some(0.5)),
        grr: pct(t, None),
        nrr: pct(t, Some(1.0)),
        complete,
    };
    let lost = || Lost {
        name: "①".into(),
        external_id: "①".into(),
        link: "/".into(),
    };
    let page =
        |n_accounts: usize, lost_count: usize, lost_new_total: u64, problem: Option<String>| {
            let mut page = RetentionPage {
                t: t.clone(),
                user_email: "①".into(),
                csrf: "①".into(),
                period: "quarter".into(),
                basis: "activity".into(),
                from: String::new(),
                to: String::new(),
                as_of: "2026-11-23".into(),
                window_days: 1,
                problem,
                n_accounts,
                rows: vec![row(true), row(false)],
                lost_new_total,
                lost_period: "①".into(),
                lost: vec![lost()],
                lost_count,
                curve: Some(Curve {
                    line: String::new(),
                    band: String::new(),
                    x_ticks: vec![(1.0, "1".into())],
                    y_ticks: vec![(1.0, "50%".into())],
                    text: survival_text(t, 2, 1, Median::At(3.0), 2.5, 6.0),
                }),
                heat: Some(Heat {
                    width: 1.0,
                    height: 1.0,
                    cells: vec![Cell {
                        href: "/retention/members?which=cohort".into(),
                        x: 0.0,
                        y: 0.0,
                        opacity: "0.5".into(),
                        text: "50".into(),
                        title: cell_title(t, "2026-01".into(), 2u64.into(), 1, 0.5, 1u64.into()),
                        dark: true,
                    }],
                    rows: vec![(1.0, "①".into())],
                    cols: vec![(1.0, "0".into())],
                }),
                periods: Vec::new(),
            };
            page.periods = ["month", "quarter", "year", "custom"]
                .into_iter()
                .map(|p| (p, page.period_name(p)))
                .collect();
            page.render().expect("renders")
        };
    let members = |heading: String, count: usize| {
        MembersPage {
            t: t.clone(),
            user_email: "①".into(),
            csrf: "①".into(),
            heading,
            back: "period=month".into(),
            problem: None,
            count,
            accounts: vec![lost()],
        }
        .render()
        .expect("renders")
    };
    let mut pages = vec![
        ("retention", page(3, 1, 1, None)),
        ("retention, more lost than listed", page(3, 30, 0, None)),
        ("retention without data", page(0, 0, 0, None)),
        ("retention with a problem", page(0, 0, 0, Some("①".into()))),
        (
            "members, more than listed",
            members(t.get(Msg::RetentionMembersHeading), 900),
        ),
    ];
    let day = attune_retention::calendar::parse_day("2026-01-01").expect("a day");
    let drills = [
        Drill::Period(day, Member::LostNew),
        Drill::Cohort(day, 1),
        Drill::Survival(TimeUnit::Day, 30.0, AtStep::Events),
        Drill::Survival(TimeUnit::Month, 1.0, AtStep::Censored),
        Drill::Survival(TimeUnit::Month, 2.0, AtStep::AtRisk),
        Drill::Audit {
            attribute: "①".into(),
            value: None,
            outcome: attune_retention::Outcome::Churned,
            period: None,
        },
    ];
    for d in &drills {
        pages.push(("members", members(describe(t, d), 1)));
    }
    pages
}
