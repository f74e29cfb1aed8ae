//! Continuous sync and CRM imports: a batch of accounts and people stored in one transaction
//! (whatever a row leaves out is kept), then every account whose owner the batch changed is
//! handed over, its previous owner's open cases following the organisation's rule.

use attune_domain::Invalid;
use attune_storage::Store;
use attune_storage::model::{SyncBatch, SyncList, SyncRefusal};
use serde::Serialize;
use utoipa::ToSchema;

use super::handover;
use crate::{AppError, AppResult};

/// The most rows one API call may send (accounts and people together).
pub const MAX_BATCH: usize = 1_000;

/// What a sync stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct SyncReport {
    /// Accounts created.
    pub accounts_created: u64,
    /// Accounts updated.
    pub accounts_updated: u64,
    /// People created.
    pub people_created: u64,
    /// People updated.
    pub people_updated: u64,
    /// Open cases given to an account's new owner (or its team) after an owner change.
    pub cases_reassigned: u64,
    /// Each account row's account id, in the order sent.
    pub account_ids: Vec<String>,
    /// Each person row's person id, in the order sent.
    pub person_ids: Vec<String>,
}

/// Stores a batch; `Ok(Err(..))` names the row that stopped it (nothing was stored).
pub async fn sync(
    store: &dyn Store,
    org_id: &str,
    batch: &SyncBatch,
    now_ms: i64,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> AppResult<Result<SyncReport, SyncRefusal>> {
    let outcome = match store
        .sync_customers(org_id, batch, now_ms, progress)
        .await?
    {
        Ok(o) => o,
        Err(refused) => return Ok(Err(refused)),
    };
    let count = |rows: &[(String, bool)], created: bool| {
        rows.iter().filter(|(_, c)| *c == created).count() as u64
    };
    let mut report = SyncReport {
        accounts_created: count(&outcome.accounts, true),
        accounts_updated: count(&outcome.accounts, false),
        people_created: count(&outcome.people, true),
        people_updated: count(&outcome.people, false),
        cases_reassigned: 0,
        account_ids: outcome.accounts.iter().map(|(id, _)| id.clone()).collect(),
        person_ids: outcome.people.iter().map(|(id, _)| id.clone()).collect(),
    };
    for (account_id, previous) in outcome.owner_changes {
        let account = store.account(org_id, &account_id).await?;
        let change =
            handover::reassign(store, org_id, account, previous, None, None, now_ms).await?;
        report.cases_reassigned += change.reassigned.len() as u64;
    }
    Ok(Ok(report))
}

/// A refused row as an API error naming it, e.g. `accounts[3].domains`: a 409 when it clashes
/// with stored data, else a 422.
pub fn refusal_error(r: SyncRefusal) -> AppError {
    let list = match r.list {
        SyncList::Accounts => "accounts",
        SyncList::People => "people",
    };
    let field = format!("{list}[{}].{}", r.index, r.field);
    if r.conflict {
        AppError::Conflict(format!("{field}: {}", r.message))
    } else {
        AppError::Invalid(Invalid::one(field, r.message))
    }
}
