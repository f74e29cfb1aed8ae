//! Retention reports over stored rows, shared by the API, the page and the CLI: parameters are
//! parsed into a [`Spec`], an organisation's rows are loaded once, and the arithmetic of
//! `attune_retention` runs off the async executor. Days travel as `YYYY-MM-DD`; ratios are
//! fractions (0.95 = 95%); undefined ratios are `null`.

use attune_domain::error::Problems;
use attune_domain::metrics::Z95;
use attune_domain::{FieldError, Invalid};
use attune_retention::calendar::format_day;
use attune_retention::{
    AttributeColumn, Basis, CiKind, Day, Grid, KaplanMeier, Ledger, Median, Member, Outcome,
    Period, PeriodUnit, TimeUnit, audit_members, churn_audit, parse_day,
};
use attune_storage::Store;
use attune_storage::retention::{RetentionRows, RetentionSource};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::ApiError;

/// The most periods one report covers (a century of months).
const MAX_PERIODS: usize = 1_200;

/// Query parameters of the retention endpoints, as received (every one optional).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RetentionParams {
    /// `month`, `quarter`, `year` or `custom` (one period `[from, to)`).
    pub period: Option<String>,
    /// First day covered (default: the first day with data).
    pub from: Option<String>,
    /// First day not covered (default: the day after `as_of`).
    pub to: Option<String>,
    /// The day the data is taken as known (default: today).
    pub as_of: Option<String>,
    /// `subscription` or `activity`.
    pub basis: Option<String>,
    /// Gaps shorter than this merge (subscription basis; default 7).
    pub grace_days: Option<String>,
    /// A purchase keeps a customer active this long (activity basis; default 90).
    pub window_days: Option<String>,
    /// Survival time unit: `day` or `month`.
    pub unit: Option<String>,
    /// Survival interval: `log` or `loglog`.
    pub ci: Option<String>,
    /// Audit attribute.
    pub attribute: Option<String>,
    /// Audit minimum support.
    pub min_support: Option<String>,
    /// Drill-down: the start day of a period (`which=` start, end, new, lost, …) or of a
    /// cohort (`which=cohort` with `k`).
    pub period_start: Option<String>,
    /// Drill-down: which customers.
    pub which: Option<String>,
    /// Drill-down into a cohort: periods after the cohort's start.
    pub k: Option<String>,
    /// Drill-down: at most this many accounts listed (default 100, at most 10,000).
    pub limit: Option<String>,
    /// Drill-down into the survival curve (`which=survival`): the time of a step, in `unit`.
    pub time: Option<String>,
    /// Drill-down into the survival curve (`events`, `censored` or `at_risk`) or the audit
    /// (`churned` or `retained`).
    pub outcome: Option<String>,
    /// Drill-down into the audit (`which=audit` with `attribute`): the value; empty for the
    /// accounts without one.
    pub value: Option<String>,
}

/// What a report covers, parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// Calendar periods, or `None` for one custom period.
    pub unit: Option<PeriodUnit>,
    /// First day covered.
    pub from: Option<Day>,
    /// First day not covered.
    pub to: Option<Day>,
    /// The day the data is known as of.
    pub as_of: Day,
    /// Subscription or activity, with its grace period or window.
    pub basis: Basis,
}

fn day(p: &mut Problems, field: &str, raw: Option<&str>) -> Option<Day> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    let d = parse_day(raw);
    if d.is_none() {
        p.push(field, "must be a date, YYYY-MM-DD");
    }
    d
}

fn number(
    p: &mut Problems,
    field: &str,
    raw: Option<&str>,
    default: u32,
    min: u32,
    max: u32,
) -> u32 {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => default,
        Some(s) => match s.parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => n,
            _ => {
                p.push(field, format!("must be a whole number from {min} to {max}"));
                default
            }
        },
    }
}

impl Spec {
    /// Parses the shared parameters; `default_unit` applies when `period` is absent.
    pub fn parse(
        q: &RetentionParams,
        today: Day,
        default_unit: PeriodUnit,
    ) -> Result<Spec, Invalid> {
        let mut p = Problems::default();
        let unit = match q.period.as_deref().map(str::trim) {
            None | Some("") => Some(default_unit),
            Some("custom") => None,
            Some(s) => match PeriodUnit::parse(s) {
                Some(u) => Some(u),
                None => {
                    p.push("period", "must be month, quarter, year or custom");
                    Some(default_unit)
                }
            },
        };
        let from = day(&mut p, "from", q.from.as_deref());
        let to = day(&mut p, "to", q.to.as_deref());
        let as_of = day(&mut p, "as_of", q.as_of.as_deref()).unwrap_or(today);
        if let (Some(f), Some(t)) = (from, to)
            && t <= f
        {
            p.push("to", "must be after from");
        }
        if unit.is_none() && (from.is_none() || to.is_none()) {
            p.push("from", "a custom period needs from and to");
        }
        let grace_days = number(
            &mut p,
            "grace_days",
            q.grace_days.as_deref(),
            Basis::DEFAULT_GRACE_DAYS,
            0,
            3_650,
        );
        let window_days = number(
            &mut p,
            "window_days",
            q.window_days.as_deref(),
            Basis::DEFAULT_WINDOW_DAYS,
            1,
            3_650,
        );
        let basis = match q.basis.as_deref().map(str::trim) {
            None | Some("") | Some("subscription") => Basis::Subscription { grace_days },
            Some("activity") => Basis::Activity { window_days },
            Some(_) => {
                p.push("basis", "must be subscription or activity");
                Basis::Subscription { grace_days }
            }
        };
        p.finish(Spec {
            unit,
            from,
            to,
            as_of,
            basis,
        })
    }

    /// The query string that asks for this report again (every value validated, so nothing
    /// needs escaping beyond what HTML attributes get).
    pub fn query(&self) -> String {
        let mut q = vec![format!(
            "period={}",
            match self.unit {
                Some(PeriodUnit::Month) => "month",
                Some(PeriodUnit::Quarter) => "quarter",
                Some(PeriodUnit::Year) => "year",
                None => "custom",
            }
        )];
        if let Some(f) = self.from {
            q.push(format!("from={}", format_day(f)));
        }
        if let Some(t) = self.to {
            q.push(format!("to={}", format_day(t)));
        }
        q.push(format!("as_of={}", format_day(self.as_of)));
        q.push(match self.basis {
            Basis::Subscription { grace_days } => {
                format!("basis=subscription&grace_days={grace_days}")
            }
            Basis::Activity { window_days } => format!("basis=activity&window_days={window_days}"),
        });
        q.join("&")
    }

    /// Which stored rows the basis reads.
    pub fn source(&self) -> RetentionSource {
        match self.basis {
            Basis::Subscription { .. } => RetentionSource::Subscriptions,
            Basis::Activity { .. } => RetentionSource::Activity,
        }
    }
}

/// A ledger over an organisation's rows, with the period grid the report covers.
#[derive(Debug)]
pub struct Report {
    /// The indexed rows.
    pub ledger: Ledger,
    /// The periods.
    pub grid: Grid,
    /// What was asked for.
    pub spec: Spec,
}

impl Report {
    /// Indexes the rows and lays out the grid (CPU work: call off the async executor).
    pub fn build(rows: &RetentionRows, spec: Spec) -> Result<Report, ApiError> {
        let ledger = match spec.basis {
            Basis::Subscription { grace_days } => Ledger::from_subscriptions(
                rows.n_accounts,
                &rows.subscriptions,
                spec.as_of,
                grace_days,
            ),
            Basis::Activity { window_days } => {
                Ledger::from_activity(rows.n_accounts, &rows.activity, spec.as_of, window_days)
            }
        }
        .map_err(|e| ApiError::Internal(format!("indexing retention rows: {e}")))?;
        let grid = grid_for(rows, spec)?;
        Ok(Report { ledger, grid, spec })
    }

    /// The same report over periods of another length: the ledger (which depends only on the
    /// rows, the basis and `as_of`) is kept, only the grid is laid out again.
    pub fn with_unit(self, unit: PeriodUnit, rows: &RetentionRows) -> Result<Report, ApiError> {
        let spec = Spec {
            unit: Some(unit),
            ..self.spec
        };
        let grid = grid_for(rows, spec)?;
        Ok(Report {
            ledger: self.ledger,
            grid,
            spec,
        })
    }
}

/// The periods a report over these rows covers.
fn grid_for(rows: &RetentionRows, spec: Spec) -> Result<Grid, ApiError> {
    let first = rows
        .subscriptions
        .iter()
        .map(|s| s.start)
        .chain(rows.activity.iter().map(|a| a.day))
        .min()
        .unwrap_or(spec.as_of)
        .min(spec.as_of);
    let from = spec.from.unwrap_or(first);
    let to = spec.to.unwrap_or(spec.as_of + 1);
    let grid = match spec.unit {
        None => Grid::custom(&[(from, to)]).map_err(|e| ApiError::field("to", e.to_string()))?,
        Some(unit) => {
            if to <= from {
                Grid::custom(&[]).map_err(|e| ApiError::field("from", e.to_string()))?
            } else {
                let months = (i64::from(to) - i64::from(from)) / 28 + 2;
                let periods = match unit {
                    PeriodUnit::Month => months,
                    PeriodUnit::Quarter => months / 3 + 1,
                    PeriodUnit::Year => months / 12 + 1,
                };
                if periods > MAX_PERIODS as i64 {
                    return Err(ApiError::field(
                        "from",
                        format!(
                            "covers more than {MAX_PERIODS} periods; choose a later from or a longer period"
                        ),
                    ));
                }
                Grid::calendar(unit, from, to)
            }
        }
    };
    Ok(grid)
}

impl Report {
    /// The period of the grid starting on `start`.
    pub fn period_starting(&self, start: Day) -> Option<Period> {
        self.grid
            .periods()
            .iter()
            .copied()
            .find(|p| p.start == start)
    }

    fn head(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("as_of".into(), format_day(self.spec.as_of).into());
        match self.spec.basis {
            Basis::Subscription { grace_days } => {
                m.insert("basis".into(), "subscription".into());
                m.insert("grace_days".into(), grace_days.into());
            }
            Basis::Activity { window_days } => {
                m.insert("basis".into(), "activity".into());
                m.insert("window_days".into(), window_days.into());
            }
        }
        m.insert("n_accounts".into(), self.ledger.n_accounts().into());
        m
    }

    /// Per period: S, E, N, lost, CRR beside the retained share, churn, reactivations and
    /// revenue retention.
    pub fn summary_json(&self) -> Value {
        let periods: Vec<Value> = self
            .ledger
            .summary(&self.grid)
            .into_iter()
            .map(|s| {
                let period = s.period;
                let mut v = serde_json::to_value(&s).unwrap_or(Value::Null);
                if let Value::Object(m) = &mut v {
                    m.remove("period");
                    let mut out = period_fields(period);
                    out.extend(std::mem::take(m));
                    return Value::Object(out);
                }
                v
            })
            .collect();
        let mut m = self.head();
        m.insert("periods".into(), periods.into());
        Value::Object(m)
    }

    /// Cohorts by starting period: logo and revenue retention k periods later.
    pub fn cohorts_json(&self) -> Value {
        let table = self.ledger.cohorts(&self.grid);
        let rows: Vec<Value> = table
            .rows
            .iter()
            .map(|r| {
                let mut out = period_fields(r.cohort);
                out.insert("size".into(), r.size.into());
                out.insert("active".into(), json!(r.active));
                out.insert("share".into(), json!(r.share));
                out.insert("revenue_cents".into(), json!(r.revenue_cents));
                out.insert("revenue_share".into(), json!(r.revenue_share));
                Value::Object(out)
            })
            .collect();
        let mut m = self.head();
        m.insert("cohorts".into(), rows.into());
        Value::Object(m)
    }

    /// Kaplan–Meier over first lifetimes: steps with Greenwood intervals, the median and the
    /// restricted mean up to the longest observed lifetime.
    pub fn survival_json(&self, unit: TimeUnit, ci: CiKind) -> Value {
        let lifetimes = self.ledger.lifetimes(unit);
        let horizon = lifetimes.iter().map(|l| l.duration).fold(0.0, f64::max);
        let km = KaplanMeier::from_lifetimes(&lifetimes);
        let steps: Vec<Value> = km
            .steps
            .iter()
            .map(|s| {
                json!({
                    "time": s.time, "at_risk": s.at_risk, "events": s.events,
                    "censored": s.censored, "survival": s.survival,
                    "ci95": s.interval(ci, Z95).map(|(lo, hi)| [lo, hi]),
                })
            })
            .collect();
        let mut m = self.head();
        m.insert("unit".into(), json!(unit));
        m.insert("ci".into(), json!(ci));
        m.insert("n".into(), km.n.into());
        m.insert(
            "events".into(),
            lifetimes.iter().filter(|l| l.churned).count().into(),
        );
        m.insert(
            "median".into(),
            match km.median() {
                Median::At(t) => json!(t),
                Median::NotReached => json!("not reached"),
            },
        );
        m.insert("restricted_mean".into(), json!(km.restricted_mean(horizon)));
        m.insert("horizon".into(), json!(horizon));
        m.insert("steps".into(), steps.into());
        Value::Object(m)
    }

    /// The customers the audit compares: those of S for the period starting on `period`
    /// (churned = lost in it), else everyone ever active (churned = not active on `as_of`).
    pub fn outcomes(&self, period: Option<Period>) -> Vec<Outcome> {
        match period {
            Some(p) => self.ledger.outcomes_over(p),
            None => self.ledger.outcomes_at_as_of(),
        }
    }

    /// The churn audit of one attribute.
    pub fn audit_json(
        &self,
        column: &AttributeColumn,
        period: Option<Period>,
        min_support: u64,
    ) -> Value {
        let rows = churn_audit(column, &self.outcomes(period), min_support);
        let mut m = self.head();
        m.insert("attribute".into(), column.name.clone().into());
        m.insert("min_support".into(), min_support.into());
        if let Some(p) = period {
            m.insert("period".into(), Value::Object(period_fields(p)));
        }
        m.insert("rows".into(), json!(rows));
        Value::Object(m)
    }
}

fn period_fields(p: Period) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("start".into(), format_day(p.start).into());
    m.insert("end".into(), format_day(p.end).into());
    m
}

/// Today's day number from epoch milliseconds.
pub fn day_of_ms(ms: i64) -> Day {
    i32::try_from(ms.div_euclid(86_400_000)).unwrap_or(Day::MAX - 1)
}

/// Loads an organisation's rows and builds the report off the async executor, then runs `f`
/// over it there too.
pub async fn with_report<T: Send + 'static>(
    store: &dyn Store,
    org_id: &str,
    spec: Spec,
    f: impl FnOnce(&Report) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    with_report_and_attribute(store, org_id, spec, None, move |r, _| f(r)).await
}

/// [`with_report`] with one account attribute loaded too (for the audit and its drill-down);
/// an attribute the organisation's accounts do not have is a 422 naming `attribute`.
pub async fn with_report_and_attribute<T: Send + 'static>(
    store: &dyn Store,
    org_id: &str,
    spec: Spec,
    attribute: Option<&str>,
    f: impl FnOnce(&Report, Option<&AttributeColumn>) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let rows = store.retention_rows(org_id, spec.source()).await?;
    let column = match attribute {
        None => None,
        // An attribute the accounts do not have is a 422 naming it, from the store.
        Some(attribute) => store
            .retention_attributes(org_id, &[attribute.to_owned()], rows.n_accounts)
            .await?
            .pop(),
    };
    tokio::task::spawn_blocking(move || {
        let report = Report::build(&rows, spec)?;
        f(&report, column.as_ref())
    })
    .await
    .map_err(|e| ApiError::Internal(format!("retention report: {e}")))?
}

/// The churn audit of `attribute` (over the period starting on `period_start` when given).
pub async fn audit_report(
    store: &dyn Store,
    org_id: &str,
    spec: Spec,
    attribute: &str,
    period_start: Option<Day>,
    min_support: u64,
) -> Result<Value, ApiError> {
    with_report_and_attribute(
        store,
        org_id,
        spec,
        Some(attribute),
        move |report, column| {
            let column = column.ok_or_else(|| ApiError::Internal("no attribute column".into()))?;
            let period = match period_start {
                Some(start) => Some(report.period_starting(start).ok_or_else(|| {
                    ApiError::field(
                        "period_start",
                        "is not the first day of a period of this report",
                    )
                })?),
                None => None,
            };
            Ok(report.audit_json(column, period, min_support))
        },
    )
    .await
}

/// Parses the survival options.
pub fn survival_options(q: &RetentionParams) -> Result<(TimeUnit, CiKind), Invalid> {
    let mut p = Problems::default();
    let parts = survival_parts(&mut p, q);
    p.finish(parts)
}

fn survival_parts(p: &mut Problems, q: &RetentionParams) -> (TimeUnit, CiKind) {
    let unit = match q.unit.as_deref().map(str::trim) {
        None | Some("") | Some("day") => TimeUnit::Day,
        Some("month") => TimeUnit::Month,
        Some(_) => {
            p.push("unit", "must be day or month");
            TimeUnit::Day
        }
    };
    let ci = match q.ci.as_deref().map(str::trim) {
        None | Some("") | Some("log") => CiKind::Log,
        Some("loglog") | Some("log_log") => CiKind::LogLog,
        Some(_) => {
            p.push("ci", "must be log or loglog");
            CiKind::Log
        }
    };
    (unit, ci)
}

/// Which lifetimes at one step of the survival curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtStep {
    /// Churned at that time (the step's events).
    Events,
    /// Still customers, observed that long (censored at that time).
    Censored,
    /// At risk: lifetimes at least that long.
    AtRisk,
}

/// What the drill-down lists.
#[derive(Debug, Clone, PartialEq)]
pub enum Drill {
    /// Customers behind a period's number.
    Period(Day, Member),
    /// Customers of a cohort active `k` periods after it started.
    Cohort(Day, usize),
    /// Customers behind a step of the survival curve.
    Survival(TimeUnit, f64, AtStep),
    /// Customers behind an audit row: those with `value` (`None`: without one) who churned
    /// or stayed, over everyone ever active or over the period starting on the day given.
    Audit {
        /// The attribute.
        attribute: String,
        /// The value.
        value: Option<String>,
        /// Churned or retained.
        outcome: Outcome,
        /// The audited period's start, if any.
        period: Option<Day>,
    },
}

/// Parses the drill-down parameters; returns what to list and the listing limit.
pub fn drill_options(q: &RetentionParams) -> Result<(Drill, usize), Invalid> {
    let mut p = Problems::default();
    let start = day(&mut p, "period_start", q.period_start.as_deref());
    let limit = number(&mut p, "limit", q.limit.as_deref(), 100, 1, 10_000) as usize;
    let which = q.which.as_deref().map(str::trim).unwrap_or("lost");
    let outcome = q
        .outcome
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let mut need_start = || {
        if start.is_none()
            && q.period_start
                .as_deref()
                .is_none_or(|s| s.trim().is_empty())
        {
            p.push("period_start", "is required (the first day of a period)");
        }
        start.unwrap_or(0)
    };
    let drill = match which {
        "cohort" => {
            let start = need_start();
            let k = number(&mut p, "k", q.k.as_deref(), 0, 0, 1_200) as usize;
            Drill::Cohort(start, k)
        }
        "survival" => {
            let (unit, _) = survival_parts(&mut p, q);
            let time = match q.time.as_deref().map(str::trim).map(str::parse::<f64>) {
                Some(Ok(t)) if t.is_finite() && t >= 0.0 => t,
                _ => {
                    p.push(
                        "time",
                        "is required: the time of a step of the curve, in `unit`",
                    );
                    0.0
                }
            };
            let at = match outcome.unwrap_or("events") {
                "events" | "churned" => AtStep::Events,
                "censored" => AtStep::Censored,
                "at_risk" => AtStep::AtRisk,
                _ => {
                    p.push("outcome", "must be events, censored or at_risk");
                    AtStep::Events
                }
            };
            Drill::Survival(unit, time, at)
        }
        "audit" => {
            let attribute = match q.attribute.as_deref().map(str::trim) {
                Some(a) if !a.is_empty() => a.to_owned(),
                _ => {
                    p.push("attribute", "is required for which=audit");
                    String::new()
                }
            };
            let value = match q.value.as_deref() {
                None => {
                    p.push(
                        "value",
                        "is required for which=audit (empty: accounts without one)",
                    );
                    None
                }
                Some(v) => Some(v.trim().to_owned()).filter(|v| !v.is_empty()),
            };
            let outcome = match outcome.unwrap_or("churned") {
                "churned" => Outcome::Churned,
                "retained" => Outcome::Retained,
                _ => {
                    p.push("outcome", "must be churned or retained");
                    Outcome::Churned
                }
            };
            Drill::Audit {
                attribute,
                value,
                outcome,
                period: start,
            }
        }
        _ => match serde_json::from_value::<Member>(Value::String(which.to_owned())) {
            Ok(m) => Drill::Period(need_start(), m),
            Err(_) => {
                p.push(
                    "which",
                    "must be start, end, new, lost, lost_new, retained, reactivated, expanded, contracted, cohort, survival or audit",
                );
                Drill::Period(0, Member::Lost)
            }
        },
    };
    p.finish((drill, limit))
}

impl Report {
    /// The accounts behind a drill-down, in account order; `column` is the audited attribute
    /// (for [`Drill::Audit`]).
    pub fn drill(
        &self,
        drill: &Drill,
        column: Option<&AttributeColumn>,
    ) -> Result<Vec<u32>, ApiError> {
        let missing = || {
            ApiError::Invalid(vec![FieldError {
                field: "period_start".into(),
                message: "is not the first day of a period of this report".into(),
            }])
        };
        match drill {
            Drill::Period(start, which) => {
                let period = self.period_starting(*start).ok_or_else(missing)?;
                Ok(self.ledger.period_members(period, *which))
            }
            Drill::Cohort(start, k) => {
                let i = self
                    .grid
                    .periods()
                    .iter()
                    .position(|p| p.start == *start)
                    .ok_or_else(missing)?;
                Ok(self.ledger.cohort_members(&self.grid, i, *k))
            }
            Drill::Survival(unit, time, at) => Ok(self
                .ledger
                .lifetimes(*unit)
                .into_iter()
                .filter(|l| match at {
                    AtStep::Events => l.duration == *time && l.churned,
                    AtStep::Censored => l.duration == *time && !l.churned,
                    AtStep::AtRisk => l.duration >= *time,
                })
                .map(|l| l.account)
                .collect()),
            Drill::Audit {
                value,
                outcome,
                period,
                ..
            } => {
                let period = match period {
                    Some(start) => Some(self.period_starting(*start).ok_or_else(missing)?),
                    None => None,
                };
                let column =
                    column.ok_or_else(|| ApiError::Internal("no attribute column".into()))?;
                Ok(audit_members(
                    column,
                    &self.outcomes(period),
                    value.as_deref(),
                    *outcome,
                ))
            }
        }
    }
}

/// Money as written in files and requests (`500`, `500.0`, `12.5`, `-3.99`, `1,234.50` is not
/// accepted) to integer cents, exactly (no floating point); more than two decimals round half
/// away from zero.
pub fn parse_cents(raw: &str) -> Option<i64> {
    let s = raw.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if (whole.is_empty() && frac.is_empty())
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let digits: Vec<i64> = frac.bytes().map(|b| i64::from(b - b'0')).collect();
    let mut cents = digits.first().copied().unwrap_or(0) * 10 + digits.get(1).copied().unwrap_or(0);
    if digits.get(2).copied().unwrap_or(0) >= 5 {
        cents += 1;
    }
    let v = whole.checked_mul(100)?.checked_add(cents)?;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::parse_cents;

    #[test]
    fn money_becomes_exact_cents() {
        assert_eq!(parse_cents("500.0"), Some(50_000));
        assert_eq!(parse_cents("300"), Some(30_000));
        assert_eq!(parse_cents("11.77"), Some(1_177));
        assert_eq!(parse_cents(" 0.5 "), Some(50));
        assert_eq!(parse_cents("-3.99"), Some(-399));
        assert_eq!(parse_cents("1.005"), Some(101));
        assert_eq!(parse_cents(".25"), Some(25));
        assert_eq!(parse_cents(""), None);
        assert_eq!(parse_cents("12a"), None);
        assert_eq!(parse_cents("1,5"), None);
    }
}
