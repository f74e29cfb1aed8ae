//! Pre-aggregated score counts: one row per (question, day, score) and per segment, updated in
//! the transaction that stores each response, so trend queries read O(days × scores) rows and
//! never scan responses.

use std::collections::{BTreeMap, HashMap};

use attune_domain::period::{Interval, day_of_ms};
use attune_domain::response::{Answer, NewResponse};
use sqlx::AssertSqlSafe;
use sqlx::{AnyConnection, Row};

use super::{Bind, Binds, Dialect, SqlStore, insert_rows};
use crate::error::{Context, StoreResult};
use crate::model::{ScoreCount, ScoreFilter, SegmentDim, Survey};
use crate::store::ScoreStore;
use async_trait::async_trait;

/// Counts to add, keyed by (question, qtype, day, score, segment dim, segment value); an empty
/// dim is the unsegmented total. Ordered, so that concurrent transactions (several instances on
/// one PostgreSQL) upsert the same rows in the same order and cannot deadlock on them.
#[derive(Debug, Default)]
pub(crate) struct Tally(BTreeMap<(String, &'static str, i64, i64, &'static str, String), i64>);

impl Tally {
    /// Counts the numeric answers of one response; `language` is its effective language tag
    /// (declared, or detected from its comment).
    pub(crate) fn add(
        &mut self,
        survey: &Survey,
        r: &NewResponse,
        account_id: Option<&str>,
        language: Option<&str>,
    ) {
        let day = day_of_ms(r.submitted_at_ms);
        let language = language
            .and_then(|l| l.split('-').next())
            .unwrap_or_default()
            .to_ascii_lowercase();
        for (key, answer) in &r.answers {
            let (Answer::Score(score), Some(q)) = (answer, survey.definition.question(key)) else {
                continue;
            };
            let qtype = q.qtype.as_str();
            for (dim, value) in [
                ("", String::new()),
                ("channel", r.channel.as_str().to_owned()),
                ("language", language.clone()),
                ("account", account_id.unwrap_or_default().to_owned()),
            ] {
                *self
                    .0
                    .entry((key.clone(), qtype, day, *score, dim, value))
                    .or_default() += 1;
            }
        }
    }

    /// Adds the counts to the daily and the monthly aggregate tables.
    pub(crate) async fn flush(
        self,
        conn: &mut AnyConnection,
        dialect: Dialect,
        org_id: &str,
        survey_id: &str,
    ) -> StoreResult<()> {
        let mut monthly: BTreeMap<(String, &'static str, i64, i64, &'static str, String), i64> =
            BTreeMap::new();
        for ((question, qtype, day, score, dim, value), n) in &self.0 {
            let month = Interval::Month.bucket_start(*day);
            *monthly
                .entry((question.clone(), *qtype, month, *score, *dim, value.clone()))
                .or_default() += n;
        }
        for (grain, counts) in [(Grain::Day, self.0), (Grain::Month, monthly)] {
            let mut totals = Vec::new();
            let mut segments = Vec::new();
            for ((question, qtype, at, score, dim, value), n) in counts {
                let mut row = vec![
                    Bind::Text(org_id.to_owned()),
                    Bind::Text(survey_id.to_owned()),
                    Bind::Text(question),
                    Bind::Text(qtype.to_owned()),
                ];
                if dim.is_empty() {
                    row.extend([Bind::Int(at), Bind::Int(score), Bind::Int(n)]);
                    totals.push(row);
                } else {
                    row.extend([
                        Bind::Text(dim.to_owned()),
                        Bind::Text(value),
                        Bind::Int(at),
                        Bind::Int(score),
                        Bind::Int(n),
                    ]);
                    segments.push(row);
                }
            }
            let (total, segment, col) = grain.tables();
            insert_rows(
                conn,
                dialect,
                &format!("INSERT INTO {total} (org_id, survey_id, question_key, qtype, {col}, score, n)"),
                &format!("ON CONFLICT (org_id, survey_id, question_key, {col}, score) DO UPDATE SET n = {total}.n + excluded.n"),
                totals,
            )
            .await?;
            insert_rows(
                conn,
                dialect,
                &format!("INSERT INTO {segment} (org_id, survey_id, question_key, qtype, dim, value, {col}, score, n)"),
                &format!("ON CONFLICT (org_id, survey_id, question_key, dim, value, {col}, score) DO UPDATE SET n = {segment}.n + excluded.n"),
                segments,
            )
            .await?;
        }
        Ok(())
    }
}

/// The granularity of an aggregate table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grain {
    Day,
    Month,
}

impl Grain {
    /// (totals table, segments table, time column).
    fn tables(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Day => ("score_daily", "score_segment_daily", "day"),
            Self::Month => ("score_monthly", "score_segment_monthly", "month"),
        }
    }
}

/// Splits `[from, to)` (days; `None` unbounded) into the whole months inside it, read from the
/// monthly tables, and the partial months at its edges, read from the daily tables.
pub(crate) fn plan(from: Option<i64>, to: Option<i64>) -> Vec<(Grain, Option<i64>, Option<i64>)> {
    let m = Interval::Month;
    let first_whole = from.map(|f| {
        if m.bucket_start(f) == f {
            f
        } else {
            m.next_start(f)
        }
    });
    let end_whole = to.map(|t| m.bucket_start(t));
    if let (Some(a), Some(b)) = (first_whole, end_whole)
        && a >= b
    {
        return vec![(Grain::Day, from, to)];
    }
    let mut parts = Vec::new();
    if from != first_whole {
        parts.push((Grain::Day, from, first_whole));
    }
    parts.push((Grain::Month, first_whole, end_whole));
    if to != end_whole {
        parts.push((Grain::Day, end_whole, to));
    }
    parts
}

impl SqlStore {
    async fn read_counts(
        &self,
        org_id: &str,
        f: &ScoreFilter,
        segment: Option<SegmentDim>,
        grain: Grain,
        from: Option<i64>,
        to: Option<i64>,
    ) -> StoreResult<Vec<ScoreCount>> {
        let (total, segments, col) = grain.tables();
        let mut b = Binds::default();
        let (table, value) = if segment.is_some() {
            (segments, "value")
        } else {
            (total, "NULL")
        };
        let mut sql = format!(
            "SELECT survey_id, question_key, {col} AS day, {value} AS segment, score, n FROM {table} \
             WHERE org_id = {} AND qtype = {}",
            b.text(org_id),
            b.text(f.qtype.as_str())
        );
        if let Some(dim) = segment {
            sql += &format!(" AND dim = {}", b.text(dim.as_str()));
        }
        if let Some(s) = &f.survey_id {
            sql += &format!(" AND survey_id = {}", b.text(s));
        }
        if let Some(q) = &f.question_key {
            sql += &format!(" AND question_key = {}", b.text(q));
        }
        if let Some(d) = from {
            sql += &format!(" AND {col} >= {}", b.int(d));
        }
        if let Some(d) = to {
            sql += &format!(" AND {col} < {}", b.int(d));
        }
        let rows = sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
            .fetch_all(&self.pool)
            .await
            .context("reading score counts")?;
        rows.iter()
            .map(|row| {
                Ok(ScoreCount {
                    survey_id: row.try_get("survey_id").context("reading counts")?,
                    question_key: row.try_get("question_key").context("reading counts")?,
                    day: row.try_get("day").context("reading counts")?,
                    segment: row.try_get("segment").context("reading counts")?,
                    score: row.try_get("score").context("reading counts")?,
                    n: row.try_get("n").context("reading counts")?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl ScoreStore for SqlStore {
    async fn account_histogram(
        &self,
        org_id: &str,
        account_id: &str,
        survey_id: &str,
        question_key: &str,
        from_day: i64,
    ) -> StoreResult<Vec<(i64, u64)>> {
        let rows = sqlx::query(
            "SELECT score, CAST(SUM(n) AS BIGINT) AS n FROM score_segment_daily WHERE org_id = $1 \
             AND survey_id = $2 AND question_key = $3 AND dim = 'account' AND value = $4 \
             AND day >= $5 GROUP BY score ORDER BY score",
        )
        .bind(org_id)
        .bind(survey_id)
        .bind(question_key)
        .bind(account_id)
        .bind(from_day)
        .fetch_all(&self.pool)
        .await
        .context("reading an account's scores")?;
        rows.iter()
            .map(|r| {
                let score: i64 = r.try_get("score").context("reading a score")?;
                let n: i64 = r.try_get("n").context("reading a score")?;
                Ok((score, u64::try_from(n).unwrap_or(0)))
            })
            .collect()
    }

    async fn score_counts(
        &self,
        org_id: &str,
        f: &ScoreFilter,
        segment: Option<SegmentDim>,
    ) -> StoreResult<Vec<ScoreCount>> {
        let parts = if f.daily {
            vec![(Grain::Day, f.from_day, f.to_day)]
        } else {
            plan(f.from_day, f.to_day)
        };
        let mut out = Vec::new();
        for (grain, from, to) in parts {
            out.extend(
                self.read_counts(org_id, f, segment, grain, from, to)
                    .await?,
            );
        }
        Ok(out)
    }
}

/// Moves the scores of responses from one segment of dimension `dim` (`language`, `account`)
/// of the aggregates to another: `moved` lists (response id, old value, new value). Re-analysis
/// uses it for responses whose language changed, merges for responses that changed account.
pub(crate) async fn move_segment_counts(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    dim: &str,
    moved: &[(String, String, String)],
) -> StoreResult<()> {
    if moved.is_empty() {
        return Ok(());
    }
    let by_id: HashMap<&str, (&str, &str)> = moved
        .iter()
        .map(|(id, was, now)| (id.as_str(), (was.as_str(), now.as_str())))
        .collect();
    // (survey, question, qtype, day or month, score, language) → change.
    type Key = (String, String, String, i64, i64, String);
    let mut daily: HashMap<Key, i64> = HashMap::new();
    let mut monthly: HashMap<Key, i64> = HashMap::new();
    for chunk in moved.chunks(500) {
        let mut b = Binds::default();
        let org = b.text(org_id);
        let ids: Vec<String> = chunk.iter().map(|m| b.text(m.0.clone())).collect();
        let sql = format!(
            "SELECT rs.response_id, rs.survey_id, rs.question_key, rs.qtype, rs.score, \
             r.submitted_at FROM response_scores rs \
             JOIN responses r ON r.id = rs.response_id AND r.org_id = rs.org_id \
             WHERE rs.org_id = {org} AND rs.response_id IN ({})",
            ids.join(", ")
        );
        let rows = sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
            .fetch_all(&mut *conn)
            .await
            .context("reading the scores of moved responses")?;
        for row in &rows {
            let id: String = row.try_get("response_id").context("reading a score")?;
            let Some((was, now)) = by_id.get(id.as_str()) else {
                continue;
            };
            let day = day_of_ms(row.try_get("submitted_at").context("reading a score")?);
            let month = Interval::Month.bucket_start(day);
            let survey: String = row.try_get("survey_id").context("reading a score")?;
            let question: String = row.try_get("question_key").context("reading a score")?;
            let qtype: String = row.try_get("qtype").context("reading a score")?;
            let score: i64 = row.try_get("score").context("reading a score")?;
            for (value, n) in [(*was, -1), (*now, 1)] {
                let key = |at| {
                    (
                        survey.clone(),
                        question.clone(),
                        qtype.clone(),
                        at,
                        score,
                        value.to_owned(),
                    )
                };
                *daily.entry(key(day)).or_default() += n;
                *monthly.entry(key(month)).or_default() += n;
            }
        }
    }
    for (table, col, counts) in [
        ("score_segment_daily", "day", daily),
        ("score_segment_monthly", "month", monthly),
    ] {
        let rows: Vec<Vec<Bind>> = counts
            .into_iter()
            .filter(|(_, n)| *n != 0)
            .map(|((survey, question, qtype, at, score, value), n)| {
                vec![
                    Bind::Text(org_id.to_owned()),
                    Bind::Text(survey),
                    Bind::Text(question),
                    Bind::Text(qtype),
                    Bind::Text(dim.to_owned()),
                    Bind::Text(value),
                    Bind::Int(at),
                    Bind::Int(score),
                    Bind::Int(n),
                ]
            })
            .collect();
        insert_rows(
            conn,
            dialect,
            &format!("INSERT INTO {table} (org_id, survey_id, question_key, qtype, dim, value, {col}, score, n)"),
            &format!("ON CONFLICT (org_id, survey_id, question_key, dim, value, {col}, score) DO UPDATE SET n = {table}.n + excluded.n"),
            rows,
        )
        .await?;
    }
    // Segments emptied by the move would show as buckets of no answers.
    let mut emptied: Vec<&str> = moved.iter().map(|m| m.1.as_str()).collect();
    emptied.sort_unstable();
    emptied.dedup();
    for table in ["score_segment_daily", "score_segment_monthly"] {
        for value in &emptied {
            sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE org_id = $1 AND dim = $2 AND value = $3 AND n <= 0"
            )))
            .bind(org_id)
            .bind(dim)
            .bind(*value)
            .execute(&mut *conn)
            .await
            .context("removing emptied segments")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_split_into_whole_months_and_daily_edges() {
        // 2026-01-01 is day 20454; 2026-02-01 is 20485; 2026-03-01 is 20513.
        let (jan, feb, mar) = (20_454, 20_485, 20_513);
        assert_eq!(plan(None, None), vec![(Grain::Month, None, None)]);
        assert_eq!(
            plan(Some(jan), Some(mar)),
            vec![(Grain::Month, Some(jan), Some(mar))]
        );
        assert_eq!(
            plan(Some(jan + 3), Some(mar + 5)),
            vec![
                (Grain::Day, Some(jan + 3), Some(feb)),
                (Grain::Month, Some(feb), Some(mar)),
                (Grain::Day, Some(mar), Some(mar + 5)),
            ]
        );
        assert_eq!(
            plan(Some(jan + 3), Some(jan + 9)),
            vec![(Grain::Day, Some(jan + 3), Some(jan + 9))]
        );
        assert_eq!(
            plan(Some(jan + 3), None),
            vec![
                (Grain::Day, Some(jan + 3), Some(feb)),
                (Grain::Month, Some(feb), None)
            ]
        );
    }
}
