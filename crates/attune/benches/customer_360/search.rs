//! Customer search, timed through the API on three kinds of query (an account's id in the
//! CRM, a person's e-mail address, the start of an account's name), beside the baseline: the
//! same question as plain `LIKE` scans of the accounts and people. The record looked for must
//! be the first hit of both.

use std::time::Instant;

use attune_storage::sql::SqlStore;
use sqlx::Row;

use super::page::{Server, line};
use super::secs;
use super::seed::{Rng, account_id, person_id};

/// The query and the id that must come first.
fn queries(n: u64, samples: u64) -> Vec<(String, String)> {
    let mut rng = Rng(23);
    (0..samples)
        .map(|k| {
            let i = rng.below(n);
            match k % 3 {
                0 => (format!("ACC-{i:07}"), account_id(i)),
                1 => {
                    let p = person_id(i, rng.below(10));
                    (format!("{p}@a{i}.example"), p)
                }
                _ => (format!("Account {i}"), account_id(i)),
            }
        })
        .collect()
}

/// The plain scans: every account and person whose name, external id or address starts with
/// `q` (case ignored), exact matches first.
async fn baseline(store: &SqlStore, org: &str, q: &str) -> anyhow::Result<Option<String>> {
    let rows = sqlx::query(
        "SELECT id, 0 AS exact FROM accounts WHERE org_id = $1 AND (lower(external_id) = lower($2) OR lower(name) = lower($2)) \
         UNION ALL SELECT id, 0 FROM people WHERE org_id = $1 AND lower(email) = lower($2) \
         UNION ALL SELECT id, 1 FROM accounts WHERE org_id = $1 AND lower(name) LIKE lower($2) || '%' \
         UNION ALL SELECT id, 1 FROM people WHERE org_id = $1 AND lower(name) LIKE lower($2) || '%' \
         ORDER BY 2, 1 LIMIT 20",
    )
    .bind(org)
    .bind(q)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.first().map(|r| r.get::<String, _>(0)))
}

pub async fn run(
    store: &SqlStore,
    server: &Server,
    org: &str,
    n: u64,
    samples: u64,
) -> anyhow::Result<()> {
    let (mut fast, mut plain) = (Vec::new(), Vec::new());
    for (q, want) in queries(n, samples) {
        let (ms, first) = server.search(&q).await?;
        fast.push(ms);
        anyhow::ensure!(
            first.as_deref() == Some(want.as_str()),
            "{q}: first hit {first:?}, not {want}"
        );
        let t = Instant::now();
        let slow = baseline(store, org, &q).await?;
        plain.push(secs(t) * 1e3);
        anyhow::ensure!(
            slow.as_deref() == Some(want.as_str()),
            "{q}: the scan found {slow:?}, not {want}"
        );
    }
    println!("{samples} searches (a CRM id, an e-mail address, an account's name):");
    println!(
        "{}",
        line("customer search, GET /api/v1/customers/search", fast)
    );
    println!(
        "{}",
        line("baseline: plain LIKE scans of accounts and people", plain)
    );
    println!("the record looked for comes first in both");
    Ok(())
}
