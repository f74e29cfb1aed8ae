//! What the benchmarks share: their command line, a fresh database on either backend, and
//! percentiles. Each benchmark uses part of it.
#![allow(dead_code)]

use attune_storage::sql::SqlStore;

/// The `p` quantile (0–1) of `v`, nearest rank.
pub fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

/// `[N] [--postgres URL]` from the command line (cargo's own `--bench` ignored).
pub struct Scale {
    /// The size to run at.
    pub n: u64,
    /// The PostgreSQL server to use instead of an SQLite file.
    pub postgres: Option<String>,
}

impl Scale {
    /// The command line's scale, `n` unless one is given.
    pub fn from_args(n: u64) -> Scale {
        let mut scale = Scale { n, postgres: None };
        let mut args = std::env::args().skip(1);
        while let Some(a) = args.next() {
            match a.as_str() {
                "--postgres" => scale.postgres = args.next(),
                "--bench" => {}
                other => scale.n = other.parse().unwrap_or(scale.n),
            }
        }
        scale
    }

    /// The backend's name, for headings.
    pub fn backend(&self) -> &'static str {
        if self.postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }

    /// A fresh, migrated store (an SQLite file in `dir`, emptied first, or a new PostgreSQL
    /// database named after `kind`).
    pub async fn fresh_store(&self, kind: &str, dir: &std::path::Path) -> anyhow::Result<SqlStore> {
        Ok(self.fresh_store_with_url(kind, dir).await?.0)
    }

    /// [`Scale::fresh_store`] with the database's URL, for a server to open.
    pub async fn fresh_store_with_url(
        &self,
        kind: &str,
        dir: &std::path::Path,
    ) -> anyhow::Result<(SqlStore, String)> {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir)?;
        let url = match &self.postgres {
            Some(admin) => fresh_postgres(admin, kind).await?,
            None => dir.join("attune.db").display().to_string(),
        };
        Ok((attune::db::open(&url).await?, url))
    }
}

/// A new, empty PostgreSQL database on the server of `admin`, named after `kind` and this
/// process; its URL.
pub async fn fresh_postgres(admin: &str, kind: &str) -> anyhow::Result<String> {
    use sqlx::Connection;
    let name = format!("attune_bench_{kind}_{}", std::process::id());
    let mut c = sqlx::PgConnection::connect(admin).await?;
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut c)
            .await?;
    }
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
    Ok(format!("{base}/{name}"))
}

/// Distinct comments: the multilingual feedback and the Thai corpus.
pub fn sentences() -> anyhow::Result<Vec<String>> {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let mut out = std::collections::BTreeSet::new();
    let jsonl = std::fs::read_to_string(data.join("feedback-multilingual.jsonl"))
        .map_err(|e| anyhow::anyhow!("reading ../shared/data (the benchmark's comments): {e}"))?;
    for line in jsonl.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        if let Some(t) = v["text"].as_str() {
            out.insert(t.to_owned());
        }
    }
    for f in ["thai-negative-comments.txt", "thai-positive-comments.txt"] {
        for line in std::fs::read_to_string(data.join("text").join(f))?.lines() {
            let t = line.trim();
            if t.chars().count() >= 8 && t.len() < 600 {
                out.insert(t.to_owned());
            }
        }
    }
    Ok(out.into_iter().collect())
}
