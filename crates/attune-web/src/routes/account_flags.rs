//! `GET /api/v1/relationship-flags`: accounts with their relationship flag (single-threaded,
//! no contact, multi-threaded), filtered by flag, owner or attribute, sorted, in pages.

use attune_app::customers::flags::{FlagFilter, FlagQuery, FlagSort, accounts_with_flags};
use attune_domain::customer::relationship::DEFAULT_DAYS;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::ApiCaller;
use crate::extract::Query;
use crate::{ApiError, AppState};

/// Which accounts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct FlagParams {
    /// Days before now, 1–730 (default 90).
    #[param(minimum = 1, maximum = 730)]
    days: Option<u32>,
    /// `flagged` (single-threaded or no contact), `single_threaded`, `no_contact` or
    /// `multi_threaded`.
    #[param(pattern = "^(flagged|single_threaded|no_contact|multi_threaded)$")]
    flag: Option<String>,
    /// The owner's e-mail, or `none` for accounts nobody owns.
    owner: Option<String>,
    /// `key:value`, e.g. `plan:Growth` or `lifecycle_stage:Customer`.
    #[param(pattern = "^[^:]+:.+$")]
    attribute: Option<String>,
    /// `name` (default), `flag` (no contact first) or `owner`.
    #[param(pattern = "^(name|flag|owner)$")]
    sort: Option<String>,
    /// The `next` of the previous page.
    after: Option<String>,
    /// 1–1000, default 100.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// A page of accounts with their flags.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FlagPageBody {
    items: Vec<AccountFlagBody>,
    /// Pass as `after` for the next page; absent on the last.
    next: Option<String>,
}

/// One account and its flag.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AccountFlagBody {
    id: String,
    external_id: Option<String>,
    name: String,
    owner_user_id: Option<String>,
    /// The verdict with its numbers (`flag`, `people`, `touches`, `reasons`).
    #[schema(value_type = Object)]
    threading: attune_domain::customer::relationship::Threading,
}

/// `GET /api/v1/relationship-flags`
#[utoipa::path(get, path = "/api/v1/relationship-flags", tag = "accounts",
    summary = "Accounts with their single-threaded flag, filtered and sorted, a page at a time",
    params(FlagParams),
    responses((status = 200, body = FlagPageBody), (status = 422, description = "a parameter out of range")))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<FlagParams>,
) -> Result<axum::Json<FlagPageBody>, ApiError> {
    let org = caller.org();
    let days = p.days.unwrap_or(DEFAULT_DAYS);
    if !(1..=730).contains(&days) {
        return Err(ApiError::field("days", "must be 1 to 730"));
    }
    let owner = match p.owner.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some(email) => {
            let users = state.store.list_users(org).await?;
            match users
                .iter()
                .find(|u| u.email.eq_ignore_ascii_case(email.trim()))
            {
                Some(u) => Some(Some(u.id.clone())),
                None => {
                    return Err(ApiError::field(
                        "owner",
                        "no user of this organisation has that e-mail",
                    ));
                }
            }
        }
    };
    let q = FlagQuery {
        days,
        flag: p.flag.as_deref().map(FlagFilter::parse).transpose()?,
        owner,
        attribute: match p.attribute.as_deref().map(|a| a.split_once(':')) {
            None => None,
            Some(Some((k, v))) if !k.trim().is_empty() && !v.trim().is_empty() => {
                Some((k.trim().to_owned(), v.trim().to_owned()))
            }
            Some(_) => {
                return Err(ApiError::field(
                    "attribute",
                    "must be key:value, e.g. plan:Growth",
                ));
            }
        },
        sort: p
            .sort
            .as_deref()
            .map(FlagSort::parse)
            .transpose()?
            .unwrap_or_default(),
        archived: false,
        after: p.after,
        limit: p.limit.unwrap_or(100),
    };
    let page = accounts_with_flags(state.store.as_ref(), org, state.now_ms(), &q).await?;
    Ok(axum::Json(FlagPageBody {
        next: page.next,
        items: page
            .rows
            .into_iter()
            .map(|(a, threading)| AccountFlagBody {
                id: a.id,
                external_id: a.external_id,
                name: a.name,
                owner_user_id: a.owner_user_id,
                threading,
            })
            .collect(),
    }))
}
