//! The account list by relationship health: accounts with their single-threaded flag (kept
//! up to date incrementally by storage), filtered by flag, owner or attribute, sorted and cut
//! into pages by the database.

use attune_domain::customer::relationship::Threading;
use attune_storage::Store;
use attune_storage::model::{Account, FlagListQuery, FlagOrder};

use crate::{AppError, AppResult};

/// Which accounts by their flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagFilter {
    /// Single-threaded or no contact.
    Flagged,
    /// Single-threaded.
    SingleThreaded,
    /// No touch in the window.
    NoContact,
    /// Neither.
    MultiThreaded,
}

impl FlagFilter {
    /// `flagged`, `single_threaded`, `no_contact` or `multi_threaded`.
    pub fn parse(raw: &str) -> AppResult<FlagFilter> {
        Ok(match raw {
            "flagged" => FlagFilter::Flagged,
            "single_threaded" => FlagFilter::SingleThreaded,
            "no_contact" => FlagFilter::NoContact,
            "multi_threaded" => FlagFilter::MultiThreaded,
            _ => {
                return Err(AppError::invalid(
                    "flag",
                    "must be flagged, single_threaded, no_contact or multi_threaded",
                ));
            }
        })
    }

    /// The kept flags it admits.
    fn stored(self) -> Vec<&'static str> {
        match self {
            FlagFilter::Flagged => vec!["no_contact", "single_threaded"],
            FlagFilter::SingleThreaded => vec!["single_threaded"],
            FlagFilter::NoContact => vec!["no_contact"],
            FlagFilter::MultiThreaded => vec!["multi_threaded"],
        }
    }
}

/// How the list is ordered (then by name).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FlagSort {
    /// By name.
    #[default]
    Name,
    /// No contact first, then single-threaded, then the rest.
    Flag,
    /// By owner (user id; unowned last).
    Owner,
}

impl FlagSort {
    /// `name`, `flag` or `owner`.
    pub fn parse(raw: &str) -> AppResult<FlagSort> {
        Ok(match raw {
            "name" => FlagSort::Name,
            "flag" => FlagSort::Flag,
            "owner" => FlagSort::Owner,
            _ => return Err(AppError::invalid("sort", "must be name, flag or owner")),
        })
    }
}

/// Which accounts, in which order.
#[derive(Debug, Clone, Default)]
pub struct FlagQuery {
    /// The window of the rule, in days.
    pub days: u32,
    /// Only accounts with this flag.
    pub flag: Option<FlagFilter>,
    /// Only accounts of this owner (a user id; `Some(None)`: accounts nobody owns).
    pub owner: Option<Option<String>>,
    /// Only accounts whose attribute (`plan`, `industry`, a custom key, …) has this value.
    pub attribute: Option<(String, String)>,
    /// The order.
    pub sort: FlagSort,
    /// Archived accounts too.
    pub archived: bool,
    /// The page after this account (the `next` of the previous page).
    pub after: Option<String>,
    /// At most this many accounts (1 to [`MAX_PAGE`]).
    pub limit: u32,
}

/// The most accounts on one page.
pub const MAX_PAGE: u32 = 1_000;

/// One page of the list and where the next one starts.
#[derive(Debug, Clone, Default)]
pub struct FlagPage {
    /// The accounts with their flags, in the query's order.
    pub rows: Vec<(Account, Threading)>,
    /// The `after` of the next page, if there is one.
    pub next: Option<String>,
}

/// A page of the organisation's accounts with their flags, refreshed first (only the accounts
/// whose touches changed or aged out are recomputed); the database filters, orders and pages.
pub async fn accounts_with_flags(
    store: &dyn Store,
    org_id: &str,
    now_ms: i64,
    q: &FlagQuery,
) -> AppResult<FlagPage> {
    if !(1..=MAX_PAGE).contains(&q.limit) {
        return Err(AppError::invalid("limit", "must be from 1 to 1000"));
    }
    store.refresh_account_flags(org_id, now_ms, q.days).await?;
    let query = FlagListQuery {
        flags: q.flag.map(FlagFilter::stored).unwrap_or_default(),
        owner: q.owner.clone(),
        attribute: q.attribute.clone(),
        order: match q.sort {
            FlagSort::Name => FlagOrder::Name,
            FlagSort::Flag => FlagOrder::Flag,
            FlagSort::Owner => FlagOrder::Owner,
        },
        archived: q.archived,
        after: q.after.clone(),
        limit: q.limit + 1,
    };
    let mut rows = store.account_flag_page(org_id, &query).await?;
    let next = if rows.len() > q.limit as usize {
        rows.truncate(q.limit as usize);
        rows.last().map(|(a, _)| a.id.clone())
    } else {
        None
    };
    Ok(FlagPage { rows, next })
}
