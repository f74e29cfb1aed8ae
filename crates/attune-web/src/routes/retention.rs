//! Retention: summary per period, cohorts, survival, churn audit, drill-down to the customers
//! behind a number, and writing subscription rows and activity events. Every call reads or
//! writes the caller's organisation only.

use attune_app::import::ImportReport;
use attune_app::retention::output::{
    AttributesReport, AuditReport, CohortsReport, MembersReport, SummaryReport, SurvivalReport,
};
use attune_app::retention::{
    self, AuditOptions, RetentionParams, Spec, SurvivalOptions, both, day_of_ms, drill_options,
    parse_cents,
};
use attune_app::{AppError, AppResult};
use attune_domain::error::Problems;
use attune_retention::{PeriodUnit, parse_day};
use attune_storage::retention::{NewActivity, NewSubscription};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;

use crate::auth::ApiCaller;
use crate::extract::{Json, Query};
use crate::{ApiError, AppState};

/// The largest amount of money a row may carry (in currency units).
const MAX_AMOUNT: f64 = 1e12;

/// The most rows one request may carry.
const MAX_ROWS: usize = 10_000;

fn spec(state: &AppState, q: &RetentionParams, unit: PeriodUnit) -> AppResult<Spec> {
    Ok(Spec::parse(q, day_of_ms(state.now_ms()), unit)?)
}

/// `GET /api/v1/retention/summary`
#[utoipa::path(get, path = "/api/v1/retention/summary", tag = "retention",
    summary = "Per period (month, quarter, year, or custom [from, to)): S, E, N, lost, lost_new, retained, reactivated, CRR = (E − N) / S beside the retained share, churn rate, MRR₀, expansion, contraction, churned MRR, GRR and NRR; ratios are fractions, null when undefined. basis=activity counts a customer active for window_days after a purchase",
    params(crate::routes::schema::SpecQuery),
    responses((status = 200, body = SummaryReport, description = "the report"), (status = 503, description = "too many heavy reads at once; retry after `Retry-After` seconds")))]
pub(crate) async fn summary(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<RetentionParams>,
) -> Result<axum::Json<SummaryReport>, ApiError> {
    let spec = spec(&state, &q, PeriodUnit::Quarter)?;
    let report = retention::summary(state.store.as_ref(), caller.org(), spec).await?;
    Ok(axum::Json(report))
}

/// `GET /api/v1/retention/cohorts`
#[utoipa::path(get, path = "/api/v1/retention/cohorts", tag = "retention",
    summary = "Cohorts by starting period: customers (and revenue) still active k periods later; unfinished periods are null",
    params(crate::routes::schema::SpecQuery),
    responses((status = 200, body = CohortsReport, description = "the report"), (status = 503, description = "too many heavy reads at once; retry after `Retry-After` seconds")))]
pub(crate) async fn cohorts(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<RetentionParams>,
) -> Result<axum::Json<CohortsReport>, ApiError> {
    let spec = spec(&state, &q, PeriodUnit::Month)?;
    let report = retention::cohorts(state.store.as_ref(), caller.org(), spec).await?;
    Ok(axum::Json(report))
}

/// `GET /api/v1/retention/survival`
#[utoipa::path(get, path = "/api/v1/retention/survival", tag = "retention",
    summary = "Kaplan–Meier survival of first lifetimes (unit=day|month), Greenwood 95% intervals (ci=log|loglog), median and restricted mean lifetime",
    params(crate::routes::schema::SpecQuery,
        ("unit" = Option<crate::routes::schema::SurvivalUnit>, Query, description = "survival time unit (default month)"),
        ("ci" = Option<crate::routes::schema::SurvivalCi>, Query, description = "survival interval (default log)")),
    responses((status = 200, body = SurvivalReport, description = "the report"), (status = 503, description = "too many heavy reads at once; retry after `Retry-After` seconds")))]
pub(crate) async fn survival(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<RetentionParams>,
) -> Result<axum::Json<SurvivalReport>, ApiError> {
    let (spec, opts) = both(
        spec(&state, &q, PeriodUnit::Month),
        SurvivalOptions::from_params(&q),
    )?;
    let report = retention::survival(state.store.as_ref(), caller.org(), spec, opts).await?;
    Ok(axum::Json(report))
}

/// `GET /api/v1/retention/audit`
#[utoipa::path(get, path = "/api/v1/retention/audit", tag = "retention",
    summary = "Churn audit of one account attribute: each value's share among churned and retained customers, lift, Wilson intervals, chi-square or Fisher test (values under min_support show counts only); period_start audits the customers lost in that period",
    params(crate::routes::schema::SpecQuery,
        ("attribute" = String, Query, pattern = "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]", description = "the account attribute audited (one the accounts have: `GET /api/v1/retention/attributes`)"),
        ("min_support" = Option<u64>, Query, description = "values with fewer customers show counts only (default 30)"),
        ("period_start" = Option<String>, Query, format = Date, description = "audit the customers lost in the period starting on this day")),
    responses((status = 200, body = AuditReport, description = "the report"), (status = 503, description = "too many heavy reads at once; retry after `Retry-After` seconds")))]
pub(crate) async fn audit(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<RetentionParams>,
) -> Result<axum::Json<AuditReport>, ApiError> {
    let (spec, opts) = both(
        spec(&state, &q, PeriodUnit::Month),
        AuditOptions::from_params(&q),
    )?;
    let report = retention::audit(state.store.as_ref(), caller.org(), spec, &opts).await?;
    Ok(axum::Json(report))
}

/// `GET /api/v1/retention/attributes`
#[utoipa::path(get, path = "/api/v1/retention/attributes", tag = "retention",
    summary = "The account attributes the churn audit can use",
    responses((status = 200, body = AttributesReport, description = "the report")))]
pub(crate) async fn attributes(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::Json<AttributesReport>, ApiError> {
    let report = retention::attributes(state.store.as_ref(), caller.org()).await?;
    Ok(axum::Json(report))
}

/// `GET /api/v1/retention/members`: the accounts behind a number.
#[utoipa::path(get, path = "/api/v1/retention/members", tag = "retention",
    summary = "The customers behind a number: which=start|end|new|lost|lost_new|retained|reactivated|expanded|contracted for the period starting on period_start; which=cohort with period_start and k (monthly grid unless period says); which=survival with unit, time and outcome=events|censored|at_risk; which=audit with attribute, value (empty: no value), outcome=churned|retained and optional period_start",
    params(crate::routes::schema::SpecQuery, crate::routes::schema::MembersQuery),
    responses((status = 200, body = MembersReport, description = "the report"), (status = 503, description = "too many heavy reads at once; retry after `Retry-After` seconds")))]
pub(crate) async fn members(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<RetentionParams>,
) -> Result<axum::Json<MembersReport>, ApiError> {
    // A cohort is drilled on the cohort table's grid (monthly unless said), every other
    // number on the summary's (quarterly unless said).
    let default_unit = match q.which.as_deref().map(str::trim) {
        Some("cohort") => PeriodUnit::Month,
        _ => PeriodUnit::Quarter,
    };
    let (spec, (drill, limit)) = both(
        spec(&state, &q, default_unit),
        drill_options(&q).map_err(AppError::from),
    )?;
    let report = retention::members(state.store.as_ref(), caller.org(), spec, drill, limit).await?;
    Ok(axum::Json(report))
}

/// A subscription row as received.
#[derive(Debug, Deserialize)]
pub(crate) struct SubscriptionInput {
    account_external_id: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    mrr: Option<Value>,
    product: Option<String>,
    quantity: Option<i64>,
    billing_period: Option<Value>,
    cancellation_reason: Option<String>,
}

/// An activity event as received.
#[derive(Debug, Deserialize)]
pub(crate) struct ActivityInput {
    account_external_id: Option<String>,
    date: Option<String>,
    value: Option<Value>,
}

fn text(p: &mut Problems, field: String, v: Option<&str>, required: bool) -> Option<String> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > 200 => {
            p.push(field, "must be at most 200 characters");
            None
        }
        Some(s) => Some(s.to_owned()),
        None => {
            if required {
                p.push(field, "is required");
            }
            None
        }
    }
}

fn date(p: &mut Problems, field: String, v: Option<&str>, required: bool) -> Option<i32> {
    let s = text(p, field.clone(), v, required)?;
    let d = parse_day(&s);
    if d.is_none() {
        p.push(field, "must be a date, YYYY-MM-DD");
    }
    d
}

fn money(p: &mut Problems, field: String, v: Option<&Value>) -> i64 {
    let raw = match v {
        None | Some(Value::Null) => return 0,
        // A JSON number is rounded to cents as it is: its text may be in exponent form
        // (`1e-7`), which the decimal reader refuses.
        Some(Value::Number(n)) => {
            return match n.as_f64().filter(|f| f.abs() <= MAX_AMOUNT) {
                #[expect(clippy::cast_possible_truncation, reason = "bounded by MAX_AMOUNT")]
                Some(f) => (f * 100.0).round() as i64,
                None => {
                    p.push(field, "must be an amount such as 49.90");
                    0
                }
            };
        }
        Some(Value::String(s)) if s.trim().is_empty() => return 0,
        Some(Value::String(s)) => s.clone(),
        Some(_) => String::new(),
    };
    parse_cents(&raw).unwrap_or_else(|| {
        p.push(field, "must be an amount such as 49.90");
        0
    })
}

fn too_many(n: usize) -> Result<(), ApiError> {
    if n > MAX_ROWS {
        return Err(ApiError::field(
            "body",
            format!("at most {MAX_ROWS} rows per request"),
        ));
    }
    Ok(())
}

/// `POST /api/v1/subscriptions`: a JSON array of rows, stored all or nothing.
#[utoipa::path(post, path = "/api/v1/subscriptions", tag = "retention",
    summary = "Store subscription rows (a JSON array, at most 10,000), all or nothing; accounts are created on first sight; a row with the same account, product and start date updates the stored one",
    request_body(content = Vec<crate::routes::schema::SubscriptionRow>),
    responses((status = 201, body = ImportReport, description = "what was stored, and each refused row with its problems"),
        (status = 403, description = "a viewer's token")))]
pub(crate) async fn create_subscriptions(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<Vec<SubscriptionInput>>,
) -> Result<(StatusCode, axum::Json<ImportReport>), ApiError> {
    let actor = caller.writer()?;
    too_many(input.len())?;
    let mut p = Problems::default();
    let mut rows = Vec::with_capacity(input.len());
    for (i, r) in input.iter().enumerate() {
        let f = |name: &str| format!("[{i}].{name}");
        let account = text(
            &mut p,
            f("account_external_id"),
            r.account_external_id.as_deref(),
            true,
        );
        let start = date(&mut p, f("start_date"), r.start_date.as_deref(), true);
        let end = date(&mut p, f("end_date"), r.end_date.as_deref(), false);
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            p.push(f("end_date"), "must not be before start_date");
        }
        let mrr_cents = money(&mut p, f("mrr"), r.mrr.as_ref());
        if mrr_cents < 0 {
            p.push(f("mrr"), "must not be negative");
        }
        let billing = match &r.billing_period {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(_) => {
                p.push(
                    f("billing_period"),
                    "must be month, year or a number of months",
                );
                None
            }
        };
        let row = NewSubscription {
            account_external_id: account.unwrap_or_default(),
            product: text(&mut p, f("product"), r.product.as_deref(), false).unwrap_or_default(),
            start: start.unwrap_or(0),
            end,
            mrr_cents,
            quantity: r.quantity,
            billing_period: text(&mut p, f("billing_period"), billing.as_deref(), false),
            cancellation_reason: text(
                &mut p,
                f("cancellation_reason"),
                r.cancellation_reason.as_deref(),
                false,
            ),
        };
        rows.push(row);
    }
    let rows = p.finish(rows)?;
    let outcome = state
        .store
        .import_subscriptions(&actor.org_id, &rows, state.now_ms(), &|_| {})
        .await?;
    Ok((StatusCode::CREATED, axum::Json(outcome.into())))
}

/// `POST /api/v1/activity`: a JSON array of events, stored all or nothing.
#[utoipa::path(post, path = "/api/v1/activity", tag = "retention",
    summary = "Store purchase or activity events (a JSON array, at most 10,000), all or nothing; events already stored are skipped",
    request_body(content = Vec<crate::routes::schema::ActivityRow>),
    responses((status = 201, body = ImportReport, description = "what was stored, and each refused row with its problems"),
        (status = 403, description = "a viewer's token")))]
pub(crate) async fn create_activity(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<Vec<ActivityInput>>,
) -> Result<(StatusCode, axum::Json<ImportReport>), ApiError> {
    let actor = caller.writer()?;
    too_many(input.len())?;
    let mut p = Problems::default();
    let mut rows = Vec::with_capacity(input.len());
    for (i, r) in input.iter().enumerate() {
        let f = |name: &str| format!("[{i}].{name}");
        let account = text(
            &mut p,
            f("account_external_id"),
            r.account_external_id.as_deref(),
            true,
        );
        let day = date(&mut p, f("date"), r.date.as_deref(), true);
        let value_cents = money(&mut p, f("value"), r.value.as_ref());
        rows.push(NewActivity {
            account_external_id: account.unwrap_or_default(),
            day: day.unwrap_or(0),
            value_cents,
        });
    }
    let rows = p.finish(rows)?;
    let outcome = state
        .store
        .import_activity(&actor.org_id, &rows, state.now_ms(), &|_| {})
        .await?;
    Ok((StatusCode::CREATED, axum::Json(outcome.into())))
}
