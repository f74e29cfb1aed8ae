//! `GET /cases`: the queue of active cases, overdue first.

use askama::Template;
use attune_storage::model::{Case, CaseQuery};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::minute as when;
use super::{names, render};
use crate::auth::PageUser;
use crate::extract::Query;
use crate::i18n::{Msg, Tr};
use crate::{ApiError, AppState};

/// One row of the queue.
pub(crate) struct CaseRow {
    id: String,
    title: String,
    state: String,
    priority: String,
    owner: String,
    due: String,
    overdue: bool,
    breached: bool,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct QueuePage {
    t: Tr,
    user_email: String,
    csrf: String,
    mine: bool,
    rows: Vec<CaseRow>,
}

/// Queue filter.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct QueueParams {
    all: Option<String>,
}

pub(super) fn is_overdue(c: &Case, now: i64) -> bool {
    c.is_overdue(now)
}

/// The next deadline that matters for a case.
fn next_due(c: &Case) -> i64 {
    if c.first_responded_at.is_none() {
        c.first_response_due_at
    } else {
        c.resolution_due_at
    }
}

/// `GET /cases`: active cases by deadline, overdue first; mine unless `?all=1`.
pub(crate) async fn queue(
    State(state): State<AppState>,
    user: PageUser,
    Query(params): Query<QueueParams>,
) -> Response {
    let mine = params.all.is_none();
    let q = CaseQuery {
        active: true,
        owner: if mine {
            user.actor.user_id.clone()
        } else {
            None
        },
        limit: 500,
        ..Default::default()
    };
    let (cases, users) = match (
        state.store.cases(&user.actor.org_id, &q).await,
        state.store.list_users(&user.actor.org_id).await,
    ) {
        (Ok(c), Ok(u)) => (c, u),
        (Err(e), _) | (_, Err(e)) => return ApiError::from(e).into_response(),
    };
    let now = state.now_ms();
    let email_of = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| users.iter().find(|u| &u.id == id))
            .map_or_else(|| user.tr.get(Msg::QueueUnassigned), |u| u.email.clone())
    };
    let mut rows: Vec<(bool, i64, CaseRow)> = cases
        .iter()
        .map(|c| {
            let overdue = is_overdue(c, now);
            (
                !overdue,
                next_due(c),
                CaseRow {
                    id: c.id.clone(),
                    title: c.title.clone(),
                    state: names::state(&user.tr, c.state),
                    priority: names::priority(&user.tr, c.priority),
                    owner: email_of(&c.owner),
                    due: when(next_due(c)),
                    overdue,
                    breached: c.breached,
                },
            )
        })
        .collect();
    rows.sort_by_key(|r| (r.0, r.1));
    render(&QueuePage {
        t: user.tr.clone(),
        user_email: user.email,
        csrf: user.csrf_token,
        mine,
        rows: rows.into_iter().map(|(_, _, r)| r).collect(),
    })
}

/// The queue with a row and empty, for the catalogue test.
#[cfg(test)]
pub(super) fn samples(t: &Tr) -> Vec<(&'static str, String)> {
    use attune_domain::closed_loop::case::CaseState;
    use attune_domain::closed_loop::rules::Priority;
    let page = |mine: bool, rows: Vec<CaseRow>| {
        QueuePage {
            t: t.clone(),
            user_email: "①".into(),
            csrf: "①".into(),
            mine,
            rows,
        }
        .render()
        .expect("renders")
    };
    let row = CaseRow {
        id: "1".into(),
        title: "①".into(),
        state: names::state(t, CaseState::Open),
        priority: names::priority(t, Priority::Low),
        owner: t.get(Msg::QueueUnassigned),
        due: when(0),
        overdue: true,
        breached: true,
    };
    vec![
        ("queue", page(true, vec![row])),
        ("empty queue", page(false, Vec::new())),
    ]
}
