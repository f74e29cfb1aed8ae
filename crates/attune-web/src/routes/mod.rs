//! The JSON API under `/api/v1`, the OpenAPI document and the health checks.

mod accounts;
pub(crate) mod feedback;
mod health;
mod metrics;
mod responses;
mod surveys;

use axum::Router;
use axum::routing::get;

use crate::AppState;

/// Every API and operations route.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/api/openapi.json", get(crate::openapi::serve))
        .route("/api/v1/surveys", get(surveys::list).post(surveys::create))
        .route("/api/v1/surveys/{id}", get(surveys::show))
        .route(
            "/api/v1/surveys/{id}/responses",
            get(responses::list).post(responses::create),
        )
        .route(
            "/api/v1/surveys/{id}/invitations",
            axum::routing::post(surveys::invite),
        )
        .route("/api/v1/responses/{id}", get(responses::show))
        .route("/api/v1/feedback", get(feedback::feed))
        .route("/api/v1/metrics/{kind}", get(metrics::metric))
        .route(
            "/api/v1/accounts",
            get(accounts::list).post(accounts::upsert),
        )
        .route("/api/v1/accounts/{id}", get(accounts::show))
        .route(
            "/api/v1/contacts",
            get(accounts::contacts).post(accounts::upsert_contact),
        )
}
