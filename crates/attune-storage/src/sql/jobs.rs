//! The durable job queue, outbound webhooks and the e-mail log.
//!
//! A worker claims one due job at a time by moving it to `running` with a lease, in one
//! statement; on PostgreSQL the inner `SELECT … FOR UPDATE SKIP LOCKED` lets several `attune
//! serve` processes claim side by side without ever taking the same job. SQLite has one writer
//! at a time, so the same statement without the locking clause is already exclusive.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::{Bind, Dialect, SqlStore, insert_rows, new_id};
use attune_domain::jobs::JobKind;

use crate::error::{Context, StoreResult, decode};
use crate::model::{Job, JobOutcome, NewJob};
use crate::store::JobStore;
use async_trait::async_trait;

/// Jobs of unknown kinds one claim gives up before it stops looking (the next claim goes on).
const MAX_UNKNOWN_PER_CLAIM: usize = 100;

/// How long a claimed job is reserved for its worker before another may take it.
pub const LEASE_MS: i64 = 5 * 60_000;

const JOB_INSERT: &str = "INSERT INTO jobs (id, org_id, kind, payload, run_at, state, attempts, \
     max_attempts, dedup_key, created_at)";

/// The row of a new job for [`insert_rows`].
pub(crate) fn job_row(job: &NewJob, now_ms: i64) -> Vec<Bind> {
    vec![
        Bind::Text(new_id()),
        Bind::OptText(job.org_id.clone()),
        Bind::Text(job.kind.as_str().to_owned()),
        Bind::Text(job.payload.to_string()),
        Bind::Int(job.run_at),
        Bind::Text("queued".into()),
        Bind::Int(0),
        Bind::Int(job.max_attempts),
        Bind::OptText(job.dedup_key.clone()),
        Bind::Int(now_ms),
    ]
}

/// Stores jobs; a job whose dedup key is already stored is skipped.
pub(crate) async fn enqueue(
    conn: &mut AnyConnection,
    dialect: Dialect,
    jobs: &[NewJob],
    now_ms: i64,
) -> StoreResult<()> {
    let rows = jobs.iter().map(|j| job_row(j, now_ms)).collect();
    insert_rows(
        conn,
        dialect,
        JOB_INSERT,
        "ON CONFLICT (dedup_key) DO NOTHING",
        rows,
    )
    .await
}

/// Stores a job, or moves the stored job with the same key to `run_at` and queues it again.
pub(crate) async fn schedule(
    conn: &mut AnyConnection,
    job: &NewJob,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO jobs (id, org_id, kind, payload, run_at, state, attempts, max_attempts, \
         dedup_key, created_at) VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, $7, $8) \
         ON CONFLICT (dedup_key) DO UPDATE SET run_at = excluded.run_at, state = 'queued', \
         attempts = 0, last_error = NULL, locked_by = NULL, locked_until = NULL, finished_at = NULL",
    )
    .bind(new_id())
    .bind(job.org_id.clone())
    .bind(job.kind.as_str())
    .bind(job.payload.to_string())
    .bind(job.run_at)
    .bind(job.max_attempts)
    .bind(job.dedup_key.clone())
    .bind(now_ms)
    .execute(&mut *conn)
    .await
    .context("scheduling a job")?;
    Ok(())
}

fn job_of(row: &AnyRow) -> StoreResult<Job> {
    let payload: String = row.try_get("payload").context("reading job")?;
    Ok(Job {
        id: row.try_get("id").context("reading job")?,
        org_id: row.try_get("org_id").context("reading job")?,
        kind: decode(
            "job kind",
            row.try_get("kind").context("reading job")?,
            |k| JobKind::parse(k).ok(),
        )?,
        payload: serde_json::from_str(&payload).context("decoding job payload")?,
        run_at: row.try_get("run_at").context("reading job")?,
        state: row.try_get("state").context("reading job")?,
        attempts: row.try_get("attempts").context("reading job")?,
        max_attempts: row.try_get("max_attempts").context("reading job")?,
        last_error: row.try_get("last_error").context("reading job")?,
    })
}

const JOB_COLUMNS: &str =
    "id, org_id, kind, payload, run_at, state, attempts, max_attempts, last_error";

#[async_trait]
impl JobStore for SqlStore {
    async fn enqueue_jobs(&self, jobs: &[NewJob], now_ms: i64) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.context("connecting")?;
        enqueue(&mut conn, self.dialect, jobs, now_ms).await
    }

    async fn claim_job(&self, worker: &str, now_ms: i64) -> StoreResult<Option<Job>> {
        let lock = match self.dialect {
            Dialect::Postgres => "FOR UPDATE SKIP LOCKED",
            Dialect::Sqlite => "",
        };
        let sql = format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, \
             locked_until = $2 \
             WHERE id = (SELECT id FROM jobs \
                 WHERE (state = 'queued' AND run_at <= $3) \
                    OR (state = 'running' AND locked_until <= $3) \
                 ORDER BY run_at, id LIMIT 1 {lock}) \
             RETURNING {JOB_COLUMNS}"
        );
        // A job of a kind this version does not know (queued by a newer one) is given up at
        // once, as it always was, rather than failing every pass that claims it.
        for _ in 0..MAX_UNKNOWN_PER_CLAIM {
            let row = sqlx::query(AssertSqlSafe(sql.clone()))
                .bind(worker)
                .bind(now_ms + LEASE_MS)
                .bind(now_ms)
                .fetch_optional(&self.pool)
                .await
                .context("claiming a job")?;
            let Some(row) = row else { return Ok(None) };
            let kind: String = row.try_get("kind").context("reading job")?;
            if JobKind::parse(&kind).is_ok() {
                return job_of(&row).map(Some);
            }
            let id: String = row.try_get("id").context("reading job")?;
            sqlx::query(
                "UPDATE jobs SET state = 'dead', finished_at = $1, last_error = $2, \
                 locked_by = NULL, locked_until = NULL WHERE id = $3",
            )
            .bind(now_ms)
            .bind(format!("unknown job kind `{kind}`"))
            .bind(&id)
            .execute(&self.pool)
            .await
            .context("giving up a job")?;
        }
        Ok(None)
    }

    async fn finish_job(&self, job: &Job, outcome: &JobOutcome, now_ms: i64) -> StoreResult<()> {
        let q = match outcome {
            JobOutcome::Done => sqlx::query(
                "UPDATE jobs SET state = 'done', finished_at = $1, locked_by = NULL, \
                 locked_until = NULL, last_error = NULL WHERE id = $2",
            )
            .bind(now_ms)
            .bind(&job.id),
            JobOutcome::Again(at) => sqlx::query(
                "UPDATE jobs SET state = 'queued', run_at = $1, attempts = 0, locked_by = NULL, \
                 locked_until = NULL, last_error = NULL WHERE id = $2",
            )
            .bind(*at)
            .bind(&job.id),
            JobOutcome::Failed { error, retry_at } => {
                let retry = retry_at.filter(|_| job.attempts < job.max_attempts);
                match retry {
                    Some(at) => sqlx::query(
                        "UPDATE jobs SET state = 'queued', run_at = $1, last_error = $2, \
                         locked_by = NULL, locked_until = NULL WHERE id = $3",
                    )
                    .bind(at)
                    .bind(error.clone())
                    .bind(&job.id),
                    None => sqlx::query(
                        "UPDATE jobs SET state = 'dead', finished_at = $1, last_error = $2, \
                         locked_by = NULL, locked_until = NULL WHERE id = $3",
                    )
                    .bind(now_ms)
                    .bind(error.clone())
                    .bind(&job.id),
                }
            }
        };
        q.execute(&self.pool).await.context("finishing a job")?;
        Ok(())
    }

    async fn list_jobs(&self, state: Option<&str>, limit: u32) -> StoreResult<Vec<Job>> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE ($1 IS NULL OR state = $1) \
             ORDER BY run_at DESC, id DESC LIMIT $2"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(state)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .context("listing jobs")?;
        rows.iter().map(job_of).collect()
    }

    async fn purge_done_jobs(&self, before_ms: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM jobs WHERE state = 'done' AND finished_at < $1")
            .bind(before_ms)
            .execute(&self.pool)
            .await
            .context("purging finished jobs")?;
        Ok(done.rows_affected())
    }

    async fn digest_schedule(&self) -> StoreResult<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT o.id, COALESCE(l.digest_hour, 8) AS hour FROM orgs o \
             LEFT JOIN loop_settings l ON l.org_id = o.id ORDER BY o.id",
        )
        .fetch_all(&self.pool)
        .await
        .context("listing organisations for digests")?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id").context("reading org")?,
                    r.try_get("hour").context("reading org")?,
                ))
            })
            .collect()
    }
}
