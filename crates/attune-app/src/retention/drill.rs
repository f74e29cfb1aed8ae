//! Drill-down: the accounts behind a number of a report.

use attune_domain::Invalid;
use attune_domain::error::Problems;
use attune_retention::{AttributeColumn, Day, Member, Outcome, TimeUnit, audit_members};

use super::report::Report;
use super::spec::{RetentionParams, SurvivalOptions, number, optional_day};
use crate::{AppError, AppResult};

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

impl Drill {
    /// The attribute an audit drill-down needs loaded.
    pub fn attribute(&self) -> Option<&str> {
        match self {
            Drill::Audit { attribute, .. } => Some(attribute),
            _ => None,
        }
    }
}

const WHICH_VALUES: &str = "must be start, end, new, lost, lost_new, retained, reactivated, expanded, contracted, cohort, survival or audit";

fn member(which: &str) -> Option<Member> {
    Some(match which {
        "start" => Member::Start,
        "end" => Member::End,
        "new" => Member::New,
        "lost" => Member::Lost,
        "lost_new" => Member::LostNew,
        "retained" => Member::Retained,
        "reactivated" => Member::Reactivated,
        "expanded" => Member::Expanded,
        "contracted" => Member::Contracted,
        _ => return None,
    })
}

fn survival_drill(p: &mut Problems, q: &RetentionParams, outcome: Option<&str>) -> Drill {
    let unit = SurvivalOptions::parts(p, q.unit.as_deref(), q.ci.as_deref()).unit;
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

fn audit_drill(
    p: &mut Problems,
    q: &RetentionParams,
    outcome: Option<&str>,
    start: Option<Day>,
) -> Drill {
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

/// Parses the drill-down parameters; returns what to list and the listing limit.
pub fn drill_options(q: &RetentionParams) -> Result<(Drill, usize), Invalid> {
    let mut p = Problems::default();
    let start = optional_day(&mut p, "period_start", q.period_start.as_deref());
    let limit = number(&mut p, "limit", q.limit.as_deref(), 100, 1, 10_000) as usize;
    let which = q.which.as_deref().map(str::trim).unwrap_or("lost");
    let outcome = q
        .outcome
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let given = q
        .period_start
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty());
    let need_start = |p: &mut Problems| {
        if start.is_none() && !given {
            p.push("period_start", "is required (the first day of a period)");
        }
        start.unwrap_or(0)
    };
    let drill = match which {
        "cohort" => {
            let start = need_start(&mut p);
            let k = number(&mut p, "k", q.k.as_deref(), 0, 0, 1_200) as usize;
            Drill::Cohort(start, k)
        }
        "survival" => survival_drill(&mut p, q, outcome),
        "audit" => audit_drill(&mut p, q, outcome, start),
        _ => match member(which) {
            Some(m) => Drill::Period(need_start(&mut p), m),
            None => {
                p.push("which", WHICH_VALUES);
                Drill::Period(0, Member::Lost)
            }
        },
    };
    p.finish((drill, limit))
}

impl Report {
    /// The accounts behind a drill-down, in account order; `column` is the audited attribute
    /// (for [`Drill::Audit`]).
    pub fn drill(&self, drill: &Drill, column: Option<&AttributeColumn>) -> AppResult<Vec<u32>> {
        let missing = || {
            AppError::invalid(
                "period_start",
                "is not the first day of a period of this report",
            )
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
                    column.ok_or_else(|| AppError::Internal("no attribute column".into()))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn q(which: &str) -> RetentionParams {
        RetentionParams {
            which: Some(which.into()),
            ..RetentionParams::default()
        }
    }

    #[test]
    fn every_member_name_reads_as_before() {
        for name in [
            "start",
            "end",
            "new",
            "lost",
            "lost_new",
            "retained",
            "reactivated",
            "expanded",
            "contracted",
        ] {
            let m = member(name);
            let via_serde = serde_json::to_value(m).ok();
            assert_eq!(via_serde, Some(serde_json::Value::from(name)), "{name}");
        }
        assert_eq!(member("bogus"), None);
    }

    #[test]
    fn drill_downs_need_their_parameters() {
        let names = |q: &RetentionParams| -> Vec<String> {
            drill_options(q)
                .err()
                .map(|e| e.0.into_iter().map(|f| f.field).collect())
                .unwrap_or_default()
        };
        assert_eq!(names(&q("lost")), ["period_start"]);
        assert_eq!(names(&q("bogus")), ["which"]);
        assert_eq!(names(&q("survival")), ["time"]);
        assert_eq!(names(&q("audit")), ["attribute", "value"]);
        let ok = drill_options(&RetentionParams {
            period_start: Some("2024-01-01".into()),
            k: Some("2".into()),
            limit: Some("5".into()),
            ..q("cohort")
        });
        assert_eq!(ok.ok(), Some((Drill::Cohort(19_723, 2), 5)));
    }
}
