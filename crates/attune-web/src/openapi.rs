//! The OpenAPI 3.1 document, served at `/api/openapi.json`. A test walks every path in it
//! against the running server, so a route missing from the router (or a path missing from
//! the document) fails CI.

use axum::Json;
use serde_json::{Value, json};

fn op(summary: &str, tag: &str, params: &[&str], body: Option<&str>, ok: &str) -> Value {
    let mut parameters: Vec<Value> = Vec::new();
    for p in params {
        let (name, location) = match p.strip_prefix("path:") {
            Some(n) => (n, "path"),
            None => (*p, "query"),
        };
        parameters.push(json!({
            "name": name, "in": location, "required": location == "path",
            "schema": {"type": if name == "limit" { "integer" } else { "string" }}
        }));
    }
    let mut o = json!({
        "summary": summary,
        "tags": [tag],
        "parameters": parameters,
        "security": [{"bearer": []}],
        "responses": {
            ok: {"description": "success", "content": {"application/json": {"schema": {"type": "object"}}}},
            "401": {"$ref": "#/components/responses/Error"},
            "403": {"$ref": "#/components/responses/Error"},
            "404": {"$ref": "#/components/responses/Error"},
            "422": {"$ref": "#/components/responses/Error"},
        }
    });
    if let (Some(schema), Value::Object(m)) = (body, &mut o) {
        m.insert(
            "requestBody".into(),
            json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}}),
        );
    }
    o
}

const FEED_PARAMS: &[&str] = &[
    "survey", "question", "band", "from", "to", "language", "account", "channel", "q", "cursor",
    "limit",
];
const METRIC_PARAMS: &[&str] = &["survey", "question", "from", "to", "interval", "by"];

/// The document.
pub fn document() -> Value {
    let mut survey_feed = vec!["path:id"];
    survey_feed.extend_from_slice(FEED_PARAMS);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Attune API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Listen to every customer: surveys, responses, the feedback feed and experience metrics. Every /api/v1 call needs `Authorization: Bearer <token>`; every read and write is scoped to the token's organisation."
        },
        "paths": {
            "/healthz": {"get": {"summary": "The process is up", "tags": ["operations"], "security": [], "responses": {"200": {"description": "up"}}}},
            "/readyz": {"get": {"summary": "The database answers", "tags": ["operations"], "security": [], "responses": {"200": {"description": "ready"}, "503": {"description": "database unreachable"}}}},
            "/api/openapi.json": {"get": {"summary": "This document", "tags": ["operations"], "security": [], "responses": {"200": {"description": "the OpenAPI document"}}}},
            "/api/v1/surveys": {
                "get": op("List surveys", "surveys", &[], None, "200"),
                "post": op("Create a survey", "surveys", &[], Some("SurveyInput"), "201"),
            },
            "/api/v1/surveys/{id}": {"get": op("Show a survey", "surveys", &["path:id"], None, "200")},
            "/api/v1/surveys/{id}/responses": {
                "get": op("Responses of a survey, newest first", "responses", &survey_feed, None, "200"),
                "post": op("Submit a response", "responses", &["path:id"], Some("ResponseInput"), "201"),
            },
            "/api/v1/surveys/{id}/invitations": {
                "post": op("Create a personal, single-use survey link", "surveys", &["path:id"], Some("InvitationInput"), "201"),
            },
            "/api/v1/responses/{id}": {"get": op("Show a response", "responses", &["path:id"], None, "200")},
            "/api/v1/feedback": {"get": op("The feedback feed, newest first", "feedback", FEED_PARAMS, None, "200")},
            "/api/v1/metrics/nps": {"get": op("NPS with Tango's 95% interval", "metrics", METRIC_PARAMS, None, "200")},
            "/api/v1/metrics/csat": {"get": op("CSAT (top-2 box) with Wilson's 95% interval", "metrics", METRIC_PARAMS, None, "200")},
            "/api/v1/metrics/ces": {"get": op("CES mean and share of easy answers", "metrics", METRIC_PARAMS, None, "200")},
            "/api/v1/accounts": {
                "get": op("List accounts", "accounts", &[], None, "200"),
                "post": op("Create or update an account by external id", "accounts", &[], Some("AccountInput"), "201"),
            },
            "/api/v1/accounts/{id}": {"get": op("An account with its contacts", "accounts", &["path:id"], None, "200")},
            "/api/v1/contacts": {
                "get": op("List contacts", "accounts", &["account"], None, "200"),
                "post": op("Create or update a contact by e-mail", "accounts", &[], Some("ContactInput"), "201"),
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {"Error": {"description": "an error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message", "fields"], "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"},
                    "fields": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}
                }}}},
                "SurveyInput": {"type": "object", "required": ["name", "questions"], "properties": {
                    "name": {"type": "string"}, "default_language": {"type": "string", "default": "en"},
                    "questions": {"type": "array", "items": {"type": "object", "required": ["key", "type", "text"], "properties": {
                        "key": {"type": "string"},
                        "type": {"enum": ["nps", "csat", "ces", "rating", "single_choice", "multi_choice", "text"]},
                        "text": {"type": "object", "additionalProperties": {"type": "string"}},
                        "required": {"type": "boolean"},
                        "scale": {"type": "object", "properties": {"min": {"type": "integer"}, "max": {"type": "integer"}}},
                        "choices": {"type": "array"}
                    }}}
                }},
                "ResponseInput": {"type": "object", "required": ["answers"], "properties": {
                    "answers": {"type": "object"}, "language": {"type": "string"},
                    "channel": {"enum": ["api", "link", "email", "widget", "import", "staff"]},
                    "contact": {"type": "object", "properties": {"email": {"type": "string"}, "name": {"type": "string"}}},
                    "account": {"type": "object", "properties": {"external_id": {"type": "string"}, "name": {"type": "string"}}},
                    "submitted_at": {"type": "string", "format": "date-time"},
                    "metadata": {"type": "object"},
                    "external_id": {"type": "string", "description": "a second response with the same id is not counted again"}
                }},
                "InvitationInput": {"type": "object", "properties": {"contact_id": {"type": "string"}, "email": {"type": "string"}}},
                "AccountInput": {"type": "object", "required": ["external_id"], "properties": {
                    "external_id": {"type": "string"}, "name": {"type": "string"}, "plan": {"type": "string"},
                    "size_band": {"type": "string"}, "industry": {"type": "string"}, "region": {"type": "string"},
                    "owner_email": {"type": "string"}, "attributes": {"type": "object"}
                }},
                "ContactInput": {"type": "object", "required": ["email"], "properties": {
                    "email": {"type": "string"}, "account": {"type": "string"}, "name": {"type": "string"},
                    "phone": {"type": "string"}, "role": {"type": "string"}, "decision_maker": {"type": "boolean"},
                    "language": {"type": "string"}, "preferences": {"type": "object"}
                }}
            }
        }
    })
}

/// `GET /api/openapi.json`
pub(crate) async fn serve() -> Json<Value> {
    Json(document())
}

#[cfg(test)]
mod tests {
    /// Every route registered in `routes/mod.rs` is in the document (the integration test
    /// checks the other way: every documented path is routed).
    #[test]
    fn every_route_is_documented() {
        let doc = super::document();
        let paths = doc["paths"].as_object().expect("paths");
        let source = include_str!("routes/mod.rs");
        let routes: Vec<&str> = source
            .split(".route(")
            .skip(1)
            .filter_map(|rest| rest.trim_start().strip_prefix('"'))
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert!(routes.len() >= 10, "found routes: {routes:?}");
        for route in routes {
            let expanded: Vec<String> = if route.contains("{kind}") {
                ["nps", "csat", "ces"]
                    .iter()
                    .map(|k| route.replace("{kind}", k))
                    .collect()
            } else {
                vec![route.to_owned()]
            };
            for path in expanded {
                assert!(
                    paths.contains_key(&path),
                    "{path} is routed but not documented"
                );
            }
        }
    }
}
