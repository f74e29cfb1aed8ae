//! The insights page: themes of the chosen comments against the organisation's background and
//! the key drivers of a survey's score, with example quotes (escaped, `dir="auto"`).

use std::borrow::Borrow;

use askama::Template;
use attune_domain::period::{day_of_ms, format_day};
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::{names, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::extract::Query;
use crate::i18n::{Msg, Tr};
use attune_app::text::{
    TermStat, TextParams, TextReport, ThemeView, drivers_report, themes_report,
};
use attune_domain::metrics::NpsBand;

/// A survey in the picker.
pub(crate) struct SurveyOption {
    id: String,
    name: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "insights.html")]
struct InsightsPage {
    t: Tr,
    user_email: String,
    csrf: String,
    surveys: Vec<SurveyOption>,
    from: String,
    to: String,
    language: String,
    band: String,
    /// The band filter's choices: value and label.
    bands: Vec<(&'static str, String)>,
    themes: Option<TextReport>,
    drivers: Option<TextReport>,
    error: Option<String>,
}

impl InsightsPage {
    /// Percent with one decimal.
    fn pct(&self, x: impl Borrow<f64>) -> String {
        format!("{:.1}%", x.borrow() * 100.0)
    }

    /// A number with two decimals.
    fn num(&self, x: impl Borrow<f64>) -> String {
        format!("{:.2}", x.borrow())
    }

    /// A p- or q-value: small ones in scientific notation.
    fn pval(&self, x: impl Borrow<f64>) -> String {
        let x = *x.borrow();
        if x < 0.001 {
            format!("{x:.1e}")
        } else {
            format!("{x:.3}")
        }
    }

    /// What the themes compare.
    fn themes_intro(&self, r: &TextReport) -> String {
        self.t.args(
            Msg::InsightsThemesIntro,
            [
                ("focus", r.focus_docs.into()),
                ("background", r.background_docs.into()),
            ],
        )
    }

    /// How many comments a theme has, and their share.
    fn theme_count(&self, th: &ThemeView) -> String {
        self.t.args(
            Msg::InsightsThemeCount,
            [
                ("count", th.count.into()),
                ("share", self.pct(th.share).into()),
            ],
        )
    }

    /// What the drivers compare.
    fn drivers_intro(&self, r: &TextReport) -> String {
        self.t.args(
            Msg::InsightsDriversIntro,
            [
                ("focus", self.group(r.focus).into()),
                ("focus_docs", r.focus_docs.into()),
                ("background", self.group(r.background).into()),
                ("background_docs", r.background_docs.into()),
            ],
        )
    }

    /// A group of comments the drivers compare, in words.
    fn group(&self, name: &str) -> String {
        match name {
            "detractors" => self.t.get(Msg::InsightsGroupDetractors),
            "promoters" => self.t.get(Msg::InsightsGroupPromoters),
            "csat_low" => self.t.get(Msg::InsightsGroupCsatLow),
            "csat_high" => self.t.get(Msg::InsightsGroupCsatHigh),
            other => other.to_owned(),
        }
    }

    /// A term's log odds ratio with its interval.
    fn interval(&self, d: &TermStat) -> String {
        self.t.args(
            Msg::InsightsInterval,
            [
                ("value", self.num(d.log_odds_ratio).into()),
                ("low", self.num(d.ci_low).into()),
                ("high", self.num(d.ci_high).into()),
            ],
        )
    }
}

/// `GET /insights`
pub(crate) async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Query(mut params): Query<TextParams>,
) -> Response {
    let org = user.actor.org_id.clone();
    let surveys = match state.store.list_surveys(&org).await {
        Ok(s) => s,
        Err(e) => return crate::ApiError::from(e).into_response(),
    };
    // Defaults: the newest survey, the last 90 days.
    if params.survey.as_deref().is_none_or(str::is_empty) {
        params.survey = surveys.first().map(|s| s.id.clone());
    }
    let today = day_of_ms(state.now_ms());
    if params.from.is_none() && params.to.is_none() {
        params.from = Some(format_day(today - 90));
        params.to = Some(format_day(today + 1));
    }
    let mut page = InsightsPage {
        t: user.tr.clone(),
        user_email: user.email,
        csrf: user.csrf_token,
        surveys: surveys
            .iter()
            .map(|s| SurveyOption {
                id: s.id.clone(),
                name: s.definition.name.clone(),
                selected: params.survey.as_deref() == Some(s.id.as_str()),
            })
            .collect(),
        from: params.from.clone().unwrap_or_default(),
        to: params.to.clone().unwrap_or_default(),
        language: params.language.clone().unwrap_or_default(),
        band: params.band.clone().unwrap_or_default(),
        bands: [NpsBand::Promoter, NpsBand::Passive, NpsBand::Detractor]
            .into_iter()
            .map(|b| (b.as_str(), names::band(&user.tr, b)))
            .collect(),
        themes: None,
        drivers: None,
        error: None,
    };
    if params.survey.is_some() {
        match themes_report(state.store.as_ref(), &org, &params).await {
            Ok(r) => page.themes = Some(r),
            Err(e) => page.error = Some(crate::ApiError::from(e).message()),
        }
        let drivers = TextParams {
            language: None,
            band: None,
            ..params.clone()
        };
        match drivers_report(state.store.as_ref(), &org, &drivers).await {
            Ok(r) => page.drivers = Some(r),
            Err(e) => page.error = page.error.or(Some(crate::ApiError::from(e).message())),
        }
    }
    render(&page)
}

/// Insights with themes and drivers, and with nothing to compare, for the catalogue test.
#[cfg(test)]
pub(super) fn samples(t: &Tr) -> Vec<(&'static str, String)> {
    use askama::Template;
    use attune_app::text::Quote;
    let quote = || Quote {
        response_id: "1".into(),
        comment: "①".into(),
        language: None,
    };
    let report = |full: bool, background_docs: usize| TextReport {
        focus: "detractors",
        background: "promoters",
        focus_docs: 1,
        background_docs,
        sample_docs: 1,
        truncated: true,
        themes: if full {
            vec![ThemeView {
                label: "①".into(),
                terms: vec!["①".into(), "②".into()],
                count: 1,
                share: 0.5,
                examples: vec![quote()],
            }]
        } else {
            Vec::new()
        },
        terms: if full {
            vec![TermStat {
                term: "①".into(),
                focus_count: 1,
                background_count: 2,
                focus_share: 0.1,
                background_share: 0.2,
                log_odds_ratio: 0.5,
                ci_low: 0.1,
                ci_high: 0.9,
                chi_square: 4.0,
                p_value: 0.0001,
                q_value: 0.02,
                significant: true,
                examples: vec![quote()],
            }]
        } else {
            Vec::new()
        },
    };
    let page = |surveys: Vec<SurveyOption>, r: Option<(bool, usize)>| {
        InsightsPage {
            t: t.clone(),
            user_email: "①".into(),
            csrf: "①".into(),
            surveys,
            from: String::new(),
            to: String::new(),
            language: String::new(),
            band: "passive".into(),
            bands: [NpsBand::Promoter, NpsBand::Passive, NpsBand::Detractor]
                .into_iter()
                .map(|b| (b.as_str(), names::band(t, b)))
                .collect(),
            themes: r.map(|(full, bg)| report(full, bg)),
            drivers: r.map(|(full, bg)| report(full, bg)),
            error: Some("①".into()),
        }
        .render()
        .expect("renders")
    };
    let survey = || SurveyOption {
        id: "1".into(),
        name: "①".into(),
        selected: true,
    };
    vec![
        ("insights", page(vec![survey()], Some((true, 3)))),
        (
            "insights, nothing significant",
            page(vec![survey()], Some((false, 3))),
        ),
        (
            "insights, nothing to compare",
            page(vec![survey()], Some((false, 0))),
        ),
        ("insights without surveys", page(Vec::new(), None)),
    ]
}
