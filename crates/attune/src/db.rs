//! Opens the storage backend named by a database URL.

use std::sync::Arc;

use anyhow::Context;
use attune_storage::Store;
use attune_storage::sql::SqlStore;

/// True for `postgres://` and `postgresql://` URLs.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// Connects to (and migrates) the database: PostgreSQL for `postgres://…`, otherwise SQLite
/// (a file path or `sqlite:` URL; the file is created when missing).
pub async fn open(url: &str) -> anyhow::Result<SqlStore> {
    let store = connect(url).await?;
    let built = store
        .build_missing_counts()
        .await
        .context("building the loop metrics' counts after migrating")?;
    if built > 0 {
        tracing::info!(organisations = built, "built the loop metrics' counts");
    }
    Ok(store)
}

async fn connect(url: &str) -> anyhow::Result<SqlStore> {
    if is_postgres(url) {
        attune_postgres::connect(url)
            .await
            .with_context(|| format!("connecting to PostgreSQL at {}", redact(url)))
    } else {
        attune_sqlite::connect(url)
            .await
            .with_context(|| format!("opening the SQLite database {url}"))
    }
}

/// Opens the database as a shared trait object.
pub async fn open_store(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    Ok(Arc::new(open(url).await?))
}

/// Hides a password in a database URL for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_appear_in_messages() {
        assert_eq!(
            redact("postgres://ana:s3cret@db:5432/attune"),
            "postgres://ana:***@db:5432/attune"
        );
        assert_eq!(redact("./attune.db"), "./attune.db");
    }
}
