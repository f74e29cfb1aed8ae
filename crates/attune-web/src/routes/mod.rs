//! The JSON API under `/api/v1`, the OpenAPI document and the health checks: one file per
//! resource. Each handler carries its `#[utoipa::path]`; the routers are built with
//! utoipa-axum, so the document (`openapi.rs`) is generated from the same registrations that
//! route requests.

mod account_flags;
mod account_scores;
mod account_team;
mod accounts;
pub(crate) mod cases;
mod contacts;
mod customer_search;
mod customer_sync;
pub(crate) mod feedback;
mod health;
mod interactions;
mod loop_settings;
mod merges;
mod metrics;
mod people;
mod responses;
pub(crate) mod retention;
mod root_causes;
mod rules;
pub(crate) mod schema;
mod sla_policies;
mod surveys;
mod teams;
mod templates;
pub(crate) mod text;
pub(crate) mod timeline;
mod users;
mod webhooks;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// The API: its ordinary routes, its heavy analytics reads (to be run within the bounds of
/// `heavy.rs`) and the document both generate.
pub(crate) fn api() -> (Router<AppState>, Router<AppState>, utoipa::openapi::OpenApi) {
    let (heavy, heavy_doc) = heavy().split_for_parts();
    let (light, mut doc) = OpenApiRouter::with_openapi(crate::openapi::base())
        .merge(light())
        .split_for_parts();
    doc.merge(heavy_doc);
    register_parameter_schemas(&mut doc);
    (light, heavy, doc)
}

/// Adds the schemas that query parameters name by `value_type` (utoipa registers those of
/// bodies only), so every `$ref` of the document resolves.
fn register_parameter_schemas(doc: &mut utoipa::openapi::OpenApi) {
    fn add<T: utoipa::ToSchema>(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        schemas.push((T::name().into_owned(), T::schema()));
    }
    let mut schemas = Vec::new();
    add::<feedback::NpsBandParam>(&mut schemas);
    add::<schema::Channel>(&mut schemas);
    add::<schema::CaseState>(&mut schemas);
    add::<schema::MetricKind>(&mut schemas);
    add::<schema::MetricInterval>(&mut schemas);
    add::<schema::RetentionPeriod>(&mut schemas);
    add::<schema::RetentionBasis>(&mut schemas);
    add::<schema::SurvivalUnit>(&mut schemas);
    add::<schema::SurvivalCi>(&mut schemas);
    add::<schema::DrillWhich>(&mut schemas);
    add::<schema::DrillOutcome>(&mut schemas);
    add::<schema::Instant>(&mut schemas);
    add::<schema::InstantFilter>(&mut schemas);
    add::<schema::LanguageFilter>(&mut schemas);
    add::<schema::LanguageTag>(&mut schemas);
    let components = doc.components.get_or_insert_with(Default::default);
    for (name, schema) in schemas {
        components.schemas.entry(name).or_insert(schema);
    }
}

/// The heavy analytics reads.
fn heavy() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(text::themes_api))
        .routes(routes!(text::drivers_api))
        .routes(routes!(cases::metrics::metrics))
        .routes(routes!(retention::summary))
        .routes(routes!(retention::cohorts))
        .routes(routes!(retention::survival))
        .routes(routes!(retention::audit))
        .routes(routes!(retention::members))
}

/// Every other API and operations route.
fn light() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(crate::openapi::serve))
        .routes(routes!(surveys::list, surveys::create))
        .routes(routes!(surveys::show))
        .routes(routes!(surveys::access, surveys::set_access))
        .routes(routes!(responses::list, responses::create))
        .routes(routes!(surveys::invite))
        .routes(routes!(responses::show))
        .routes(routes!(feedback::feed))
        .routes(routes!(metrics::metric))
        .routes(routes!(accounts::list, accounts::upsert))
        .routes(routes!(accounts::show))
        .routes(routes!(accounts::archive, accounts::restore))
        .routes(routes!(accounts::subscriptions))
        .routes(routes!(accounts::relationship))
        .routes(routes!(account_scores::scores))
        .routes(routes!(account_team::set_team))
        .routes(routes!(account_team::set_owner))
        .routes(routes!(account_team::show_handover))
        .routes(routes!(customer_sync::sync_customers))
        .routes(routes!(account_flags::list))
        .routes(routes!(people::list, people::upsert))
        .routes(routes!(people::show))
        .routes(routes!(people::remove_membership))
        .routes(routes!(interactions::create))
        .routes(routes!(interactions::show))
        .routes(routes!(customer_search::search))
        .routes(routes!(merges::merge_accounts))
        .routes(routes!(merges::merge_people))
        .routes(routes!(merges::show))
        .routes(routes!(merges::undo))
        .routes(routes!(timeline::account))
        .routes(routes!(timeline::person))
        .routes(routes!(contacts::list, contacts::upsert))
        .routes(routes!(cases::list::list))
        .routes(routes!(cases::show::show, cases::update::update))
        .routes(routes!(cases::note::note))
        .routes(routes!(loop_settings::show, loop_settings::replace))
        .routes(routes!(rules::list, rules::create))
        .routes(routes!(rules::replace, rules::delete))
        .routes(routes!(sla_policies::list, sla_policies::create))
        .routes(routes!(sla_policies::replace))
        .routes(routes!(teams::list, teams::create))
        .routes(routes!(root_causes::show, root_causes::replace))
        .routes(routes!(templates::show, templates::replace))
        .routes(routes!(webhooks::list, webhooks::create))
        .routes(routes!(webhooks::delete))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(retention::attributes))
        .routes(routes!(retention::create_subscriptions))
        .routes(routes!(retention::create_activity))
        .routes(routes!(users::clear_login_backoff))
}
