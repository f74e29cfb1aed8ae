//! A case's timeline: the entries the domain's transitions return, written in order, and read
//! back with their kinds checked.

use attune_domain::closed_loop::timeline::NewEvent;
use sqlx::AnyConnection;

use super::super::{Bind, Dialect, insert_rows, new_id};
use crate::error::StoreResult;

pub(super) const EVENT_INSERT: &str =
    "INSERT INTO case_events (id, org_id, case_id, at, actor, kind, detail)";

/// The row of a timeline entry for [`insert_rows`].
pub(super) fn event_row(org_id: &str, case_id: &str, e: &NewEvent) -> Vec<Bind> {
    vec![
        Bind::Text(new_id()),
        Bind::Text(org_id.to_owned()),
        Bind::Text(case_id.to_owned()),
        Bind::Int(e.at),
        Bind::OptText(e.actor.clone()),
        Bind::Text(e.kind.as_str().to_owned()),
        Bind::Text(e.detail.to_string()),
    ]
}

/// Writes a case's new timeline entries, in order.
pub(super) async fn add_events(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    case_id: &str,
    events: &[NewEvent],
) -> StoreResult<()> {
    let rows = events
        .iter()
        .map(|e| event_row(org_id, case_id, e))
        .collect();
    insert_rows(conn, dialect, EVENT_INSERT, "", rows).await
}
