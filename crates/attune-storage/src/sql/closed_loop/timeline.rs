//! A case's timeline: the entries the domain's transitions return, written in order, and read
//! back with their kinds checked.

use attune_domain::closed_loop::timeline::{EventKind, NewEvent};
use sqlx::{AnyConnection, Row};

use super::super::{Bind, Dialect, SqlStore, insert_rows, new_id};
use crate::error::{Context, StoreResult, decode};
use crate::model::CaseEvent;

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

impl SqlStore {
    pub(crate) async fn case_events_impl(
        &self,
        org_id: &str,
        case_id: &str,
    ) -> StoreResult<Vec<CaseEvent>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, kind, detail FROM case_events \
             WHERE org_id = $1 AND case_id = $2 ORDER BY at, id",
        )
        .bind(org_id)
        .bind(case_id)
        .fetch_all(&self.pool)
        .await
        .context("reading a timeline")?;
        rows.iter()
            .map(|r| {
                let detail: String = r.try_get("detail").context("reading event")?;
                let kind: String = r.try_get("kind").context("reading event")?;
                Ok(CaseEvent {
                    id: r.try_get("id").context("reading event")?,
                    at: r.try_get("at").context("reading event")?,
                    actor: r.try_get("actor").context("reading event")?,
                    kind: decode("timeline event kind", kind, EventKind::parse)?,
                    detail: serde_json::from_str(&detail).unwrap_or_default(),
                })
            })
            .collect()
    }
}
