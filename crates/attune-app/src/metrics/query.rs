//! What a metric request asks for: typed, with the closed sets (`interval`, `by`) checked.

use attune_domain::Invalid;
use attune_domain::error::Problems;
use attune_domain::period::{DAY_MS, Interval, day_of_ms, parse_instant};
use serde::Deserialize;

/// Query parameters shared by the metric endpoints, as received.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct MetricParams {
    /// Only this survey.
    pub survey: Option<String>,
    /// Only this question key.
    pub question: Option<String>,
    /// First day (or instant) covered.
    pub from: Option<String>,
    /// Last day (or instant) covered.
    pub to: Option<String>,
    /// Trend bucket: `day`, `week`, `month` or `quarter`.
    pub interval: Option<String>,
    /// Segment: `channel`, `language` or an account attribute.
    pub by: Option<String>,
}

/// Account attributes every account has a column for (`size` and `name` are read too).
pub const ACCOUNT_COLUMNS: &[&str] = &[
    "plan",
    "size_band",
    "size",
    "industry",
    "region",
    "owner",
    "name",
];

/// What a metric is segmented by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// The response's channel.
    Channel,
    /// The respondent's language.
    Language,
    /// An attribute of the response's account: a column (`plan`, …) or a custom attribute.
    Account(String),
}

impl Segment {
    /// Parses `by`: `channel`, `language` or an attribute name (letters, digits, `_`, `-`;
    /// whether the organisation's accounts have it is checked when the metric is computed).
    pub fn parse(raw: &str) -> Result<Segment, Invalid> {
        match raw {
            "channel" => Ok(Segment::Channel),
            "language" => Ok(Segment::Language),
            attr if is_attribute_name(attr) => Ok(Segment::Account(attr.to_owned())),
            other => Err(not_a_segment(other, &[])),
        }
    }
}

/// The 422 naming `by` and the values it may take.
pub(crate) fn not_a_segment(raw: &str, custom: &[String]) -> Invalid {
    let mut allowed: Vec<&str> = vec!["channel", "language"];
    allowed.extend(
        ACCOUNT_COLUMNS
            .iter()
            .filter(|c| !matches!(**c, "size" | "name")),
    );
    let custom = if custom.is_empty() {
        "a custom attribute of your accounts".to_owned()
    } else {
        format!(
            "a custom attribute of your accounts ({})",
            custom.join(", ")
        )
    };
    Invalid::one(
        "by",
        format!(
            "`{raw}` is not a segment: use {} or {custom}",
            allowed.join(", ")
        ),
    )
}

fn is_attribute_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A metric request, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricQuery {
    /// Only this survey.
    pub survey: Option<String>,
    /// Only this question key.
    pub question: Option<String>,
    /// First epoch day covered.
    pub from_day: Option<i64>,
    /// First epoch day not covered.
    pub to_day: Option<i64>,
    /// A trend with buckets of this width.
    pub interval: Option<Interval>,
    /// Segmented by this.
    pub by: Option<Segment>,
}

impl MetricQuery {
    /// Parses the query string; every problem names its parameter.
    pub fn parse(p: &MetricParams) -> Result<MetricQuery, Invalid> {
        let mut problems = Problems::default();
        let mut take = |r: Result<Option<i64>, Invalid>| match r {
            Ok(v) => v,
            Err(e) => {
                for f in e.0 {
                    problems.push(f.field, f.message);
                }
                None
            }
        };
        let interval = p.interval.as_deref().map(Interval::parse).transpose();
        let interval = match interval {
            Ok(i) => i,
            Err(e) => {
                take(Err(e));
                None
            }
        };
        let from_day = take(
            p.from
                .as_deref()
                .map(|f| parse_instant("from", f).map(day_of_ms))
                .transpose(),
        );
        let to_day = take(
            p.to.as_deref()
                .map(|t| parse_instant("to", t).map(|ms| day_of_ms(ms + DAY_MS - 1)))
                .transpose(),
        );
        let by = match p.by.as_deref().map(Segment::parse).transpose() {
            Ok(by) => by,
            Err(e) => {
                take(Err(e));
                None
            }
        };
        problems.finish(MetricQuery {
            survey: p.survey.clone(),
            question: p.question.clone(),
            from_day,
            to_day,
            interval,
            by,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_segments_and_intervals_are_named() {
        let q = MetricParams {
            by: Some("no such!".into()),
            interval: Some("fortnight".into()),
            ..MetricParams::default()
        };
        let e = MetricQuery::parse(&q)
            .err()
            .map(|e| e.0)
            .unwrap_or_default();
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["interval", "by"]);
        assert!(
            e[1].message.contains("channel, language, plan"),
            "{}",
            e[1].message
        );
        assert_eq!(
            Segment::parse("plan").ok(),
            Some(Segment::Account("plan".into()))
        );
        assert_eq!(Segment::parse("channel").ok(), Some(Segment::Channel));
    }
}
