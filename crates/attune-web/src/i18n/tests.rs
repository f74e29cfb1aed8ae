use std::collections::BTreeSet;

use fluent_syntax::ast::Entry;

use super::{CATALOGUES, Msg, SOURCES, Tr, accepted_languages, resource};

/// The message keys of one catalogue file, which must parse without an error.
fn keys(lang: &str, text: &str) -> BTreeSet<String> {
    let res = fluent_bundle::FluentResource::try_new(text.to_owned())
        .unwrap_or_else(|(_, e)| panic!("{lang}: the catalogue does not parse: {e:?}"));
    let _ = resource(lang, text);
    res.entries()
        .filter_map(|e| match e {
            Entry::Message(m) => Some(m.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

fn english() -> &'static super::Source {
    SOURCES
        .iter()
        .find(|s| s.lang == "en")
        .expect("an English catalogue")
}

#[test]
fn every_key_of_english_is_in_every_other_catalogue() {
    let en = english();
    let respondent = keys("en", en.respondent);
    let staff = en.staff.map(|t| keys("en", t)).unwrap_or_default();
    for s in SOURCES {
        let theirs = keys(s.lang, s.respondent);
        let missing: Vec<_> = respondent.difference(&theirs).collect();
        assert!(
            missing.is_empty(),
            "{}/respondent.ftl lacks {missing:?}",
            s.lang
        );
        if let Some(t) = s.staff {
            let theirs = keys(s.lang, t);
            let missing: Vec<_> = staff.difference(&theirs).collect();
            assert!(missing.is_empty(), "{}/staff.ftl lacks {missing:?}", s.lang);
        }
    }
}

#[test]
fn every_key_the_code_uses_is_in_english_and_every_english_key_is_used() {
    let en = english();
    let mut all = keys("en", en.respondent);
    all.extend(en.staff.map(|t| keys("en", t)).unwrap_or_default());
    let used: BTreeSet<String> = Msg::ALL.iter().map(|m| m.id().to_owned()).collect();
    let missing: Vec<_> = used.difference(&all).collect();
    assert!(missing.is_empty(), "en lacks {missing:?}");
    let unused: Vec<_> = all.difference(&used).collect();
    assert!(unused.is_empty(), "keys no code uses: {unused:?}");
    let respondent = keys("en", en.respondent);
    for c in CATALOGUES.iter() {
        for m in Msg::ALL {
            if c.staff || respondent.contains(m.id()) {
                assert!(c.bundle.has_message(m.id()), "{}: {}", c.lang, m.id());
            }
        }
    }
}

#[test]
fn variables_and_plurals_are_filled_in() {
    let t = Tr::respondent("ur");
    assert_eq!(t.dir(), "rtl");
    assert!(
        t.args(Msg::SurveyTooMany, [("seconds", 30.into())])
            .contains(" 30 ")
    );
    let en = Tr::staff(None, None, None);
    assert_eq!(
        en.args(
            Msg::LoopShare,
            [
                ("share", "50".into()),
                ("count", "1".into()),
                ("of", "2".into())
            ]
        ),
        "50% (1 of 2)"
    );
    let t = Tr::respondent("it");
    assert_eq!((t.lang(), t.get(Msg::SurveySend).as_str()), ("it", "Send"));
    assert_eq!(Tr::respondent("pt-BR").get(Msg::SurveySend), "Enviar");
}

#[test]
fn staff_pages_negotiate_among_the_languages_they_speak() {
    let t = Tr::staff(None, Some("fr-CA, ur;q=0.5, en;q=0.1"), None);
    assert_eq!(
        (t.lang(), t.dir()),
        ("en", "ltr"),
        "no French staff catalogue yet"
    );
    let t = Tr::staff(Some("xx"), Some("de"), Some("ar"));
    assert_eq!(t.lang(), "en");
    let langs: Vec<String> = accepted_languages("de;q=0.2, fr-CA, *, ur;q=0, en-GB;q=0.8")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(langs, ["fr-CA", "en-GB", "de"]);
    let en: unic_langid::LanguageIdentifier = "en".parse().unwrap();
    let fr: unic_langid::LanguageIdentifier = "fr".parse().unwrap();
    assert_eq!(
        super::negotiate::best(&accepted_languages("fr-CA, en"), &[&en, &fr]),
        Some(1),
        "the same language in another region beats the next choice"
    );
}

#[test]
fn staff_counts_agree_with_their_nouns() {
    let en = Tr::staff(None, None, None);
    assert_eq!(
        en.arg(Msg::RetentionMembersCount, "count", 1),
        "1 customer."
    );
    assert_eq!(
        en.arg(Msg::RetentionMembersCount, "count", 2),
        "2 customers."
    );
    assert_eq!(en.arg(Msg::RetentionDays, "count", 1.0), "1 day");
    assert_eq!(en.arg(Msg::RetentionMonths, "count", 2.5), "2.5 months");
    assert_eq!(
        en.args(
            Msg::RetentionDrillCohort,
            [("month", "2026-01".into()), ("k", 1.into())]
        ),
        "Cohort of 2026-01: customers active 1 period later"
    );
    assert_eq!(
        en.args(
            Msg::InsightsThemesIntro,
            [("focus", 1.into()), ("background", 0.into())]
        ),
        "1 selected comment against 0 other comments of the organisation in the period."
    );
}

#[test]
fn code_in_a_message_is_shown_as_code_and_the_rest_is_escaped() {
    let en = Tr::staff(None, None, None);
    let html = en.markup(
        Msg::RetentionLostTextSome,
        [("count", 30.into()), ("shown", 20.into())],
        &[("api", "/api/v1/<members>")],
    );
    assert_eq!(
        html,
        "30 customers of S were no longer customers at the end; the first 20 are listed \
         (all of them: <code>/api/v1/&lt;members&gt;</code>)."
    );
    assert_eq!(
        en.with_code(Msg::SettingsPoliciesApi, &[("call", "PUT /x")]),
        "Business hours and holidays are set through the API (<code>PUT /x</code>)."
    );
}
