//! The benchmark's customers: N accounts (an owner and a team of two from 20 staff, a CRM id,
//! two subscriptions), ten people each (a name, an address, a membership with a title and
//! roles), R answers per account over the last year with their NPS score and the per-account
//! aggregates the product keeps, two calls per account in the 90-day window and two cases per
//! account (one open, one resolved). Plain multi-row inserts, except subscriptions (through
//! the retention import) and the aggregates (one `INSERT … SELECT … GROUP BY` over the
//! answers, the aggregates' definition).

use std::time::Instant;

use attune_domain::org::Role;
use attune_domain::survey::{SurveyDefinition, SurveyInput};
use attune_storage::prelude::*;
use attune_storage::retention::NewSubscription;
use attune_storage::sql::SqlStore;

pub const NOW_MS: i64 = 1_795_435_200_000;
pub const DAY_MS: i64 = 86_400_000;
pub const DAYS: u32 = 90;
pub const STAFF: u64 = 20;
pub const ADMIN_EMAIL: &str = "admin@us.example";
pub const ADMIN_PASSWORD: &str = "correct horse battery";

/// A small deterministic generator (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

pub fn account_id(i: u64) -> String {
    format!("a{i:08}")
}

pub fn person_id(i: u64, k: u64) -> String {
    format!("p{:09}", i * 10 + k)
}

/// Inserts rows of text values: the `numeric` columns cast to numbers, empty `nullable`
/// columns stored as none.
async fn insert(
    store: &SqlStore,
    table: &str,
    cols: &str,
    numeric: &[usize],
    nullable: &[usize],
    rows: &[Vec<String>],
) -> anyhow::Result<()> {
    let width = rows.first().map_or(0, Vec::len);
    for chunk in rows.chunks(900 / width.max(1)) {
        let marks: Vec<String> = (0..chunk.len())
            .map(|r| {
                let m: Vec<String> = (0..width)
                    .map(|c| {
                        let p = r * width + c + 1;
                        match (numeric.contains(&c), nullable.contains(&c)) {
                            (true, true) => format!("CAST(NULLIF(${p}, '') AS BIGINT)"),
                            (true, false) => format!("CAST(${p} AS BIGINT)"),
                            (false, true) => format!("NULLIF(${p}, '')"),
                            (false, false) => format!("${p}"),
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

async fn sql(store: &SqlStore, sql: &str) -> anyhow::Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(store.pool())
        .await?;
    Ok(())
}

/// `per_account` answers per account over the last year, three in ten by one of its people,
/// each with an NPS score (its time's remainder by 11: spread over 0–10, the same on both
/// backends).
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
                person_id(i, rng.below(10))
            } else {
                String::new()
            };
            let at = NOW_MS - rng.below(365) as i64 * DAY_MS - rng.below(DAY_MS as u64) as i64;
            batch.push(vec![
                format!("r{i:08}{r:05}"),
                org.to_owned(),
                survey.to_owned(),
                person,
                account_id(i),
                "link".into(),
                at.to_string(),
                now.clone(),
                "{}".into(),
                "{}".into(),
            ]);
        }
        if batch.len() >= 200_000 || i + 1 == n {
            insert(store, "responses", cols, &[6, 7], &[3], &batch).await?;
            written += batch.len() as u64;
            batch.clear();
            eprint!("\r{written} responses");
        }
    }
    eprintln!();
    sql(
        store,
        "INSERT INTO response_scores (response_id, org_id, survey_id, question_key, qtype, score) \
         SELECT id, org_id, survey_id, 'nps', 'nps', submitted_at % 11 FROM responses",
    )
    .await?;
    sql(
        store,
        &format!(
            "INSERT INTO score_segment_daily (org_id, survey_id, question_key, qtype, dim, value, day, score, n) \
             SELECT r.org_id, r.survey_id, s.question_key, s.qtype, 'account', r.account_id, \
             r.submitted_at / {DAY_MS}, s.score, COUNT(*) FROM responses r \
             JOIN response_scores s ON s.response_id = r.id \
             GROUP BY r.org_id, r.survey_id, s.question_key, s.qtype, r.account_id, \
             r.submitted_at / {DAY_MS}, s.score"
        ),
    )
    .await?;
    Ok(written)
}

/// Two calls per account in the window, each with one of its people and one of our staff;
/// two cases per account, one still open.
async fn seed_calls_and_cases(
    store: &SqlStore,
    org: &str,
    staff: &[String],
    n: u64,
    per_account: u64,
    rng: &mut Rng,
) -> anyhow::Result<()> {
    let now = NOW_MS.to_string();
    let (mut calls, mut with_people, mut with_staff, mut cases) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let sla = serde_json::to_string(&attune_domain::closed_loop::sla::SlaPolicy::default())?;
    for i in 0..n {
        for c in 0..2u64 {
            let id = format!("i{i:08}{c}");
            let at = NOW_MS - rng.below(u64::from(DAYS)) as i64 * DAY_MS;
            calls.push(vec![
                id.clone(),
                org.to_owned(),
                account_id(i),
                "call".into(),
                at.to_string(),
                "catch-up".into(),
                now.clone(),
            ]);
            with_people.push(vec![
                org.to_owned(),
                id.clone(),
                person_id(i, rng.below(10)),
            ]);
            with_staff.push(vec![
                org.to_owned(),
                id,
                staff[rng.below(STAFF) as usize].clone(),
            ]);
            let opened = NOW_MS - rng.below(180) as i64 * DAY_MS;
            let resolved = if c == 0 {
                (opened + DAY_MS).to_string()
            } else {
                String::new()
            };
            cases.push(vec![
                format!("c{i:08}{c}"),
                org.to_owned(),
                "rule".into(),
                format!("r{i:08}{:05}", c % per_account.max(1)),
                account_id(i),
                staff[(i % STAFF) as usize].clone(),
                "normal".into(),
                if c == 0 { "resolved" } else { "open" }.into(),
                format!("Case {c} of account {i}"),
                sla.clone(),
                opened.to_string(),
                (opened + 20 * 3_600_000).to_string(),
                (opened + DAY_MS).to_string(),
                (opened + 60 * 3_600_000).to_string(),
                (opened + 3 * DAY_MS).to_string(),
                resolved,
                now.clone(),
            ]);
        }
    }
    insert(
        store,
        "interactions",
        "id, org_id, account_id, kind, occurred_at, summary, created_at",
        &[4, 6],
        &[],
        &calls,
    )
    .await?;
    insert(
        store,
        "interaction_people",
        "org_id, interaction_id, person_id",
        &[],
        &[],
        &with_people,
    )
    .await?;
    insert(
        store,
        "interaction_staff",
        "org_id, interaction_id, user_id",
        &[],
        &[],
        &with_staff,
    )
    .await?;
    insert(
        store,
        "cases",
        "id, org_id, rule_id, response_id, account_id, owner_user_id, priority, state, title, sla, \
         opened_at, first_response_warn_at, first_response_due_at, resolution_warn_at, \
         resolution_due_at, resolved_at, updated_at",
        &[10, 11, 12, 13, 14, 15, 16],
        &[15],
        &cases,
    )
    .await?;
    Ok(())
}

/// Accounts with an owner, a team of two and two subscriptions; ten people each with a
/// membership (the first a decision maker, the second a champion).
async fn seed_accounts(
    store: &SqlStore,
    org: &str,
    staff: &[String],
    n: u64,
) -> anyhow::Result<()> {
    let now = NOW_MS.to_string();
    let (mut accounts, mut team, mut subs) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        let owner = staff[(i % STAFF) as usize].clone();
        accounts.push(vec![
            account_id(i),
            org.to_owned(),
            format!("ACC-{i:07}"),
            format!("Account {i}"),
            r#"{"plan":"growth","lifecycle_stage":"customer"}"#.into(),
            owner.clone(),
            now.clone(),
        ]);
        team.push(vec![
            org.to_owned(),
            account_id(i),
            owner,
            "csm".into(),
            now.clone(),
        ]);
        team.push(vec![
            org.to_owned(),
            account_id(i),
            staff[((i + 7) % STAFF) as usize].clone(),
            "account_executive".into(),
            now.clone(),
        ]);
        let day = (NOW_MS / DAY_MS) as i32;
        for (k, product) in ["core", "seats"].into_iter().enumerate() {
            let start = day - 400 + (i % 30) as i32 + 40 * k as i32;
            subs.push(NewSubscription {
                account_external_id: format!("ACC-{i:07}"),
                product: product.into(),
                start,
                end: (k == 1 && i % 5 == 0).then_some(day - 30),
                mrr_cents: 10_000 * (k as i64 + 1),
                quantity: None,
                billing_period: None,
                cancellation_reason: (k == 1 && i % 5 == 0).then(|| "budget".to_owned()),
            });
        }
    }
    insert(
        store,
        "accounts",
        "id, org_id, external_id, name, attributes, owner_user_id, created_at",
        &[6],
        &[],
        &accounts,
    )
    .await?;
    insert(
        store,
        "account_team",
        "org_id, account_id, user_id, role, created_at",
        &[4],
        &[],
        &team,
    )
    .await?;
    store
        .import_subscriptions(org, &subs, NOW_MS, &|_| {})
        .await?;
    seed_people(store, org, n).await
}

/// Ten people an account, each with an address and a membership.
async fn seed_people(store: &SqlStore, org: &str, n: u64) -> anyhow::Result<()> {
    let now = NOW_MS.to_string();
    for start in (0..n).step_by(10_000) {
        let (mut people, mut members, mut emails) = (Vec::new(), Vec::new(), Vec::new());
        for i in start..(start + 10_000).min(n) {
            for k in 0..10 {
                let p = person_id(i, k);
                let email = format!("{p}@a{i}.example");
                emails.push(vec![org.to_owned(), email.clone(), p.clone()]);
                people.push(vec![
                    p.clone(),
                    org.to_owned(),
                    format!("Person {k} of {i}"),
                    email,
                    "{}".into(),
                    now.clone(),
                ]);
                let roles = ["decision_maker", "champion"]
                    .get(k as usize)
                    .unwrap_or(&"user");
                members.push(vec![
                    org.to_owned(),
                    p,
                    account_id(i),
                    format!("Title {k}"),
                    (*roles).into(),
                    now.clone(),
                ]);
            }
        }
        insert(
            store,
            "people",
            "id, org_id, name, email, preferences, created_at",
            &[5],
            &[],
            &people,
        )
        .await?;
        insert(
            store,
            "person_emails",
            "org_id, email, person_id",
            &[],
            &[],
            &emails,
        )
        .await?;
        insert(
            store,
            "memberships",
            "org_id, person_id, account_id, title, roles, created_at",
            &[5],
            &[],
            &members,
        )
        .await?;
    }
    Ok(())
}

/// What the timings need from the seeding.
pub struct Seeded {
    pub org: String,
    pub staff: Vec<String>,
}

pub async fn seed(store: &SqlStore, n: u64, per_account: u64) -> anyhow::Result<Seeded> {
    let org = store.create_org("Bench").await?.id;
    let started = Instant::now();
    let hash = attune_web::auth::hash_password(ADMIN_PASSWORD.into())
        .await
        .map_err(|_| anyhow::anyhow!("hashing the password"))?;
    store
        .create_user(&org, ADMIN_EMAIL, &hash, Role::Admin)
        .await?;
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
    let mut rng = Rng(0x5eed);
    seed_accounts(store, &org, &staff, n).await?;
    let written = seed_responses(store, &org, &survey, n, per_account, &mut rng).await?;
    seed_calls_and_cases(store, &org, &staff, n, per_account, &mut rng).await?;
    sql(store, "ANALYZE").await?;
    println!(
        "seeded {n} accounts, {} people, {written} responses, {} calls and {} cases in {:.0} s",
        n * 10,
        2 * n,
        2 * n,
        started.elapsed().as_secs_f64()
    );
    Ok(Seeded { org, staff })
}
