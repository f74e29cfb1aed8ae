//! The JSON API under `/api/v1`, the OpenAPI document and the health checks.

mod accounts;
pub(crate) mod cases;
pub(crate) mod feedback;
mod health;
pub(crate) mod loop_config;
mod metrics;
mod responses;
pub(crate) mod retention;
mod surveys;
pub(crate) mod text;
mod users;

use axum::Router;
use axum::routing::{get, post, put};

use crate::AppState;

/// The API's heavy analytics reads, run within the bounds of `heavy.rs`.
pub(crate) fn heavy_router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/text/themes", get(text::themes_api))
        .route("/api/v1/text/drivers", get(text::drivers_api))
        .route("/api/v1/loop/metrics", get(cases::metrics))
        .route("/api/v1/retention/summary", get(retention::summary))
        .route("/api/v1/retention/cohorts", get(retention::cohorts))
        .route("/api/v1/retention/survival", get(retention::survival))
        .route("/api/v1/retention/audit", get(retention::audit))
        .route("/api/v1/retention/members", get(retention::members))
}

/// Every other API and operations route.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/api/openapi.json", get(crate::openapi::serve))
        .route("/api/v1/surveys", get(surveys::list).post(surveys::create))
        .route("/api/v1/surveys/{id}", get(surveys::show))
        .route(
            "/api/v1/surveys/{id}/access",
            get(surveys::access).put(surveys::set_access),
        )
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
        .route("/api/v1/cases", get(cases::list))
        .route("/api/v1/cases/{id}", get(cases::show).patch(cases::update))
        .route("/api/v1/cases/{id}/notes", post(cases::note))
        .route(
            "/api/v1/loop/settings",
            get(loop_config::settings).put(loop_config::set_settings),
        )
        .route(
            "/api/v1/rules",
            get(loop_config::list_rules).post(loop_config::create_rule),
        )
        .route(
            "/api/v1/rules/{id}",
            put(loop_config::replace_rule).delete(loop_config::delete_rule),
        )
        .route(
            "/api/v1/sla-policies",
            get(loop_config::list_policies).post(loop_config::create_policy),
        )
        .route(
            "/api/v1/sla-policies/{id}",
            put(loop_config::replace_policy),
        )
        .route(
            "/api/v1/teams",
            get(loop_config::list_teams).post(loop_config::create_team),
        )
        .route(
            "/api/v1/root-causes",
            get(loop_config::root_causes).put(loop_config::set_root_causes),
        )
        .route(
            "/api/v1/templates/resolution/{lang}",
            get(loop_config::template).put(loop_config::set_template),
        )
        .route(
            "/api/v1/webhooks",
            get(loop_config::list_webhooks).post(loop_config::create_webhook),
        )
        .route(
            "/api/v1/webhooks/{id}",
            axum::routing::delete(loop_config::delete_webhook),
        )
        .route(
            "/api/v1/webhooks/{id}/deliveries",
            get(loop_config::deliveries),
        )
        .route("/api/v1/retention/attributes", get(retention::attributes))
        .route(
            "/api/v1/subscriptions",
            post(retention::create_subscriptions),
        )
        .route("/api/v1/activity", post(retention::create_activity))
        .route(
            "/api/v1/users/{email}/login-backoff",
            axum::routing::delete(users::clear_login_backoff),
        )
}
