//! The daily digest: the day's good and bad news — best quotes, new detractors, cases opened,
//! resolved and breached — sent by e-mail and as the `digest.daily` webhook event.

use attune_domain::period::{DAY_MS, format_ms};
use attune_storage::Store;
use attune_storage::model::{FeedCase, FeedItem, FeedQuery};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppResult;

/// One quoted comment.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Quote {
    /// The response.
    pub response_id: String,
    /// Its comment.
    pub comment: Option<String>,
    /// Its language.
    pub language: Option<String>,
    /// The account's name.
    pub account: Option<String>,
    /// The case it opened.
    #[schema(value_type = Option<Object>)]
    pub case: Option<FeedCase>,
}

/// Cases of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct DigestCases {
    /// Opened.
    pub opened: usize,
    /// Resolved.
    pub resolved: usize,
    /// That breached a deadline.
    pub breached: usize,
}

/// The digest of the 24 hours before `to` (epoch ms).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Digest {
    /// Start, epoch ms.
    pub from: i64,
    /// End, epoch ms.
    pub to: i64,
    /// Up to five comments scoring 9 or 10.
    pub best_quotes: Vec<Quote>,
    /// Up to five comments scoring 0 to 6.
    pub new_detractors: Vec<Quote>,
    /// Cases of the day.
    pub cases: DigestCases,
}

fn quote(i: &FeedItem) -> Quote {
    Quote {
        response_id: i.response.id.clone(),
        comment: i.response.comment.clone(),
        language: i.response.language.clone(),
        account: i.account_name.clone(),
        case: i.case.clone(),
    }
}

impl Digest {
    /// Builds the digest of the 24 hours before `at_ms`.
    pub async fn build(store: &dyn Store, org_id: &str, at_ms: i64) -> AppResult<Self> {
        let from = at_ms - DAY_MS;
        let query = |range: (i64, i64)| FeedQuery {
            score_range: Some(range),
            from_ms: Some(from),
            to_ms: Some(at_ms),
            with_comment: true,
            limit: 5,
            ..Default::default()
        };
        let best = store.feed(org_id, &query((9, 10))).await?;
        let detractors = store.feed(org_id, &query((0, 6))).await?;
        let (opened, resolved, breached) = store
            .case_activity(org_id, at_ms - 90 * DAY_MS, from, at_ms)
            .await?;
        Ok(Self {
            from,
            to: at_ms,
            best_quotes: best.iter().map(quote).collect(),
            new_detractors: detractors.iter().map(quote).collect(),
            cases: DigestCases {
                opened: usize::try_from(opened).unwrap_or(usize::MAX),
                resolved: usize::try_from(resolved).unwrap_or(usize::MAX),
                breached: usize::try_from(breached).unwrap_or(usize::MAX),
            },
        })
    }

    /// The e-mail's subject.
    pub fn subject(org: &str) -> String {
        format!("{org}: the day in feedback")
    }

    /// The e-mail's plain text.
    pub fn text(&self, org: &str) -> String {
        let mut out = format!(
            "{org}: the day in feedback ({} – {})\n\n",
            format_ms(self.from),
            format_ms(self.to)
        );
        let c = &self.cases;
        out += &format!(
            "Cases: {} opened, {} resolved, {} breached a deadline.\n\n",
            c.opened, c.resolved, c.breached
        );
        for (title, items) in [
            ("Good news", &self.best_quotes),
            ("New detractors", &self.new_detractors),
        ] {
            out += &format!("{title}:\n");
            if items.is_empty() {
                out += "  (none)\n";
            }
            for q in items {
                out += &format!("  • {}\n", q.comment.as_deref().unwrap_or(""));
            }
            out += "\n";
        }
        out
    }
}
