//! The single-threaded flags of every account at scale: N accounts (default 100,000), ten
//! people each, R responses per account (default 100, `ATTUNE_BENCH_RESPONSES_PER_ACCOUNT`)
//! over the last year (three in ten tied to one of the account's people) and two calls per
//! account in the window. Timed: the first refresh (every account from one read of the
//! window's touches), a refresh after 100 calls are logged (only their accounts), one with
//! nothing new, and the list filtered to flagged accounts. Baseline in the same run: the flag
//! computed the way an account's page does it (its touches read by account, then the rule),
//! for a sample of 1,000 accounts, scaled to N; on that sample both must give the same flags.
//!
//! Run: `cargo bench -p attune --bench account_flags -- [ACCOUNTS]
//! [--postgres postgres://root@127.0.0.1:5432/postgres]`.

mod common;

use std::time::Instant;

use attune_app::customers::flags::{FlagFilter, FlagQuery, accounts_with_flags};
use attune_domain::customer::InteractionKind;
use attune_domain::customer::relationship::threading;
use attune_domain::org::Role;
use attune_domain::survey::{SurveyDefinition, SurveyInput};
use attune_storage::model::NewInteraction;
use attune_storage::prelude::*;
use attune_storage::sql::SqlStore;
use common::Scale;

const NOW_MS: i64 = 1_795_435_200_000;
const DAY_MS: i64 = 86_400_000;
const DAYS: u32 = 90;
const STAFF: u64 = 20;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// Inserts rows of text values: the `numeric` columns cast to numbers, an empty contact of a
/// response stored as none.
async fn insert(
    store: &SqlStore,
    table: &str,
    cols: &str,
    numeric: &[usize],
    rows: &[Vec<String>],
) -> anyhow::Result<()> {
    let width = rows.first().map_or(0, Vec::len);
    for chunk in rows.chunks(900 / width.max(1)) {
        let marks: Vec<String> = (0..chunk.len())
            .map(|r| {
                let m: Vec<String> = (0..width)
                    .map(|c| {
                        let p = r * width + c + 1;
                        if numeric.contains(&c) {
                            format!("CAST(${p} AS BIGINT)")
                        } else if table == "responses" && c == 3 {
                            format!("NULLIF(${p}, '')")
                        } else {
                            format!("${p}")
                        }
                    })
                    .collect();
                format!("({})", m.join(", "))
            })
            .collect();
        let sql = format!("INSERT INTO {table} ({cols}) VALUES {}", marks.join(", "));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for v in chunk.iter().flatten() {
            q = q.bind(v.clone());
        }
        q.execute(store.pool()).await?;
    }
    Ok(())
}

/// `per_account` answers per account over the last year, three in ten by one of its people.
async fn seed_responses(
    store: &SqlStore,
    org: &str,
    survey: &str,
    n: u64,
    per_account: u64,
    rng: &mut Rng,
) -> anyhow::Result<u64> {
    let now = NOW_MS.to_string();
    let cols = "id, org_id, survey_id, contact_id, account_id, channel, submitted_at, created_at, answers, metadata";
    let mut batch = Vec::new();
    let mut written = 0u64;
    for i in 0..n {
        for r in 0..per_account {
            let person = if rng.below(10) < 3 {
                format!("p{:09}", i * 10 + rng.below(10))
            } else {
                String::new()
            };
            let at = NOW_MS - rng.below(365) as i64 * DAY_MS - rng.below(DAY_MS as u64) as i64;
            batch.push(vec![
                format!("r{i:08}{r:05}"),
                org.to_owned(),
                survey.to_owned(),
                person,
                format!("a{i:08}"),
                "link".into(),
                at.to_string(),
                now.clone(),
                "{}".into(),
                "{}".into(),
            ]);
        }
        if batch.len() >= 200_000 || i + 1 == n {
            insert(store, "responses", cols, &[6, 7], &batch).await?;
            written += batch.len() as u64;
            batch.clear();
            eprint!("\r{written} responses");
        }
    }
    eprintln!();
    Ok(written)
}

/// Two calls per account in the window, each with one of its people and one of our staff.
async fn seed_calls(
    store: &SqlStore,
    org: &str,
    staff: &[String],
    n: u64,
    rng: &mut Rng,
) -> anyhow::Result<()> {
    let now = NOW_MS.to_string();
    let mut calls = Vec::new();
    let (mut with_people, mut with_staff) = (Vec::new(), Vec::new());
    for i in 0..n {
        for c in 0..2 {
            let id = format!("i{i:08}{c}");
            let at = NOW_MS - rng.below(u64::from(DAYS)) as i64 * DAY_MS;
            calls.push(vec![
                id.clone(),
                org.to_owned(),
                format!("a{i:08}"),
                "call".into(),
                at.to_string(),
                "catch-up".into(),
                now.clone(),
            ]);
            with_people.push(vec![
                org.to_owned(),
                id.clone(),
                format!("p{:09}", i * 10 + rng.below(10)),
            ]);
            with_staff.push(vec![
                org.to_owned(),
                id,
                staff[rng.below(STAFF) as usize].clone(),
            ]);
        }
    }
    insert(
        store,
        "interactions",
        "id, org_id, account_id, kind, occurred_at, summary, created_at",
        &[4, 6],
        &calls,
    )
    .await?;
    insert(
        store,
        "interaction_people",
        "org_id, interaction_id, person_id",
        &[],
        &with_people,
    )
    .await?;
    insert(
        store,
        "interaction_staff",
        "org_id, interaction_id, user_id",
        &[],
        &with_staff,
    )
    .await?;
    Ok(())
}

struct Seeded {
    org: String,
    staff: Vec<String>,
}

async fn seed(store: &SqlStore, n: u64, per_account: u64) -> anyhow::Result<Seeded> {
    let org = store.create_org("Bench").await?.id;
    let started = Instant::now();
    let mut staff = Vec::new();
    for s in 0..STAFF {
        let u = store
            .create_user(&org, &format!("staff{s}@us.example"), "hash", Role::Member)
            .await?;
        staff.push(u.id);
    }
    let input: SurveyInput = serde_json::from_value(serde_json::json!({
        "name": "NPS", "questions": [{"key": "nps", "type": "nps", "text": {"en": "How likely?"}}]}))?;
    let def = SurveyDefinition::parse(input).map_err(|e| anyhow::anyhow!("{e}"))?;
    let survey = store.create_survey(&org, &def, NOW_MS).await?.id;
    let now = NOW_MS.to_string();
    let mut rng = Rng(0x5eed);
    let (mut accounts, mut people) = (Vec::new(), Vec::new());
    for i in 0..n {
        accounts.push(vec![
            format!("a{i:08}"),
            org.clone(),
            format!("ACC-{i:07}"),
            format!("Account {i}"),
            "{}".into(),
            now.clone(),
        ]);
        for k in 0..10 {
            let p = format!("p{:09}", i * 10 + k);
            people.push(vec![p, org.clone(), "{}".into(), now.clone()]);
        }
    }
    insert(
        store,
        "accounts",
        "id, org_id, external_id, name, attributes, created_at",
        &[5],
        &accounts,
    )
    .await?;
    for chunk in people.chunks(100_000) {
        insert(
            store,
            "people",
            "id, org_id, preferences, created_at",
            &[3],
            chunk,
        )
        .await?;
    }
    drop(people);
    let written = seed_responses(store, &org, &survey, n, per_account, &mut rng).await?;
    seed_calls(store, &org, &staff, n, &mut rng).await?;
    sqlx::query("ANALYZE").execute(store.pool()).await?;
    println!(
        "seeded {n} accounts, {} people, {written} responses and {} calls in {:.0} s",
        n * 10,
        2 * n,
        started.elapsed().as_secs_f64()
    );
    Ok(Seeded { org, staff })
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let scale = Scale::from_args(100_000);
    let n = scale.n;
    let per_account: u64 = std::env::var("ATTUNE_BENCH_RESPONSES_PER_ACCOUNT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let dir = std::env::temp_dir().join(format!("attune-bench-flags-{n}"));
    let store = scale.fresh_store("flags", &dir).await?;
    println!(
        "\n## {n} accounts, {per_account} responses each ({})",
        scale.backend()
    );
    let s = seed(&store, n, per_account).await?;
    let t = Instant::now();
    let full = store.refresh_account_flags(&s.org, NOW_MS, DAYS).await?;
    let full_s = secs(t);
    anyhow::ensure!(full.full && full.recomputed == n, "{full:?}");
    // 100 calls on 100 accounts, through the store's own write path.
    let mut rng = Rng(7);
    for k in 0..100 {
        let i = rng.below(n);
        store
            .insert_interaction(
                &s.org,
                &NewInteraction {
                    account_id: Some(format!("a{i:08}")),
                    kind: InteractionKind::Call,
                    occurred_at: NOW_MS - DAY_MS,
                    duration_minutes: None,
                    summary: format!("call {k}"),
                    internal: false,
                    follow_ups: Vec::new(),
                    people: vec![format!("p{:09}", i * 10 + rng.below(10))],
                    staff: vec![s.staff[rng.below(STAFF) as usize].clone()],
                    created_by: None,
                    feedback: None,
                },
                NOW_MS,
            )
            .await?;
    }
    let t = Instant::now();
    let after = store.refresh_account_flags(&s.org, NOW_MS, DAYS).await?;
    let after_s = secs(t);
    let t = Instant::now();
    let quiet = store.refresh_account_flags(&s.org, NOW_MS, DAYS).await?;
    let quiet_s = secs(t);
    let q = FlagQuery {
        days: DAYS,
        flag: Some(FlagFilter::Flagged),
        ..FlagQuery::default()
    };
    let t = Instant::now();
    let flagged = accounts_with_flags(&store, &s.org, NOW_MS, &q).await?;
    let list_s = secs(t);
    // The baseline: each account's touches read by account, then the rule, as its page does.
    let kept: std::collections::HashMap<String, _> = store
        .account_flags(&s.org)
        .await?
        .into_iter()
        .map(|f| (f.account_id, f.threading))
        .collect();
    let sample = 1_000.min(n);
    let t = Instant::now();
    for k in 0..sample {
        let id = format!("a{:08}", k * (n / sample));
        let touches = store
            .account_touches(&s.org, &id, NOW_MS - i64::from(DAYS) * DAY_MS)
            .await?;
        let slow = threading(&touches.touches);
        anyhow::ensure!(
            kept.get(&id) == Some(&slow),
            "{id}: kept {:?}, computed {slow:?}",
            kept.get(&id)
        );
    }
    let per_account_ms = secs(t) * 1e3 / sample as f64;
    println!(
        "first refresh, every account: {full_s:.2} s; after 100 calls: {:.1} ms ({} accounts recomputed); nothing new: {:.1} ms; the flagged list ({} accounts) end to end: {:.0} ms",
        after_s * 1e3,
        after.recomputed,
        quiet_s * 1e3,
        flagged.len(),
        list_s * 1e3
    );
    println!(
        "baseline, each account the page's way: {per_account_ms:.2} ms an account, {:.0} s for all {n}; the same flag on all {sample} sampled accounts",
        per_account_ms * n as f64 / 1e3
    );
    anyhow::ensure!(quiet.recomputed == 0, "{quiet:?}");
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
