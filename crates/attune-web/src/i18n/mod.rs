//! The interface's language: Fluent catalogues (`locales/<lang>/*.ftl`, embedded in the
//! binary), the choice of language for a request, and [`Tr`], the helper pages and templates
//! read their text through.
//!
//! Each language has `respondent.ftl` (what a survey's respondent reads); a language with a
//! `staff.ftl` too can serve the staff pages. Keys are the [`Msg`] enum, so a key the code uses
//! and the catalogue lacks fails a test, not a page.

mod keys;
mod negotiate;
#[cfg(test)]
mod tests;

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

pub(crate) use keys::Msg;
pub(crate) use negotiate::accepted_languages;

/// The catalogue files of one language.
struct Source {
    lang: &'static str,
    /// The staff pages' text, for languages the staff interface speaks.
    staff: Option<&'static str>,
    respondent: &'static str,
}

macro_rules! sources {
    ($($lang:literal $(+ $staff:ident)?),* $(,)?) => {
        &[$(Source {
            lang: $lang,
            staff: sources!(@staff $lang $($staff)?),
            respondent: include_str!(concat!("../../locales/", $lang, "/respondent.ftl")),
        }),*]
    };
    (@staff $lang:literal staff) => {
        Some(include_str!(concat!("../../locales/", $lang, "/staff.ftl")))
    };
    (@staff $lang:literal) => { None };
}

/// Every catalogue; the first is the fallback for a message another language lacks.
const SOURCES: &[Source] = sources![
    "en" + staff,
    "es",
    "pt",
    "fr",
    "de",
    "pa",
    "lo",
    "ur",
    "bn",
    "hi",
    "th",
    "ja",
    "zh",
    "ar",
];

/// The language every page falls back to.
const FALLBACK: &str = "en";

struct Catalogue {
    lang: &'static str,
    langid: LanguageIdentifier,
    staff: bool,
    bundle: FluentBundle<FluentResource>,
}

fn resource(lang: &str, text: &str) -> FluentResource {
    FluentResource::try_new(text.to_owned()).unwrap_or_else(|(partial, errors)| {
        tracing::error!(lang, ?errors, "a message catalogue does not parse");
        partial
    })
}

fn build(s: &Source) -> Catalogue {
    let langid: LanguageIdentifier = s.lang.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![langid.clone()]);
    // No bidi isolation marks around placeables: the page's `dir` and `dir="auto"` on user
    // text already isolate, and the marks would change every rendered page.
    bundle.set_use_isolating(false);
    for text in s.staff.into_iter().chain([s.respondent]) {
        if let Err(errors) = bundle.add_resource(resource(s.lang, text)) {
            tracing::error!(lang = s.lang, ?errors, "a message catalogue repeats a key");
        }
    }
    Catalogue {
        lang: s.lang,
        langid,
        staff: s.staff.is_some(),
        bundle,
    }
}

static CATALOGUES: LazyLock<Vec<Catalogue>> = LazyLock::new(|| SOURCES.iter().map(build).collect());

fn catalogue(lang: &str) -> Option<&'static Catalogue> {
    CATALOGUES.iter().find(|c| c.lang == lang)
}

/// `rtl` for right-to-left languages (Arabic, Urdu, Persian, Hebrew, …), else `ltr`.
pub(crate) fn dir_of(lang: &str) -> &'static str {
    match attune_domain::text::LanguageTag::parse(lang) {
        Ok(t) if t.is_rtl() => "rtl",
        _ => "ltr",
    }
}

/// A page's language: its `lang` and `dir`, and its text from the catalogue.
#[derive(Clone)]
pub(crate) struct Tr {
    lang: String,
    dir: &'static str,
    catalogue: Option<&'static Catalogue>,
    /// Tests only: every message comes out as its key between markers (see [`Tr::markers`]).
    #[cfg(test)]
    markers: bool,
}

impl std::fmt::Debug for Tr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tr").field("lang", &self.lang).finish()
    }
}

impl Tr {
    fn new(lang: &str, catalogue: Option<&'static Catalogue>) -> Self {
        Self {
            lang: lang.to_owned(),
            dir: dir_of(lang),
            catalogue,
            #[cfg(test)]
            markers: false,
        }
    }

    /// A page language whose every message is `⟦key⟧` followed by its variables' values, so a
    /// test can tell the catalogue's text from text written anywhere else.
    #[cfg(test)]
    pub(crate) fn markers() -> Self {
        Self {
            markers: true,
            ..Self::new(FALLBACK, catalogue(FALLBACK))
        }
    }

    /// For a respondent who reads `lang` (a survey's language): the page says `lang`, the
    /// words come from the catalogue of its primary subtag, else English.
    pub(crate) fn respondent(lang: &str) -> Self {
        let primary = lang.split('-').next().unwrap_or(lang);
        Self::new(lang, catalogue(primary).or_else(|| catalogue(FALLBACK)))
    }

    /// For a staff page: the person's own language if the staff interface speaks it, else
    /// the best of `Accept-Language`, else the organisation's default, else English.
    pub(crate) fn staff(
        profile: Option<&str>,
        accept_language: Option<&str>,
        org_default: Option<&str>,
    ) -> Self {
        let staff: Vec<&'static Catalogue> = CATALOGUES.iter().filter(|c| c.staff).collect();
        let ids: Vec<&LanguageIdentifier> = staff.iter().map(|c| &c.langid).collect();
        let one = |tag: &str| {
            accepted_languages(tag)
                .into_iter()
                .take(1)
                .collect::<Vec<_>>()
        };
        let pick = |wanted: Vec<LanguageIdentifier>| {
            negotiate::best(&wanted, &ids).and_then(|i| staff.get(i).copied())
        };
        let chosen = profile
            .and_then(|p| pick(one(p)))
            .or_else(|| accept_language.and_then(|a| pick(accepted_languages(a))))
            .or_else(|| org_default.and_then(|d| pick(one(d))))
            .or_else(|| catalogue(FALLBACK));
        Self::new(chosen.map_or(FALLBACK, |c| c.lang), chosen)
    }

    /// The page's `lang` attribute.
    pub(crate) fn lang(&self) -> &str {
        &self.lang
    }

    /// The page's `dir` attribute.
    pub(crate) fn dir(&self) -> &'static str {
        self.dir
    }

    /// A message without variables.
    pub(crate) fn get(&self, m: Msg) -> String {
        self.format(m, None)
    }

    /// A message whose one variable is `$count` (for plurals).
    pub(crate) fn count(&self, m: Msg, n: impl Into<FluentValue<'static>>) -> String {
        self.args(m, [("count", n.into())])
    }

    /// A message with one variable (the form templates call).
    pub(crate) fn arg<'a>(
        &self,
        m: Msg,
        name: &'static str,
        v: impl Into<FluentValue<'a>>,
    ) -> String {
        self.args(m, [(name, v.into())])
    }

    /// A message with named variables.
    pub(crate) fn args<'a, const N: usize>(
        &self,
        m: Msg,
        vars: [(&'static str, FluentValue<'a>); N],
    ) -> String {
        let mut args = FluentArgs::new();
        for (k, v) in vars {
            args.set(k, v);
        }
        self.format(m, Some(&args))
    }

    /// A message whose variables are code (commands, API paths), as HTML: the message is
    /// escaped and each variable is shown as `<code>` (the template writes it with `|safe`).
    pub(crate) fn with_code(&self, m: Msg, code: &[(&'static str, &str)]) -> String {
        self.markup(m, [], code)
    }

    /// [`Tr::with_code`] with plain variables too.
    pub(crate) fn markup<'a, const N: usize>(
        &self,
        m: Msg,
        vars: [(&'static str, FluentValue<'a>); N],
        code: &[(&'static str, &str)],
    ) -> String {
        let slot = |i: usize| format!("\u{E000}{i}\u{E001}");
        let mut args = FluentArgs::new();
        for (k, v) in vars {
            args.set(k, v);
        }
        for (i, (k, _)) in code.iter().enumerate() {
            args.set(*k, FluentValue::from(slot(i)));
        }
        let mut html = escape_html(&self.format(m, Some(&args)));
        for (i, (_, c)) in code.iter().enumerate() {
            html = html.replace(&slot(i), &format!("<code>{}</code>", escape_html(c)));
        }
        html
    }

    fn format(&self, m: Msg, args: Option<&FluentArgs<'_>>) -> String {
        #[cfg(test)]
        if self.markers {
            return marked(m, args);
        }
        let fallback = catalogue(FALLBACK);
        for c in self.catalogue.into_iter().chain(fallback) {
            let Some(pattern) = c.bundle.get_message(m.id()).and_then(|msg| msg.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = c.bundle.format_pattern(pattern, args, &mut errors);
            if !errors.is_empty() {
                tracing::warn!(key = m.id(), lang = c.lang, ?errors, "formatting a message");
            }
            return text.into_owned();
        }
        tracing::warn!(key = m.id(), "a message is in no catalogue");
        m.id().to_owned()
    }
}

/// What [`Tr::markers`] makes of a message: its key between markers, then its variables.
#[cfg(test)]
fn marked(m: Msg, args: Option<&FluentArgs<'_>>) -> String {
    let mut out = format!("⟦{}⟧", m.id());
    for (_, v) in args.into_iter().flat_map(FluentArgs::iter) {
        out.push(' ');
        match v {
            FluentValue::String(s) => out.push_str(s),
            FluentValue::Number(n) => out.push_str(&n.as_string()),
            _ => {}
        }
    }
    out
}

/// Text made safe to place in HTML.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Tr {
    type Rejection = std::convert::Infallible;

    /// A staff page's language. People have no language of their own yet, nor organisations
    /// a default: when they do, pass them to [`Tr::staff`] here.
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self::from_headers(&parts.headers))
    }
}

impl Tr {
    /// A staff page's language from the request's headers alone.
    pub(crate) fn from_headers(headers: &axum::http::HeaderMap) -> Self {
        let accept = headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        Self::staff(None, accept, None)
    }
}
