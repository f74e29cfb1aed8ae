//! An account's relationship health: the single-threaded rule, the relationship map of its
//! current people against our staff, and which roles answered a survey in the window.

use attune_domain::customer::Roles;
use attune_domain::customer::relationship::{self, MapRow, Threading};
use attune_domain::metrics::nps::NpsBand;
use attune_domain::period::format_ms;
use attune_storage::Store;
use attune_storage::model::{PeopleQuery, Person};
use serde::Serialize;

use crate::{AppError, AppResult};

const DAY_MS: i64 = 86_400_000;

/// One person on the map, with what staff need to see beside the rule's numbers.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PersonOnMap {
    /// The person.
    pub person_id: String,
    /// Their name.
    pub name: Option<String>,
    /// Their title at the account.
    pub title: Option<String>,
    /// Their roles at the account.
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<attune_domain::customer::MembershipRole>,
    /// Their last touch of any kind in the window (RFC 3339).
    pub last_touch: Option<String>,
    /// The last touch with each of our staff in the window: user id → RFC 3339.
    #[schema(value_type = Object)]
    pub by_staff: std::collections::BTreeMap<String, String>,
    /// A decision maker, executive sponsor or champion nobody touched in the window.
    pub gap: bool,
    /// The band of their latest NPS score at the account (any age).
    #[schema(value_type = Option<String>)]
    pub sentiment: Option<NpsBand>,
    /// The row as the rule computed it (times in ms), for the pages.
    #[serde(skip)]
    pub row: MapRow,
}

/// The relationship health of one account.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RelationshipReport {
    /// The window, in days.
    pub days: u32,
    /// Single-threaded, no contact or multi-threaded, with the numbers behind it.
    #[schema(value_type = Object)]
    pub threading: Threading,
    /// Every current person of the account.
    pub map: Vec<PersonOnMap>,
    /// Our staff who appear on the map (user ids, sorted).
    pub staff: Vec<String>,
    /// Roles held by someone who answered a survey in the window.
    #[schema(value_type = Vec<String>)]
    pub roles_answered: Vec<attune_domain::customer::MembershipRole>,
    /// Roles present at the account whose people did not answer.
    #[schema(value_type = Vec<String>)]
    pub roles_missing: Vec<attune_domain::customer::MembershipRole>,
}

/// The report for `account_id` over the `days` before `now_ms` (1 to 730).
pub async fn report(
    store: &dyn Store,
    org_id: &str,
    account_id: &str,
    days: u32,
    now_ms: i64,
) -> AppResult<RelationshipReport> {
    if !(1..=730).contains(&days) {
        return Err(AppError::invalid("days", "must be from 1 to 730"));
    }
    let since = now_ms - i64::from(days) * DAY_MS;
    let today = now_ms.div_euclid(DAY_MS);
    let data = store.account_touches(org_id, account_id, since).await?;
    let query = PeopleQuery {
        account_id: Some(account_id.to_owned()),
        after: None,
        limit: 10_000,
    };
    let people: Vec<Person> = store.list_people(org_id, &query).await?;
    let current: Vec<(&Person, Option<String>, Roles)> = people
        .iter()
        .filter_map(|p| {
            let m = p
                .memberships
                .iter()
                .find(|m| m.account_id == account_id && m.is_current(today))?;
            Some((p, m.title.clone(), m.roles))
        })
        .collect();
    let ids: Vec<(String, Roles)> = current.iter().map(|(p, _, r)| (p.id.clone(), *r)).collect();
    let rows = relationship::relationship_map(&ids, &data.touches);
    let map = current
        .iter()
        .zip(rows)
        .map(|((p, title, _), row)| PersonOnMap {
            person_id: row.person_id.clone(),
            name: p.name.clone(),
            title: title.clone(),
            roles: row.roles.iter().collect(),
            last_touch: row.last_touch_ms.map(format_ms),
            by_staff: row
                .by_staff
                .iter()
                .map(|(u, at)| (u.clone(), format_ms(*at)))
                .collect(),
            gap: row.gap,
            sentiment: data
                .latest_nps
                .get(&p.id)
                .and_then(|(_, s)| NpsBand::of(*s)),
            row,
        })
        .collect();
    let mut staff: Vec<String> = data.touches.iter().flat_map(|t| t.staff.clone()).collect();
    staff.sort();
    staff.dedup();
    let (answered, missing) = relationship::coverage(&ids, &data.answered);
    Ok(RelationshipReport {
        days,
        threading: relationship::threading(&data.touches),
        map,
        staff,
        roles_answered: answered.iter().collect(),
        roles_missing: missing.iter().collect(),
    })
}
