//! The OpenAPI 3.1 document, served at `/api/openapi.json`. It is generated from the routers
//! (`routes::api`): each handler's `#[utoipa::path]` and its DTOs' schemas, so a route cannot be
//! missing from it. What every operation shares (the bearer scheme, 401, 429, the errors of
//! NUL in the URI and of bodies) is added here, once.

use std::sync::LazyLock;

use serde_json::{Map, Value, json};

/// The document, built once.
static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
    let (_, _, doc) = crate::routes::api();
    finish(serde_json::to_value(doc).unwrap_or_default())
});

/// The document.
pub fn document() -> Value {
    DOCUMENT.clone()
}

/// `GET /api/openapi.json`
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "This document", body = Object)))]
pub(crate) async fn serve() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        BODY.as_str(),
    )
}

/// The document as served, serialised once (it does not change while the process runs).
static BODY: LazyLock<String> = LazyLock::new(|| DOCUMENT.to_string());

/// What the routers start from: the title, the security scheme and the shared error answers.
pub(crate) fn base() -> utoipa::openapi::OpenApi {
    let doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Attune API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Listen to every customer and act on every unhappy voice: surveys, responses, the feedback feed, experience metrics, follow-up cases with SLAs, rules and webhooks. Webhook deliveries carry `Attune-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">`. Every /api/v1 call needs `Authorization: Bearer <token>`; every read and write is scoped to the token's organisation. Bodies are JSON sent with `Content-Type: application/json` (else 415); a field the body does not know is refused (422 naming it). No text in a request may contain NUL (U+0000): in the path it is a 400, in the query or the body a 422 naming the field. Requests are limited per token (and per client address for tokens that are not valid); a 429 carries `Retry-After` in seconds."
        },
        "paths": {},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Error": {"description": "an error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "RateLimited": {"description": "too many requests (code `rate_limited`)", "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message", "fields"], "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"},
                    "fields": {"type": "array", "items": {"type": "object", "required": ["field", "message"], "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}
                }}}}
            }
        }
    });
    serde_json::from_value(doc).unwrap_or_default()
}

/// The answers every `/api/v1` operation can give, added where the handler names none; an
/// error a handler names without a body gets the `Error` body.
fn finish(mut doc: Value) -> Value {
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in crate::routes::schema::json_components() {
            schemas.insert(name.to_owned(), schema);
        }
    }
    let error = json!({"$ref": "#/components/responses/Error"});
    let error_body =
        json!({"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}});
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(ops) = item.as_object_mut() else {
                continue;
            };
            for op in ops.values_mut().filter_map(Value::as_object_mut) {
                if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                    for (status, r) in responses.iter_mut() {
                        if status.as_str() >= "400"
                            && let Some(r) = r.as_object_mut()
                            && !r.contains_key("$ref")
                        {
                            r.entry("content").or_insert_with(|| error_body.clone());
                        }
                    }
                }
                if !path.starts_with("/api/v1/") {
                    op.insert("security".into(), json!([]));
                    continue;
                }
                let has_body = op.contains_key("requestBody");
                let has_query = op
                    .get("parameters")
                    .and_then(Value::as_array)
                    .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
                op.insert("security".into(), json!([{"bearer": []}]));
                let responses = op
                    .entry("responses")
                    .or_insert_with(|| Value::Object(Map::new()));
                let Some(responses) = responses.as_object_mut() else {
                    continue;
                };
                // NUL in the path is a 400; a bad token a 401; a busy token a 429.
                let mut add = vec!["400", "401"];
                if has_body {
                    add.extend(["413", "415", "422"]);
                }
                if has_query {
                    add.push("422");
                }
                for status in add {
                    responses.entry(status).or_insert_with(|| error.clone());
                }
                responses
                    .entry("429")
                    .or_insert_with(|| json!({"$ref": "#/components/responses/RateLimited"}));
            }
        }
    }
    doc
}
