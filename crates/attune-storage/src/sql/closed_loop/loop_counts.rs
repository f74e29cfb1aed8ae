//! The loop metrics' maintained counts (`attune_domain::closed_loop::loop_counts`): every
//! statement that changes a case reads its [`Line`] before and after and [`apply`]s the
//! difference to `loop_counts` (counters per day of opening) and `loop_times` (each day's sorted
//! times to first response and to resolution), in the same transaction. A root-cause change
//! also re-decides recurrence for the account's cases that could depend on it
//! ([`refresh_recurrence`]). [`build`] computes everything from the cases (after a migration,
//! for an organisation without `loop_counts_built`); [`sums`] reads a period back.

use std::collections::{BTreeMap, HashMap};

use attune_domain::closed_loop::loop_counts::{
    CaseLine, Counter, Duration, Sums, day_of, delta, recurs,
};
use attune_domain::closed_loop::metrics::RECURRENCE_WINDOW_MS;
use attune_domain::period::DAY_MS;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row};

use super::super::{Bind, Dialect, insert_rows};
use crate::error::{Context, StoreResult};
use crate::model::LoopSums;

/// What [`Line`] reads of a case (table alias `c`).
const LINE_COLUMNS: &str = "c.id, c.account_id, c.opened_at, c.first_response_due_at, \
     c.first_responded_at, c.resolved_at, c.first_breached_at, c.resolution_breached_at, \
     c.owner_user_id, c.team_id, c.root_cause, c.recurs, c.score_before, c.score_after";

/// A case as the counters see it, with its id and account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub(crate) id: String,
    pub(crate) account_id: Option<String>,
    pub(crate) line: CaseLine,
}

fn line_of(r: &AnyRow) -> StoreResult<Line> {
    let ctx = "reading a case's counts";
    let opt = |c: &str| -> StoreResult<Option<i64>> { r.try_get(c).context(ctx) };
    let account_id: Option<String> = r.try_get("account_id").context(ctx)?;
    Ok(Line {
        id: r.try_get("id").context(ctx)?,
        line: CaseLine {
            opened_at: r.try_get("opened_at").context(ctx)?,
            first_response_due_at: r.try_get("first_response_due_at").context(ctx)?,
            first_responded_at: opt("first_responded_at")?,
            resolved_at: opt("resolved_at")?,
            breached: opt("first_breached_at")?.is_some()
                || opt("resolution_breached_at")?.is_some(),
            owner_id: r.try_get("owner_user_id").context(ctx)?,
            team_id: r.try_get("team_id").context(ctx)?,
            root_cause: r.try_get("root_cause").context(ctx)?,
            has_account: account_id.is_some(),
            recurs: r.try_get::<i64, _>("recurs").context(ctx)? != 0,
            score_before: opt("score_before")?,
            score_after: opt("score_after")?,
        },
        account_id,
    })
}

/// A case's line as stored now.
pub(crate) async fn line(
    conn: &mut AnyConnection,
    org_id: &str,
    case_id: &str,
) -> StoreResult<Option<Line>> {
    let sql = format!("SELECT {LINE_COLUMNS} FROM cases c WHERE c.org_id = $1 AND c.id = $2");
    sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await
        .context("reading a case's counts")?
        .as_ref()
        .map(line_of)
        .transpose()
}

/// Applies changes to the counts: for each (before, after), what `after` adds minus what
/// `before` added (`None`: the case did not exist / no longer exists).
pub(crate) async fn apply(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    changes: &[(Option<&CaseLine>, Option<&CaseLine>)],
) -> StoreResult<()> {
    let mut total: BTreeMap<(i64, Counter, String), i64> = BTreeMap::new();
    for (before, after) in changes {
        for (k, n) in delta(*before, *after) {
            *total.entry(k).or_insert(0) += n;
        }
        for list in Duration::ALL {
            let (b, a) = (
                before.and_then(|l| list.of(l)),
                after.and_then(|l| list.of(l)),
            );
            if b != a {
                let day = day_of(before.or(*after).map_or(0, |l| l.opened_at));
                edit_times(conn, dialect, org_id, list, day, b, a).await?;
            }
        }
    }
    total.retain(|_, n| *n != 0);
    write_counts(conn, dialect, org_id, total, "loop_counts.n + excluded.n").await
}

/// Upserts counter rows; `update` is the new `n` of a row already there.
async fn write_counts(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    counts: BTreeMap<(i64, Counter, String), i64>,
    update: &str,
) -> StoreResult<()> {
    let rows: Vec<Vec<Bind>> = counts
        .into_iter()
        .map(|((day, counter, key), n)| {
            vec![
                Bind::Text(org_id.to_owned()),
                Bind::Int(day),
                Bind::Text(counter.as_str().to_owned()),
                Bind::Text(key),
                Bind::Int(n),
            ]
        })
        .collect();
    let conflict = format!("ON CONFLICT (org_id, day, counter, key) DO UPDATE SET n = {update}");
    insert_rows(
        conn,
        dialect,
        "INSERT INTO loop_counts (org_id, day, counter, key, n)",
        &conflict,
        rows,
    )
    .await
}

fn decode(bytes: &[u8]) -> Vec<i64> {
    bytes
        .chunks_exact(8)
        .map(|c| i64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
        .collect()
}

fn encode(times: &[i64]) -> Vec<u8> {
    times.iter().flat_map(|t| t.to_le_bytes()).collect()
}

/// Takes `remove` out of a day's sorted times and puts `add` in (row locked on PostgreSQL, so
/// two changes of one day never overwrite each other).
async fn edit_times(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    list: Duration,
    day: i64,
    remove: Option<i64>,
    add: Option<i64>,
) -> StoreResult<()> {
    let ctx = "keeping the loop's times";
    sqlx::query(
        "INSERT INTO loop_times (org_id, list, day, times) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (org_id, list, day) DO NOTHING",
    )
    .bind(org_id)
    .bind(list.as_str())
    .bind(day)
    .bind(Vec::<u8>::new())
    .execute(&mut *conn)
    .await
    .context(ctx)?;
    let lock = match dialect {
        Dialect::Postgres => " FOR UPDATE",
        Dialect::Sqlite => "",
    };
    let sql =
        format!("SELECT times FROM loop_times WHERE org_id = $1 AND list = $2 AND day = $3{lock}");
    let bytes: Vec<u8> = sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(list.as_str())
        .bind(day)
        .fetch_one(&mut *conn)
        .await
        .context(ctx)?
        .try_get("times")
        .context(ctx)?;
    let mut times = decode(&bytes);
    if let Some(t) = remove
        && let Ok(i) = times.binary_search(&t)
    {
        times.remove(i);
    }
    if let Some(t) = add {
        let i = times.partition_point(|x| *x < t);
        times.insert(i, t);
    }
    sqlx::query("UPDATE loop_times SET times = $1 WHERE org_id = $2 AND list = $3 AND day = $4")
        .bind(encode(&times))
        .bind(org_id)
        .bind(list.as_str())
        .bind(day)
        .execute(&mut *conn)
        .await
        .context(ctx)?;
    Ok(())
}

/// The account's cases opened within the recurrence window either side of `opened_at`.
async fn neighbours(
    conn: &mut AnyConnection,
    org_id: &str,
    account_id: &str,
    opened_at: i64,
) -> StoreResult<Vec<Line>> {
    let sql = format!(
        "SELECT {LINE_COLUMNS} FROM cases c WHERE c.org_id = $1 AND c.account_id = $2 \
         AND c.opened_at >= $3 AND c.opened_at <= $4"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(account_id)
        .bind(opened_at - RECURRENCE_WINDOW_MS)
        .bind(opened_at + RECURRENCE_WINDOW_MS)
        .fetch_all(&mut *conn)
        .await
        .context("reading an account's cases")?;
    rows.iter().map(line_of).collect()
}

/// After a root cause of a case of `account_id` opened at `opened_at` changed: re-decides
/// whether each of the account's cases from then to the end of the window recurs (theirs may
/// depend on it), and moves the counters of those that changed.
pub(crate) async fn refresh_recurrence(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    account_id: &str,
    opened_at: i64,
) -> StoreResult<()> {
    let lines = neighbours(conn, org_id, account_id, opened_at).await?;
    let changed = decide_recurrence(&lines, |l| l.line.opened_at >= opened_at);
    save_recurrence(conn, dialect, org_id, &changed).await
}

/// The lines among `lines` (one account's) that `pick` selects whose recurrence differs from
/// what is stored: (before, after).
fn decide_recurrence(lines: &[Line], pick: impl Fn(&Line) -> bool) -> Vec<(Line, Line)> {
    let same: Vec<(String, String, i64)> = lines
        .iter()
        .filter_map(|l| Some((l.id.clone(), l.line.root_cause.clone()?, l.line.opened_at)))
        .collect();
    lines
        .iter()
        .filter(|l| pick(l))
        .filter_map(|l| {
            let now = recurs(&l.id, l.line.root_cause.as_deref(), l.line.opened_at, &same);
            (now != l.line.recurs).then(|| {
                let mut after = l.clone();
                after.line.recurs = now;
                (l.clone(), after)
            })
        })
        .collect()
}

/// Stores the decided recurrence of each changed case.
async fn save_flags(
    conn: &mut AnyConnection,
    org_id: &str,
    changed: &[(Line, Line)],
) -> StoreResult<()> {
    for (_, after) in changed {
        sqlx::query("UPDATE cases SET recurs = $1 WHERE org_id = $2 AND id = $3")
            .bind(i64::from(after.line.recurs))
            .bind(org_id)
            .bind(&after.id)
            .execute(&mut *conn)
            .await
            .context("recording a recurrence")?;
    }
    Ok(())
}

async fn save_recurrence(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    changed: &[(Line, Line)],
) -> StoreResult<()> {
    save_flags(conn, org_id, changed).await?;
    let pairs: Vec<_> = changed
        .iter()
        .map(|(b, a)| (Some(&b.line), Some(&a.line)))
        .collect();
    apply(conn, dialect, org_id, &pairs).await
}

/// Computes an organisation's counts from its cases (recurrence included) and marks them
/// complete.
pub(crate) async fn build(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
) -> StoreResult<()> {
    let ctx = "building the loop's counts";
    for table in ["loop_counts", "loop_times"] {
        sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE org_id = $1"
        )))
        .bind(org_id)
        .execute(&mut *conn)
        .await
        .context(ctx)?;
    }
    let sql = format!("SELECT {LINE_COLUMNS} FROM cases c WHERE c.org_id = $1");
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await
        .context(ctx)?;
    let mut lines: Vec<Line> = rows.iter().map(line_of).collect::<StoreResult<_>>()?;
    let mut by_account: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, l) in lines.iter().enumerate() {
        if let Some(a) = &l.account_id {
            by_account.entry(a.clone()).or_default().push(i);
        }
    }
    let mut changed = Vec::new();
    for members in by_account.values() {
        let group: Vec<Line> = members.iter().map(|&i| lines[i].clone()).collect();
        changed.extend(decide_recurrence(&group, |_| true));
    }
    save_flags(conn, org_id, &changed).await?;
    let fixed: HashMap<&str, bool> = changed
        .iter()
        .map(|(_, a)| (a.id.as_str(), a.line.recurs))
        .collect();
    for l in &mut lines {
        if let Some(r) = fixed.get(l.id.as_str()) {
            l.line.recurs = *r;
        }
    }
    let mut times: BTreeMap<(Duration, i64), Vec<i64>> = BTreeMap::new();
    let mut counts: BTreeMap<(i64, Counter, String), i64> = BTreeMap::new();
    for l in &lines {
        for (k, n) in delta(None, Some(&l.line)) {
            *counts.entry(k).or_insert(0) += n;
        }
        for list in Duration::ALL {
            if let Some(t) = list.of(&l.line) {
                times
                    .entry((list, day_of(l.line.opened_at)))
                    .or_default()
                    .push(t);
            }
        }
    }
    // A change another instance counted while this build ran is in the cases it read.
    write_counts(conn, dialect, org_id, counts, "excluded.n").await?;
    for ((list, day), mut t) in times {
        t.sort_unstable();
        sqlx::query(
            "INSERT INTO loop_times (org_id, list, day, times) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, list, day) DO UPDATE SET times = excluded.times",
        )
        .bind(org_id)
        .bind(list.as_str())
        .bind(day)
        .bind(encode(&t))
        .execute(&mut *conn)
        .await
        .context(ctx)?;
    }
    mark_built(conn, org_id).await
}

/// Marks an organisation's counts complete (a new organisation's are: it has no cases).
pub(crate) async fn mark_built(conn: &mut AnyConnection, org_id: &str) -> StoreResult<()> {
    sqlx::query("INSERT INTO loop_counts_built (org_id) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(org_id)
        .execute(&mut *conn)
        .await
        .context("marking the loop's counts built")?;
    Ok(())
}

/// Builds the counts of every organisation that lacks them, one transaction each; returns how
/// many were built. Runs right after migrating, before anything is served.
pub(crate) async fn build_missing(pool: &AnyPool, dialect: Dialect) -> StoreResult<u64> {
    let orgs = super::super::orgs_not_built(pool, "loop_counts_built").await?;
    for org in &orgs {
        let mut tx = super::super::lock_org(pool, dialect, org).await?;
        if !is_built(&mut tx, org).await? {
            build(&mut tx, dialect, org).await?;
        }
        tx.commit().await.context("building the loop's counts")?;
    }
    Ok(orgs.len() as u64)
}

async fn is_built(conn: &mut AnyConnection, org_id: &str) -> StoreResult<bool> {
    Ok(
        sqlx::query("SELECT org_id FROM loop_counts_built WHERE org_id = $1")
            .bind(org_id)
            .fetch_optional(&mut *conn)
            .await
            .context("reading the loop's counts")?
            .is_some(),
    )
}

/// The counts of cases opened in `[from, to)` at `now_ms`: whole days from the counters, the
/// partial first and last days from their cases; `None` when the organisation's counts are not
/// built.
pub(crate) async fn sums(
    conn: &mut AnyConnection,
    org_id: &str,
    from: i64,
    to: i64,
    now_ms: i64,
) -> StoreResult<Option<LoopSums>> {
    if !is_built(conn, org_id).await? {
        return Ok(None);
    }
    let ctx = "reading the loop's counts";
    // Whole days: [first_day, end_day); the cases before and after them are read one by one.
    let first_day = day_of(from.saturating_sub(1)) + 1;
    let end_day = day_of(to).max(first_day);
    let mut s = Sums::default();
    let rows = sqlx::query(
        "SELECT counter, key, CAST(SUM(n) AS BIGINT) AS n FROM loop_counts WHERE org_id = $1 AND day >= $2 \
         AND day < $3 GROUP BY counter, key",
    )
    .bind(org_id)
    .bind(first_day)
    .bind(end_day)
    .fetch_all(&mut *conn)
    .await
    .context(ctx)?;
    for r in &rows {
        let name: String = r.try_get("counter").context(ctx)?;
        let Some(counter) = Counter::parse(&name) else {
            continue;
        };
        let n: i64 = r.try_get("n").context(ctx)?;
        s.counts
            .insert((counter, r.try_get("key").context(ctx)?), n);
    }
    let rows = sqlx::query(
        "SELECT list, times FROM loop_times WHERE org_id = $1 AND day >= $2 AND day < $3",
    )
    .bind(org_id)
    .bind(first_day)
    .bind(end_day)
    .fetch_all(&mut *conn)
    .await
    .context(ctx)?;
    for r in &rows {
        let list: String = r.try_get("list").context(ctx)?;
        let bytes: Vec<u8> = r.try_get("times").context(ctx)?;
        let target = if list == Duration::FirstResponse.as_str() {
            &mut s.first
        } else {
            &mut s.resolution
        };
        target.add_sorted(decode(&bytes));
    }
    let whole = (
        first_day.saturating_mul(DAY_MS),
        end_day.saturating_mul(DAY_MS),
    );
    let edges = if whole.0 >= whole.1 {
        vec![(from, to)]
    } else {
        vec![(from, whole.0), (whole.1, to)]
    };
    for (a, b) in edges.into_iter().filter(|(a, b)| a < b) {
        let sql = format!(
            "SELECT {LINE_COLUMNS} FROM cases c WHERE c.org_id = $1 AND c.opened_at >= $2 \
             AND c.opened_at < $3"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(org_id)
            .bind(a)
            .bind(b)
            .fetch_all(&mut *conn)
            .await
            .context(ctx)?;
        for r in &rows {
            s.add(&line_of(r)?.line);
        }
    }
    let waiting: i64 = sqlx::query(
        // `+opened_at`: the period must not pick the index on opening (a scan of the period's
        // cases); the few cases awaiting a first response that is not yet due are the range.
        "SELECT COUNT(*) AS n FROM cases WHERE org_id = $1 AND first_responded_at IS NULL \
         AND first_response_due_at > $2 AND +opened_at >= $3 AND +opened_at < $4",
    )
    .bind(org_id)
    .bind(now_ms)
    .bind(from)
    .bind(to)
    .fetch_one(&mut *conn)
    .await
    .context(ctx)?
    .try_get("n")
    .context(ctx)?;
    s.not_yet_due = u64::try_from(waiting).unwrap_or(0);
    let owners = names(
        conn,
        org_id,
        "SELECT id, email FROM users WHERE org_id = $1",
    )
    .await?;
    let teams = names(conn, org_id, "SELECT id, name FROM teams WHERE org_id = $1").await?;
    Ok(Some(LoopSums {
        sums: s,
        owners,
        teams,
    }))
}

/// (id, name) pairs of a query as a map.
async fn names(
    conn: &mut AnyConnection,
    org_id: &str,
    sql: &'static str,
) -> StoreResult<HashMap<String, String>> {
    let ctx = "reading names for the loop's counts";
    let rows = sqlx::query(sql)
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await
        .context(ctx)?;
    rows.iter()
        .map(|r| Ok((r.try_get(0).context(ctx)?, r.try_get(1).context(ctx)?)))
        .collect()
}
