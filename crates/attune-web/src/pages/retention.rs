//! The retention page: the period summary (CRR beside the retained share, with why they
//! differ), the customers lost in the latest period, the Kaplan–Meier survival curve and the
//! cohort heat map, both as server-rendered SVG. Coordinates are computed here; every label is
//! written by the template, which escapes it.

use askama::Template;
use attune_retention::calendar::format_day;
use attune_retention::{CiKind, KaplanMeier, Median, Member, PeriodUnit, TimeUnit};
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::{problems, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::extract::Query;
use crate::i18n::{Msg, Tr};
use attune_app::retention::{
    AtStep, Drill, Report, RetentionParams, Spec, day_of_ms, drill_options,
    with_report_and_attribute,
};
use fluent_bundle::FluentValue;

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

fn month_label(day: i32) -> String {
    format_day(day).get(..7).unwrap_or_default().to_owned()
}

fn curve(t: &Tr, report: &Report) -> Option<Curve> {
    let lifetimes = report.ledger.lifetimes(TimeUnit::Month);
    let km = KaplanMeier::from_lifetimes(&lifetimes);
    let horizon = lifetimes.iter().map(|l| l.duration).fold(0.0, f64::max);
    if km.n == 0 {
        return None;
    }
    let (left, right, top, bottom) = (48.0, 700.0, 12.0, 240.0);
    let t_max = horizon.max(1.0);
    let x = |t: f64| left + t / t_max * (right - left);
    let y = |s: f64| bottom - s * (bottom - top);
    let mut line = vec![format!("{:.1},{:.1}", x(0.0), y(1.0))];
    let mut upper = vec![format!("{:.1},{:.1}", x(0.0), y(1.0))];
    let mut lower = vec![format!("{:.1},{:.1}", x(0.0), y(1.0))];
    let mut level = 1.0;
    let (mut hi_level, mut lo_level) = (1.0, 1.0);
    for s in &km.steps {
        let xs = x(s.time);
        line.push(format!("{xs:.1},{:.1}", y(level)));
        line.push(format!("{xs:.1},{:.1}", y(s.survival)));
        let (lo, hi) = s
            .interval(CiKind::Log, attune_domain::metrics::Z95)
            .unwrap_or((s.survival, s.survival));
        upper.push(format!("{xs:.1},{:.1}", y(hi_level)));
        upper.push(format!("{xs:.1},{:.1}", y(hi)));
        lower.push(format!("{xs:.1},{:.1}", y(lo_level)));
        lower.push(format!("{xs:.1},{:.1}", y(lo)));
        level = s.survival;
        hi_level = hi;
        lo_level = lo;
    }
    line.push(format!("{:.1},{:.1}", x(t_max), y(level)));
    upper.push(format!("{:.1},{:.1}", x(t_max), y(hi_level)));
    lower.push(format!("{:.1},{:.1}", x(t_max), y(lo_level)));
    lower.reverse();
    upper.extend(lower);
    let step = (t_max / 6.0).ceil().max(1.0);
    let x_ticks = (0..)
        .map(|i| f64::from(i) * step)
        .take_while(|t| *t <= t_max)
        .map(|t| (x(t), format!("{t:.0}")))
        .collect();
    let y_ticks = [0.0, 0.25, 0.5, 0.75, 1.0]
        .iter()
        .map(|s| (y(*s), format!("{:.0}%", s * 100.0)))
        .collect();
    Some(Curve {
        line: line.join(" "),
        band: upper.join(" "),
        x_ticks,
        y_ticks,
        text: survival_text(
            t,
            km.n,
            lifetimes.iter().filter(|l| l.churned).count(),
            km.median(),
            km.restricted_mean(horizon),
            t_max,
        ),
    })
}

/// The paragraph above the survival curve.
fn survival_text(t: &Tr, n: u64, ended: usize, median: Median, mean: f64, horizon: f64) -> String {
    let median = match median {
        Median::At(m) => t.args(Msg::RetentionMonths, [("count", whole(m))]),
        Median::NotReached => t.get(Msg::RetentionMedianNotReached),
    };
    let mean = t.args(
        Msg::RetentionMean,
        [
            ("mean", format!("{mean:.1}").into()),
            ("horizon", format!("{horizon:.0}").into()),
        ],
    );
    t.args(
        Msg::RetentionSurvivalText,
        [
            ("count", n.into()),
            ("ended", ended.into()),
            ("median", median.into()),
            ("mean", mean.into()),
        ],
    )
}

/// The tooltip of a heat map cell.
fn cell_title(
    t: &Tr,
    month: String,
    size: FluentValue<'static>,
    k: usize,
    share: f64,
    active: FluentValue<'static>,
) -> String {
    t.args(
        Msg::RetentionCell,
        [
            ("month", month.into()),
            ("size", size),
            ("k", k.into()),
            ("share", format!("{:.1}", share * 100.0).into()),
            ("active", active),
        ],
    )
}

fn heat(t: &Tr, report: &Report) -> Option<Heat> {
    let query = report.spec.query();
    let table = report.ledger.cohorts(&report.grid);
    // The last 24 cohorts at most, so the map stays readable.
    let rows: Vec<_> = table.rows.iter().filter(|r| r.size > 0).collect();
    let rows = &rows[rows.len().saturating_sub(24)..];
    if rows.is_empty() {
        return None;
    }
    let k_max = rows
        .iter()
        .map(|r| r.share.len())
        .max()
        .unwrap_or(0)
        .min(24);
    let (cw, ch, left, top) = (30.0, 20.0, 110.0, 22.0);
    let mut cells = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        for (k, share) in r.share.iter().take(k_max).enumerate() {
            let Some(share) = share else { continue };
            cells.push(Cell {
                href: format!(
                    "/retention/members?{query}&which=cohort&period_start={}&k={k}",
                    format_day(r.cohort.start)
                ),
                x: left + k as f64 * cw,
                y: top + i as f64 * ch,
                opacity: format!("{:.2}", 0.08 + 0.92 * share),
                text: format!("{:.0}", share * 100.0),
                title: cell_title(
                    t,
                    month_label(r.cohort.start),
                    r.size.into(),
                    k,
                    *share,
                    r.active.get(k).copied().flatten().unwrap_or(0).into(),
                ),
                dark: *share > 0.55,
            });
        }
    }
    Some(Heat {
        width: left + k_max as f64 * cw + 8.0,
        height: top + rows.len() as f64 * ch + 8.0,
        cells,
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    top + i as f64 * ch + 14.0,
                    format!("{} · {}", month_label(r.cohort.start), r.size),
                )
            })
            .collect(),
        cols: (0..k_max)
            .map(|k| (left + k as f64 * cw + cw / 2.0, k.to_string()))
            .collect(),
    })
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

/// Accounts listed on the drill-down page.
const MEMBERS_SHOWN: usize = 500;

#[derive(Template)]
#[template(path = "retention_members.html")]
struct MembersPage {
    t: Tr,
    user_email: String,
    csrf: String,
    heading: String,
    back: String,
    problem: Option<String>,
    count: usize,
    accounts: Vec<Lost>,
}

impl MembersPage {
    /// How many customers, when only the first of them are listed, as HTML.
    fn listed(&self) -> String {
        self.t.markup(
            Msg::RetentionMembersCountSome,
            [
                ("count", self.count.into()),
                ("shown", self.accounts.len().into()),
            ],
            &[("api", "/api/v1/retention/members"), ("limit", "limit")],
        )
    }
}

/// What a drill-down lists, in words.
fn describe(t: &Tr, drill: &Drill) -> String {
    match drill {
        Drill::Period(start, which) => {
            let what = t.get(match which {
                Member::Start => Msg::RetentionMemberStart,
                Member::End => Msg::RetentionMemberEnd,
                Member::New => Msg::RetentionMemberNew,
                Member::Lost => Msg::RetentionMemberLost,
                Member::LostNew => Msg::RetentionMemberLostNew,
                Member::Retained => Msg::RetentionMemberRetained,
                Member::Reactivated => Msg::RetentionMemberReactivated,
                Member::Expanded => Msg::RetentionMemberExpanded,
                Member::Contracted => Msg::RetentionMemberContracted,
            });
            t.args(
                Msg::RetentionDrillPeriod,
                [("what", what.into()), ("start", format_day(*start).into())],
            )
        }
        Drill::Cohort(start, k) => t.args(
            Msg::RetentionDrillCohort,
            [("month", month_label(*start).into()), ("k", (*k).into())],
        ),
        Drill::Survival(unit, time, at) => {
            let unit = match unit {
                TimeUnit::Day => Msg::RetentionDays,
                TimeUnit::Month => Msg::RetentionMonths,
            };
            let duration = t.args(unit, [("count", (*time).into())]);
            let m = match at {
                AtStep::Events => Msg::RetentionDrillLeft,
                AtStep::Censored => Msg::RetentionDrillStill,
                AtStep::AtRisk => Msg::RetentionDrillStayed,
            };
            t.args(m, [("duration", duration.into())])
        }
        Drill::Audit {
            attribute,
            value,
            outcome,
            ..
        } => t.args(
            match outcome {
                attune_retention::Outcome::Retained => Msg::RetentionDrillRetained,
                _ => Msg::RetentionDrillChurned,
            },
            [
                ("attribute", attribute.clone().into()),
                (
                    "value",
                    value
                        .clone()
                        .unwrap_or_else(|| t.get(Msg::RetentionNoValue))
                        .into(),
                ),
            ],
        ),
    }
}

/// `GET /retention/members`: the customers behind a number of the retention page.
pub(crate) async fn members(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<RetentionParams>,
) -> Response {
    let today = day_of_ms(state.now_ms());
    let mut page = MembersPage {
        t: user.tr.clone(),
        user_email: user.email,
        csrf: user.csrf_token,
        heading: user.tr.get(Msg::RetentionMembersHeading),
        back: String::new(),
        problem: None,
        count: 0,
        accounts: Vec::new(),
    };
    let default_unit = match q.which.as_deref() {
        Some("cohort") => PeriodUnit::Month,
        _ => PeriodUnit::Quarter,
    };
    let parsed = Spec::parse(&q, today, default_unit).and_then(|spec| {
        let (drill, _) = drill_options(&q)?;
        Ok((spec, drill))
    });
    let (spec, drill) = match parsed {
        Ok(v) => v,
        Err(e) => {
            page.problem = Some(problems(&e));
            return render(&page);
        }
    };
    page.heading = describe(&page.t, &drill);
    page.back = spec.query();
    let org = user.actor.org_id.clone();
    let attribute = match &drill {
        Drill::Audit { attribute, .. } => Some(attribute.clone()),
        _ => None,
    };
    let found = with_report_and_attribute(
        state.store.as_ref(),
        &org,
        spec,
        attribute.as_deref(),
        move |report, column| report.drill(&drill, column),
    )
    .await;
    let idxs = match found {
        Ok(idxs) => idxs,
        Err(attune_app::AppError::Invalid(invalid)) => {
            page.problem = Some(problems(&invalid));
            return render(&page);
        }
        Err(e) => return crate::ApiError::from(e).into_response(),
    };
    page.count = idxs.len();
    match listed(&state, &org, idxs, MEMBERS_SHOWN).await {
        Ok(accounts) => page.accounts = accounts,
        Err(e) => return e.into_response(),
    }
    render(&page)
}

/// The first `shown` of these accounts, by name, as the pages list them.
async fn listed(
    state: &AppState,
    org: &str,
    idxs: Vec<u32>,
    shown: usize,
) -> Result<Vec<Lost>, crate::ApiError> {
    let shown: Vec<u32> = idxs.into_iter().take(shown).collect();
    Ok(state
        .store
        .retention_accounts(org, &shown)
        .await?
        .into_iter()
        .map(|a| Lost {
            name: a.name,
            external_id: a.external_id.unwrap_or_default(),
        })
        .collect())
}

/// The retention page with every part, without data, and a drill-down, for the catalogue
/// test.
#[cfg(test)]
pub(super) fn samples(t: &Tr) -> Vec<(&'static str, String)> {
    use askama::Template;
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
