//! `GET /api/v1/cases`: the queue.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::{CaseBody, CaseParams};
use crate::auth::ApiCaller;
use crate::extract::Query;
use crate::routes::feedback::encode_cursor;
use crate::{ApiError, AppState};

/// A page of cases.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CasePage {
    items: Vec<CaseBody>,
    /// Where the next page starts; null on the last page.
    next_cursor: Option<String>,
}

/// `GET /api/v1/cases`: by first-response deadline, overdue first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases",
    summary = "Follow-up cases by first-response deadline, overdue first (state, owner as user id or e-mail, status=active, breached=true|false)",
    params(CaseParams),
    responses((status = 200, body = CasePage)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<CaseParams>,
) -> Result<axum::Json<CasePage>, ApiError> {
    let mut q = params.to_query(&state, caller.org()).await?;
    let limit = q.limit;
    q.limit = limit + 1;
    let mut cases = state.store.cases(caller.org(), &q).await?;
    let more = cases.len() > limit as usize;
    cases.truncate(limit as usize);
    let next_cursor = more
        .then(|| {
            cases
                .last()
                .map(|c| encode_cursor(c.first_response_due_at, &c.id))
        })
        .flatten();
    let now = state.now_ms();
    Ok(axum::Json(CasePage {
        items: cases.iter().map(|c| CaseBody::new(c, now)).collect(),
        next_cursor,
    }))
}
