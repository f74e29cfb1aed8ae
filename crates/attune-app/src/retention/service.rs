//! The retention use cases: load an organisation's rows once, build the report off the async
//! executor and answer one typed part of it.

use attune_retention::{AttributeColumn, Day};
use attune_storage::Store;

use super::drill::Drill;
use super::output::{
    AttributesReport, AuditReport, CohortsReport, MemberAccount, MembersReport, SummaryReport,
    SurvivalReport,
};
use super::report::Report;
use super::spec::{AuditOptions, Spec, SurvivalOptions};
use crate::{AppError, AppResult};

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
    f: impl FnOnce(&Report) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    with_report_and_attribute(store, org_id, spec, None, move |r, _| f(r)).await
}

/// [`with_report`] with one account attribute loaded too (for the audit and its drill-down);
/// an attribute the organisation's accounts do not have is a 422 naming `attribute`.
pub async fn with_report_and_attribute<T: Send + 'static>(
    store: &dyn Store,
    org_id: &str,
    spec: Spec,
    attribute: Option<&str>,
    f: impl FnOnce(&Report, Option<&AttributeColumn>) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
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
    .map_err(|e| AppError::Internal(format!("retention report: {e}")))?
}

/// The period summary.
#[tracing::instrument(skip_all, fields(org.id = %org_id))]
pub async fn summary(store: &dyn Store, org_id: &str, spec: Spec) -> AppResult<SummaryReport> {
    with_report(store, org_id, spec, |r| Ok(r.summary())).await
}

/// The cohort table.
#[tracing::instrument(skip_all, fields(org.id = %org_id))]
pub async fn cohorts(store: &dyn Store, org_id: &str, spec: Spec) -> AppResult<CohortsReport> {
    with_report(store, org_id, spec, |r| Ok(r.cohorts())).await
}

/// The Kaplan–Meier curve of first lifetimes.
#[tracing::instrument(skip_all, fields(org.id = %org_id))]
pub async fn survival(
    store: &dyn Store,
    org_id: &str,
    spec: Spec,
    opts: SurvivalOptions,
) -> AppResult<SurvivalReport> {
    with_report(store, org_id, spec, move |r| Ok(r.survival(opts))).await
}

/// The churn audit of one attribute (over the period starting on `period_start` when given).
#[tracing::instrument(skip_all, fields(org.id = %org_id, attribute = %opts.attribute))]
pub async fn audit(
    store: &dyn Store,
    org_id: &str,
    spec: Spec,
    opts: &AuditOptions,
) -> AppResult<AuditReport> {
    let (period_start, min_support) = (opts.period_start, opts.min_support);
    with_report_and_attribute(
        store,
        org_id,
        spec,
        Some(&opts.attribute),
        move |report, column| {
            let column = column.ok_or_else(|| AppError::Internal("no attribute column".into()))?;
            let period = match period_start {
                Some(start) => Some(report.period_starting(start).ok_or_else(|| {
                    AppError::invalid(
                        "period_start",
                        "is not the first day of a period of this report",
                    )
                })?),
                None => None,
            };
            Ok(report.audit(column, period, min_support))
        },
    )
    .await
}

/// The account numbers behind a drill-down, in account order.
pub async fn drill(
    store: &dyn Store,
    org_id: &str,
    spec: Spec,
    drill: Drill,
) -> AppResult<Vec<u32>> {
    let attribute = drill.attribute().map(str::to_owned);
    with_report_and_attribute(
        store,
        org_id,
        spec,
        attribute.as_deref(),
        move |report, column| report.drill(&drill, column),
    )
    .await
}

/// The accounts behind a number: how many, and the first `limit`.
#[tracing::instrument(skip_all, fields(org.id = %org_id))]
pub async fn members(
    store: &dyn Store,
    org_id: &str,
    spec: Spec,
    which: Drill,
    limit: usize,
) -> AppResult<MembersReport> {
    let idxs = drill(store, org_id, spec, which).await?;
    let shown: Vec<u32> = idxs.iter().copied().take(limit).collect();
    let accounts = store.retention_accounts(org_id, &shown).await?;
    Ok(MembersReport {
        count: idxs.len(),
        limit,
        accounts: accounts.into_iter().map(MemberAccount::from).collect(),
    })
}

/// The account attributes the churn audit can use.
#[tracing::instrument(skip_all, fields(org.id = %org_id))]
pub async fn attributes(store: &dyn Store, org_id: &str) -> AppResult<AttributesReport> {
    Ok(AttributesReport {
        attributes: store.retention_attribute_names(org_id).await?,
    })
}
