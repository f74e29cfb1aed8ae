//! The baseline: what the account page reads, as plain joins over the raw tables — no kept
//! aggregates, no per-source page reads — on one connection. It returns the two parts whose
//! answers the fast path must match: the NPS histogram of the last 365 days (the fast path
//! reads the per-account aggregates) and the timeline's first page (the fast path reads each
//! source from its index, a page at most, and merges).

use sqlx::{AnyConnection, Row};

use super::seed::DAY_MS;

/// The first page of the timeline as one `UNION ALL` over every source, sorted in the
/// database: (time, kind's place in the timeline's order, id).
const TIMELINE: &str = "SELECT at, k, id FROM ( \
    SELECT r.submitted_at AS at, 0 AS k, r.id AS id FROM responses r \
      WHERE r.org_id = $1 AND r.account_id = $2 AND (r.import_id IS NULL OR EXISTS \
      (SELECT 1 FROM imports i WHERE i.id = r.import_id AND i.state = 'done')) \
    UNION ALL SELECT opened_at, 1, id FROM cases WHERE org_id = $1 AND account_id = $2 \
    UNION ALL SELECT resolved_at, 2, id FROM cases WHERE org_id = $1 AND account_id = $2 \
      AND resolved_at IS NOT NULL \
    UNION ALL SELECT occurred_at, 3, id FROM interactions WHERE org_id = $1 AND account_id = $2 \
    UNION ALL SELECT s.start_day * 86400000, 4, s.product || '/' || s.start_day || '/' || s.seq \
      FROM retention_accounts ra JOIN subscriptions s ON s.org_id = ra.org_id \
      AND s.account_idx = ra.idx WHERE ra.org_id = $1 AND ra.account_id = $2 \
    UNION ALL SELECT s.end_day * 86400000, 5, s.product || '/' || s.start_day || '/' || s.seq \
      FROM retention_accounts ra JOIN subscriptions s ON s.org_id = ra.org_id \
      AND s.account_idx = ra.idx WHERE ra.org_id = $1 AND ra.account_id = $2 \
      AND s.end_day IS NOT NULL \
    UNION ALL SELECT from_day * 86400000, 6, person_id || '/' || account_id FROM memberships \
      WHERE org_id = $1 AND account_id = $2 AND from_day IS NOT NULL \
    UNION ALL SELECT to_day * 86400000, 7, person_id || '/' || account_id FROM memberships \
      WHERE org_id = $1 AND account_id = $2 AND to_day IS NOT NULL \
    UNION ALL SELECT at, 8, id FROM account_events WHERE org_id = $1 AND account_id = $2 \
    UNION ALL SELECT at, 9, id FROM merges WHERE org_id = $1 AND kind = 'account' \
      AND (survivor_id = $2 OR merged_id = $2) \
    UNION ALL SELECT undone_at, 10, id FROM merges WHERE org_id = $1 AND kind = 'account' \
      AND (survivor_id = $2 OR merged_id = $2) AND undone_at IS NOT NULL \
  ) AS t ORDER BY at DESC, k ASC, id DESC LIMIT 50";

/// The page's other reads, each one plain query.
const PARTS: [&str; 7] = [
    "SELECT a.id, a.name, a.external_id, a.attributes, a.owner_user_id, p.name FROM accounts a \
     LEFT JOIN accounts p ON p.org_id = a.org_id AND p.id = a.parent_id \
     WHERE a.org_id = $1 AND a.id = $2",
    "SELECT p.id, p.name, p.email, p.language, p.preferences, m.title, m.roles, m.to_day \
     FROM memberships m JOIN people p ON p.org_id = m.org_id AND p.id = m.person_id \
     WHERE m.org_id = $1 AND m.account_id = $2 ORDER BY p.name",
    "SELECT u.email, t.role FROM account_team t JOIN users u ON u.id = t.user_id \
     WHERE t.org_id = $1 AND t.account_id = $2",
    "SELECT id, title, state, priority FROM cases WHERE org_id = $1 AND account_id = $2 \
     AND state NOT IN ('resolved', 'closed') ORDER BY opened_at DESC LIMIT 50",
    "SELECT s.product, s.start_day, s.end_day, s.mrr_cents, s.cancellation_reason \
     FROM retention_accounts ra JOIN subscriptions s ON s.org_id = ra.org_id \
     AND s.account_idx = ra.idx WHERE ra.org_id = $1 AND ra.account_id = $2",
    // Who answered and their latest score (the relationship map's sentiment).
    "SELECT r.contact_id, r.submitted_at, s.score FROM responses r \
     JOIN response_scores s ON s.response_id = r.id WHERE r.org_id = $1 AND r.account_id = $2 \
     AND r.contact_id IS NOT NULL AND s.qtype = 'nps'",
    // The window's calls with their people and staff (the relationship rule and map).
    "SELECT i.id, i.occurred_at, p.person_id, st.user_id FROM interactions i \
     JOIN interaction_people p ON p.org_id = i.org_id AND p.interaction_id = i.id \
     LEFT JOIN interaction_staff st ON st.org_id = i.org_id AND st.interaction_id = i.id \
     WHERE i.org_id = $1 AND i.account_id = $2 AND i.internal = 0",
];

/// The answers the fast path must match.
#[derive(Debug, PartialEq, Eq)]
pub struct PageAnswers {
    /// (score, answers) of the account's NPS question over the last 365 days.
    pub histogram: Vec<(i64, i64)>,
    /// (time, kind's place, id) of the timeline's first 50 entries.
    pub timeline: Vec<(i64, i64, String)>,
}

/// The NPS histogram straight from the answers.
async fn histogram(
    conn: &mut AnyConnection,
    org: &str,
    account: &str,
    from_day: i64,
) -> anyhow::Result<Vec<(i64, i64)>> {
    let rows = sqlx::query(
        "SELECT s.score, COUNT(*) FROM responses r JOIN response_scores s ON s.response_id = r.id \
         WHERE r.org_id = $1 AND r.account_id = $2 AND s.qtype = 'nps' \
         AND r.submitted_at >= $3 GROUP BY s.score ORDER BY s.score",
    )
    .bind(org)
    .bind(account)
    .bind(from_day * DAY_MS)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?)))
        .collect()
}

/// The first timeline page as one plain query.
pub async fn timeline(
    conn: &mut AnyConnection,
    org: &str,
    account: &str,
) -> anyhow::Result<Vec<(i64, i64, String)>> {
    let rows = sqlx::query(TIMELINE)
        .bind(org)
        .bind(account)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<i64, _>(0)?,
                r.try_get::<i64, _>(1)?,
                r.try_get::<String, _>(2)?,
            ))
        })
        .collect()
}

/// Every read of the page by plain joins; the answers to compare.
pub async fn page(
    conn: &mut AnyConnection,
    org: &str,
    account: &str,
    from_day: i64,
) -> anyhow::Result<PageAnswers> {
    for sql in PARTS {
        let rows = sqlx::query(sql)
            .bind(org)
            .bind(account)
            .fetch_all(&mut *conn)
            .await?;
        std::hint::black_box(rows.len());
    }
    Ok(PageAnswers {
        histogram: histogram(conn, org, account, from_day).await?,
        timeline: timeline(conn, org, account).await?,
    })
}
