//! Every staff page's words come from the catalogue: each page is rendered with
//! [`Tr::markers`], which turns every message into `⟦key⟧`, and with data that has no letters;
//! any letter left outside the markers (in text, or in an attribute people read) was written
//! somewhere else, and fails the test.

use crate::i18n::Tr;

/// Attributes a person reads or hears.
const READ_ATTRIBUTES: [&str; 4] = ["title", "aria-label", "placeholder", "alt"];

/// The words with letters in `html` that no message wrote: text outside tags and markers,
/// and the attributes people read. `<code>` holds commands and paths, which stay as they are.
pub(super) fn stray_words(html: &str) -> Vec<String> {
    let mut text = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        text.push(' ');
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open + 1..open + close];
        for a in READ_ATTRIBUTES {
            for value in tag.split(&format!(" {a}=\"")).skip(1) {
                text.push_str(value.split('"').next().unwrap_or_default());
                text.push(' ');
            }
        }
        rest = &rest[open + close + 1..];
        if tag == "code" {
            rest = rest.find("</code>").map_or("", |end| &rest[end..]);
        }
    }
    text.push_str(rest);
    let mut words = Vec::new();
    for w in without_markers(&text).split_whitespace() {
        let w = without_entities(w);
        if w.chars().any(char::is_alphabetic) && !is_number(&w) {
            words.push(w);
        }
    }
    words
}

/// A number as pages write small p-values: `1.0e-4`.
fn is_number(word: &str) -> bool {
    let n = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    n.starts_with(|c: char| c.is_ascii_digit()) && n.parse::<f64>().is_ok()
}

fn without_markers(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('⟦') {
        out.push_str(&rest[..start]);
        out.push(' ');
        rest = rest[start..]
            .find('⟧')
            .map_or("", |end| &rest[start + end + '⟧'.len_utf8()..]);
    }
    out.push_str(rest);
    out
}

/// `&amp;`, `&#60;`, … removed.
fn without_entities(word: &str) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        match rest[start..].find(';') {
            Some(end) => rest = &rest[start + end + 1..],
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn the_scan_finds_words_in_text_and_read_attributes_but_not_in_markers_code_or_markup() {
    assert_eq!(
        stray_words("<p class=\"muted\">⟦a-b⟧ 12 · ①</p>"),
        Vec::<String>::new()
    );
    assert_eq!(stray_words("<p>⟦a⟧ Hello</p>"), ["Hello"]);
    assert_eq!(stray_words("<svg aria-label=\"Chart\"></svg>"), ["Chart"]);
    assert_eq!(
        stray_words("<input placeholder=\"⟦x⟧\">"),
        Vec::<String>::new()
    );
    assert_eq!(
        stray_words("<code>attune import</code> &#60; &amp;"),
        Vec::<String>::new()
    );
    assert_eq!(stray_words("<p>&lt;script&gt;</p>"), ["script"]);
    assert_eq!(
        stray_words("<td>1.0e-4 (2e3)</td><td>inf 3rd</td>"),
        ["inf", "3rd"]
    );
}

#[test]
fn no_staff_page_has_words_outside_the_catalogue() {
    let t = Tr::markers();
    let mut pages: Vec<(&str, String)> = Vec::new();
    pages.extend(super::dashboard::samples(&t));
    pages.extend(super::feed::samples(&t));
    pages.extend(super::insights::samples(&t));
    pages.extend(super::case::samples(&t));
    pages.extend(super::loop_settings::samples(&t));
    pages.extend(super::retention::samples(&t));
    pages.extend(super::queue::samples(&t));
    pages.extend(super::loop_overview::samples(&t));
    pages.extend(super::login::samples(&t));
    pages.extend(super::account_list::samples(&t));
    pages.extend(super::accounts::samples(&t));
    pages.extend(super::handover::samples(&t));
    pages.extend(super::merges::samples(&t));
    pages.extend(super::person::samples(&t));
    pages.extend(super::error_page::samples(&t));
    assert!(pages.len() >= 30, "{} pages", pages.len());
    for (name, html) in &pages {
        assert!(
            html.contains(&format!("<html lang=\"{}\"", t.lang())) && html.contains("⟦"),
            "{name} is rendered with markers"
        );
        let stray = stray_words(html);
        assert!(
            stray.is_empty(),
            "{name}: words outside the catalogue: {stray:?}"
        );
    }
}
