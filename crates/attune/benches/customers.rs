//! Customer search at scale: N accounts (default 100,000) with a domain and a CRM id each, and
//! ten people per account with an address each, their names in Latin, Urdu, Gurmukhi and Lao
//! letters. Each query through `search_customers` (one index range per source) beside its
//! definition read the slow way in the same database: every source scanned in full with a
//! prefix test no index answers, sorted and cut the same way; both must return the same
//! customers in the same order.
//!
//! Run: `cargo bench -p attune --bench customers -- [ACCOUNTS]
//! [--postgres postgres://root@127.0.0.1:5432/postgres]`.

mod common;

use std::time::Instant;

use attune_storage::model::{CustomerHit, MergeKind};
use attune_storage::prelude::*;
use attune_storage::sql::SqlStore;
use common::{Scale, percentile};
use sqlx::Row;

const NOW_MS: i64 = 1_795_435_200_000;
const LIMIT: u32 = 20;

/// Syllables per script: names are two words of two or three of them.
const SCRIPTS: [[&str; 8]; 4] = [
    ["ko", "ra", "mi", "tu", "sa", "le", "no", "vi"],
    ["نو", "ر", "کا", "مل", "سی", "فا", "زی", "ہا"],
    ["ਸਿ", "ਮ", "ਰਨ", "ਕੌ", "ਹ", "ਪ੍ਰੀ", "ਤ", "ਜੋ"],
    ["ບໍ", "ລິ", "ສັ", "ດ", "ລາ", "ວ", "ສີ", "ພອນ"],
];

fn name(i: u64) -> String {
    let s = &SCRIPTS[(i % 4) as usize];
    let mut x = i / 4;
    let mut word = |len: u64| {
        let mut w = String::new();
        for _ in 0..len {
            w.push_str(s[(x % 8) as usize]);
            x /= 8;
        }
        w
    };
    let first = word(3);
    let second = word(3);
    format!("{first} {second} {i}")
}

async fn insert(
    store: &SqlStore,
    table: &str,
    cols: &str,
    rows: &[Vec<String>],
) -> anyhow::Result<()> {
    let width = rows.first().map_or(0, Vec::len);
    for chunk in rows.chunks(900 / width.max(1)) {
        let marks: Vec<String> = (0..chunk.len())
            .map(|r| {
                let m: Vec<String> = (1..=width)
                    .map(|c| match c == width && cols.ends_with("created_at") {
                        true => format!("CAST(${} AS BIGINT)", r * width + c),
                        false => format!("${}", r * width + c),
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

async fn seed(store: &SqlStore, n: u64) -> anyhow::Result<String> {
    let org = store.create_org("Bench").await?.id;
    let started = Instant::now();
    let now = NOW_MS.to_string();
    let (mut accounts, mut domains, mut ids, mut people, mut emails) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        let id = format!("a{i:08}");
        accounts.push(vec![
            id.clone(),
            org.clone(),
            format!("ACC-{i:07}"),
            name(i),
            "{}".into(),
            now.clone(),
        ]);
        domains.push(vec![org.clone(), format!("acct{i}.example"), id.clone()]);
        ids.push(vec![
            org.clone(),
            "crm".into(),
            format!("CRM-{i:07}"),
            id.clone(),
        ]);
        for k in 0..10 {
            let p = i * 10 + k;
            let pid = format!("p{p:09}");
            let email = format!("person{p}@acct{i}.example");
            people.push(vec![
                pid.clone(),
                org.clone(),
                name(p + 7),
                email.clone(),
                "{}".into(),
                now.clone(),
            ]);
            emails.push(vec![org.clone(), email, pid]);
        }
    }
    insert(
        store,
        "accounts",
        "id, org_id, external_id, name, attributes, created_at",
        &accounts,
    )
    .await?;
    insert(
        store,
        "account_domains",
        "org_id, domain, account_id",
        &domains,
    )
    .await?;
    insert(
        store,
        "account_external_ids",
        "org_id, source, external_id, account_id",
        &ids,
    )
    .await?;
    let cols = "id, org_id, name, email, preferences, created_at";
    for chunk in people.chunks(100_000) {
        insert(store, "people", cols, chunk).await?;
    }
    for chunk in emails.chunks(100_000) {
        insert(store, "person_emails", "org_id, email, person_id", chunk).await?;
    }
    sqlx::query("ANALYZE").execute(store.pool()).await?;
    println!(
        "seeded {n} accounts and {} people in {:.0} s",
        n * 10,
        started.elapsed().as_secs_f64()
    );
    Ok(org)
}

/// The definition: each source scanned in full (a prefix test no index answers), sorted by
/// its key, cut to the limit, then ranked as the search ranks.
async fn definition(
    store: &SqlStore,
    org: &str,
    q: &str,
) -> anyhow::Result<Vec<(MergeKind, String)>> {
    let sources: [(MergeKind, &str, &str); 6] = [
        (
            MergeKind::Account,
            "SELECT id, name, external_id AS v FROM accounts WHERE org_id = $1 AND merged_into IS NULL",
            "raw",
        ),
        (
            MergeKind::Account,
            "SELECT a.id, a.name, x.external_id AS v FROM account_external_ids x JOIN accounts a ON a.id = x.account_id WHERE x.org_id = $1 AND a.merged_into IS NULL",
            "raw",
        ),
        (
            MergeKind::Person,
            "SELECT p.id, COALESCE(p.name, p.email, e.email) AS name, e.email AS v FROM person_emails e JOIN people p ON p.id = e.person_id WHERE e.org_id = $1",
            "ascii",
        ),
        (
            MergeKind::Account,
            "SELECT a.id, a.name, d.domain AS v FROM account_domains d JOIN accounts a ON a.id = d.account_id WHERE d.org_id = $1 AND a.merged_into IS NULL",
            "ascii",
        ),
        (
            MergeKind::Account,
            "SELECT id, name, name AS v FROM accounts WHERE org_id = $1 AND merged_into IS NULL",
            "fold",
        ),
        (
            MergeKind::Person,
            "SELECT id, name, name AS v FROM people WHERE org_id = $1 AND merged_into IS NULL AND name IS NOT NULL",
            "fold",
        ),
    ];
    let folded = q.to_lowercase();
    let mut hits: Vec<(bool, usize, String, MergeKind, String)> = Vec::new();
    for (rank, (kind, sql, how)) in sources.into_iter().enumerate() {
        let mut found: Vec<(String, String, String)> = Vec::new();
        for row in sqlx::query(sql).bind(org).fetch_all(store.pool()).await? {
            let v: String = row.try_get("v")?;
            let key = match how {
                "raw" => v.clone(),
                "ascii" => v.clone(),
                _ => v.to_lowercase(),
            };
            let wanted = match how {
                "raw" => q.to_owned(),
                "ascii" => q.to_ascii_lowercase(),
                _ => folded.clone(),
            };
            if key.starts_with(&wanted) {
                let id: String = row.try_get("id")?;
                let name: Option<String> = row.try_get("name")?;
                found.push((key, id, name.unwrap_or_default()));
            }
        }
        found.sort();
        for (key, id, name) in found.into_iter().take(LIMIT as usize) {
            let exact = match how {
                "fold" => key == folded,
                _ => key.to_lowercase() == folded,
            };
            hits.push((!exact, rank, name, kind, id));
        }
    }
    hits.sort_by_key(|h| (h.0, h.1, h.2.to_lowercase()));
    let mut seen = std::collections::HashSet::new();
    Ok(hits
        .into_iter()
        .filter(|h| seen.insert((h.3.as_str(), h.4.clone())))
        .take(LIMIT as usize)
        .map(|h| (h.3, h.4))
        .collect())
}

fn first_word(i: u64) -> String {
    name(i).split(' ').next().unwrap_or("").to_owned()
}

fn ids(hits: &[CustomerHit]) -> Vec<(MergeKind, String)> {
    hits.iter().map(|h| (h.kind, h.id.clone())).collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let scale = Scale::from_args(100_000);
    let n = scale.n;
    let dir = std::env::temp_dir().join(format!("attune-bench-customers-{n}"));
    let store = scale.fresh_store("customers", &dir).await?;
    println!("\n## {n} accounts, {} people ({})", n * 10, scale.backend());
    let org = seed(&store, n).await?;
    // Names cycle through the scripts: a multiple of four is Latin, then Urdu, Gurmukhi, Lao.
    let i = n / 2 - (n / 2) % 4;
    let queries = [
        (
            "a name's first letters, many matches",
            SCRIPTS[0][0].to_owned(),
        ),
        ("an Urdu name's first word", first_word(i + 1)),
        ("a Gurmukhi name's first word", first_word(i + 2)),
        ("a Lao name, whole", name(i + 3)),
        ("an address", format!("person{}@", i * 10 + 3)),
        ("a domain", format!("acct{i}.example")),
        ("a CRM id", format!("CRM-{i:07}")),
        ("nothing", "zzzz".to_owned()),
    ];
    for (label, q) in queries {
        let mut fast = Vec::new();
        let mut page = Vec::new();
        for _ in 0..30 {
            let t = Instant::now();
            page = store.search_customers(&org, &q, LIMIT).await?;
            fast.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let t = Instant::now();
        let defined = definition(&store, &org, &q).await?;
        let slow = t.elapsed().as_secs_f64() * 1e3;
        let slowest: Vec<String> = fast
            .iter()
            .enumerate()
            .filter(|(_, ms)| **ms > 10.0)
            .map(|(k, ms)| format!("read {} took {ms:.0} ms", k + 1))
            .collect();
        if !slowest.is_empty() {
            println!("  over 10 ms: {}", slowest.join(", "));
        }
        let got = ids(&page);
        anyhow::ensure!(got == defined, "{label} ({q}): {got:?} vs {defined:?}");
        println!(
            "{label} (`{q}`): {} found; p50 {:.2} ms, p95 {:.2} ms; baseline, every row scanned: {:.0} ms; the same customers in the same order",
            page.len(),
            percentile(fast.clone(), 0.5),
            percentile(fast, 0.95),
            slow
        );
    }
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
