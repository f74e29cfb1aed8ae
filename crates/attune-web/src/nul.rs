//! NUL (U+0000) is refused at the edge, wherever it comes from: PostgreSQL `TEXT` cannot hold
//! it (the query fails), SQLite would store it, and no Attune input needs it. The middleware
//! here checks the path and the query of every request; the body extractors
//! (`extract::{Json, Form}`) check bodies. A NUL in the path is a 400 (there is no field to
//! name); in the query or a body it is a 422 naming the field. Pages answer with HTML.
//! Storage maps PostgreSQL's own refusal to invalid input as a backstop (`attune-storage`'s
//! `Context`), for paths that do not pass here (CLI imports).

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::ApiError;

/// The message of every NUL refusal.
pub(crate) const MESSAGE: &str = "must not contain the NUL character (U+0000, %00)";

/// Whether raw or percent-encoded bytes carry a NUL.
fn has_nul(raw: &[u8]) -> bool {
    raw.contains(&0) || raw.windows(3).any(|w| w == b"%00")
}

/// Percent-decodes `application/x-www-form-urlencoded` text (`+` is a space), lossily, for
/// naming a field; NUL is shown as `%00`.
fn decode(raw: &[u8]) -> String {
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => match (hex(raw[i + 1]), hex(raw[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).replace('\0', "%00")
}

/// The name of the first field of a query string or form body whose name or value holds a
/// NUL.
pub(crate) fn urlencoded_field(raw: &[u8]) -> Option<String> {
    raw.split(|b| *b == b'&').find_map(|pair| {
        has_nul(pair).then(|| {
            let name = pair.split(|b| *b == b'=').next().unwrap_or_default();
            decode(name)
        })
    })
}

/// The path of the first string (or object key) of a JSON document that holds a NUL, named
/// as field errors are (`answers.why`, `questions[0].text.en`, `[3].product`; `body` for the
/// document itself).
pub(crate) fn json_field(doc: &Value) -> Option<String> {
    fn walk(v: &Value, at: &mut String) -> bool {
        match v {
            Value::String(s) => s.contains('\0'),
            Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
                let len = at.len();
                at.push_str(&format!("[{i}]"));
                let found = walk(item, at);
                if !found {
                    at.truncate(len);
                }
                found
            }),
            Value::Object(m) => m.iter().any(|(k, item)| {
                let len = at.len();
                if !at.is_empty() {
                    at.push('.');
                }
                at.push_str(&k.replace('\0', "\\u0000"));
                let found = k.contains('\0') || walk(item, at);
                if !found {
                    at.truncate(len);
                }
                found
            }),
            _ => false,
        }
    }
    let mut at = String::new();
    walk(doc, &mut at).then(|| if at.is_empty() { "body".into() } else { at })
}

/// Whether a JSON text may hold a NUL: only the escape `\u0000` can write one (a raw NUL is a
/// syntax error), so most bodies are decided without parsing them twice.
pub(crate) fn json_may_hold_nul(raw: &[u8]) -> bool {
    raw.windows(6).any(|w| w == b"\\u0000")
}

/// Whether a path belongs to the JSON API (its errors are JSON) rather than to the pages.
pub(crate) fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/healthz" || path == "/readyz"
}

/// Refuses a request whose path or query holds a NUL, before any handler sees it.
pub(crate) async fn refuse_in_uri(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let refusal = if has_nul(uri.path().as_bytes()) {
        Some(ApiError::BadRequest(format!("the path {MESSAGE}")))
    } else {
        uri.query()
            .and_then(|q| urlencoded_field(q.as_bytes()))
            .map(|field| ApiError::field(&field, MESSAGE))
    };
    match refusal {
        None => next.run(req).await,
        Some(e) if is_api(uri.path()) => e.into_response(),
        Some(e) => page_refusal(&e, &crate::i18n::Tr::from_headers(req.headers())),
    }
}

/// The HTML answer of a page to input it refuses.
pub(crate) fn page_refusal(e: &ApiError, t: &crate::i18n::Tr) -> Response {
    use crate::i18n::Msg;
    let heading = if e.status() == StatusCode::BAD_REQUEST {
        Msg::ErrorBadRequest
    } else {
        Msg::ErrorInvalidInput
    };
    let text = t.args(Msg::ErrorCorrectAndRetry, [("problem", e.message().into())]);
    crate::pages::message(e.status(), t, &t.get(heading), &text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn urlencoded_fields_are_named_decoded() {
        assert_eq!(
            urlencoded_field(b"a=1&acc%6Funt=%00x"),
            Some("account".into())
        );
        assert_eq!(urlencoded_field(b"q.why=a+b%00"), Some("q.why".into()));
        assert_eq!(urlencoded_field(b"%00=1"), Some("%00".into()));
        assert_eq!(urlencoded_field(b"raw=a\0b"), Some("raw".into()));
        assert_eq!(urlencoded_field(b"a=%0&b=%"), None);
        assert_eq!(
            urlencoded_field(b"a=%2500"),
            None,
            "an encoded percent sign"
        );
        assert_eq!(decode(b"x%"), "x%");
        assert_eq!(decode(b"%e2%9c%93+ok"), "✓ ok");
    }

    #[test]
    fn json_fields_are_named_like_field_errors() {
        let f = |v: Value| json_field(&v);
        assert_eq!(
            f(json!({"answers": {"nps": 1, "why": "a\u{0}"}})),
            Some("answers.why".into())
        );
        assert_eq!(
            f(json!({"q": [{"t": {"en": "ok"}}, {"t": {"en": "\u{0}"}}]})),
            Some("q[1].t.en".into())
        );
        assert_eq!(f(json!([{"p": "x"}, {"p": "\u{0}"}])), Some("[1].p".into()));
        assert_eq!(f(json!({"m": {"k\u{0}": 1}})), Some("m.k\\u0000".into()));
        assert_eq!(f(json!("\u{0}")), Some("body".into()));
        assert_eq!(f(json!({"a": ["x", {"b": "y"}], "c": "\\u0000"})), None);
        assert!(json_may_hold_nul(br#"{"a": "\u0000"}"#));
        assert!(!json_may_hold_nul(br#"{"a": "\u0001"}"#));
    }
}
