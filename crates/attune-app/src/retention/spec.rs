//! What a retention report covers ([`Spec`]), built from typed values (the CLI) or from the
//! query string (the API and the page), and the options of the survival curve and the audit.

use attune_domain::Invalid;
use attune_domain::error::Problems;
use attune_retention::calendar::format_day;
use attune_retention::{Basis, CiKind, Day, PeriodUnit, TimeUnit, parse_day};
use attune_storage::retention::RetentionSource;
use serde::Deserialize;

use crate::{AppError, AppResult};

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

/// Calendar periods of one length, or one custom period `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodChoice {
    /// Months, quarters or years.
    Calendar(PeriodUnit),
    /// One period from `from` to `to`.
    Custom,
}

impl PeriodChoice {
    /// Parses `month`, `quarter`, `year` or `custom`; anything else is a 422 naming `period`.
    pub fn parse(raw: &str) -> AppResult<PeriodChoice> {
        match raw.trim() {
            "custom" => Ok(PeriodChoice::Custom),
            s => PeriodUnit::parse(s)
                .map(PeriodChoice::Calendar)
                .ok_or_else(|| AppError::invalid("period", PERIOD_VALUES)),
        }
    }
}

const PERIOD_VALUES: &str = "must be month, quarter, year or custom";
const BASIS_VALUES: &str = "must be subscription or activity";

/// Which rows count a customer as active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BasisKind {
    /// Subscription rows (gaps shorter than `grace_days` merge).
    #[default]
    Subscription,
    /// Purchase or activity events (each keeps a customer active `window_days`).
    Activity,
}

impl BasisKind {
    /// Parses `subscription` or `activity`; anything else is a 422 naming `basis`.
    pub fn parse(raw: &str) -> AppResult<BasisKind> {
        match raw.trim() {
            "" | "subscription" => Ok(BasisKind::Subscription),
            "activity" => Ok(BasisKind::Activity),
            _ => Err(AppError::invalid("basis", BASIS_VALUES)),
        }
    }
}

/// The typed parts of a [`Spec`]; `None` takes the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SpecInput {
    /// Default: the report's own (quarters for the summary, months otherwise).
    pub period: Option<PeriodChoice>,
    /// Default: the first day with data.
    pub from: Option<Day>,
    /// Default: the day after `as_of`.
    pub to: Option<Day>,
    /// Default: today.
    pub as_of: Option<Day>,
    /// Subscription (the default) or activity.
    pub basis: BasisKind,
    /// 0 to 3,650 (default 7).
    pub grace_days: Option<u32>,
    /// 1 to 3,650 (default 90).
    pub window_days: Option<u32>,
}

/// The parts of a [`Spec`] that arrive as text (query string or command line).
#[derive(Debug, Clone, Copy, Default)]
pub struct SpecText<'a> {
    /// `month`, `quarter`, `year` or `custom`.
    pub period: Option<&'a str>,
    /// `YYYY-MM-DD`.
    pub from: Option<&'a str>,
    /// `YYYY-MM-DD`.
    pub to: Option<&'a str>,
    /// `YYYY-MM-DD`.
    pub as_of: Option<&'a str>,
    /// `subscription` or `activity`.
    pub basis: Option<&'a str>,
}

type Numbers = (Result<Option<u32>, ()>, Result<Option<u32>, ()>);

impl SpecText<'_> {
    fn parse(self, numbers: Numbers, defaults: (Day, PeriodUnit)) -> Result<Spec, Invalid> {
        let mut p = Problems::default();
        let period = match self.period.map(str::trim) {
            None | Some("") => None,
            Some(s) => PeriodChoice::parse(s)
                .map_err(|_| p.push("period", PERIOD_VALUES))
                .ok(),
        };
        let input = SpecInput {
            period,
            from: day(&mut p, "from", self.from),
            to: day(&mut p, "to", self.to),
            as_of: day(&mut p, "as_of", self.as_of),
            ..SpecInput::default()
        };
        let basis = BasisKind::parse(self.basis.unwrap_or("")).ok();
        let spec = input.check(&mut p, defaults, numbers, basis);
        p.finish(spec)
    }
}

/// What a report covers, checked.
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

/// A whole number from the query string: `Ok(None)` when absent, `Err(())` when not a number.
fn raw_number(raw: Option<&str>) -> Result<Option<u32>, ()> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse::<u32>().map(Some).map_err(|_| ()),
    }
}

/// The number in `min..=max`, else `default` and a problem naming `field`.
fn in_range(
    p: &mut Problems,
    field: &str,
    v: Result<Option<u32>, ()>,
    default: u32,
    (min, max): (u32, u32),
) -> u32 {
    match v {
        Ok(None) => default,
        Ok(Some(n)) if (min..=max).contains(&n) => n,
        _ => {
            p.push(field, format!("must be a whole number from {min} to {max}"));
            default
        }
    }
}

/// A whole number from the query string, in `min..=max`, else `default`.
pub(crate) fn number(
    p: &mut Problems,
    field: &str,
    raw: Option<&str>,
    default: u32,
    min: u32,
    max: u32,
) -> u32 {
    in_range(p, field, raw_number(raw), default, (min, max))
}

pub(crate) fn optional_day(p: &mut Problems, field: &str, raw: Option<&str>) -> Option<Day> {
    day(p, field, raw)
}

const GRACE_RANGE: (u32, u32) = (0, 3_650);
const WINDOW_RANGE: (u32, u32) = (1, 3_650);

impl SpecInput {
    /// Checks the parts, adding every problem to `p`.
    /// `grace` and `window` are `Err` when they were not numbers, `basis` `None` when it was
    /// not a known basis; their problems are recorded here, in the order the API lists them.
    fn check(
        &self,
        p: &mut Problems,
        (today, default_unit): (Day, PeriodUnit),
        (grace, window): Numbers,
        basis: Option<BasisKind>,
    ) -> Spec {
        let unit = match self.period {
            None => Some(default_unit),
            Some(PeriodChoice::Calendar(u)) => Some(u),
            Some(PeriodChoice::Custom) => None,
        };
        let as_of = self.as_of.unwrap_or(today);
        if let (Some(f), Some(t)) = (self.from, self.to)
            && t <= f
        {
            p.push("to", "must be after from");
        }
        if unit.is_none() && (self.from.is_none() || self.to.is_none()) {
            p.push("from", "a custom period needs from and to");
        }
        let grace_days = in_range(
            p,
            "grace_days",
            grace,
            Basis::DEFAULT_GRACE_DAYS,
            GRACE_RANGE,
        );
        let window_days = in_range(
            p,
            "window_days",
            window,
            Basis::DEFAULT_WINDOW_DAYS,
            WINDOW_RANGE,
        );
        let basis = match basis {
            Some(BasisKind::Subscription) => Basis::Subscription { grace_days },
            Some(BasisKind::Activity) => Basis::Activity { window_days },
            None => {
                p.push("basis", BASIS_VALUES);
                Basis::Subscription { grace_days }
            }
        };
        Spec {
            unit,
            from: self.from,
            to: self.to,
            as_of,
            basis,
        }
    }

    /// The checked spec; `default_unit` applies when `period` is not given.
    pub fn build(&self, today: Day, default_unit: PeriodUnit) -> AppResult<Spec> {
        let mut p = Problems::default();
        let spec = self.check(
            &mut p,
            (today, default_unit),
            (Ok(self.grace_days), Ok(self.window_days)),
            Some(self.basis),
        );
        Ok(p.finish(spec)?)
    }
}

impl Spec {
    /// Parses the shared query parameters; `default_unit` applies when `period` is absent.
    pub fn parse(
        q: &RetentionParams,
        today: Day,
        default_unit: PeriodUnit,
    ) -> Result<Spec, Invalid> {
        let text = SpecText {
            period: q.period.as_deref(),
            from: q.from.as_deref(),
            to: q.to.as_deref(),
            as_of: q.as_of.as_deref(),
            basis: q.basis.as_deref(),
        };
        let numbers = (
            raw_number(q.grace_days.as_deref()),
            raw_number(q.window_days.as_deref()),
        );
        text.parse(numbers, (today, default_unit))
    }

    /// From command-line flags: the dates and names as typed, the numbers already parsed.
    /// Problems name the parameters (`grace_days`), as the API does.
    pub fn from_flags(
        text: SpecText<'_>,
        grace_days: Option<u32>,
        window_days: Option<u32>,
        today: Day,
        default_unit: PeriodUnit,
    ) -> AppResult<Spec> {
        Ok(text.parse((Ok(grace_days), Ok(window_days)), (today, default_unit))?)
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

/// The survival curve's time unit and interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurvivalOptions {
    /// Days or months.
    pub unit: TimeUnit,
    /// Greenwood interval on the log or log-log scale.
    pub ci: CiKind,
}

impl Default for SurvivalOptions {
    fn default() -> Self {
        SurvivalOptions {
            unit: TimeUnit::Day,
            ci: CiKind::Log,
        }
    }
}

impl SurvivalOptions {
    /// Parses `unit` (`day`, `month`) and `ci` (`log`, `loglog`); empty takes the default.
    pub fn parse(unit: Option<&str>, ci: Option<&str>) -> AppResult<SurvivalOptions> {
        let mut p = Problems::default();
        let opts = Self::parts(&mut p, unit, ci);
        Ok(p.finish(opts)?)
    }

    pub(crate) fn parts(p: &mut Problems, unit: Option<&str>, ci: Option<&str>) -> Self {
        let unit = match unit.map(str::trim) {
            None | Some("") | Some("day") => TimeUnit::Day,
            Some("month") => TimeUnit::Month,
            Some(_) => {
                p.push("unit", "must be day or month");
                TimeUnit::Day
            }
        };
        let ci = match ci.map(str::trim) {
            None | Some("") | Some("log") => CiKind::Log,
            Some("loglog") | Some("log_log") => CiKind::LogLog,
            Some(_) => {
                p.push("ci", "must be log or loglog");
                CiKind::Log
            }
        };
        SurvivalOptions { unit, ci }
    }

    /// From the query string.
    pub fn from_params(q: &RetentionParams) -> AppResult<SurvivalOptions> {
        Self::parse(q.unit.as_deref(), q.ci.as_deref())
    }
}

/// What the churn audit compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditOptions {
    /// The account attribute.
    pub attribute: String,
    /// Values with fewer customers show counts only (default 30).
    pub min_support: u64,
    /// Audit the customers of S of the period starting on this day (default: everyone ever
    /// active, churned = not active on `as_of`).
    pub period_start: Option<Day>,
}

impl AuditOptions {
    /// The default minimum support.
    pub const DEFAULT_MIN_SUPPORT: u64 = 30;

    /// From the query string.
    pub fn from_params(q: &RetentionParams) -> AppResult<AuditOptions> {
        let mut p = Problems::default();
        let attribute = match q.attribute.as_deref().map(str::trim) {
            Some(a) if !a.is_empty() => a.to_owned(),
            _ => {
                p.push(
                    "attribute",
                    "is required, e.g. plan, size_band, industry, region, owner, product, cancellation_reason or a custom attribute",
                );
                String::new()
            }
        };
        let min_support = match q.min_support.as_deref().map(str::trim) {
            None | Some("") => Self::DEFAULT_MIN_SUPPORT,
            Some(s) => s.parse::<u64>().unwrap_or_else(|_| {
                p.push("min_support", "must be a whole number");
                Self::DEFAULT_MIN_SUPPORT
            }),
        };
        let period_start = day(&mut p, "period_start", q.period_start.as_deref());
        Ok(p.finish(AuditOptions {
            attribute,
            min_support,
            period_start,
        })?)
    }
}

/// Both results, or every field problem of both.
pub fn both<A, B>(a: AppResult<A>, b: AppResult<B>) -> AppResult<(A, B)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(AppError::Invalid(mut x)), Err(AppError::Invalid(y))) => {
            x.0.extend(y.0);
            Err(AppError::Invalid(x))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: &AppError) -> Vec<String> {
        e.fields()
            .unwrap_or_default()
            .iter()
            .map(|f| f.field.clone())
            .collect()
    }

    #[test]
    fn typed_and_query_string_specs_agree() {
        let today = 20_000;
        let typed = SpecInput {
            period: Some(PeriodChoice::Calendar(PeriodUnit::Month)),
            from: parse_day("2024-01-01"),
            basis: BasisKind::Activity,
            window_days: Some(30),
            ..SpecInput::default()
        }
        .build(today, PeriodUnit::Quarter)
        .ok();
        let q = RetentionParams {
            period: Some("month".into()),
            from: Some("2024-01-01".into()),
            basis: Some("activity".into()),
            window_days: Some("30".into()),
            ..RetentionParams::default()
        };
        assert_eq!(typed, Spec::parse(&q, today, PeriodUnit::Quarter).ok());
        assert_eq!(
            typed.map(|s| s.query()),
            Some(
                "period=month&from=2024-01-01&as_of=2024-10-04&basis=activity&window_days=30"
                    .into()
            )
        );
    }

    #[test]
    fn out_of_range_numbers_name_their_field() {
        let e = SpecInput {
            grace_days: Some(4_000),
            window_days: Some(0),
            period: Some(PeriodChoice::Custom),
            ..SpecInput::default()
        }
        .build(0, PeriodUnit::Month)
        .err();
        let e = e.as_ref().map(fields).unwrap_or_default();
        assert_eq!(e, ["from", "grace_days", "window_days"]);
        let q = RetentionParams {
            basis: Some("x".into()),
            window_days: Some("0".into()),
            to: Some("2020-01-01".into()),
            from: Some("2021-01-01".into()),
            ..RetentionParams::default()
        };
        let e = Spec::parse(&q, 0, PeriodUnit::Month).err();
        let names: Vec<String> = e
            .map(|i| i.0.into_iter().map(|f| f.field).collect())
            .unwrap_or_default();
        assert_eq!(
            names,
            ["to", "window_days", "basis"],
            "in the order the API has listed them"
        );
        let q = RetentionParams {
            grace_days: Some("x".into()),
            ..RetentionParams::default()
        };
        let e = Spec::parse(&q, 0, PeriodUnit::Month).err();
        assert_eq!(e.map(|i| i.0.len()), Some(1), "one problem, not two");
    }

    #[test]
    fn closed_sets_are_refused_by_name() {
        assert_eq!(
            PeriodChoice::parse("week").err().as_ref().map(fields),
            Some(vec!["period".to_owned()])
        );
        assert_eq!(
            BasisKind::parse(" activity ").ok(),
            Some(BasisKind::Activity)
        );
        let e = SurvivalOptions::parse(Some("year"), Some("linear")).err();
        assert_eq!(
            e.as_ref().map(fields),
            Some(vec!["unit".into(), "ci".into()])
        );
        let merged = both(
            SurvivalOptions::parse(Some("year"), None),
            BasisKind::parse("x"),
        )
        .err();
        assert_eq!(
            merged.as_ref().map(fields),
            Some(vec!["unit".into(), "basis".into()])
        );
    }
}
