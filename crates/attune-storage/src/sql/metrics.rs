//! Pre-aggregated score counts: one row per (question, day, score) and per segment, updated in
//! the transaction that stores each response, so trend queries read O(days × scores) rows and
//! never scan responses.

use std::collections::HashMap;

use attune_domain::period::day_of_ms;
use attune_domain::response::{Answer, NewResponse};
use sqlx::AssertSqlSafe;
use sqlx::{AnyConnection, Row};

use super::{Bind, Binds, Dialect, SqlStore, insert_rows};
use crate::error::{Context, StoreResult};
use crate::model::{ScoreCount, ScoreFilter, SegmentDim, Survey};

/// Counts to add, keyed by (question, qtype, day, score, segment dim, segment value); an empty
/// dim is the unsegmented total.
#[derive(Debug, Default)]
pub(crate) struct Tally(HashMap<(String, &'static str, i64, i64, &'static str, String), i64>);

impl Tally {
    /// Counts the numeric answers of one response.
    pub(crate) fn add(&mut self, survey: &Survey, r: &NewResponse, account_id: Option<&str>) {
        let day = day_of_ms(r.submitted_at_ms);
        let language = r
            .language
            .as_ref()
            .map(|l| l.primary().to_owned())
            .unwrap_or_default();
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

    /// Adds the counts to the aggregate tables.
    pub(crate) async fn flush(
        self,
        conn: &mut AnyConnection,
        dialect: Dialect,
        org_id: &str,
        survey_id: &str,
    ) -> StoreResult<()> {
        let mut totals = Vec::new();
        let mut segments = Vec::new();
        for ((question, qtype, day, score, dim, value), n) in self.0 {
            let base = vec![
                Bind::Text(org_id.to_owned()),
                Bind::Text(survey_id.to_owned()),
                Bind::Text(question),
                Bind::Text(qtype.to_owned()),
            ];
            let mut row = base;
            if dim.is_empty() {
                row.extend([Bind::Int(day), Bind::Int(score), Bind::Int(n)]);
                totals.push(row);
            } else {
                row.extend([
                    Bind::Text(dim.to_owned()),
                    Bind::Text(value),
                    Bind::Int(day),
                    Bind::Int(score),
                    Bind::Int(n),
                ]);
                segments.push(row);
            }
        }
        insert_rows(conn, dialect,
            "INSERT INTO score_daily (org_id, survey_id, question_key, qtype, day, score, n)",
            "ON CONFLICT (org_id, survey_id, question_key, day, score) DO UPDATE SET n = score_daily.n + excluded.n",
            totals,
        )
        .await?;
        insert_rows(conn, dialect,
            "INSERT INTO score_segment_daily (org_id, survey_id, question_key, qtype, dim, value, day, score, n)",
            "ON CONFLICT (org_id, survey_id, question_key, dim, value, day, score) DO UPDATE SET n = score_segment_daily.n + excluded.n",
            segments,
        )
        .await
    }
}

impl SqlStore {
    pub(crate) async fn score_counts_impl(
        &self,
        org_id: &str,
        f: &ScoreFilter,
        segment: Option<SegmentDim>,
    ) -> StoreResult<Vec<ScoreCount>> {
        let mut b = Binds::default();
        let table = if segment.is_some() {
            "score_segment_daily"
        } else {
            "score_daily"
        };
        let value = if segment.is_some() { "value" } else { "NULL" };
        let mut sql = format!(
            "SELECT survey_id, question_key, day, {value} AS segment, score, n FROM {table} \
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
        if let Some(d) = f.from_day {
            sql += &format!(" AND day >= {}", b.int(d));
        }
        if let Some(d) = f.to_day {
            sql += &format!(" AND day < {}", b.int(d));
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
