//! Every route the server answers, for the tests that walk all of them (NUL input, security
//! headers). `route_table_lists_every_route` compares the table with the API's generated
//! OpenAPI document (built from the same registrations that route requests) and with the
//! pages router's source, so a new route that is not listed here fails the test instead of
//! silently escaping those tests.

/// Whether a route is part of the JSON API or a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Api,
    Page,
}

/// One method on one path, as written in the router (`{id}` placeholders).
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub kind: Kind,
}

const fn api(method: &'static str, path: &'static str) -> Route {
    Route {
        method,
        path,
        kind: Kind::Api,
    }
}

const fn page(method: &'static str, path: &'static str) -> Route {
    Route {
        method,
        path,
        kind: Kind::Page,
    }
}

/// The API routes (`crates/attune-web/src/routes/`) and `pages/mod.rs`, method by method.
pub const ROUTES: &[Route] = &[
    api("GET", "/healthz"),
    api("GET", "/readyz"),
    api("GET", "/api/openapi.json"),
    api("GET", "/api/v1/surveys"),
    api("POST", "/api/v1/surveys"),
    api("GET", "/api/v1/surveys/{id}"),
    api("GET", "/api/v1/surveys/{id}/responses"),
    api("POST", "/api/v1/surveys/{id}/responses"),
    api("POST", "/api/v1/surveys/{id}/invitations"),
    api("GET", "/api/v1/surveys/{id}/access"),
    api("PUT", "/api/v1/surveys/{id}/access"),
    api("DELETE", "/api/v1/users/{email}/login-backoff"),
    api("GET", "/api/v1/responses/{id}"),
    api("GET", "/api/v1/feedback"),
    api("GET", "/api/v1/text/themes"),
    api("GET", "/api/v1/text/drivers"),
    api("GET", "/api/v1/metrics/{kind}"),
    api("GET", "/api/v1/accounts"),
    api("POST", "/api/v1/accounts"),
    api("GET", "/api/v1/accounts/{id}"),
    api("POST", "/api/v1/accounts/{id}/archive"),
    api("DELETE", "/api/v1/accounts/{id}/archive"),
    api("GET", "/api/v1/accounts/{id}/subscriptions"),
    api("GET", "/api/v1/accounts/{id}/relationship"),
    api("PUT", "/api/v1/accounts/{id}/team"),
    api("PUT", "/api/v1/accounts/{id}/owner"),
    api("GET", "/api/v1/accounts/{id}/handover"),
    api("GET", "/api/v1/people"),
    api("POST", "/api/v1/people"),
    api("GET", "/api/v1/people/{id}"),
    api("DELETE", "/api/v1/people/{id}/memberships/{account}"),
    api("POST", "/api/v1/interactions"),
    api("GET", "/api/v1/interactions/{id}"),
    api("GET", "/api/v1/customers/search"),
    api("POST", "/api/v1/customers/sync"),
    api("GET", "/api/v1/relationship-flags"),
    api("GET", "/api/v1/accounts/{id}/scores"),
    api("POST", "/api/v1/accounts/{id}/merge"),
    api("POST", "/api/v1/people/{id}/merge"),
    api("GET", "/api/v1/merges/{id}"),
    api("POST", "/api/v1/merges/{id}/undo"),
    api("GET", "/api/v1/accounts/{id}/timeline"),
    api("GET", "/api/v1/people/{id}/timeline"),
    api("GET", "/api/v1/contacts"),
    api("POST", "/api/v1/contacts"),
    api("GET", "/api/v1/cases"),
    api("GET", "/api/v1/cases/{id}"),
    api("PATCH", "/api/v1/cases/{id}"),
    api("POST", "/api/v1/cases/{id}/notes"),
    api("GET", "/api/v1/loop/metrics"),
    api("GET", "/api/v1/loop/settings"),
    api("PUT", "/api/v1/loop/settings"),
    api("GET", "/api/v1/rules"),
    api("POST", "/api/v1/rules"),
    api("PUT", "/api/v1/rules/{id}"),
    api("DELETE", "/api/v1/rules/{id}"),
    api("GET", "/api/v1/sla-policies"),
    api("POST", "/api/v1/sla-policies"),
    api("PUT", "/api/v1/sla-policies/{id}"),
    api("GET", "/api/v1/teams"),
    api("POST", "/api/v1/teams"),
    api("GET", "/api/v1/root-causes"),
    api("PUT", "/api/v1/root-causes"),
    api("GET", "/api/v1/templates/resolution/{lang}"),
    api("PUT", "/api/v1/templates/resolution/{lang}"),
    api("GET", "/api/v1/webhooks"),
    api("POST", "/api/v1/webhooks"),
    api("DELETE", "/api/v1/webhooks/{id}"),
    api("GET", "/api/v1/webhooks/{id}/deliveries"),
    api("GET", "/api/v1/retention/summary"),
    api("GET", "/api/v1/retention/cohorts"),
    api("GET", "/api/v1/retention/survival"),
    api("GET", "/api/v1/retention/audit"),
    api("GET", "/api/v1/retention/attributes"),
    api("GET", "/api/v1/retention/members"),
    api("POST", "/api/v1/subscriptions"),
    api("POST", "/api/v1/activity"),
    page("GET", "/accounts"),
    page("GET", "/accounts/{id}"),
    page("POST", "/accounts/{id}/interactions"),
    page("GET", "/accounts/{id}/handover"),
    page("POST", "/accounts/{id}/owner"),
    page("POST", "/accounts/{id}/merge"),
    page("GET", "/people/{id}"),
    page("POST", "/people/{id}/merge"),
    page("GET", "/merges/{id}"),
    page("POST", "/merges/{id}/undo"),
    page("GET", "/"),
    page("GET", "/login"),
    page("POST", "/login"),
    page("POST", "/logout"),
    page("GET", "/feedback"),
    page("GET", "/insights"),
    page("GET", "/cases"),
    page("GET", "/cases/{id}"),
    page("POST", "/cases/{id}"),
    page("GET", "/loop"),
    page("GET", "/retention"),
    page("GET", "/retention/members"),
    page("GET", "/settings/loop"),
    page("POST", "/settings/loop"),
    page("GET", "/assets/app.css"),
    page("GET", "/s/{id}"),
    page("POST", "/s/{id}"),
];

/// `(METHOD, path)` of every `.route("path", get(…).post(…))` in a router's source.
fn routes_in(source: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for chunk in source.split(".route(").skip(1) {
        // The last route's chunk runs on past the router function.
        let chunk = chunk.split("\n}").next().unwrap_or(chunk);
        let Some(rest) = chunk.trim_start().strip_prefix('"') else {
            continue;
        };
        let Some((path, methods)) = rest.split_once('"') else {
            continue;
        };
        for m in ["get", "post", "put", "patch", "delete"] {
            let needle = format!("{m}(");
            let called = methods.match_indices(&needle).any(|(at, _)| {
                methods[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
            });
            if called {
                found.push((m.to_uppercase(), path.to_owned()));
            }
        }
    }
    found
}

/// `(METHOD, path)` of every operation of the generated OpenAPI document.
fn documented() -> Vec<(String, String)> {
    let doc = attune_web::openapi::document();
    let mut found = Vec::new();
    for (path, ops) in doc["paths"].as_object().into_iter().flatten() {
        for method in ops.as_object().into_iter().flatten().map(|(m, _)| m) {
            found.push((method.to_uppercase(), path.clone()));
        }
    }
    found
}

#[test]
fn route_table_lists_every_route() {
    let mut routed = documented();
    routed.extend(routes_in(include_str!(
        "../../../attune-web/src/pages/mod.rs"
    )));
    assert!(
        routed.len() > 50,
        "the router sources were read: {routed:?}"
    );
    let listed: Vec<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    let missing: Vec<_> = routed.iter().filter(|r| !listed.contains(r)).collect();
    assert!(
        missing.is_empty(),
        "add these routes to tests/it/route_table.rs: {missing:?}"
    );
    let stale: Vec<_> = listed.iter().filter(|r| !routed.contains(r)).collect();
    assert!(stale.is_empty(), "no longer routed: {stale:?}");
}
