//! The drill-down behind every number of the retention page: the customers it counts.

use askama::Template;
use attune_retention::calendar::format_day;
use attune_retention::{Member, PeriodUnit, TimeUnit};
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::super::{problems, render};
use super::{Lost, month_label};
use crate::AppState;
use crate::auth::PageUser;
use crate::extract::Query;
use crate::i18n::{Msg, Tr};
use attune_app::retention::{
    AtStep, Drill, RetentionParams, Spec, day_of_ms, drill_options, with_report_and_attribute,
};

/// Accounts listed on the drill-down page.
const MEMBERS_SHOWN: usize = 500;

#[derive(Template)]
#[template(path = "retention_members.html")]
pub(super) struct MembersPage {
    pub(super) t: Tr,
    pub(super) user_email: String,
    pub(super) csrf: String,
    pub(super) heading: String,
    pub(super) back: String,
    pub(super) problem: Option<String>,
    pub(super) count: usize,
    pub(super) accounts: Vec<Lost>,
}

impl MembersPage {
    /// How many customers, when only the first of them are listed, as HTML.
    fn listed(&self) -> String {
        self.t.markup(
            Msg::RetentionMembersCountSome,
            [
                ("count", self.count.into()),
                ("shown", self.accounts.len().into()),
            ],
            &[("api", "/api/v1/retention/members"), ("limit", "limit")],
        )
    }
}

/// What a drill-down lists, in words.
pub(super) fn describe(t: &Tr, drill: &Drill) -> String {
    match drill {
        Drill::Period(start, which) => {
            let what = t.get(match which {
                Member::Start => Msg::RetentionMemberStart,
                Member::End => Msg::RetentionMemberEnd,
                Member::New => Msg::RetentionMemberNew,
                Member::Lost => Msg::RetentionMemberLost,
                Member::LostNew => Msg::RetentionMemberLostNew,
                Member::Retained => Msg::RetentionMemberRetained,
                Member::Reactivated => Msg::RetentionMemberReactivated,
                Member::Expanded => Msg::RetentionMemberExpanded,
                Member::Contracted => Msg::RetentionMemberContracted,
            });
            t.args(
                Msg::RetentionDrillPeriod,
                [("what", what.into()), ("start", format_day(*start).into())],
            )
        }
        Drill::Cohort(start, k) => t.args(
            Msg::RetentionDrillCohort,
            [("month", month_label(*start).into()), ("k", (*k).into())],
        ),
        Drill::Survival(unit, time, at) => {
            let unit = match unit {
                TimeUnit::Day => Msg::RetentionDays,
                TimeUnit::Month => Msg::RetentionMonths,
            };
            let duration = t.args(unit, [("count", (*time).into())]);
            let m = match at {
                AtStep::Events => Msg::RetentionDrillLeft,
                AtStep::Censored => Msg::RetentionDrillStill,
                AtStep::AtRisk => Msg::RetentionDrillStayed,
            };
            t.args(m, [("duration", duration.into())])
        }
        Drill::Audit {
            attribute,
            value,
            outcome,
            ..
        } => t.args(
            match outcome {
                attune_retention::Outcome::Retained => Msg::RetentionDrillRetained,
                _ => Msg::RetentionDrillChurned,
            },
            [
                ("attribute", attribute.clone().into()),
                (
                    "value",
                    value
                        .clone()
                        .unwrap_or_else(|| t.get(Msg::RetentionNoValue))
                        .into(),
                ),
            ],
        ),
    }
}

/// `GET /retention/members`: the customers behind a number of the retention page.
pub(crate) async fn members(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<RetentionParams>,
) -> Response {
    let today = day_of_ms(state.now_ms());
    let mut page = MembersPage {
        t: user.tr.clone(),
        user_email: user.email,
        csrf: user.csrf_token,
        heading: user.tr.get(Msg::RetentionMembersHeading),
        back: String::new(),
        problem: None,
        count: 0,
        accounts: Vec::new(),
    };
    let default_unit = match q.which.as_deref() {
        Some("cohort") => PeriodUnit::Month,
        _ => PeriodUnit::Quarter,
    };
    let parsed = Spec::parse(&q, today, default_unit).and_then(|spec| {
        let (drill, _) = drill_options(&q)?;
        Ok((spec, drill))
    });
    let (spec, drill) = match parsed {
        Ok(v) => v,
        Err(e) => {
            page.problem = Some(problems(&e));
            return render(&page);
        }
    };
    page.heading = describe(&page.t, &drill);
    page.back = spec.query();
    let org = user.actor.org_id.clone();
    let attribute = match &drill {
        Drill::Audit { attribute, .. } => Some(attribute.clone()),
        _ => None,
    };
    let found = with_report_and_attribute(
        state.store.as_ref(),
        &org,
        spec,
        attribute.as_deref(),
        move |report, column| report.drill(&drill, column),
    )
    .await;
    let idxs = match found {
        Ok(idxs) => idxs,
        Err(attune_app::AppError::Invalid(invalid)) => {
            page.problem = Some(problems(&invalid));
            return render(&page);
        }
        Err(e) => return crate::ApiError::from(e).into_response(),
    };
    page.count = idxs.len();
    match listed(&state, &org, idxs, MEMBERS_SHOWN).await {
        Ok(accounts) => page.accounts = accounts,
        Err(e) => return e.into_response(),
    }
    render(&page)
}

/// The first `shown` of these accounts, by name, as the pages list them.
pub(super) async fn listed(
    state: &AppState,
    org: &str,
    idxs: Vec<u32>,
    shown: usize,
) -> Result<Vec<Lost>, crate::ApiError> {
    let shown: Vec<u32> = idxs.into_iter().take(shown).collect();
    Ok(state
        .store
        .retention_accounts(org, &shown)
        .await?
        .into_iter()
        .map(|a| Lost {
            link: format!("/accounts/{}", a.id),
            name: a.name,
            external_id: a.external_id.unwrap_or_default(),
        })
        .collect())
}
