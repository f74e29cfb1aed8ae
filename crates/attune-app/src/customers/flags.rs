//! The account list by relationship health: every account with its single-threaded flag (kept
//! up to date incrementally by storage), filtered by flag, owner or attribute and sorted.

use std::collections::HashMap;

use attune_domain::customer::relationship::Threading;
use attune_storage::Store;
use attune_storage::model::Account;

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

    fn admits(self, t: &Threading) -> bool {
        match (self, t) {
            (FlagFilter::Flagged, t) => t.is_flagged(),
            (FlagFilter::SingleThreaded, Threading::SingleThreaded { .. })
            | (FlagFilter::NoContact, Threading::NoContact)
            | (FlagFilter::MultiThreaded, Threading::MultiThreaded { .. }) => true,
            _ => false,
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
}

fn rank(t: &Threading) -> u8 {
    match t {
        Threading::NoContact => 0,
        Threading::SingleThreaded { .. } => 1,
        Threading::MultiThreaded { .. } => 2,
    }
}

/// The organisation's accounts with their flags, refreshed first (only the accounts whose
/// touches changed or aged out are recomputed).
pub async fn accounts_with_flags(
    store: &dyn Store,
    org_id: &str,
    now_ms: i64,
    q: &FlagQuery,
) -> AppResult<Vec<(Account, Threading)>> {
    store.refresh_account_flags(org_id, now_ms, q.days).await?;
    let mut flags: HashMap<String, Threading> = store
        .account_flags(org_id)
        .await?
        .into_iter()
        .map(|f| (f.account_id, f.threading))
        .collect();
    let mut out: Vec<(Account, Threading)> = store
        .list_accounts(org_id)
        .await?
        .into_iter()
        .filter(|a| q.archived || a.archived_at.is_none())
        .filter(|a| q.owner.as_ref().is_none_or(|o| a.owner_user_id == *o))
        .filter(|a| {
            q.attribute
                .as_ref()
                .is_none_or(|(k, v)| a.attribute(k).as_deref() == Some(v.as_str()))
        })
        .map(|a| {
            let t = flags.remove(&a.id).unwrap_or(Threading::NoContact);
            (a, t)
        })
        .filter(|(_, t)| q.flag.is_none_or(|f| f.admits(t)))
        .collect();
    match q.sort {
        FlagSort::Name => {}
        FlagSort::Flag => out.sort_by_key(|(_, t)| rank(t)),
        FlagSort::Owner => out.sort_by(|(a, _), (b, _)| {
            (a.owner_user_id.is_none(), &a.owner_user_id)
                .cmp(&(b.owner_user_id.is_none(), &b.owner_user_id))
        }),
    }
    Ok(out)
}
