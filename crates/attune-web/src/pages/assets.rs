//! The stylesheet, embedded in the binary and served at `/assets/app.css`. Pages link it as
//! `/assets/app.css?v=<CSS_VERSION>`, so a browser may keep that URL for a year: a new build
//! with a changed stylesheet links a new version. The Content-Security-Policy allows styles
//! from Attune itself only, so every style lives here (no `<style>`, no `style="…"`).

use axum::extract::RawQuery;
use axum::http::header;
use axum::response::IntoResponse;

/// The stylesheet.
pub(crate) const CSS: &str = include_str!("../../assets/app.css");

/// FNV-1a of the stylesheet: its version in the URL pages link.
pub(crate) const CSS_VERSION: u64 = fnv1a(CSS.as_bytes());

const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

/// `GET /assets/app.css`: cached for a year under the current version, else for five minutes
/// (a page from an older build still gets a stylesheet, and soon the new one).
pub(crate) async fn css(RawQuery(q): RawQuery) -> impl IntoResponse {
    let current = q.is_some_and(|q| q == format!("v={CSS_VERSION}"));
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, cache),
        ],
        CSS,
    )
}

#[cfg(test)]
mod tests {
    /// The Content-Security-Policy blocks inline styles and scripts: none may be written.
    #[test]
    fn templates_have_no_inline_style_or_script() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).expect("templates folder") {
            let path = entry.expect("entry").path();
            let html = std::fs::read_to_string(&path).expect("template");
            for inline in ["<style", "style=", "<script", "javascript:"] {
                assert!(!html.contains(inline), "{} has {inline}", path.display());
            }
            seen += 1;
        }
        assert!(seen > 10, "the templates were read");
    }
}
