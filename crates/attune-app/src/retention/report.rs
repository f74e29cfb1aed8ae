//! A [`Report`]: the ledger over an organisation's rows with the period grid asked for, and
//! the typed parts computed from it (CPU work: run off the async executor).

use attune_domain::metrics::Z95;
use attune_retention::calendar::format_day;
use attune_retention::{
    AttributeColumn, Basis, Day, Grid, KaplanMeier, Ledger, Outcome, Period, PeriodUnit,
    churn_audit,
};
use attune_storage::retention::RetentionRows;

use super::output::{
    AuditReport, AuditRowOut, CohortOut, CohortsReport, MedianOut, PeriodOut, PeriodRow,
    ReportHead, SummaryReport, SurvivalReport, SurvivalStep,
};
use super::spec::{Spec, SurvivalOptions};
use crate::{AppError, AppResult};

/// The most periods one report covers (a century of months).
const MAX_PERIODS: usize = 1_200;

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
    pub fn build(rows: &RetentionRows, spec: Spec) -> AppResult<Report> {
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
        .map_err(|e| AppError::Internal(format!("indexing retention rows: {e}")))?;
        let grid = grid_for(rows, spec)?;
        Ok(Report { ledger, grid, spec })
    }

    /// The same report over periods of another length: the ledger (which depends only on the
    /// rows, the basis and `as_of`) is kept, only the grid is laid out again.
    pub fn with_unit(self, unit: PeriodUnit, rows: &RetentionRows) -> AppResult<Report> {
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

    /// The period of the grid starting on `start`.
    pub fn period_starting(&self, start: Day) -> Option<Period> {
        self.grid
            .periods()
            .iter()
            .copied()
            .find(|p| p.start == start)
    }

    /// What every part starts with.
    pub fn head(&self) -> ReportHead {
        ReportHead {
            as_of: format_day(self.spec.as_of),
            basis: self.spec.basis.into(),
            n_accounts: self.ledger.n_accounts(),
        }
    }

    /// Per period: S, E, N, lost, CRR beside the retained share, churn, reactivations and
    /// revenue retention.
    pub fn summary(&self) -> SummaryReport {
        SummaryReport {
            head: self.head(),
            periods: self
                .ledger
                .summary(&self.grid)
                .into_iter()
                .map(PeriodRow::from)
                .collect(),
        }
    }

    /// Cohorts by starting period: logo and revenue retention k periods later.
    pub fn cohorts(&self) -> CohortsReport {
        let table = self.ledger.cohorts(&self.grid);
        CohortsReport {
            head: self.head(),
            cohorts: table.rows.iter().map(CohortOut::from).collect(),
        }
    }

    /// Kaplan–Meier over first lifetimes: steps with Greenwood intervals, the median and the
    /// restricted mean up to the longest observed lifetime.
    pub fn survival(&self, opts: SurvivalOptions) -> SurvivalReport {
        let lifetimes = self.ledger.lifetimes(opts.unit);
        let horizon = lifetimes.iter().map(|l| l.duration).fold(0.0, f64::max);
        let km = KaplanMeier::from_lifetimes(&lifetimes);
        SurvivalReport {
            head: self.head(),
            unit: opts.unit,
            ci: opts.ci,
            n: km.n,
            events: lifetimes.iter().filter(|l| l.churned).count(),
            median: MedianOut(km.median()),
            restricted_mean: km.restricted_mean(horizon),
            horizon,
            steps: km
                .steps
                .iter()
                .map(|s| SurvivalStep::of(s, opts.ci, Z95))
                .collect(),
        }
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
    pub fn audit(
        &self,
        column: &AttributeColumn,
        period: Option<Period>,
        min_support: u64,
    ) -> AuditReport {
        let rows = churn_audit(column, &self.outcomes(period), min_support);
        AuditReport {
            head: self.head(),
            attribute: column.name.clone(),
            min_support,
            period: period.map(PeriodOut::from),
            rows: rows.into_iter().map(AuditRowOut::from).collect(),
        }
    }
}

/// The periods a report over these rows covers.
fn grid_for(rows: &RetentionRows, spec: Spec) -> AppResult<Grid> {
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
        None => Grid::custom(&[(from, to)]).map_err(|e| AppError::invalid("to", e.to_string()))?,
        Some(_) if to <= from => {
            Grid::custom(&[]).map_err(|e| AppError::invalid("from", e.to_string()))?
        }
        Some(unit) => {
            let months = (i64::from(to) - i64::from(from)) / 28 + 2;
            let periods = match unit {
                PeriodUnit::Month => months,
                PeriodUnit::Quarter => months / 3 + 1,
                PeriodUnit::Year => months / 12 + 1,
            };
            if periods > MAX_PERIODS as i64 {
                return Err(AppError::invalid(
                    "from",
                    format!(
                        "covers more than {MAX_PERIODS} periods; choose a later from or a longer period"
                    ),
                ));
            }
            Grid::calendar(unit, from, to)
        }
    };
    Ok(grid)
}

#[cfg(test)]
mod tests {
    use attune_retention::{Subscription, parse_day};
    use serde_json::Value;

    use super::*;
    use crate::retention::spec::{SpecInput, SurvivalOptions};

    fn day(s: &str) -> Day {
        parse_day(s).unwrap_or_default()
    }

    fn report() -> Report {
        let sub = |account, start: &str, end: Option<&str>| Subscription {
            account,
            start: day(start),
            end: end.map(day),
            mrr_cents: 1_000,
        };
        let rows = RetentionRows {
            n_accounts: 3,
            subscriptions: vec![
                sub(0, "2024-01-05", None),
                sub(1, "2024-01-10", Some("2024-02-20")),
                sub(2, "2024-02-01", None),
            ],
            activity: Vec::new(),
        };
        let spec = SpecInput {
            from: Some(day("2024-01-01")),
            as_of: Some(day("2024-03-31")),
            ..SpecInput::default()
        }
        .build(0, PeriodUnit::Month);
        let built = spec.and_then(|s| Report::build(&rows, s));
        built.unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    #[test]
    fn parts_serialise_to_the_keys_the_api_has_always_had() {
        let r = report();
        let summary = serde_json::to_value(r.summary()).unwrap_or_default();
        assert_eq!(
            keys(&summary),
            ["as_of", "basis", "grace_days", "n_accounts", "periods"]
        );
        assert_eq!(summary["basis"], "subscription");
        assert_eq!(summary["periods"][1]["start"], "2024-02-01");
        assert_eq!(summary["periods"][1]["lost"], 1);
        assert!(summary["periods"][0]["crr"].is_null(), "S = 0: undefined");
        assert_eq!(keys(&summary["periods"][0]).len(), 22);
        let survival =
            serde_json::to_value(r.survival(SurvivalOptions::default())).unwrap_or_default();
        assert_eq!(survival["median"], "not reached");
        assert_eq!(survival["unit"], "day");
        assert_eq!(survival["ci"], "log");
        assert!(survival["steps"][0]["ci95"].is_array());
        let column = AttributeColumn::from_pairs("plan", 3, [(0, "pro"), (1, "free")]);
        let audit = serde_json::to_value(r.audit(&column, None, 1)).unwrap_or_default();
        assert!(!keys(&audit).contains(&"period"), "absent, not null");
        assert_eq!(
            audit["rows"][0]["value"], "free",
            "values in their sorted order"
        );
        assert_eq!(audit["rows"][1]["value"], "pro");
        assert_eq!(audit["rows"][2]["value"], Value::Null);
        let cohorts = serde_json::to_value(r.cohorts()).unwrap_or_default();
        assert_eq!(cohorts["cohorts"][0]["size"], 2);
        assert_eq!(cohorts["cohorts"][0]["start"], "2024-01-01");
    }
}
