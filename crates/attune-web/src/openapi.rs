//! The OpenAPI 3.1 document, served at `/api/openapi.json`. A test walks every path in it
//! against the running server, so a route missing from the router (or a path missing from
//! the document) fails CI.

use axum::Json;
use serde_json::{Value, json};

pub(crate) fn op(summary: &str, tag: &str, params: &[&str], body: Option<&str>, ok: &str) -> Value {
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
            "400": {"$ref": "#/components/responses/Error"},
            "401": {"$ref": "#/components/responses/Error"},
            "403": {"$ref": "#/components/responses/Error"},
            "404": {"$ref": "#/components/responses/Error"},
            "422": {"$ref": "#/components/responses/Error"},
            "429": {"$ref": "#/components/responses/RateLimited"},
        }
    });
    if let (Some(schema), Value::Object(m)) = (body, &mut o) {
        if let Some(Value::Object(responses)) = m.get_mut("responses") {
            responses.insert(
                "415".into(),
                json!({"$ref": "#/components/responses/Error"}),
            );
        }
        m.insert(
            "requestBody".into(),
            json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}}),
        );
    }
    o
}

const FEED_PARAMS: &[&str] = &[
    "survey", "question", "band", "from", "to", "language", "account", "channel", "q", "match",
    "cursor", "limit",
];
const METRIC_PARAMS: &[&str] = &["survey", "question", "from", "to", "interval", "by"];

/// The closed-loop paths: cases, rules, SLA policies, teams, root causes, templates, webhooks.
fn loop_paths() -> Value {
    let case_params: &[&str] = &[
        "state", "status", "owner", "account", "response", "breached", "cursor", "limit",
    ];
    json!({
        "/api/v1/cases": {"get": op("Follow-up cases by first-response deadline, overdue first (state, owner as user id or e-mail, status=active, breached=true|false)", "cases", case_params, None, "200")},
        "/api/v1/cases/{id}": {
            "get": op("A case with its timeline and the feedback behind it", "cases", &["path:id"], None, "200"),
            "patch": op("Change state, owner, priority, root cause or resolution; resolving needs a root cause from the taxonomy and a resolution (422 otherwise)", "cases", &["path:id"], Some("CasePatch"), "200"),
        },
        "/api/v1/cases/{id}/notes": {"post": op("Add a note to the timeline", "cases", &["path:id"], Some("NoteInput"), "201")},
        "/api/v1/loop/metrics": {"get": op("Loop metrics of cases opened in [from, to): first responses within deadline, median times, breaches by team and owner, root-cause Pareto, recurrence, recovery", "cases", &["from", "to"], None, "200")},
        "/api/v1/loop/settings": {
            "get": op("Daily digest recipients and hour (UTC)", "settings", &[], None, "200"),
            "put": op("Set digest recipients and hour (admin)", "settings", &[], Some("LoopSettings"), "200"),
        },
        "/api/v1/rules": {
            "get": op("Alert rules", "settings", &[], None, "200"),
            "post": op("Create an alert rule", "settings", &[], Some("RuleInput"), "201"),
        },
        "/api/v1/rules/{id}": {
            "put": op("Replace an alert rule", "settings", &["path:id"], Some("RuleInput"), "200"),
            "delete": op("Delete an alert rule (its cases stay)", "settings", &["path:id"], None, "204"),
        },
        "/api/v1/sla-policies": {
            "get": op("SLA policies", "settings", &[], None, "200"),
            "post": op("Create an SLA policy (admin)", "settings", &[], Some("SlaPolicyInput"), "201"),
        },
        "/api/v1/sla-policies/{id}": {"put": op("Replace an SLA policy; open cases keep their deadlines (admin)", "settings", &["path:id"], Some("SlaPolicyInput"), "200")},
        "/api/v1/teams": {
            "get": op("Teams", "settings", &[], None, "200"),
            "post": op("Create a team: members share cases round-robin, the lead receives escalations (admin)", "settings", &[], Some("TeamInput"), "201"),
        },
        "/api/v1/root-causes": {
            "get": op("The root-cause taxonomy", "settings", &[], None, "200"),
            "put": op("Replace the root-cause taxonomy (admin)", "settings", &[], Some("RootCauses"), "200"),
        },
        "/api/v1/templates/resolution/{lang}": {
            "get": op("The resolution message in a language (the organisation's, else built in)", "settings", &["path:lang"], None, "200"),
            "put": op("Set the resolution message of a language (admin)", "settings", &["path:lang"], Some("TemplateInput"), "200"),
        },
        "/api/v1/webhooks": {
            "get": op("Outbound webhooks (admin)", "webhooks", &[], None, "200"),
            "post": op("Create a webhook; the signing secret is returned once (admin)", "webhooks", &[], Some("WebhookInput"), "201"),
        },
        "/api/v1/webhooks/{id}": {"delete": op("Delete a webhook (admin)", "webhooks", &["path:id"], None, "204")},
        "/api/v1/webhooks/{id}/deliveries": {"get": op("Delivery log, newest first (admin)", "webhooks", &["path:id"], None, "200")},
    })
}

/// Schemas of the closed-loop request bodies.
fn loop_schemas() -> Value {
    json!({
        "CasePatch": {"type": "object", "properties": {
            "state": {"enum": ["open", "in_progress", "waiting", "resolved", "closed"]},
            "owner": {"type": "string", "description": "user id or e-mail"},
            "priority": {"enum": ["low", "normal", "high", "urgent"]},
            "root_cause": {"type": "string"}, "resolution": {"type": "string"},
            "resurvey": {"type": "boolean", "description": "send a re-survey link with the resolution message"}
        }},
        "NoteInput": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
        "LoopSettings": {"type": "object", "required": ["digest_emails", "digest_hour"], "properties": {
            "digest_emails": {"type": "array", "items": {"type": "string"}}, "digest_hour": {"type": "integer"},
            "case_window_days": {"type": "integer", "minimum": 0, "maximum": 3650,
              "description": "Rules act only on responses submitted at most this many days before they arrive (0: any age); default 7. Left out on PUT: unchanged."}}},
        "RuleInput": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string"}, "enabled": {"type": "boolean"},
            "conditions": {"type": "array", "items": {"type": "object", "required": ["type"], "properties": {
                "type": {"enum": ["score", "band", "survey", "channel", "language", "account", "comment"]},
                "qtype": {"type": "string"}, "question": {"type": "string"}, "op": {"enum": ["lte", "gte", "eq"]},
                "value": {"type": "integer"}, "band": {"enum": ["detractor", "passive", "promoter"]},
                "attribute": {"type": "string"}, "any": {"type": "array", "items": {"type": "string"}}
            }}},
            "actions": {"type": "object", "properties": {
                "open_case": {"type": "boolean"}, "priority": {"enum": ["low", "normal", "high", "urgent"]},
                "team_id": {"type": "string"}, "sla_policy_id": {"type": "string"},
                "notify_emails": {"type": "array", "items": {"type": "string"}}, "notify_webhooks": {"type": "boolean"}
            }}
        }},
        "SlaPolicyInput": {"type": "object", "required": ["name", "first_response_minutes", "resolution_minutes"], "properties": {
            "name": {"type": "string"}, "first_response_minutes": {"type": "integer"}, "resolution_minutes": {"type": "integer"},
            "is_default": {"type": "boolean"},
            "business_hours": {"type": "object", "properties": {
                "utc_offset_minutes": {"type": "integer"},
                "days": {"type": "object", "description": "mon…sun → [\"HH:MM\", \"HH:MM\"]"},
                "holidays": {"type": "array", "items": {"type": "string", "format": "date"}}
            }}
        }},
        "TeamInput": {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string"}, "lead": {"type": "string"}, "members": {"type": "array", "items": {"type": "string"}}}},
        "RootCauses": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"type": "string"}}}},
        "TemplateInput": {"type": "object", "required": ["subject", "body"], "properties": {
            "subject": {"type": "string"}, "body": {"type": "string", "description": "placeholders: {{name}} {{feedback}} {{resolution}} {{resurvey}} {{org}}"}}},
        "WebhookInput": {"type": "object", "required": ["url", "events"], "properties": {
            "url": {"type": "string"},
            "events": {"type": "array", "items": {"enum": ["response.created", "case.opened", "case.escalated", "case.resolved", "case.reopened", "rule.matched", "digest.daily", "*"]}}}}
    })
}

/// The document.
pub fn document() -> Value {
    let mut doc = base_document();
    if let (Some(paths), Value::Object(more)) = (doc["paths"].as_object_mut(), loop_paths()) {
        paths.extend(more);
    }
    if let (Some(schemas), Value::Object(more)) =
        (doc["components"]["schemas"].as_object_mut(), loop_schemas())
    {
        schemas.extend(more);
    }
    if let (Some(paths), Value::Object(more)) = (
        doc["paths"].as_object_mut(),
        crate::routes::retention::openapi_paths(),
    ) {
        paths.extend(more);
    }
    if let (Some(schemas), Value::Object(more)) = (
        doc["components"]["schemas"].as_object_mut(),
        crate::routes::retention::openapi_schemas(),
    ) {
        schemas.extend(more);
    }
    doc
}

fn base_document() -> Value {
    let mut survey_feed = vec!["path:id"];
    survey_feed.extend_from_slice(FEED_PARAMS);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Attune API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Listen to every customer and act on every unhappy voice: surveys, responses, the feedback feed, experience metrics, follow-up cases with SLAs, rules and webhooks. Webhook deliveries carry `Attune-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">`. Every /api/v1 call needs `Authorization: Bearer <token>`; every read and write is scoped to the token's organisation. Bodies are JSON sent with `Content-Type: application/json` (else 415). No text in a request may contain NUL (U+0000): in the path it is a 400, in the query or the body a 422 naming the field. Requests are limited per token (and per client address for tokens that are not valid); a 429 carries `Retry-After` in seconds."
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
            "/api/v1/surveys/{id}/access": {
                "get": op("A survey's access settings: who may answer (public, invitation, one_per_respondent), anonymous duplicate protection, origins allowed to embed its page", "surveys", &["path:id"], None, "200"),
                "put": op("Change a survey's access settings; fields left out keep their value (member or admin)", "surveys", &["path:id"], Some("SurveyAccessInput"), "200"),
            },
            "/api/v1/surveys/{id}/responses": {
                "get": op("Responses of a survey, newest first", "responses", &survey_feed, None, "200"),
                "post": op("Submit a response", "responses", &["path:id"], Some("ResponseInput"), "201"),
            },
            "/api/v1/surveys/{id}/invitations": {
                "post": op("Create a personal, single-use survey link", "surveys", &["path:id"], Some("InvitationInput"), "201"),
            },
            "/api/v1/responses/{id}": {"get": op("Show a response", "responses", &["path:id"], None, "200")},
            "/api/v1/feedback": {"get": op("The feedback feed, newest first; with `q`, comments containing every word of it (any word with `match=any`), best match first, in any script", "feedback", FEED_PARAMS, None, "200")},
            "/api/v1/text/themes": {"get": op("Themes: significant words and phrases of the selected comments (survey, language, band) against the rest of the organisation's comments of the period, grouped, with counts, tests and example quotes", "text", &["survey", "question", "from", "to", "language", "band"], None, "200")},
            "/api/v1/text/drivers": {"get": op("Key drivers: terms over-represented among NPS detractors against promoters (or low against high CSAT), with log odds ratio, 95% interval, chi-square p and BH q, and example quotes", "text", &["survey", "question", "from", "to"], None, "200")},
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
            "/api/v1/users/{email}/login-backoff": {"delete": op("Forget the failed logins of a user of the organisation, so they can log in at once; answers {\"email\", \"cleared\"} (admin; 404 when the organisation has no user with that e-mail)", "users", &["path:email"], None, "200")},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Error": {"description": "an error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "RateLimited": {"description": "too many requests (code `rate_limited`)", "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message", "fields"], "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"},
                    "fields": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}
                }}}},
                "SurveyInput": {"type": "object", "required": ["name", "questions"], "properties": {
                    "name": {"type": "string"}, "default_language": {"type": "string", "default": "en"},
                    "access": {"$ref": "#/components/schemas/SurveyAccessInput"},
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
                "SurveyAccessInput": {"type": "object", "additionalProperties": false, "properties": {
                    "mode": {"enum": ["public", "invitation", "one_per_respondent"], "default": "public",
                      "description": "public: the link works for anyone. invitation: only a signed personal invitation link opens and answers the survey. one_per_respondent: as invitation, and each contact answers once however many invitations they hold (API responses naming the same contact are refused too)."},
                    "anonymous_dedup": {"type": "boolean", "default": false,
                      "description": "Public link: each form carries a signed one-time token (valid 24 hours) and answering sets a cookie, so a replayed form or the same browser is told it already answered; an expired or missing token re-renders the form with the answers kept."},
                    "embed_origins": {"type": "array", "maxItems": 20, "items": {"type": "string", "examples": ["https://shop.example.com", "http://localhost:8080", "https://*.example.com"]},
                      "description": "Origins allowed to frame the survey page (its frame-ancestors): scheme://host[:port], no path; a leading *. only with https and a name of two labels or more. Replaces the list."}
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
