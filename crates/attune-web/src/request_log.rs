//! What request tracing records: the URI with invitation tokens taken out. A personal survey
//! link (`/s/{id}?t=…`) is a bearer credential, so its query never reaches the logs, and the
//! value of every `t` parameter elsewhere is replaced, at every log level.

use axum::http::{Request, Uri};
use tracing::Span;

/// What replaces a redacted query or value.
pub const REDACTED: &str = "[redacted]";

/// The span of one request: method, redacted URI and version (what tower-http's default span
/// records, minus the tokens).
pub fn make_span<B>(req: &Request<B>) -> Span {
    tracing::debug_span!(
        "request",
        method = %req.method(),
        uri = %redacted_uri(req.uri()),
        version = ?req.version(),
    )
}

/// The URI as logs may show it: the path, then the query without `/s/` queries and `t`
/// values.
pub fn redacted_uri(uri: &Uri) -> String {
    let path = uri.path();
    let Some(query) = uri.query() else {
        return path.to_owned();
    };
    if path == "/s" || path.starts_with("/s/") {
        return format!("{path}?{REDACTED}");
    }
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if is_token_key(key) => format!("{key}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

/// Whether a query key names the token parameter, also when percent-encoded (`%74`), as the
/// query extractor would decode it.
fn is_token_key(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        decoded.push(b);
                        i += 3;
                    }
                    None => {
                        decoded.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                decoded.push(b' ');
                i += 1;
            }
            b => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    decoded == b"t"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        redacted_uri(&s.parse().expect("a URI"))
    }

    #[test]
    fn survey_links_lose_their_query_and_tokens_their_value() {
        assert_eq!(r("/s/abc?t=secret&lang=ur"), "/s/abc?[redacted]");
        assert_eq!(r("/s/abc"), "/s/abc");
        assert_eq!(
            r("/api/v1/x?a=1&t=secret&b=2"),
            "/api/v1/x?a=1&t=[redacted]&b=2"
        );
        assert_eq!(r("/x?%74=secret"), "/x?%74=[redacted]");
        assert_eq!(r("/x?ta=1&at=2"), "/x?ta=1&at=2");
        assert_eq!(r("/x?t"), "/x?t");
        assert_eq!(r("/x?a=%"), "/x?a=%");
    }
}
