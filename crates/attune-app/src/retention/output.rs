//! The typed answers of the retention reports. Each serialises to the JSON the API has always
//! given: days as `YYYY-MM-DD`, ratios as fractions, `null` where a ratio is undefined, and
//! `grace_days` or `window_days` (never both) beside the basis.

use attune_retention::calendar::format_day;
use attune_retention::{
    AuditRow, Basis, CiKind, CohortRow, KmStep, Median, Period, PeriodSummary, SignificanceTest,
    TimeUnit,
};
use attune_storage::retention::RetentionAccount;
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

/// The basis a report counts customers on, with its parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum BasisOut {
    /// Subscriptions, with the gaps that merge.
    Subscription {
        /// Gaps shorter than this many days are not churn.
        grace_days: u32,
    },
    /// Purchases or activity, with how long one keeps a customer active.
    Activity {
        /// Days a purchase keeps a customer active.
        window_days: u32,
    },
}

impl From<Basis> for BasisOut {
    fn from(b: Basis) -> Self {
        match b {
            Basis::Subscription { grace_days } => BasisOut::Subscription { grace_days },
            Basis::Activity { window_days } => BasisOut::Activity { window_days },
        }
    }
}

/// What every report starts with.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ReportHead {
    /// The day the data is known as of.
    pub as_of: String,
    /// Subscription or activity, with `grace_days` or `window_days`.
    #[serde(flatten)]
    pub basis: BasisOut,
    /// Accounts with a retention number in the organisation.
    pub n_accounts: usize,
}

/// A period's first day and its first day not covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PeriodOut {
    /// First day.
    pub start: String,
    /// First day after it.
    pub end: String,
}

impl From<Period> for PeriodOut {
    fn from(p: Period) -> Self {
        PeriodOut {
            start: format_day(p.start),
            end: format_day(p.end),
        }
    }
}

/// One period of the summary (see `attune_retention::PeriodSummary`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[expect(
    non_snake_case,
    reason = "S, E and N are the report's names for these counts"
)]
pub struct PeriodRow {
    /// First day.
    pub start: String,
    /// First day after it.
    pub end: String,
    /// Whether the period was over by `as_of`.
    pub complete: bool,
    /// Customers active the day before the period.
    pub S: u64,
    /// Customers active on its last day (or on `as_of`).
    pub E: u64,
    /// New customers (not in S) who started in it.
    pub N: u64,
    /// In S, not in E.
    pub lost: u64,
    /// In N, not in E.
    pub lost_new: u64,
    /// In S and in E.
    pub retained: u64,
    /// Came back after a gap longer than the grace period.
    pub reactivated: u64,
    /// (E − N) / S.
    pub crr: Option<f64>,
    /// retained / S.
    pub retained_share: Option<f64>,
    /// lost / S.
    pub churn_rate: Option<f64>,
    /// MRR of S the day before the period, in cents.
    pub mrr0_cents: i64,
    /// MRR of E at the end, in cents.
    pub mrr_end_cents: i64,
    /// MRR at the end from N, in cents.
    pub new_mrr_cents: i64,
    /// Growth of the retained customers' MRR, in cents.
    pub expansion_cents: i64,
    /// Shrinkage of the retained customers' MRR, in cents.
    pub contraction_cents: i64,
    /// MRR₀ of the lost customers, in cents.
    pub churned_mrr_cents: i64,
    /// Churned MRR / MRR₀.
    pub revenue_churn_rate: Option<f64>,
    /// Gross revenue retention.
    pub grr: Option<f64>,
    /// Net revenue retention.
    pub nrr: Option<f64>,
}

impl From<PeriodSummary> for PeriodRow {
    fn from(s: PeriodSummary) -> Self {
        let p = PeriodOut::from(s.period);
        PeriodRow {
            start: p.start,
            end: p.end,
            complete: s.complete,
            S: s.s,
            E: s.e,
            N: s.n,
            lost: s.lost,
            lost_new: s.lost_new,
            retained: s.retained,
            reactivated: s.reactivated,
            crr: s.crr,
            retained_share: s.retained_share,
            churn_rate: s.churn_rate,
            mrr0_cents: s.mrr0_cents,
            mrr_end_cents: s.mrr_end_cents,
            new_mrr_cents: s.new_mrr_cents,
            expansion_cents: s.expansion_cents,
            contraction_cents: s.contraction_cents,
            churned_mrr_cents: s.churned_mrr_cents,
            revenue_churn_rate: s.revenue_churn_rate,
            grr: s.grr,
            nrr: s.nrr,
        }
    }
}

/// `GET /api/v1/retention/summary`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SummaryReport {
    /// What the report covers.
    #[serde(flatten)]
    pub head: ReportHead,
    /// One row a period, in order.
    pub periods: Vec<PeriodRow>,
}

/// One cohort: its size and, k periods later, how many were active and their revenue.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CohortOut {
    /// First day of the cohort's period.
    pub start: String,
    /// First day after it.
    pub end: String,
    /// Customers who first started in it.
    pub size: u64,
    /// Active k periods later; `null` while that period is unfinished.
    pub active: Vec<Option<u64>>,
    /// `active[k] / size`.
    pub share: Vec<Option<f64>>,
    /// Revenue k periods later, in cents.
    pub revenue_cents: Vec<Option<i64>>,
    /// `revenue_cents[k] / revenue_cents[0]`.
    pub revenue_share: Vec<Option<f64>>,
}

impl From<&CohortRow> for CohortOut {
    fn from(r: &CohortRow) -> Self {
        let p = PeriodOut::from(r.cohort);
        CohortOut {
            start: p.start,
            end: p.end,
            size: r.size,
            active: r.active.clone(),
            share: r.share.clone(),
            revenue_cents: r.revenue_cents.clone(),
            revenue_share: r.revenue_share.clone(),
        }
    }
}

/// `GET /api/v1/retention/cohorts`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CohortsReport {
    /// What the report covers.
    #[serde(flatten)]
    pub head: ReportHead,
    /// One row a starting period.
    pub cohorts: Vec<CohortOut>,
}

/// One step of the Kaplan–Meier curve.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SurvivalStep {
    /// The time, in the report's unit.
    pub time: f64,
    /// Lifetimes at least this long.
    pub at_risk: u64,
    /// Churns at this time.
    pub events: u64,
    /// Lifetimes censored at this time.
    pub censored: u64,
    /// S(t).
    pub survival: f64,
    /// Greenwood 95% interval, `null` once S reaches 0.
    pub ci95: Option<[f64; 2]>,
}

impl SurvivalStep {
    /// The step with its interval of kind `ci` at normal quantile `z`.
    pub fn of(s: &KmStep, ci: CiKind, z: f64) -> Self {
        SurvivalStep {
            time: s.time,
            at_risk: s.at_risk,
            events: s.events,
            censored: s.censored,
            survival: s.survival,
            ci95: s.interval(ci, z).map(|(lo, hi)| [lo, hi]),
        }
    }
}

/// The median lifetime: a time, or the words `not reached`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MedianOut(pub Median);

impl utoipa::PartialSchema for MedianOut {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Number))
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["not reached"])),
            )
            .description(Some(
                "The median lifetime: a time, or the words `not reached`.",
            ))
            .into()
    }
}

impl ToSchema for MedianOut {}

impl Serialize for MedianOut {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Median::At(t) => s.serialize_f64(t),
            Median::NotReached => s.serialize_str("not reached"),
        }
    }
}

/// `GET /api/v1/retention/survival`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SurvivalReport {
    /// What the report covers.
    #[serde(flatten)]
    pub head: ReportHead,
    /// `day` or `month`.
    #[schema(value_type = String)]
    pub unit: TimeUnit,
    /// `log` or `log_log`.
    #[schema(value_type = String)]
    pub ci: CiKind,
    /// First lifetimes.
    pub n: u64,
    /// Of them, churned.
    pub events: usize,
    /// The median lifetime, or `not reached`.
    pub median: MedianOut,
    /// The mean lifetime up to `horizon`.
    pub restricted_mean: f64,
    /// The longest observed lifetime.
    pub horizon: f64,
    /// One step per distinct time.
    pub steps: Vec<SurvivalStep>,
}

/// The test behind an audit row.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "test")]
pub enum TestOut {
    /// Pearson's chi-square (1 degree of freedom).
    ChiSquare {
        /// The statistic.
        statistic: f64,
        /// Its p-value.
        p_value: f64,
    },
    /// Fisher's exact test, two-sided.
    Fisher {
        /// Its p-value.
        p_value: f64,
    },
}

impl From<SignificanceTest> for TestOut {
    fn from(t: SignificanceTest) -> Self {
        match t {
            SignificanceTest::ChiSquare { statistic, p_value } => {
                TestOut::ChiSquare { statistic, p_value }
            }
            SignificanceTest::Fisher { p_value } => TestOut::Fisher { p_value },
        }
    }
}

impl TestOut {
    /// The test's name as it appears in the JSON.
    pub fn name(&self) -> &'static str {
        match self {
            TestOut::ChiSquare { .. } => "chi_square",
            TestOut::Fisher { .. } => "fisher",
        }
    }

    /// The p-value, whichever test.
    pub fn p_value(&self) -> f64 {
        match *self {
            TestOut::ChiSquare { p_value, .. } | TestOut::Fisher { p_value } => p_value,
        }
    }
}

/// One value of the audited attribute.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AuditRowOut {
    /// The value; `null` for accounts without one.
    pub value: Option<String>,
    /// Churned customers with it.
    pub churned: u64,
    /// Retained customers with it.
    pub retained: u64,
    /// Too few customers: counts only.
    pub below_support: bool,
    /// Share among the churned.
    pub share_churned: Option<f64>,
    /// Share among the retained.
    pub share_retained: Option<f64>,
    /// share_churned / share_retained.
    pub lift: Option<f64>,
    /// Wilson 95% interval of `share_churned`.
    pub share_churned_ci: Option<[f64; 2]>,
    /// Churn rate among customers with it.
    pub churn_rate: Option<f64>,
    /// Wilson 95% interval of `churn_rate`.
    pub churn_rate_ci: Option<[f64; 2]>,
    /// The value against every other.
    pub test: Option<TestOut>,
}

impl From<AuditRow> for AuditRowOut {
    fn from(r: AuditRow) -> Self {
        AuditRowOut {
            value: r.value,
            churned: r.churned,
            retained: r.retained,
            below_support: r.below_support,
            share_churned: r.share_churned,
            share_retained: r.share_retained,
            lift: r.lift,
            share_churned_ci: r.share_churned_ci.map(|(a, b)| [a, b]),
            churn_rate: r.churn_rate,
            churn_rate_ci: r.churn_rate_ci.map(|(a, b)| [a, b]),
            test: r.test.map(TestOut::from),
        }
    }
}

/// `GET /api/v1/retention/audit`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AuditReport {
    /// What the report covers.
    #[serde(flatten)]
    pub head: ReportHead,
    /// The audited attribute.
    pub attribute: String,
    /// Values with fewer customers show counts only.
    pub min_support: u64,
    /// The audited period, when one was asked for (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<PeriodOut>,
    /// One row a value, then the accounts without one.
    pub rows: Vec<AuditRowOut>,
}

/// An account behind a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MemberAccount {
    /// Its number in the reports.
    pub idx: u32,
    /// Account id.
    pub id: String,
    /// The id in the customer's own systems.
    pub external_id: Option<String>,
    /// Display name.
    pub name: String,
}

impl From<RetentionAccount> for MemberAccount {
    fn from(a: RetentionAccount) -> Self {
        MemberAccount {
            idx: a.idx,
            id: a.id,
            external_id: a.external_id,
            name: a.name,
        }
    }
}

/// `GET /api/v1/retention/members`: the accounts behind a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MembersReport {
    /// How many accounts are behind the number.
    pub count: usize,
    /// At most this many are listed.
    pub limit: usize,
    /// The first `limit`, in account order.
    pub accounts: Vec<MemberAccount>,
}

/// `GET /api/v1/retention/attributes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AttributesReport {
    /// Names the churn audit can use.
    pub attributes: Vec<String>,
}
