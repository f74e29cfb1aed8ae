//! `TestApp`: a spawned server, its database, a movable clock and typed request helpers.

use std::sync::Arc;

use attune::config::Config;
use attune::server::Application;
use attune_domain::org::Role;
use attune_storage::prelude::*;
use attune_storage::sql::SqlStore;
use attune_web::FixedClock;
use serde_json::Value;

/// 2026-11-23T12:00:00Z: "now" in every test unless a test moves the clock.
pub const NOW_MS: i64 = 1_795_435_200_000;

/// Which database a test runs on.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

impl Backend {
    /// PostgreSQL when configured.
    pub fn postgres() -> Option<Self> {
        std::env::var("ATTUNE_TEST_POSTGRES_URL")
            .ok()
            .map(Self::Postgres)
    }
}

/// Runs a test body on SQLite and, when configured, PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await;
                }
                #[tokio::test]
                async fn postgres() {
                    match $crate::helpers::Backend::postgres() {
                        Some(b) => super::$name(b).await,
                        None => $crate::helpers::skip("on PostgreSQL: ATTUNE_TEST_POSTGRES_URL is not set"),
                    }
                }
            }
        )*
    };
}

/// A fresh, migrated database.
pub async fn fresh_store(backend: &Backend) -> (SqlStore, String) {
    match backend {
        Backend::Sqlite => {
            let path = std::env::temp_dir()
                .join(format!("attune-test-{}.db", uuid::Uuid::new_v4().simple()));
            let url = path.to_string_lossy().into_owned();
            (attune::db::open(&url).await.expect("open sqlite"), url)
        }
        Backend::Postgres(admin) => {
            use sqlx::Connection;
            let name = format!("attune_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::PgConnection::connect(admin)
                .await
                .expect("connect to postgres");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
            let url = format!("{base}/{name}");
            (attune::db::open(&url).await.expect("open postgres"), url)
        }
    }
}

/// A running server with one organisation and tokens of each role.
pub struct TestApp {
    pub addr: String,
    pub store: Arc<SqlStore>,
    pub clock: Arc<FixedClock>,
    pub db_url: String,
    pub client: reqwest::Client,
    pub org_id: String,
    pub admin_token: String,
    pub viewer_token: String,
    /// The server's shared state.
    pub state: attune_web::AppState,
    /// The configuration the server was built with.
    pub config: Config,
    /// The sealer it started with.
    pub sealer: Arc<attune_seal::Sealer>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Spawns with a configuration change (tests allow webhooks to reach 127.0.0.1 unless
    /// they say otherwise).
    pub async fn spawn_with(backend: Backend, change: impl FnOnce(&mut Config)) -> Self {
        let (store, db_url) = fresh_store(&backend).await;
        let clock = Arc::new(FixedClock::new(NOW_MS));
        let config = Config {
            db: db_url.clone(),
            bind: "127.0.0.1:0".into(),
            secure_cookies: false,
            signing_key: None,
            login_rate_per_minute: 1000,
            public_rate_per_minute: 1000,
            api_rate_per_minute: 0,
            log: "warn".into(),
            webhook_allow_internal: true,
            ..Config::default()
        };
        let mut config = config;
        // SQLite keeps the generated key beside its file; a PostgreSQL test database gets its
        // own key file too (the default, ./attune.key, would be shared by every test).
        if matches!(backend, Backend::Postgres(_)) {
            config.secret_key_file = Some(
                std::env::temp_dir()
                    .join(format!("attune-test-{}.key", uuid::Uuid::new_v4().simple())),
            );
        }
        change(&mut config);
        let store = Arc::new(store.with_ingest_queue(config.ingest_queue as usize));
        let app = Application::build(&config, store.clone(), clock.clone())
            .await
            .expect("build app");
        let addr = format!("http://{}", app.addr().expect("addr"));
        let state = app.state().clone();
        let sealer = app.secrets().sealer.clone();
        tokio::spawn(app.run_until(std::future::pending()));
        let org = store.create_org("Acme").await.expect("org");
        let admin_token = token(&store, &org.id, Role::Admin).await;
        let viewer_token = token(&store, &org.id, Role::Viewer).await;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            addr,
            store,
            clock,
            db_url,
            client,
            org_id: org.id,
            admin_token,
            viewer_token,
            state,
            config,
            sealer,
        }
    }

    /// Starts another server on the same database (a restart, or a second instance) with
    /// `config`; returns its base URL, or why it would not start.
    pub async fn start_again(&self, config: &Config) -> anyhow::Result<String> {
        let app = Application::build(config, self.store.clone(), self.clock.clone()).await?;
        let addr = format!("http://{}", app.addr()?);
        tokio::spawn(app.run_until(std::future::pending()));
        Ok(addr)
    }

    /// A second organisation with its own admin token.
    pub async fn other_org(&self, name: &str) -> (String, String) {
        let org = self.store.create_org(name).await.expect("org");
        let t = token(&self.store, &org.id, Role::Admin).await;
        (org.id, t)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.addr)
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let res = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        let res = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn patch(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        let res = self
            .client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Creates the standard NPS survey (nps + why, in English and Urdu); returns its id.
    pub async fn nps_survey(&self, token: &str) -> String {
        let (status, body) = self
            .post(token, "/api/v1/surveys", &serde_json::json!({
                "name": "Relationship",
                "default_language": "en",
                "questions": [
                    {"key": "nps", "type": "nps", "text": {"en": "How likely…?", "ur": "آپ ہمیں تجویز کرنے کا کتنا امکان رکھتے ہیں؟"}},
                    {"key": "why", "type": "text", "text": {"en": "Why?", "ur": "کیوں؟"}}
                ]
            }))
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().expect("id").to_owned()
    }

    /// Posts one response; panics unless it is created.
    pub async fn answer(&self, survey: &str, body: Value) -> Value {
        let (status, b) = self
            .post(
                &self.admin_token,
                &format!("/api/v1/surveys/{survey}/responses"),
                &body,
            )
            .await;
        assert_eq!(status, 201, "{b}");
        b
    }
}

/// A count read with `sql`, whose one parameter (`$1`) is the organisation's id.
pub async fn org_count(app: &TestApp, org_id: &str, sql: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(org_id.to_owned())
        .fetch_one(app.store.pool())
        .await
        .expect(sql)
        .try_get::<i64, _>(0)
        .expect("a count")
}

async fn token(store: &SqlStore, org_id: &str, role: Role) -> String {
    let t = attune_web::auth::new_api_token();
    store
        .create_token(org_id, &attune_web::auth::sha256_hex(&t), role, "test")
        .await
        .expect("token");
    t
}

/// Reads the shared test data folder, or says why a test is skipped.
pub fn shared_data(name: &str) -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(name);
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(_) => {
            skip(&format!("{} is absent", path.display()));
            None
        }
    }
}

/// Reports a test that cannot run here; under `ATTUNE_TEST_REQUIRE_ALL` (set by `.ci/run`,
/// where PostgreSQL and the shared data are present) that is a failure, not a skip.
pub fn skip(why: &str) {
    assert!(
        std::env::var_os("ATTUNE_TEST_REQUIRE_ALL").is_none(),
        "cannot run: {why} (ATTUNE_TEST_REQUIRE_ALL is set)"
    );
    eprintln!("SKIPPED: {why}");
}

/// A small deterministic generator (xorshift64*), so a failure can be replayed.
pub struct Rng(pub u64);

impl Rng {
    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }

    /// One of `of`.
    pub fn pick<'a>(&mut self, of: &[&'a str]) -> &'a str {
        of[self.below(of.len() as u64) as usize]
    }
}
