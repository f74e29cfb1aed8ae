//! One timeline per account and per person, merged from the tables that hold each kind of
//! entry. Every source is read through an index in timeline order (time descending, then id),
//! from the page's cursor on, at most a page's worth: a page costs a few index range reads
//! however long the customer's history is. Subscriptions and memberships (a handful per
//! account) are read whole and filtered here.

use std::collections::HashMap;

use attune_domain::customer::InteractionKind;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::{Binds, SqlStore};
use crate::error::{Context, StoreResult};
use crate::model::{
    TimelineCursor, TimelineDetail, TimelineEntry, TimelineKind, TimelineQuery, TimelineScore,
};

const DAY_MS: i64 = 86_400_000;
/// Characters of a comment or summary shown on the timeline.
const EXCERPT: usize = 280;

fn excerpt(s: String) -> String {
    match s.char_indices().nth(EXCERPT) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

/// The condition that keeps rows of `kind` after the cursor (`at` and `id` name columns).
fn after(
    b: &mut Binds,
    kind: TimelineKind,
    c: Option<&TimelineCursor>,
    at: &str,
    id: &str,
) -> String {
    let Some(c) = c else {
        return "1 = 1".into();
    };
    let t = b.int(c.at);
    match kind.cmp(&c.kind) {
        std::cmp::Ordering::Greater => format!("{at} <= {t}"),
        std::cmp::Ordering::Less => format!("{at} < {t}"),
        std::cmp::Ordering::Equal => {
            let i = b.text(c.id.clone());
            format!("({at} < {t} OR ({at} = {t} AND {id} < {i}))")
        }
    }
}

/// Who the timeline is of: the column to match and its value.
struct Subject<'a> {
    account: Option<&'a str>,
    person: Option<&'a str>,
}

impl Subject<'_> {
    /// `table.account_column = …` or `table.person_column = …`.
    fn filter(&self, b: &mut Binds, account_col: &str, person_col: &str) -> String {
        match (self.account, self.person) {
            (Some(a), _) => format!("{account_col} = {}", b.text(a)),
            (None, Some(p)) => format!("{person_col} = {}", b.text(p)),
            (None, None) => "1 = 0".into(),
        }
    }
}

async fn responses(
    conn: &mut AnyConnection,
    org: &str,
    s: &Subject<'_>,
    q: &TimelineQuery,
) -> StoreResult<Vec<TimelineEntry>> {
    let mut b = Binds::default();
    let o = b.text(org);
    let who = s.filter(&mut b, "r.account_id", "r.contact_id");
    let cond = after(
        &mut b,
        TimelineKind::Response,
        q.after.as_ref(),
        "r.submitted_at",
        "r.id",
    );
    let limit = b.int(i64::from(q.limit));
    let sql = format!(
        "SELECT r.id, r.survey_id, r.channel, r.comment, r.submitted_at, r.account_id, r.contact_id \
         FROM responses r WHERE r.org_id = {o} AND {who} AND {cond} AND {} \
         ORDER BY r.submitted_at DESC, r.id DESC LIMIT {limit}",
        super::responses::VISIBLE
    );
    let rows = sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
        .fetch_all(&mut *conn)
        .await
        .context("reading the timeline's responses")?;
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<_, _>>()
        .context("reading a response id")?;
    let scores = first_scores(conn, org, &ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id: String = row.try_get(0).context("reading a response")?;
        let comment: Option<String> = row.try_get(3).context("reading a response")?;
        out.push(TimelineEntry {
            at: row.try_get(4).context("reading a response")?,
            kind: TimelineKind::Response,
            account_id: row.try_get(5).context("reading a response")?,
            person_id: row.try_get(6).context("reading a response")?,
            detail: TimelineDetail::Response {
                survey_id: row.try_get(1).context("reading a response")?,
                channel: row.try_get(2).context("reading a response")?,
                score: scores.get(&id).cloned(),
                comment: comment.map(excerpt),
            },
            id,
        });
    }
    Ok(out)
}

/// The first score of each response, NPS before CSAT before CES before rating.
async fn first_scores(
    conn: &mut AnyConnection,
    org: &str,
    ids: &[String],
) -> StoreResult<HashMap<String, TimelineScore>> {
    let mut out: HashMap<String, TimelineScore> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut b = Binds::default();
    let o = b.text(org);
    let list: Vec<String> = ids.iter().map(|i| b.text(i.clone())).collect();
    let sql = format!(
        "SELECT response_id, qtype, score FROM response_scores \
         WHERE org_id = {o} AND response_id IN ({}) ORDER BY response_id, question_key",
        list.join(", ")
    );
    let rank = |t: &str| {
        ["nps", "csat", "ces", "rating"]
            .iter()
            .position(|x| *x == t)
    };
    for row in sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
        .fetch_all(&mut *conn)
        .await
        .context("reading scores")?
    {
        let id: String = row.try_get(0).context("reading a score")?;
        let qtype: String = row.try_get(1).context("reading a score")?;
        let score: i64 = row.try_get(2).context("reading a score")?;
        let better = out
            .get(&id)
            .is_none_or(|s| rank(&qtype) < rank(&s.question_type));
        if better && rank(&qtype).is_some() {
            out.insert(
                id,
                TimelineScore {
                    question_type: qtype,
                    score,
                },
            );
        }
    }
    Ok(out)
}

async fn cases(
    conn: &mut AnyConnection,
    org: &str,
    s: &Subject<'_>,
    q: &TimelineQuery,
    kind: TimelineKind,
) -> StoreResult<Vec<TimelineEntry>> {
    let at = match kind {
        TimelineKind::CaseResolved => "c.resolved_at",
        _ => "c.opened_at",
    };
    let mut b = Binds::default();
    let o = b.text(org);
    let who = s.filter(&mut b, "c.account_id", "c.contact_id");
    let cond = after(&mut b, kind, q.after.as_ref(), at, "c.id");
    let limit = b.int(i64::from(q.limit));
    let sql = format!(
        "SELECT c.id, {at}, c.title, c.state, c.priority, c.owner_user_id, c.account_id, c.contact_id \
         FROM cases c WHERE c.org_id = {o} AND {who} AND {at} IS NOT NULL AND {cond} \
         ORDER BY {at} DESC, c.id DESC LIMIT {limit}"
    );
    let rows = sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
        .fetch_all(&mut *conn)
        .await
        .context("reading the timeline's cases")?;
    rows.iter()
        .map(|row| {
            Ok(TimelineEntry {
                id: row.try_get(0).context("reading a case")?,
                at: row.try_get(1).context("reading a case")?,
                kind,
                account_id: row.try_get(6).context("reading a case")?,
                person_id: row.try_get(7).context("reading a case")?,
                detail: TimelineDetail::Case {
                    title: row.try_get(2).context("reading a case")?,
                    state: row.try_get(3).context("reading a case")?,
                    priority: row.try_get(4).context("reading a case")?,
                    owner_user_id: row.try_get(5).context("reading a case")?,
                },
            })
        })
        .collect()
}

async fn interactions(
    conn: &mut AnyConnection,
    org: &str,
    s: &Subject<'_>,
    q: &TimelineQuery,
) -> StoreResult<Vec<TimelineEntry>> {
    let mut b = Binds::default();
    let o = b.text(org);
    let who = match (s.account, s.person) {
        (Some(a), _) => format!("i.account_id = {}", b.text(a)),
        (None, Some(p)) => format!(
            "i.id IN (SELECT interaction_id FROM interaction_people WHERE org_id = {o} AND person_id = {})",
            b.text(p)
        ),
        (None, None) => "1 = 0".into(),
    };
    let cond = after(
        &mut b,
        TimelineKind::Interaction,
        q.after.as_ref(),
        "i.occurred_at",
        "i.id",
    );
    let limit = b.int(i64::from(q.limit));
    let sql = format!(
        "SELECT i.id, i.occurred_at, i.kind, i.summary, i.internal, i.created_by, i.account_id \
         FROM interactions i WHERE i.org_id = {o} AND {who} AND {cond} \
         ORDER BY i.occurred_at DESC, i.id DESC LIMIT {limit}"
    );
    let rows = sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
        .fetch_all(&mut *conn)
        .await
        .context("reading the timeline's interactions")?;
    rows.iter()
        .map(|row| {
            let kind: String = row.try_get(2).context("reading an interaction")?;
            let internal: i64 = row.try_get(4).context("reading an interaction")?;
            let summary: String = row.try_get(3).context("reading an interaction")?;
            Ok(TimelineEntry {
                id: row.try_get(0).context("reading an interaction")?,
                at: row.try_get(1).context("reading an interaction")?,
                kind: TimelineKind::Interaction,
                account_id: row.try_get(6).context("reading an interaction")?,
                person_id: s.person.map(str::to_owned),
                detail: TimelineDetail::Interaction {
                    kind: InteractionKind::parse(&kind).unwrap_or(InteractionKind::Note),
                    summary: excerpt(summary),
                    internal: internal != 0,
                    created_by: row.try_get(5).context("reading an interaction")?,
                },
            })
        })
        .collect()
}

/// Subscription starts and ends of the account (read whole: a handful per account).
async fn subscriptions(
    conn: &mut AnyConnection,
    org: &str,
    account: &str,
) -> StoreResult<Vec<TimelineEntry>> {
    let rows = sqlx::query(
        "SELECT s.product, s.start_day, s.seq, s.end_day, s.mrr_cents, s.cancellation_reason \
         FROM retention_accounts r JOIN subscriptions s ON s.org_id = r.org_id AND s.account_idx = r.idx \
         WHERE r.org_id = $1 AND r.account_id = $2",
    )
    .bind(org)
    .bind(account)
    .fetch_all(&mut *conn)
    .await
    .context("reading the timeline's subscriptions")?;
    let mut out = Vec::new();
    for row in rows {
        let product: String = row.try_get(0).context("reading a subscription")?;
        let start: i64 = row.try_get(1).context("reading a subscription")?;
        let seq: i64 = row.try_get(2).context("reading a subscription")?;
        let end: Option<i64> = row.try_get(3).context("reading a subscription")?;
        let detail = TimelineDetail::Subscription {
            product: product.clone(),
            mrr_cents: row.try_get(4).context("reading a subscription")?,
            cancellation_reason: row.try_get(5).context("reading a subscription")?,
        };
        let id = format!("{product}/{start}/{seq}");
        let entry = |at: i64, kind| TimelineEntry {
            at: at * DAY_MS,
            kind,
            id: id.clone(),
            account_id: Some(account.to_owned()),
            person_id: None,
            detail: detail.clone(),
        };
        out.push(entry(start, TimelineKind::SubscriptionStarted));
        if let Some(end) = end {
            out.push(entry(end, TimelineKind::SubscriptionEnded));
        }
    }
    Ok(out)
}

/// Membership starts and ends, of the account's people or of the person's accounts.
async fn memberships(
    conn: &mut AnyConnection,
    org: &str,
    s: &Subject<'_>,
) -> StoreResult<Vec<TimelineEntry>> {
    let mut b = Binds::default();
    let o = b.text(org);
    let who = s.filter(&mut b, "account_id", "person_id");
    let sql = format!(
        "SELECT person_id, account_id, title, from_day, to_day FROM memberships \
         WHERE org_id = {o} AND {who}"
    );
    let rows = sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
        .fetch_all(&mut *conn)
        .await
        .context("reading the timeline's memberships")?;
    let mut out = Vec::new();
    for row in rows {
        let person: String = row.try_get(0).context("reading a membership")?;
        let account: String = row.try_get(1).context("reading a membership")?;
        let title: Option<String> = row.try_get(2).context("reading a membership")?;
        let from: Option<i64> = row.try_get(3).context("reading a membership")?;
        let to: Option<i64> = row.try_get(4).context("reading a membership")?;
        for (day, kind) in [
            (from, TimelineKind::MembershipStarted),
            (to, TimelineKind::MembershipEnded),
        ] {
            if let Some(day) = day {
                out.push(TimelineEntry {
                    at: day * DAY_MS,
                    kind,
                    id: format!("{person}/{account}"),
                    account_id: Some(account.clone()),
                    person_id: Some(person.clone()),
                    detail: TimelineDetail::Membership {
                        title: title.clone(),
                    },
                });
            }
        }
    }
    Ok(out)
}

/// Owner changes of the account (read whole: a handful per account).
async fn account_events(
    conn: &mut AnyConnection,
    org: &str,
    account: &str,
) -> StoreResult<Vec<TimelineEntry>> {
    let rows = sqlx::query(
        "SELECT id, at, actor_user_id, data FROM account_events \
         WHERE org_id = $1 AND account_id = $2 AND kind = 'owner_changed'",
    )
    .bind(org)
    .bind(account)
    .fetch_all(&mut *conn)
    .await
    .context("reading the timeline's account events")?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let data: String = row.try_get(3).context("reading an account event")?;
        let data: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
        let user = |k: &str| data.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        out.push(TimelineEntry {
            id: row.try_get(0).context("reading an account event")?,
            at: row.try_get(1).context("reading an account event")?,
            kind: TimelineKind::OwnerChanged,
            account_id: Some(account.to_owned()),
            person_id: None,
            detail: TimelineDetail::Owner {
                from: user("from"),
                to: user("to"),
                by: row.try_get(2).context("reading an account event")?,
            },
        });
    }
    Ok(out)
}

/// Merges the account or person took part in, and their undoing (read whole: a handful).
async fn merges(
    conn: &mut AnyConnection,
    org: &str,
    s: &Subject<'_>,
) -> StoreResult<Vec<TimelineEntry>> {
    let (kind, id) = match (s.account, s.person) {
        (Some(a), _) => ("account", a),
        (None, Some(p)) => ("person", p),
        (None, None) => return Ok(Vec::new()),
    };
    let rows = sqlx::query(
        "SELECT id, survivor_id, merged_id, at, actor_user_id, undone_at, undone_by FROM merges \
         WHERE org_id = $1 AND kind = $2 AND (survivor_id = $3 OR merged_id = $3)",
    )
    .bind(org)
    .bind(kind)
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .context("reading the timeline's merges")?;
    let mut out = Vec::new();
    for row in rows {
        let merge_id: String = row.try_get(0).context("reading a merge")?;
        let survivor_id: String = row.try_get(1).context("reading a merge")?;
        let merged_id: String = row.try_get(2).context("reading a merge")?;
        let mut events = vec![(
            TimelineKind::Merged,
            row.try_get::<i64, _>(3).context("reading a merge")?,
            row.try_get::<Option<String>, _>(4)
                .context("reading a merge")?,
        )];
        if let Some(at) = row
            .try_get::<Option<i64>, _>(5)
            .context("reading a merge")?
        {
            events.push((
                TimelineKind::MergeUndone,
                at,
                row.try_get(6).context("reading a merge")?,
            ));
        }
        for (kind, at, by) in events {
            out.push(TimelineEntry {
                id: merge_id.clone(),
                at,
                kind,
                account_id: s.account.map(str::to_owned),
                person_id: s.person.map(str::to_owned),
                detail: TimelineDetail::Merge {
                    survivor_id: survivor_id.clone(),
                    merged_id: merged_id.clone(),
                    by,
                },
            });
        }
    }
    Ok(out)
}

impl SqlStore {
    /// A page of the account's or the person's timeline, newest first.
    pub(crate) async fn timeline_impl(
        &self,
        org_id: &str,
        q: &TimelineQuery,
    ) -> StoreResult<Vec<TimelineEntry>> {
        let s = Subject {
            account: q.account_id.as_deref(),
            person: q.person_id.as_deref(),
        };
        let wanted = |k: TimelineKind| q.kinds.is_empty() || q.kinds.contains(&k);
        let mut conn = self.pool.acquire().await.context("reading a timeline")?;
        let mut all = Vec::new();
        if wanted(TimelineKind::Response) {
            all.extend(responses(&mut conn, org_id, &s, q).await?);
        }
        for kind in [TimelineKind::CaseOpened, TimelineKind::CaseResolved] {
            if wanted(kind) {
                all.extend(cases(&mut conn, org_id, &s, q, kind).await?);
            }
        }
        if wanted(TimelineKind::Interaction) {
            all.extend(interactions(&mut conn, org_id, &s, q).await?);
        }
        if let Some(account) = s.account
            && (wanted(TimelineKind::SubscriptionStarted)
                || wanted(TimelineKind::SubscriptionEnded))
        {
            all.extend(subscriptions(&mut conn, org_id, account).await?);
        }
        if let Some(account) = s.account
            && wanted(TimelineKind::OwnerChanged)
        {
            all.extend(account_events(&mut conn, org_id, account).await?);
        }
        if wanted(TimelineKind::Merged) || wanted(TimelineKind::MergeUndone) {
            all.extend(merges(&mut conn, org_id, &s).await?);
        }
        if wanted(TimelineKind::MembershipStarted) || wanted(TimelineKind::MembershipEnded) {
            all.extend(memberships(&mut conn, org_id, &s).await?);
        }
        all.retain(|e| wanted(e.kind) && q.after.as_ref().is_none_or(|c| e.is_after(c)));
        all.sort_by(|a, b| {
            (std::cmp::Reverse(a.at), a.kind, std::cmp::Reverse(&a.id)).cmp(&(
                std::cmp::Reverse(b.at),
                b.kind,
                std::cmp::Reverse(&b.id),
            ))
        });
        all.truncate(q.limit as usize);
        Ok(all)
    }
}
