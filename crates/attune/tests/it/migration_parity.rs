//! Migration parity: the SQLite and PostgreSQL migrations have the same versions and names, and
//! once applied give the same tables, columns (name, nullability, a coarse type class), primary
//! keys and indexes (by table, indexed columns, uniqueness and partiality; names differ where a
//! backend names a constraint's index itself). Each database is read back from its catalogue
//! (`sqlite_master` and pragmas; `information_schema` and `pg_index`), not from the SQL text.
//!
//! A difference that is intended is listed in [`ALLOWED`] with its reason; an entry that no
//! longer occurs fails the test too, so the list stays true. Never edit a landed migration to
//! make this pass: add a migration (to the backend that is wrong) and say why.

use std::collections::BTreeSet;

use sqlx::Connection;

use crate::helpers::{Backend, fresh_store, skip};

/// Differences between the migrated schemas that are intended, each with its reason.
const ALLOWED: &[(&str, &str)] = &[];

fn migration_names(dir: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut names: Vec<String> = std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    names
}

#[test]
fn both_backends_have_the_same_migrations() {
    let sqlite = migration_names("../attune-sqlite/migrations");
    let postgres = migration_names("../attune-postgres/migrations");
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite, postgres,
        "migration files (version_name.sql) differ"
    );
}

/// A coarse type class, so `BIGINT`/`INTEGER` or `TEXT`/`VARCHAR` are not differences.
fn type_class(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("bool") {
        "bool"
    } else if t.contains("int") || t == "serial" || t == "bigserial" {
        "integer"
    } else if t.contains("char") || t.contains("text") || t.contains("clob") {
        "text"
    } else if t.contains("blob") || t == "bytea" {
        "bytes"
    } else if t.contains("real") || t.contains("floa") || t.contains("doub") {
        "float"
    } else if t.contains("numeric") || t.contains("decimal") {
        "numeric"
    } else if t.contains("json") {
        "json"
    } else if t.contains("time") || t.contains("date") {
        "time"
    } else if t.is_empty() {
        "untyped"
    } else {
        "other"
    }
}

fn column_fact(table: &str, name: &str, class: &str, not_null: bool) -> String {
    let null = if not_null { "not null" } else { "null" };
    format!("column {table}.{name}: {class} {null}")
}

fn index_fact(table: &str, columns: &str, unique: bool, partial: bool) -> String {
    let kind = match (unique, partial) {
        (true, true) => "unique partial",
        (true, false) => "unique",
        (false, true) => "partial",
        (false, false) => "plain",
    };
    format!("index {table}({columns}) {kind}")
}

/// The tables sqlx keeps for itself are not the schema's.
fn ours(table: &str) -> bool {
    !table.starts_with("_sqlx") && !table.starts_with("sqlite_")
}

async fn sqlite_schema(path: &str) -> BTreeSet<String> {
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
    let mut conn = sqlx::SqliteConnection::connect_with(&opts)
        .await
        .expect("open sqlite");
    let mut facts = BTreeSet::new();
    let tables: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&mut conn)
            .await
            .expect("tables");
    for (table,) in tables.into_iter().filter(|(t,)| ours(t)) {
        facts.insert(format!("table {table}"));
        let columns: Vec<(String, String, bool, i64)> = sqlx::query_as(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info($1) ORDER BY cid",
        )
        .bind(&table)
        .fetch_all(&mut conn)
        .await
        .expect("columns");
        let mut pk: Vec<(i64, String)> = Vec::new();
        for (name, declared, not_null, pk_pos) in columns {
            // A primary key column is never null on PostgreSQL; on SQLite only an INTEGER one
            // is forced, but every key column here is declared or used as non-null.
            let not_null = not_null || pk_pos > 0;
            facts.insert(column_fact(&table, &name, type_class(&declared), not_null));
            if pk_pos > 0 {
                pk.push((pk_pos, name));
            }
        }
        pk.sort();
        if !pk.is_empty() {
            let cols: Vec<String> = pk.into_iter().map(|(_, n)| n).collect();
            facts.insert(format!("primary key {table}({})", cols.join(",")));
        }
        let indexes: Vec<(String, bool, String, bool)> =
            sqlx::query_as("SELECT name, \"unique\", origin, partial FROM pragma_index_list($1)")
                .bind(&table)
                .fetch_all(&mut conn)
                .await
                .expect("indexes");
        for (index, unique, origin, partial) in indexes {
            if origin == "pk" {
                continue;
            }
            let cols: Vec<(Option<String>,)> =
                sqlx::query_as("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(&mut conn)
                    .await
                    .expect("index columns");
            let cols: Vec<String> = cols
                .into_iter()
                .map(|(n,)| n.unwrap_or_else(|| "(expression)".into()))
                .collect();
            facts.insert(index_fact(&table, &cols.join(","), unique, partial));
        }
    }
    conn.close().await.expect("close");
    facts
}

async fn postgres_schema(url: &str) -> BTreeSet<String> {
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    let mut facts = BTreeSet::new();
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("tables");
    for (table,) in tables.iter().filter(|(t,)| ours(t)) {
        facts.insert(format!("table {table}"));
    }
    let columns: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text
         FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("columns");
    for (table, name, declared, nullable) in columns.iter().filter(|c| ours(&c.0)) {
        let class = type_class(declared);
        facts.insert(column_fact(table, name, class, nullable == "NO"));
    }
    let indexes: Vec<(String, bool, bool, bool, String)> = sqlx::query_as(
        "SELECT t.relname::text, ix.indisunique, ix.indisprimary, ix.indpred IS NOT NULL,
                (SELECT string_agg(COALESCE(a.attname::text, '(expression)'), ',' ORDER BY k.ord)
                 FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                 LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum)
         FROM pg_index ix
         JOIN pg_class t ON t.oid = ix.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = 'public'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("indexes");
    for (table, unique, primary, partial, cols) in indexes.iter().filter(|i| ours(&i.0)) {
        if *primary {
            facts.insert(format!("primary key {table}({cols})"));
        } else {
            facts.insert(index_fact(table, cols, *unique, *partial));
        }
    }
    conn.close().await.expect("close");
    facts
}

#[tokio::test]
async fn both_backends_migrate_to_the_same_schema() {
    let Some(pg) = Backend::postgres() else {
        skip("migration parity needs PostgreSQL: ATTUNE_TEST_POSTGRES_URL is not set");
        return;
    };
    let (_sqlite_store, sqlite_path) = fresh_store(&Backend::Sqlite).await;
    let (_pg_store, pg_url) = fresh_store(&pg).await;
    let sqlite = sqlite_schema(&sqlite_path).await;
    let postgres = postgres_schema(&pg_url).await;
    assert!(sqlite.iter().any(|f| f.starts_with("table ")), "{sqlite:?}");
    let mut differences = BTreeSet::new();
    for f in sqlite.difference(&postgres) {
        differences.insert(format!("only on SQLite: {f}"));
    }
    for f in postgres.difference(&sqlite) {
        differences.insert(format!("only on PostgreSQL: {f}"));
    }
    let allowed: BTreeSet<String> = ALLOWED.iter().map(|(d, _)| (*d).to_owned()).collect();
    let unexplained: Vec<&String> = differences.difference(&allowed).collect();
    let stale: Vec<&String> = allowed.difference(&differences).collect();
    assert!(
        unexplained.is_empty(),
        "schema differences between the backends (fix with a migration, or allow with a reason):\n{}",
        unexplained
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        stale.is_empty(),
        "allowed differences that no longer occur: {stale:?}"
    );
}
