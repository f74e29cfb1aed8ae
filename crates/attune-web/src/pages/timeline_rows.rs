//! A customer timeline as rows of a page (the account page and the person page share it).

use std::collections::HashMap;

use attune_domain::period::format_day;
use attune_storage::model::{TimelineDetail, TimelineEntry};

use super::{minute, names};
use crate::i18n::{Msg, Tr};

/// One row: when, what, the text (customer words, shown with `dir="auto"`) and links.
pub(crate) struct TimelineRow {
    pub at: String,
    pub what: String,
    pub text: String,
    pub internal: bool,
    /// The page the text links to: the case, the merge.
    pub link: Option<String>,
    /// The person it involves, with their page.
    pub person: Option<(String, String)>,
}

/// Cuts a timeline read with one entry more than `shown` to `shown` entries; returns the
/// cursor of the next page when there is one.
pub(crate) fn cut_page(entries: &mut Vec<TimelineEntry>, shown: usize) -> Option<String> {
    if entries.len() <= shown {
        return None;
    }
    entries.truncate(shown);
    entries
        .last()
        .map(|e| crate::routes::timeline::cursor_text(&e.cursor()))
}

/// Amounts in cents as `1,234.50`.
pub(crate) fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let whole = (c / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{:02}", c % 100)
}

/// The rows of `entries`; `people` names the persons and users (id → name or e-mail) the page
/// knows.
pub(crate) fn rows(
    t: &Tr,
    entries: &[TimelineEntry],
    people: &HashMap<String, String>,
) -> Vec<TimelineRow> {
    entries
        .iter()
        .map(|e| {
            let (text, internal, link) = match &e.detail {
                TimelineDetail::Response { score, comment, .. } => {
                    let score = score
                        .as_ref()
                        .map(|s| format!("{} {}", s.question_type.to_uppercase(), s.score));
                    let text = [score, comment.clone()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" · ");
                    (text, false, None)
                }
                TimelineDetail::Case { title, .. } => {
                    (title.clone(), false, Some(format!("/cases/{}", e.id)))
                }
                TimelineDetail::Interaction {
                    summary, internal, ..
                } => (summary.clone(), *internal, None),
                TimelineDetail::Subscription {
                    product,
                    mrr_cents,
                    cancellation_reason,
                } => {
                    let parts = [
                        Some(product.clone()).filter(|p| !p.is_empty()),
                        Some(money(*mrr_cents)),
                        cancellation_reason.clone(),
                    ];
                    (
                        parts.into_iter().flatten().collect::<Vec<_>>().join(" · "),
                        false,
                        None,
                    )
                }
                TimelineDetail::Membership { title } => {
                    (title.clone().unwrap_or_default(), false, None)
                }
                TimelineDetail::Owner { from, to, .. } => {
                    let who = |u: &Option<String>| match u {
                        Some(id) => people.get(id).cloned().unwrap_or_else(|| id.clone()),
                        None => t.get(Msg::AccountNoOwner),
                    };
                    (format!("{} → {}", who(from), who(to)), false, None)
                }
                TimelineDetail::Merge { .. } => (
                    t.get(Msg::TimelineMergeDetails),
                    false,
                    Some(format!("/merges/{}", e.id)),
                ),
            };
            let day_dated = matches!(
                e.detail,
                TimelineDetail::Subscription { .. } | TimelineDetail::Membership { .. }
            );
            let person = e.person_id.as_ref().map(|id| {
                let name = people
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| t.get(Msg::PersonUnnamed));
                (name, format!("/people/{id}"))
            });
            TimelineRow {
                at: if day_dated {
                    format_day(e.at.div_euclid(86_400_000))
                } else {
                    minute(e.at)
                },
                what: names::timeline(t, e),
                text,
                internal,
                link,
                person,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(0), "0.00");
        assert_eq!(money(5), "0.05");
        assert_eq!(money(123_456_789), "1,234,567.89");
        assert_eq!(money(-100_000), "-1,000.00");
    }
}
