//! Handing an account over: when its owner changes, the previous owner's open cases follow the
//! rule the admin chose (move to the new owner, stay, or round-robin in the account's team),
//! and the new owner gets a handover view of the account.

use attune_domain::customer::relationship::DEFAULT_DAYS;
use attune_domain::customer::{FollowUp, HandoverRule, handover};
use attune_storage::Store;
use attune_storage::model::{
    Account, Case, CaseQuery, PeopleQuery, Person, TimelineEntry, TimelineKind, TimelineQuery,
};

use super::relationship::{self, RelationshipReport};
use crate::AppResult;

const DAY_MS: i64 = 86_400_000;
/// The most conversations a handover lists.
const MAX_CONVERSATIONS: u32 = 200;

/// What an owner change did.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnerChange {
    /// The account as it is now.
    pub account: Account,
    /// Its previous owner.
    pub previous: Option<String>,
    /// The rule the open cases followed.
    pub rule: HandoverRule,
    /// Each case given to someone else: (case id, new owner).
    pub reassigned: Vec<(String, String)>,
}

/// Gives the account to `owner` (a user id, or nobody) and deals the previous owner's open
/// cases by `rule` (default: the organisation's setting).
pub async fn change_owner(
    store: &dyn Store,
    org_id: &str,
    account: &str,
    owner: Option<&str>,
    rule: Option<HandoverRule>,
    actor: Option<&str>,
    now_ms: i64,
) -> AppResult<OwnerChange> {
    let (account, previous) = store
        .change_owner(org_id, account, owner, actor, now_ms)
        .await?;
    reassign(store, org_id, account, previous, rule, actor, now_ms).await
}

/// Deals the previous owner's open cases of `account` (whose owner has just changed from
/// `previous`) by `rule` (default: the organisation's setting).
pub async fn reassign(
    store: &dyn Store,
    org_id: &str,
    account: Account,
    previous: Option<String>,
    rule: Option<HandoverRule>,
    actor: Option<&str>,
    now_ms: i64,
) -> AppResult<OwnerChange> {
    let rule = match rule {
        Some(r) => r,
        None => store.loop_settings(org_id).await?.handover_cases,
    };
    let mut reassigned = Vec::new();
    if let Some(prev) = previous.as_deref()
        && account.owner_user_id.as_deref() != Some(prev)
    {
        let query = CaseQuery {
            account_id: Some(account.id.clone()),
            owner: Some(prev.to_owned()),
            active: true,
            limit: 1_000,
            ..CaseQuery::default()
        };
        let cases: Vec<String> = store
            .cases(org_id, &query)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let team: Vec<String> = account.team.iter().map(|(u, _)| u.clone()).collect();
        let plan = handover::assignments(
            rule,
            &cases,
            Some(prev),
            account.owner_user_id.as_deref(),
            &team,
        );
        for (case, owner) in plan {
            crate::cases::actions::assign(store, org_id, &case, actor, &owner, now_ms).await?;
            reassigned.push((case, owner));
        }
    }
    Ok(OwnerChange {
        account,
        previous,
        rule,
        reassigned,
    })
}

/// What a new owner needs to take over an account.
#[derive(Debug, Clone, PartialEq)]
pub struct Handover {
    /// The account.
    pub account: Account,
    /// Conversations and answers of the last 90 days, newest first.
    pub conversations: Vec<TimelineEntry>,
    /// Its open cases.
    pub open_cases: Vec<Case>,
    /// Follow-ups promised in those conversations and not done: (interaction id, follow-up).
    pub promises: Vec<(String, FollowUp)>,
    /// Its people, with their preferences.
    pub people: Vec<Person>,
    /// Relationship health and who knows whom.
    pub relationship: RelationshipReport,
}

/// The handover view of an account.
pub async fn handover(
    store: &dyn Store,
    org_id: &str,
    account: &str,
    now_ms: i64,
) -> AppResult<Handover> {
    let account = store.account(org_id, account).await?;
    let since = now_ms - i64::from(DEFAULT_DAYS) * DAY_MS;
    let q = TimelineQuery {
        account_id: Some(account.id.clone()),
        person_id: None,
        kinds: vec![TimelineKind::Interaction, TimelineKind::Response],
        after: None,
        limit: MAX_CONVERSATIONS,
    };
    let mut conversations = store.timeline(org_id, &q).await?;
    conversations.retain(|e| e.at >= since);
    let mut promises = Vec::new();
    for e in conversations
        .iter()
        .filter(|e| e.kind == TimelineKind::Interaction)
    {
        let it = store.interaction(org_id, &e.id).await?;
        promises.extend(
            it.follow_ups
                .into_iter()
                .filter(|f| !f.done)
                .map(|f| (it.id.clone(), f)),
        );
    }
    let cases = CaseQuery {
        account_id: Some(account.id.clone()),
        active: true,
        limit: 200,
        ..CaseQuery::default()
    };
    let people = PeopleQuery {
        account_id: Some(account.id.clone()),
        after: None,
        limit: 10_000,
    };
    Ok(Handover {
        open_cases: store.cases(org_id, &cases).await?,
        people: store.list_people(org_id, &people).await?,
        relationship: relationship::report(store, org_id, &account.id, DEFAULT_DAYS, now_ms)
            .await?,
        conversations,
        promises,
        account,
    })
}
