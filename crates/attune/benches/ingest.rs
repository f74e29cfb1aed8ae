//! HTTP ingest: `POST /api/v1/surveys/{id}/responses` against the real server (`attune serve`,
//! the bench-profile binary), each figure beside the same server's `GET /healthz` measured the
//! same way in the same run:
//!
//! 1. closed loop with `wrk` (2 threads, 32 connections), at 20 % and 64 % detractors (every
//!    detractor opens a case), comments drawn from real sentences (`../shared/data`), two per
//!    answer, so no two bodies repeat;
//! 2. a fixed offered rate (default 5,000/s) with `hey -q`, the p99 beside `/healthz`'s at the
//!    same rate;
//! 3. on PostgreSQL, the closed loop again with 2 and 4 instances on one database.
//!
//! After every run the benchmark checks what was stored: responses stored = acknowledged (wrk
//! stops with at most one request per connection in flight, so stored − acknowledged is between
//! 0 and the connections; an exact run of a fixed number of requests must match exactly), the
//! daily aggregates equal a `GROUP BY` over the stored scores, and the cases equal the stored
//! detractors.
//!
//! Run: `cargo bench -p attune --bench ingest -- [--seconds 10] [--rate 5000]
//! [--postgres postgres://root@127.0.0.1:5432/postgres]`. Needs `wrk` and `hey`
//! (`apt-get install wrk hey`).

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use attune_domain::org::Role;
use attune_domain::survey::{SurveyDefinition, SurveyInput};
use attune_storage::prelude::*;
use attune_storage::sql::SqlStore;
use sqlx::Row;
use tokio::process::{Child, Command};

/// Options from the command line.
struct Options {
    seconds: u64,
    rate: u64,
    postgres: Option<String>,
}

impl Options {
    fn parse() -> anyhow::Result<Self> {
        let mut o = Self {
            seconds: 10,
            rate: 5_000,
            postgres: None,
        };
        let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
        while let Some(a) = args.next() {
            let mut value = || args.next().with_context(|| format!("{a} needs a value"));
            match a.as_str() {
                "--seconds" => o.seconds = value()?.parse()?,
                "--rate" => o.rate = value()?.parse()?,
                "--postgres" => o.postgres = Some(value()?),
                other => bail!("unknown argument {other}"),
            }
        }
        Ok(o)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let o = Options::parse()?;
    for tool in ["wrk", "hey"] {
        if which(tool).is_none() {
            bail!("`{tool}` is needed: apt-get install wrk hey");
        }
    }
    let dir = std::env::temp_dir().join(format!("attune-bench-ingest-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let sentences = common::sentences()?;
    println!(
        "# ingest, {} s per run, {} distinct real sentences, {} cores",
        o.seconds,
        sentences.len(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let sqlite = dir.join("attune.db").to_string_lossy().into_owned();
    run_backend(&o, &dir, &sentences, &sqlite, &[1]).await?;
    if let Some(admin) = &o.postgres {
        let url = common::fresh_postgres(admin, "ingest").await?;
        run_backend(&o, &dir, &sentences, &url, &[1, 2, 4]).await?;
    }
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(tool))
            .find(|f| f.is_file())
    })
}

/// The organisation, its admin token and NPS survey, with every detractor opening a case.
async fn seed(store: &SqlStore) -> anyhow::Result<(String, String, String)> {
    let org = store.create_org("Bench").await?;
    let token = attune_web::auth::new_api_token();
    store
        .create_token(
            &org.id,
            &attune_web::auth::sha256_hex(&token),
            Role::Admin,
            "bench",
        )
        .await?;
    let input: SurveyInput =
        serde_json::from_value(serde_json::json!({"name": "NPS", "questions": [
        {"key": "nps", "type": "nps", "text": {"en": "How likely?"}},
        {"key": "why", "type": "text", "text": {"en": "Why?"}}]}))?;
    let def = SurveyDefinition::parse(input).map_err(|e| anyhow::anyhow!("{e}"))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    let survey = store.create_survey(&org.id, &def, now).await?;
    Ok((org.id, token, survey.id))
}

/// A running `attune serve`.
struct Server {
    _child: Child,
    base: String,
}

async fn serve(db: &str, dir: &Path) -> anyhow::Result<Server> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let bind = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_attune"))
        .args(["serve", "--db", db, "--bind", &bind])
        .env("ATTUNE_API_RATE_PER_MINUTE", "0")
        .env("ATTUNE_WORKER_INTERVAL_SECS", "0")
        .env(
            "ATTUNE_LOG",
            std::env::var("ATTUNE_BENCH_SERVER_LOG").unwrap_or_else(|_| "error".into()),
        )
        .env("ATTUNE_SECRET_KEY_FILE", dir.join("attune.key"))
        .stdout(Stdio::null())
        .stderr(if std::env::var_os("ATTUNE_BENCH_SERVER_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .kill_on_drop(true)
        .spawn()
        .context("starting attune serve")?;
    let base = format!("http://{bind}");
    let client = reqwest::Client::new();
    for _ in 0..400 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            return Ok(Server {
                _child: child,
                base,
            });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("attune serve did not come up")
}

async fn run_backend(
    o: &Options,
    dir: &Path,
    sentences: &[String],
    db: &str,
    instances: &[usize],
) -> anyhow::Result<()> {
    let store = attune::db::open(db).await?;
    let (org, token, survey) = seed(&store).await?;
    let backend = if db.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let path = format!("/api/v1/surveys/{survey}/responses");
    println!("\n## {backend}\n");
    println!("| run | requests/s | p99 | acknowledged | stored | other answers |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let one = serve(db, dir).await?;
    let health = wrk(std::slice::from_ref(&one.base), "/healthz", None, o.seconds).await?;
    println!(
        "| `GET /healthz`, wrk 32 connections | {:.0} | {} | | | |",
        health.rps,
        ms(health.p99)
    );
    let wrk_post = WrkPost {
        store: &store,
        org: &org,
        path: &path,
        secs: o.seconds,
    };
    for share in [0.20, 0.64] {
        let script = lua_script(dir, sentences, share, &token)?;
        let label = format!(
            "{:.0} % detractors, wrk 32 connections, 1 instance",
            share * 100.0
        );
        wrk_post
            .run(std::slice::from_ref(&one.base), &script, &label)
            .await?;
    }
    exact(&store, &org, &one.base, &path, &token, sentences).await?;
    fixed_rate(o, &one.base, &path, &token, sentences).await?;
    drop(one);
    for &k in instances.iter().filter(|&&k| k > 1) {
        let mut servers = Vec::new();
        for _ in 0..k {
            servers.push(serve(db, dir).await?);
        }
        let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
        let script = lua_script(dir, sentences, 0.20, &token)?;
        let label = format!("20 % detractors, wrk 32 connections over {k} instances");
        wrk_post.run(&bases, &script, &label).await?;
    }
    Ok(())
}

/// A closed-loop `POST` run with wrk, then what was stored, checked.
struct WrkPost<'a> {
    store: &'a SqlStore,
    org: &'a str,
    path: &'a str,
    secs: u64,
}

impl WrkPost<'_> {
    async fn run(&self, bases: &[String], script: &Path, label: &str) -> anyhow::Result<()> {
        let before = counts(self.store, self.org).await?;
        let run = wrk(bases, self.path, Some(script), self.secs).await?;
        let after = counts(self.store, self.org).await?;
        let stored = after.responses - before.responses;
        println!(
            "| `POST` responses, {label} | {:.0} | {} | {} | {stored} | {} |",
            run.rps,
            ms(run.p99),
            run.created,
            run.other
        );
        check_stored(run.created, stored, 32)?;
        after.check()
    }
}

fn ms(secs: f64) -> String {
    format!("{:.1} ms", secs * 1000.0)
}

/// wrk stops with up to one request per connection in flight: those may be stored unanswered.
fn check_stored(acked: u64, stored: i64, connections: i64) -> anyhow::Result<()> {
    let extra = stored - acked as i64;
    if !(0..=connections).contains(&extra) {
        bail!("{stored} stored for {acked} acknowledged");
    }
    Ok(())
}

/// What the database holds, counted two ways.
struct Counts {
    responses: i64,
    /// From the daily aggregates (what the trend reads).
    aggregated: i64,
    /// A `GROUP BY` over the stored scores.
    scored: i64,
    detractors: i64,
    cases: i64,
}

impl Counts {
    fn check(&self) -> anyhow::Result<()> {
        if self.aggregated != self.scored || self.scored != self.responses {
            bail!(
                "aggregates {} vs GROUP BY {} vs responses {}",
                self.aggregated,
                self.scored,
                self.responses
            );
        }
        if self.cases != self.detractors {
            bail!("{} cases for {} detractors", self.cases, self.detractors);
        }
        Ok(())
    }
}

/// The counts once the server has written what was in flight (unchanged for half a second).
async fn counts(store: &SqlStore, org: &str) -> anyhow::Result<Counts> {
    let mut last = read_counts(store, org).await?;
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = read_counts(store, org).await?;
        if now.responses == last.responses {
            return Ok(now);
        }
        last = now;
    }
}

async fn read_counts(store: &SqlStore, org: &str) -> anyhow::Result<Counts> {
    let pool = store.pool();
    let one = |sql: &'static str| async move {
        anyhow::Ok(
            sqlx::query(sql)
                .bind(org.to_owned())
                .fetch_one(pool)
                .await?
                .try_get::<i64, _>(0)?,
        )
    };
    Ok(Counts {
        responses: one("SELECT count(*) FROM responses WHERE org_id = $1").await?,
        aggregated: one("SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM score_daily WHERE org_id = $1").await?,
        scored: one("SELECT CAST(coalesce(sum(c), 0) AS BIGINT) FROM (SELECT score, count(*) AS c FROM response_scores WHERE org_id = $1 GROUP BY score) g").await?,
        detractors: one("SELECT count(*) FROM response_scores WHERE org_id = $1 AND score <= 6").await?,
        cases: one("SELECT count(*) FROM cases WHERE org_id = $1").await?,
    })
}

/// The wrk script: two real sentences per comment, scores with the given share of detractors,
/// 201s and other answers counted per thread.
fn lua_script(
    dir: &Path,
    sentences: &[String],
    detractors: f64,
    token: &str,
) -> anyhow::Result<PathBuf> {
    let mut lua = String::from("local comments = {\n");
    for s in sentences {
        // JSON-escaped text inside a Lua long string (no sentence contains `]=]`).
        let json = serde_json::to_string(s)?;
        writeln!(lua, "[=[{}]=],", &json[1..json.len() - 1])?;
    }
    write!(
        lua,
        r#"}}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) math.randomseed(os.time() + tonumber(tostring({{}}):match("0x(%x+)"), 16) % 100000) end
created, other = 0, 0
request = function()
  local score
  if math.random() < {detractors} then score = math.random(0, 6) else score = math.random(7, 10) end
  local why = comments[math.random(#comments)] .. " " .. comments[math.random(#comments)]
  return wrk.format(nil, nil, nil, '{{"answers":{{"nps":' .. score .. ',"why":"' .. why .. '"}}}}')
end
response = function(status) if status == 201 then created = created + 1 else other = other + 1 end end
done = function(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do c = c + t:get("created"); o = o + t:get("other") end
  io.write(string.format("ATTUNE created=%d other=%d\n", c, o))
end
"#
    )?;
    let path = dir.join(format!("post-{detractors}.lua"));
    std::fs::write(&path, lua)?;
    Ok(path)
}

/// A wrk run's figures (summed over instances).
#[derive(Default)]
struct Run {
    rps: f64,
    p99: f64,
    created: u64,
    other: u64,
}

/// wrk against each base URL at once, 32 connections in all.
async fn wrk(
    bases: &[String],
    path: &str,
    script: Option<&Path>,
    secs: u64,
) -> anyhow::Result<Run> {
    let per = (32 / bases.len()).max(1).to_string();
    let threads = if bases.len() == 1 { "2" } else { "1" };
    let mut children = Vec::new();
    for base in bases {
        let mut cmd = Command::new("wrk");
        cmd.args([
            "-t",
            threads,
            "-c",
            &per,
            "-d",
            &format!("{secs}s"),
            "--latency",
            "--timeout",
            "10s",
        ]);
        if let Some(s) = script {
            cmd.arg("-s").arg(s);
        }
        cmd.arg(format!("{base}{path}")).stdout(Stdio::piped());
        children.push(cmd.spawn().context("starting wrk")?);
    }
    let mut run = Run::default();
    for child in children {
        let out = String::from_utf8(child.wait_with_output().await?.stdout)?;
        run.rps += field(&out, "Requests/sec:").context("wrk's Requests/sec")?;
        run.p99 = run
            .p99
            .max(latency_line(&out, "99%").context("wrk's 99% latency")?);
        if let Some(line) = out.lines().find(|l| l.starts_with("ATTUNE ")) {
            for part in line.split_whitespace().skip(1) {
                match part.split_once('=') {
                    Some(("created", n)) => run.created += n.parse::<u64>()?,
                    Some(("other", n)) => run.other += n.parse::<u64>()?,
                    _ => {}
                }
            }
        }
    }
    Ok(run)
}

fn field(out: &str, name: &str) -> Option<f64> {
    out.lines()
        .find_map(|l| l.trim().strip_prefix(name))
        .and_then(|v| v.trim().parse().ok())
}

/// `99%   1.23ms` (wrk) in seconds.
fn latency_line(out: &str, pct: &str) -> Option<f64> {
    let v = out.lines().find_map(|l| l.trim().strip_prefix(pct))?.trim();
    let (num, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic())?);
    let n: f64 = num.parse().ok()?;
    Some(match unit {
        "us" => n / 1e6,
        "ms" => n / 1e3,
        "s" => n,
        "m" => n * 60.0,
        _ => return None,
    })
}

/// A fixed number of requests from this process, every answer awaited: acknowledged must equal
/// stored exactly.
async fn exact(
    store: &SqlStore,
    org: &str,
    base: &str,
    path: &str,
    token: &str,
    sentences: &[String],
) -> anyhow::Result<()> {
    let n = 10_000usize;
    let before = counts(store, org).await?;
    let client = reqwest::Client::new();
    let url = format!("{base}{path}");
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let sentences = std::sync::Arc::new(sentences.to_vec());
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let (client, url, token, next, sentences) = (
                client.clone(),
                url.clone(),
                token.to_owned(),
                next.clone(),
                sentences.clone(),
            );
            tokio::spawn(async move {
                let mut created = 0u64;
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= n {
                        return created;
                    }
                    let why = format!(
                        "{} {}",
                        sentences[i % sentences.len()],
                        sentences[(i * 7919) % sentences.len()]
                    );
                    let body = serde_json::json!({"answers": {"nps": i % 11, "why": why}});
                    let res = client
                        .post(&url)
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await;
                    if res.is_ok_and(|r| r.status() == 201) {
                        created += 1;
                    }
                }
            })
        })
        .collect();
    let mut acked = 0;
    for t in tasks {
        acked += t.await?;
    }
    let after = counts(store, org).await?;
    let stored = after.responses - before.responses;
    println!(
        "| exactly {n} `POST`s, 32 connections, each answer awaited | | | {acked} | {stored} | {} |",
        n as u64 - acked
    );
    if stored != acked as i64 {
        bail!("{stored} stored for {acked} acknowledged");
    }
    after.check()
}

/// `hey -q` at the offered rate: `/healthz`, then the 20 % and 64 % mixes (two hey processes,
/// one per body, splitting the rate), each p99.
async fn fixed_rate(
    o: &Options,
    base: &str,
    path: &str,
    token: &str,
    sentences: &[String],
) -> anyhow::Result<()> {
    let workers = 50u64;
    let per_worker = (o.rate / workers).max(1);
    let secs = format!("{}s", o.seconds);
    let health = hey(
        &[("-z", &secs)],
        workers,
        per_worker,
        &format!("{base}/healthz"),
        None,
    )
    .await?;
    println!(
        "| `GET /healthz` at {} /s offered (hey -q) | {:.0} | {} | | | |",
        o.rate,
        health.rps,
        ms(health.p99)
    );
    for share in [0.20f64, 0.64] {
        let bad = ((workers as f64 * share).round() as u64).max(1);
        let good = workers - bad;
        let body = |score: u64, s: &str| {
            serde_json::json!({"answers": {"nps": score, "why": s}}).to_string()
        };
        let (url, z) = (format!("{base}{path}"), [("-z", secs.as_str())]);
        let (detractor, promoter) = (body(3, &sentences[0]), body(9, &sentences[1]));
        let (a, b) = tokio::join!(
            hey(&z, bad, per_worker, &url, Some((token, detractor))),
            hey(&z, good, per_worker, &url, Some((token, promoter))),
        );
        let (a, b) = (a?, b?);
        println!(
            "| `POST` responses at {} /s offered, {:.0} % detractors (hey -q) | {:.0} | {} | {} | | {} |",
            o.rate,
            share * 100.0,
            a.rps + b.rps,
            ms(a.p99.max(b.p99)),
            a.created + b.created,
            a.other + b.other
        );
    }
    Ok(())
}

/// One hey run: `workers` at `per_worker` requests/s each.
async fn hey(
    extra: &[(&str, &str)],
    workers: u64,
    per_worker: u64,
    url: &str,
    post: Option<(&str, String)>,
) -> anyhow::Result<Run> {
    let mut cmd = Command::new("hey");
    for (k, v) in extra {
        cmd.args([k, v]);
    }
    cmd.args([
        "-c",
        &workers.to_string(),
        "-q",
        &per_worker.to_string(),
        "-t",
        "10",
    ]);
    if let Some((token, body)) = post {
        cmd.args([
            "-m",
            "POST",
            "-T",
            "application/json",
            "-H",
            &format!("Authorization: Bearer {token}"),
            "-d",
            &body,
        ]);
    }
    cmd.arg(url).stdout(Stdio::piped());
    let out = String::from_utf8(cmd.output().await?.stdout)?;
    let p99 = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("99% in "))
        .and_then(|v| v.trim_end_matches(" secs").trim().parse().ok())
        .context("hey's 99% latency")?;
    let mut run = Run {
        rps: field(&out, "Requests/sec:").context("hey's Requests/sec")?,
        p99,
        ..Run::default()
    };
    for line in out.lines().map(str::trim).filter(|l| l.starts_with('[')) {
        if let Some((code, n)) = line.split_once(']') {
            let n: u64 = n
                .split_whitespace()
                .next()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            if matches!(&code[1..], "200" | "201") {
                run.created += n;
            } else {
                run.other += n;
            }
        }
    }
    Ok(run)
}
