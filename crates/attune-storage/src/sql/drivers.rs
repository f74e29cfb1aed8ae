//! Key drivers' counts, kept with the responses (migration 0018): for each NPS and CSAT
//! question, per day and per month, the comments of the focus and the background group and the
//! comments of each holding every term ([`Counted`]).
//!
//! - Writers append deltas ([`DriverTally::flush`]): the live writer one per (survey, question,
//!   day) of a group, an import one per day of each chunk, tagged with the import.
//! - [`fold`] adds deltas into the day and month blobs: the writer every so many answers (the
//!   live deltas), an import in its last transaction (its own), so an unfinished import's counts
//!   are never read.
//! - A report ([`SqlStore::driver_counts_impl`]) adds, in one read transaction, the month blobs
//!   of the whole months of its period, the day blobs of the other whole days, the live deltas
//!   not yet folded, and the comments of a partial first or last day read one by one.

use std::collections::BTreeMap;

use attune_domain::period::{DAY_MS, Interval, day_of_ms};
use attune_domain::response::{Answer, NewResponse};
use attune_text::Counted;
use sqlx::{AnyConnection, AnyPool, Row};

use super::metrics::{Grain, plan};
use super::responses::VISIBLE;
use super::text::Indexed;
use super::{Dialect, SqlStore};
use crate::error::{Context, StoreError, StoreResult, anyhow_like};
use crate::model::{DriverCountsQuery, Survey};

/// (organisation, survey, question, day).
type Key = (String, String, String, i64);

/// Counts to append, per (organisation, survey, question, day).
#[derive(Debug, Default)]
pub(crate) struct DriverTally(BTreeMap<Key, Counted>);

impl DriverTally {
    /// Counts a response's comment (`terms`: its distinct terms, see [`Indexed`]) under each
    /// NPS and CSAT question it scored in a compared group. Without a comment it counts
    /// nowhere.
    pub(crate) fn add(&mut self, org_id: &str, survey: &Survey, r: &NewResponse, ix: &Indexed) {
        if ix.terms.is_none() {
            return;
        }
        for q in &survey.definition.questions {
            let (Some((low, high)), Some(Answer::Score(score))) =
                (q.driver_groups(), r.answers.get(&q.key))
            else {
                continue;
            };
            let focus = match *score {
                s if s <= low => true,
                s if s >= high => false,
                _ => continue,
            };
            self.0
                .entry((
                    org_id.to_owned(),
                    survey.id.clone(),
                    q.key.clone(),
                    day_of_ms(r.submitted_at_ms),
                ))
                .or_default()
                .add_distinct(&ix.driver_terms, focus);
        }
    }

    /// Appends the counts as deltas (an import's tagged with its id), in key order.
    pub(crate) async fn flush(
        self,
        conn: &mut AnyConnection,
        import_id: Option<&str>,
    ) -> StoreResult<()> {
        for ((org_id, survey_id, question_key, day), counted) in self.0 {
            sqlx::query(
                "INSERT INTO driver_deltas (org_id, survey_id, question_key, day, import_id, \
                 counts) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(org_id)
            .bind(survey_id)
            .bind(question_key)
            .bind(day)
            .bind(import_id)
            .bind(counted.encode())
            .execute(&mut *conn)
            .await
            .context("recording the drivers' counts")?;
        }
        Ok(())
    }
}

/// A stored term list as the analysis reads it.
pub(crate) fn split_terms(terms: &str) -> Vec<String> {
    terms
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Which deltas [`fold`] adds into the blobs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fold<'a> {
    /// The oldest live deltas, at most this many.
    Live(i64),
    /// Every delta of this import.
    Import(&'a str),
}

/// Adds deltas into the day and month blobs and deletes them; returns how many. Blobs are
/// locked and written in key order (day, then its month), so instances folding at once cannot
/// deadlock; on PostgreSQL live deltas another instance is folding are skipped.
pub(crate) async fn fold(
    conn: &mut AnyConnection,
    dialect: Dialect,
    which: Fold<'_>,
) -> StoreResult<u64> {
    let (cond, lock) = match which {
        Fold::Live(_) => (
            "import_id IS NULL AND seq <= $1",
            if dialect == Dialect::Postgres {
                " FOR UPDATE SKIP LOCKED"
            } else {
                ""
            },
        ),
        Fold::Import(_) => ("import_id = $1", ""),
    };
    let bind = |q: AnyQuery, cutoff: i64| match which {
        Fold::Live(_) => q.bind(cutoff),
        Fold::Import(id) => q.bind(id.to_owned()),
    };
    let cutoff = match which {
        Fold::Live(limit) => {
            let row = sqlx::query(
                "SELECT max(seq) AS cutoff FROM (SELECT seq FROM driver_deltas \
                 WHERE import_id IS NULL ORDER BY seq LIMIT $1) s",
            )
            .bind(limit.max(1))
            .fetch_one(&mut *conn)
            .await
            .context("looking for drivers' counts to fold")?;
            match row
                .try_get::<Option<i64>, _>("cutoff")
                .context("reading drivers' counts")?
            {
                Some(c) => c,
                None => return Ok(0),
            }
        }
        Fold::Import(_) => 0,
    };
    let keys = bind(
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT org_id, survey_id, question_key, day FROM driver_deltas \
             WHERE {cond} ORDER BY org_id, survey_id, question_key, day"
        ))),
        cutoff,
    )
    .fetch_all(&mut *conn)
    .await
    .context("looking for drivers' counts to fold")?;
    let mut folded = 0;
    let mut month: Option<(Key, Counted)> = None;
    for row in keys {
        let key: Key = (
            row.try_get("org_id").context("reading drivers' counts")?,
            row.try_get("survey_id")
                .context("reading drivers' counts")?,
            row.try_get("question_key")
                .context("reading drivers' counts")?,
            row.try_get("day").context("reading drivers' counts")?,
        );
        let (sum, n) = take_deltas(conn, &key, cond, lock, |q| bind(q, cutoff)).await?;
        folded += n;
        if n == 0 {
            continue;
        }
        let month_key = (
            key.0.clone(),
            key.1.clone(),
            key.2.clone(),
            Interval::Month.bucket_start(key.3),
        );
        if let Some((k, m)) = month.take_if(|(k, _)| *k != month_key) {
            add_to_blob(conn, dialect, &k, Grain::Month, &m).await?;
        }
        add_to_blob(conn, dialect, &key, Grain::Day, &sum).await?;
        month
            .get_or_insert_with(|| (month_key, Counted::default()))
            .1
            .add(&sum);
    }
    if let Some((k, m)) = month {
        add_to_blob(conn, dialect, &k, Grain::Month, &m).await?;
    }
    Ok(folded)
}

type AnyQuery = sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>;

/// Reads and deletes the deltas of one (organisation, survey, question, day) that `cond` picks;
/// returns their sum and how many they were.
async fn take_deltas(
    conn: &mut AnyConnection,
    (org_id, survey_id, question_key, day): &Key,
    cond: &str,
    lock: &str,
    bind: impl Fn(AnyQuery) -> AnyQuery,
) -> StoreResult<(Counted, u64)> {
    let sql = format!(
        "SELECT seq, counts FROM driver_deltas WHERE {cond} AND org_id = $2 AND survey_id = $3 \
         AND question_key = $4 AND day = $5 ORDER BY seq{lock}"
    );
    let rows = bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .bind(org_id.clone())
        .bind(survey_id.clone())
        .bind(question_key.clone())
        .bind(*day)
        .fetch_all(&mut *conn)
        .await
        .context("reading drivers' counts to fold")?;
    let mut sum = Counted::default();
    let mut seqs = Vec::with_capacity(rows.len());
    for row in &rows {
        let bytes: Vec<u8> = row.try_get("counts").context("reading drivers' counts")?;
        sum.add_encoded(&bytes).map_err(damaged)?;
        seqs.push(
            row.try_get::<i64, _>("seq")
                .context("reading drivers' counts")?,
        );
    }
    for part in seqs.chunks(500) {
        let marks: Vec<String> = (1..=part.len()).map(|i| format!("${i}")).collect();
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM driver_deltas WHERE seq IN ({})",
            marks.join(", ")
        )));
        for seq in part {
            q = q.bind(*seq);
        }
        q.execute(&mut *conn)
            .await
            .context("folding drivers' counts")?;
    }
    Ok((sum, rows.len() as u64))
}

fn damaged(e: attune_text::keywords::Damaged) -> StoreError {
    StoreError::Other(anyhow_like::Error {
        context: "reading drivers' counts".into(),
        source: e.to_string().into(),
    })
}

/// Adds `counts` into one blob (created when missing), holding its row lock meanwhile.
async fn add_to_blob(
    conn: &mut AnyConnection,
    dialect: Dialect,
    (org_id, survey_id, question_key, at): &Key,
    grain: Grain,
    counts: &Counted,
) -> StoreResult<()> {
    let grain = grain_name(grain);
    sqlx::query(
        "INSERT INTO driver_counts (org_id, survey_id, question_key, grain, at, counts) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(org_id)
    .bind(survey_id)
    .bind(question_key)
    .bind(grain)
    .bind(*at)
    .bind(Counted::default().encode())
    .execute(&mut *conn)
    .await
    .context("keeping drivers' counts")?;
    // SQLite holds the write lock already; PostgreSQL locks the row.
    let lock = if dialect == Dialect::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let bytes: Vec<u8> = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT counts FROM driver_counts WHERE org_id = $1 AND survey_id = $2 \
         AND question_key = $3 AND grain = $4 AND at = $5{lock}"
    )))
    .bind(org_id)
    .bind(survey_id)
    .bind(question_key)
    .bind(grain)
    .bind(*at)
    .fetch_one(&mut *conn)
    .await
    .context("reading drivers' counts")?
    .try_get("counts")
    .context("reading drivers' counts")?;
    let mut sum = Counted::decode(&bytes).map_err(damaged)?;
    sum.add(counts);
    sqlx::query(
        "UPDATE driver_counts SET counts = $1 WHERE org_id = $2 AND survey_id = $3 \
         AND question_key = $4 AND grain = $5 AND at = $6",
    )
    .bind(sum.encode())
    .bind(org_id)
    .bind(survey_id)
    .bind(question_key)
    .bind(grain)
    .bind(*at)
    .execute(&mut *conn)
    .await
    .context("keeping drivers' counts")?;
    Ok(())
}

fn grain_name(g: Grain) -> &'static str {
    match g {
        Grain::Day => "day",
        Grain::Month => "month",
    }
}

/// The score of `question_key` that comes with a response `r` (one per question).
const SCORE_OF: &str = "(SELECT MIN(rs.score) FROM response_scores rs \
     WHERE rs.response_id = r.id AND rs.question_key = $3)";

/// Adds the comments of `[from_ms, to_ms)` one by one.
async fn add_comments(
    conn: &mut AnyConnection,
    counted: &mut Counted,
    org_id: &str,
    q: &DriverCountsQuery,
    (from_ms, to_ms): (i64, i64),
) -> StoreResult<()> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT r.terms, {SCORE_OF} AS score FROM responses r WHERE r.org_id = $1 \
         AND r.survey_id = $2 AND r.terms IS NOT NULL AND {VISIBLE} \
         AND r.submitted_at >= $4 AND r.submitted_at < $5"
    )))
    .bind(org_id)
    .bind(&q.survey_id)
    .bind(&q.question_key)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(&mut *conn)
    .await
    .context("reading comments for drivers")?;
    for row in rows {
        let terms: String = row.try_get("terms").context("reading comment terms")?;
        let score: Option<i64> = row.try_get("score").context("reading comment score")?;
        match score {
            Some(s) if s <= q.groups.0 => counted.add_doc(&split_terms(&terms), true),
            Some(s) if s >= q.groups.1 => counted.add_doc(&split_terms(&terms), false),
            _ => {}
        }
    }
    Ok(())
}

/// Adds the blobs of one grain with `at` in `[from, to)` (days; `None` unbounded).
async fn add_blobs(
    conn: &mut AnyConnection,
    counted: &mut Counted,
    org_id: &str,
    q: &DriverCountsQuery,
    (grain, from, to): (Grain, Option<i64>, Option<i64>),
) -> StoreResult<()> {
    let rows = sqlx::query(
        "SELECT counts FROM driver_counts WHERE org_id = $1 AND survey_id = $2 \
         AND question_key = $3 AND grain = $4 AND ($5 IS NULL OR at >= $5) \
         AND ($6 IS NULL OR at < $6)",
    )
    .bind(org_id)
    .bind(&q.survey_id)
    .bind(&q.question_key)
    .bind(grain_name(grain))
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await
    .context("reading drivers' counts")?;
    for row in rows {
        let bytes: Vec<u8> = row.try_get("counts").context("reading drivers' counts")?;
        counted.add_encoded(&bytes).map_err(damaged)?;
    }
    Ok(())
}

impl SqlStore {
    /// The counts of a question's comments over a period, or `None` while the organisation's
    /// counts are not built.
    pub(super) async fn driver_counts_impl(
        &self,
        org_id: &str,
        q: &DriverCountsQuery,
    ) -> StoreResult<Option<Counted>> {
        let mut tx = self.begin_read().await?;
        if !is_built(&mut tx, org_id).await? {
            return Ok(None);
        }
        let mut counted = Counted::default();
        // The whole days inside the period: from the first day starting at or after `from` to
        // the day holding `to`.
        let first = q.from_ms.map(|f| day_of_ms(f.saturating_add(DAY_MS - 1)));
        let end = q.to_ms.map(day_of_ms);
        if let (Some(f), Some(t), Some(a), Some(b)) = (q.from_ms, q.to_ms, first, end)
            && a >= b
        {
            if f < t {
                add_comments(&mut tx, &mut counted, org_id, q, (f, t)).await?;
            }
            return Ok(Some(counted));
        }
        if let (Some(f), Some(a)) = (q.from_ms, first)
            && f < a * DAY_MS
        {
            add_comments(&mut tx, &mut counted, org_id, q, (f, a * DAY_MS)).await?;
        }
        if let (Some(t), Some(b)) = (q.to_ms, end)
            && t > b * DAY_MS
        {
            add_comments(&mut tx, &mut counted, org_id, q, (b * DAY_MS, t)).await?;
        }
        for part in plan(first, end) {
            add_blobs(&mut tx, &mut counted, org_id, q, part).await?;
        }
        let deltas = sqlx::query(
            "SELECT counts FROM driver_deltas WHERE org_id = $1 AND survey_id = $2 \
             AND question_key = $3 AND import_id IS NULL AND ($4 IS NULL OR day >= $4) \
             AND ($5 IS NULL OR day < $5)",
        )
        .bind(org_id)
        .bind(&q.survey_id)
        .bind(&q.question_key)
        .bind(first)
        .bind(end)
        .fetch_all(&mut *tx)
        .await
        .context("reading drivers' counts")?;
        for row in deltas {
            let bytes: Vec<u8> = row.try_get("counts").context("reading drivers' counts")?;
            counted.add_encoded(&bytes).map_err(damaged)?;
        }
        Ok(Some(counted))
    }

    /// Folds every live delta; returns how many. The writer does this on its own every so
    /// many answers.
    pub async fn fold_driver_counts(&self) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let n = fold(&mut tx, self.dialect, Fold::Live(i64::MAX)).await?;
        tx.commit().await.context("folding drivers' counts")?;
        Ok(n)
    }
}

async fn is_built(conn: &mut AnyConnection, org_id: &str) -> StoreResult<bool> {
    Ok(
        sqlx::query("SELECT org_id FROM driver_counts_built WHERE org_id = $1")
            .bind(org_id)
            .fetch_optional(&mut *conn)
            .await
            .context("reading the drivers' counts")?
            .is_some(),
    )
}

/// Marks an organisation's counts complete (a new organisation has nothing to count).
pub(crate) async fn mark_built(conn: &mut AnyConnection, org_id: &str) -> StoreResult<()> {
    sqlx::query("INSERT INTO driver_counts_built (org_id) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(org_id)
        .execute(&mut *conn)
        .await
        .context("marking the drivers' counts built")?;
    Ok(())
}

/// Comments a build reads at a time.
const BUILD_PAGE: i64 = 10_000;

/// Counts every visible comment of the organisation again, replacing its blobs and live
/// deltas (an unfinished import's stay: its rows are not visible yet, its deltas fold when it
/// is done), and marks the counts built. In the caller's transaction.
pub(crate) async fn build(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
) -> StoreResult<()> {
    for sql in [
        "DELETE FROM driver_counts WHERE org_id = $1",
        "DELETE FROM driver_deltas WHERE org_id = $1 AND import_id IS NULL",
    ] {
        sqlx::query(sql)
            .bind(org_id)
            .execute(&mut *conn)
            .await
            .context("rebuilding the drivers' counts")?;
    }
    for survey in super::surveys::surveys_of(conn, org_id).await? {
        for question in &survey.definition.questions {
            let Some(groups) = question.driver_groups() else {
                continue;
            };
            let q = DriverCountsQuery {
                survey_id: survey.id.clone(),
                question_key: question.key.clone(),
                groups,
                from_ms: None,
                to_ms: None,
            };
            build_question(conn, dialect, org_id, &q).await?;
        }
    }
    mark_built(conn, org_id).await
}

/// Counts one question's comments day by day, oldest first, writing each day's blob and each
/// month's.
async fn build_question(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    q: &DriverCountsQuery,
) -> StoreResult<()> {
    let key = |at: i64| -> Key {
        (
            org_id.to_owned(),
            q.survey_id.clone(),
            q.question_key.clone(),
            at,
        )
    };
    let (mut after_ms, mut after_id) = (i64::MIN, String::new());
    let mut day: Option<(i64, Counted)> = None;
    let mut month: Option<(i64, Counted)> = None;
    loop {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT r.id, r.submitted_at, r.terms, {SCORE_OF} AS score FROM responses r \
             WHERE r.org_id = $1 AND r.survey_id = $2 AND r.terms IS NOT NULL AND {VISIBLE} \
             AND (r.submitted_at > $4 OR (r.submitted_at = $4 AND r.id > $5)) \
             ORDER BY r.submitted_at, r.id LIMIT $6"
        )))
        .bind(org_id)
        .bind(&q.survey_id)
        .bind(&q.question_key)
        .bind(after_ms)
        .bind(&after_id)
        .bind(BUILD_PAGE)
        .fetch_all(&mut *conn)
        .await
        .context("reading comments to count")?;
        let Some(last) = rows.last() else { break };
        after_ms = last.try_get("submitted_at").context("reading a comment")?;
        after_id = last.try_get("id").context("reading a comment")?;
        for row in &rows {
            let at: i64 = row.try_get("submitted_at").context("reading a comment")?;
            let terms: String = row.try_get("terms").context("reading comment terms")?;
            let score: Option<i64> = row.try_get("score").context("reading comment score")?;
            let focus = match score {
                Some(s) if s <= q.groups.0 => true,
                Some(s) if s >= q.groups.1 => false,
                _ => continue,
            };
            let d = day_of_ms(at);
            if let Some((k, c)) = day.take_if(|(k, _)| *k != d) {
                add_to_blob(conn, dialect, &key(k), Grain::Day, &c).await?;
                let m = Interval::Month.bucket_start(k);
                month
                    .get_or_insert_with(|| (m, Counted::default()))
                    .1
                    .add(&c);
            }
            let m = Interval::Month.bucket_start(d);
            if let Some((k, c)) = month.take_if(|(k, _)| *k != m) {
                add_to_blob(conn, dialect, &key(k), Grain::Month, &c).await?;
            }
            day.get_or_insert_with(|| (d, Counted::default()))
                .1
                .add_doc(&split_terms(&terms), focus);
        }
    }
    if let Some((k, c)) = day {
        add_to_blob(conn, dialect, &key(k), Grain::Day, &c).await?;
        let m = Interval::Month.bucket_start(k);
        month
            .get_or_insert_with(|| (m, Counted::default()))
            .1
            .add(&c);
    }
    if let Some((k, c)) = month {
        add_to_blob(conn, dialect, &key(k), Grain::Month, &c).await?;
    }
    Ok(())
}

/// Builds the counts of every organisation that lacks them, one transaction each; returns how
/// many were built. Runs right after migrating, before anything is served.
pub(crate) async fn build_missing(pool: &AnyPool, dialect: Dialect) -> StoreResult<u64> {
    let orgs = super::orgs_not_built(pool, "driver_counts_built").await?;
    for org in &orgs {
        let mut tx = super::lock_org(pool, dialect, org).await?;
        if !is_built(&mut tx, org).await? {
            build(&mut tx, dialect, org).await?;
        }
        tx.commit().await.context("building the drivers' counts")?;
    }
    Ok(orgs.len() as u64)
}
