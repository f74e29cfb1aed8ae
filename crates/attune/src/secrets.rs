//! The key that seals the credentials Attune keeps in its database, and what start-up and
//! `attune secrets rotate` do with it.
//!
//! The key comes from `secret_key`, else from `secret_key_file` (by default beside a SQLite
//! database, or `attune.key` in the working directory for PostgreSQL), generated there with
//! mode 0600 on the first start. A sealed check value in `settings` tells whether a key is the
//! database's key: a wrong key stops start-up instead of minting new secrets. Start-up seals
//! the plain-text credentials an older version left (in one transaction) and reads, or creates,
//! the invitation signing key.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, bail};
use attune_seal::{Key, Sealer, is_sealed, key_id_of, purpose};
use attune_storage::Store;
use attune_storage::model::{CredentialRow, StoredCredential};

use crate::config::Config;

/// The setting holding the sealed check value.
pub const KEY_CHECK_SETTING: &str = "secret_key_check";
/// The setting holding the generated invitation signing key (sealed).
pub const SIGNING_KEY_SETTING: &str = "signing_key";
/// What the check value opens to.
const CHECK_PLAIN: &str = "attune secret key check v1";

/// What start-up hands to the web layer and the worker.
#[derive(Clone)]
pub struct Secrets {
    /// Seals and opens stored credentials.
    pub sealer: Arc<Sealer>,
    /// The key that signs invitation links.
    pub signing_key: Arc<[u8]>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("key_id", &self.sealer.key_id())
            .finish_non_exhaustive()
    }
}

/// Where the key file is when `secret_key` is empty; `None` for an in-memory database, whose
/// key need not outlive the process.
pub fn key_file_path(config: &Config) -> Option<PathBuf> {
    if let Some(p) = &config.secret_key_file {
        return Some(p.clone());
    }
    if crate::db::is_postgres(&config.db) {
        return Some(PathBuf::from("attune.key"));
    }
    let db = &config.db;
    let path = db
        .strip_prefix("sqlite://")
        .or_else(|| db.strip_prefix("sqlite:"))
        .unwrap_or(db);
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    Some(PathBuf::from(format!("{path}.key")))
}

/// Which stored values are credentials, and the purpose each is sealed for.
fn purpose_of(row: &CredentialRow) -> Option<String> {
    match row {
        CredentialRow::Setting { key } if key == SIGNING_KEY_SETTING => {
            Some(purpose::SIGNING_KEY.to_owned())
        }
        CredentialRow::Setting { key } if key == KEY_CHECK_SETTING => {
            Some(purpose::KEY_CHECK.to_owned())
        }
        CredentialRow::Setting { .. } => None,
        CredentialRow::WebhookSecret { org_id, .. } => Some(purpose::webhook_secret(org_id)),
    }
}

fn describe(row: &CredentialRow) -> String {
    match row {
        CredentialRow::Setting { key } => format!("the setting `{key}`"),
        CredentialRow::WebhookSecret { org_id, webhook_id } => {
            format!("the signing secret of webhook {webhook_id} (organisation {org_id})")
        }
    }
}

fn read_key_file(path: &Path) -> anyhow::Result<Option<Key>> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            warn_if_readable_by_others(path);
            Key::parse(&text)
                .map(Some)
                .with_context(|| format!("reading the secret key file {}", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading the secret key file {}", path.display())),
    }
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(m) = std::fs::metadata(path)
        && m.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(path = %path.display(), "the secret key file can be read by other users: chmod 600 it");
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_: &Path) {}

/// Writes a new key to `path` (mode 0600), unless another process got there first, in which
/// case its key is used. The file appears whole: it is written aside and then linked in.
fn create_key_file(path: &Path) -> anyhow::Result<Key> {
    let text = Key::generate();
    let tmp = path.with_file_name(format!(
        ".{}.{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("attune.key"),
        uuid::Uuid::new_v4().simple()
    ));
    let write = || -> std::io::Result<()> {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&tmp)?;
        f.write_all(format!("{text}\n").as_bytes())?;
        f.sync_all()
    };
    write().with_context(|| format!("writing a new secret key to {}", tmp.display()))?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            tracing::info!(path = %path.display(), "generated the key that seals stored credentials; back it up with the database");
            Key::parse(&text).context("reading the new secret key")
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_key_file(path)?
            .with_context(|| format!("the secret key file {} vanished", path.display())),
        Err(e) => {
            Err(e).with_context(|| format!("creating the secret key file {}", path.display()))
        }
    }
}

/// The configured keys, checked against the database. A key is generated only for a database
/// that has nothing sealed yet and only when `may_generate`.
async fn open_sealer(
    config: &Config,
    store: &dyn Store,
    may_generate: bool,
) -> anyhow::Result<Sealer> {
    let previous = config
        .previous_secret_keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            Key::parse(k.expose()).with_context(|| {
                format!(
                    "previous_secret_keys (ATTUNE_PREVIOUS_SECRET_KEYS), key number {}",
                    i + 1
                )
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let check = store
        .setting(KEY_CHECK_SETTING)
        .await
        .context("reading the secret key check value")?;
    let sealed_with = check
        .as_deref()
        .and_then(key_id_of)
        .unwrap_or("?")
        .to_owned();
    let current = match &config.secret_key {
        Some(k) if !k.expose().is_empty() => {
            Key::parse(k.expose()).context("secret_key (ATTUNE_SECRET_KEY)")?
        }
        _ => match key_file_path(config) {
            // An in-memory database ends with the process, and so may its key.
            None => Key::parse(&Key::generate()).context("generating a secret key")?,
            Some(path) => match read_key_file(&path)? {
                Some(k) => k,
                None if check.is_some() => bail!(
                    "this database's credentials are sealed with key {sealed_with}, but the \
                     secret key file {} does not exist and secret_key (ATTUNE_SECRET_KEY) is not \
                     set: restore the key file from your backup, or point secret_key_file \
                     (ATTUNE_SECRET_KEY_FILE) at it; a new key could not open them",
                    path.display()
                ),
                None if !may_generate => bail!(
                    "no secret key: set secret_key (ATTUNE_SECRET_KEY) or secret_key_file \
                     (ATTUNE_SECRET_KEY_FILE); {} does not exist",
                    path.display()
                ),
                None => create_key_file(&path)?,
            },
        },
    };
    let sealer = Sealer::new(current, previous);
    let check = match check {
        Some(c) => c,
        None => store
            .setting_or_init(
                KEY_CHECK_SETTING,
                &sealer.seal(purpose::KEY_CHECK, CHECK_PLAIN),
            )
            .await
            .context("storing the secret key check value")?,
    };
    match sealer.open(purpose::KEY_CHECK, &check) {
        Ok(v) if v == CHECK_PLAIN => Ok(sealer),
        _ => bail!(
            "the secret key (key id {}) is not the key this database's credentials are sealed \
             with (key id {}): every instance sharing a database needs the same key. Configure \
             that key as secret_key (ATTUNE_SECRET_KEY) or in secret_key_file \
             (ATTUNE_SECRET_KEY_FILE), or, while rotating, list it in previous_secret_keys",
            sealer.key_id(),
            key_id_of(&check).unwrap_or("unknown")
        ),
    }
}

/// Start-up: the sealer (checked against the database), every plain-text credential sealed,
/// and the invitation signing key.
pub async fn prepare(config: &Config, store: &dyn Store) -> anyhow::Result<Secrets> {
    let sealer = Arc::new(open_sealer(config, store, true).await?);
    let unopenable = Mutex::new(Vec::new());
    let sealed = store
        .reseal_credentials(&|c: &StoredCredential| {
            let Some(p) = purpose_of(&c.row) else {
                return Ok(None);
            };
            if !is_sealed(&c.value) {
                return Ok(Some(sealer.seal(&p, &c.value)));
            }
            if let Err(e) = sealer.open(&p, &c.value)
                && let Ok(mut u) = unopenable.lock()
            {
                u.push(format!("{} {e}", describe(&c.row)));
            }
            Ok(None)
        })
        .await
        .context("sealing credentials stored in plain text")?;
    if sealed > 0 {
        tracing::info!(
            credentials = sealed,
            "sealed credentials an older version stored in plain text"
        );
    }
    for problem in unopenable.lock().map(|u| u.clone()).unwrap_or_default() {
        tracing::warn!(%problem, "a stored credential does not open with the configured keys");
    }
    let signing_key = match &config.signing_key {
        Some(k) if !k.expose().is_empty() => Arc::from(k.expose().as_bytes()),
        _ => {
            let fresh = sealer.seal(purpose::SIGNING_KEY, &attune_web::auth::random_token(32));
            let stored = store
                .setting_or_init(SIGNING_KEY_SETTING, &fresh)
                .await
                .context("reading the invitation signing key")?;
            let key = sealer
                .open(purpose::SIGNING_KEY, &stored)
                .map_err(|e| anyhow::anyhow!("the invitation signing key in the database {e}"))?;
            Arc::from(key.into_bytes())
        }
    };
    Ok(Secrets {
        sealer,
        signing_key,
    })
}

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The key everything is now sealed with.
    pub key_id: String,
    /// How many stored values were sealed again.
    pub resealed: u64,
}

/// `attune secrets rotate`: seals every stored credential not yet sealed with the current key
/// again with it, in one transaction. A value no configured key opens stops the rotation
/// with nothing changed, naming the row.
pub async fn rotate(config: &Config, store: &dyn Store) -> anyhow::Result<Rotation> {
    let sealer = open_sealer(config, store, false).await?;
    let resealed = store
        .reseal_credentials(&|c: &StoredCredential| {
            let Some(p) = purpose_of(&c.row) else {
                return Ok(None);
            };
            if sealer.is_current(&c.value) {
                return Ok(None);
            }
            let plain = if is_sealed(&c.value) {
                sealer
                    .open(&p, &c.value)
                    .map_err(|e| format!("{} {e}", describe(&c.row)))?
            } else {
                c.value.clone()
            };
            Ok(Some(sealer.seal(&p, &plain)))
        })
        .await
        .context("re-sealing the stored credentials")?;
    Ok(Rotation {
        key_id: sealer.key_id().to_owned(),
        resealed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_sits_beside_a_sqlite_file_or_in_the_working_directory() {
        let at = |db: &str| {
            key_file_path(&Config {
                db: db.into(),
                ..Config::default()
            })
        };
        assert_eq!(at("./attune.db"), Some(PathBuf::from("./attune.db.key")));
        assert_eq!(
            at("sqlite:///var/lib/attune/a.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/attune/a.db.key"))
        );
        assert_eq!(at("sqlite::memory:"), None);
        assert_eq!(
            at("postgres://db/attune"),
            Some(PathBuf::from("attune.key"))
        );
        let c = Config {
            secret_key_file: Some("/etc/attune/key".into()),
            ..Config::default()
        };
        assert_eq!(key_file_path(&c), Some(PathBuf::from("/etc/attune/key")));
    }
}
