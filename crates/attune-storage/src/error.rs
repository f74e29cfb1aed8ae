//! The storage error type, mapped to HTTP status codes in one place (`attune-web`'s `ApiError`).

/// What went wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist in the caller's organisation.
    #[error("not found")]
    NotFound,
    /// A unique constraint or state check failed (e.g. an invitation already used).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The change breaks a rule of the domain (e.g. resolving a case without a root cause).
    #[error(transparent)]
    Invalid(#[from] attune_domain::Invalid),
    /// The server has more work waiting than it takes: try again shortly (HTTP 503).
    #[error("busy: {0}")]
    Busy(String),
    /// Anything else: the database is unreachable, a query failed.
    #[error(transparent)]
    Other(#[from] anyhow_like::Error),
}

/// A boxed error with a context message, so storage needs no `anyhow` dependency.
pub mod anyhow_like {
    /// A database error with what was being done when it happened.
    #[derive(Debug, thiserror::Error)]
    #[error("{context}: {source}")]
    pub struct Error {
        /// What storage was doing.
        pub context: String,
        /// The underlying error.
        #[source]
        pub source: Box<dyn std::error::Error + Send + Sync>,
    }
}

/// SQLSTATEs of text PostgreSQL cannot store: `22021` (a NUL byte in a text parameter) and
/// `22P05` (`\u0000` in JSON cast to `jsonb`).
const UNSTORABLE_TEXT: [&str; 2] = ["22021", "22P05"];

/// Whether a database error is SQLite's `SQLITE_BUSY` (or an extended form of it): another
/// process held the write lock past the busy timeout. SQLite's codes are numbers below 10,000;
/// PostgreSQL's are five-character SQLSTATEs, so the two never mix.
fn is_sqlite_busy(code: &str) -> bool {
    code.len() < 5 && code.parse::<u32>().is_ok_and(|c| c & 0xff == 5)
}

/// Adds a context message to database errors, turning unique violations into `Conflict`, a
/// write lock held past SQLite's busy timeout or a pool with no free connection in time into
/// `Busy` (try again: HTTP 503), and
/// text PostgreSQL cannot store (NUL) into `Invalid`: bad input, not a failure of the server.
/// The HTTP layer refuses NUL before it gets here; this covers every other way in (imports).
pub trait Context<T> {
    /// Wraps the error with `what` was being attempted.
    fn context(self, what: &str) -> Result<T, StoreError>;
}

impl<T> Context<T> for Result<T, sqlx::Error> {
    fn context(self, what: &str) -> Result<T, StoreError> {
        self.map_err(|e| {
            if let sqlx::Error::Database(db) = &e
                && db.is_unique_violation()
            {
                return StoreError::Conflict(format!("{what}: already exists"));
            }
            if let sqlx::Error::Database(db) = &e
                && db
                    .code()
                    .is_some_and(|c| UNSTORABLE_TEXT.contains(&c.as_ref()))
            {
                return StoreError::Invalid(attune_domain::Invalid::one(
                    "input",
                    format!("{what}: text must not contain the NUL character (U+0000)"),
                ));
            }
            if let sqlx::Error::Database(db) = &e
                && db.code().is_some_and(|c| is_sqlite_busy(&c))
            {
                return StoreError::Busy(format!("{what}: the database is busy"));
            }
            // Every connection stayed busy past the pool's wait: the server is overloaded.
            if let sqlx::Error::PoolTimedOut = e {
                return StoreError::Busy(format!("{what}: every database connection is busy"));
            }
            if let sqlx::Error::RowNotFound = e {
                return StoreError::NotFound;
            }
            StoreError::Other(anyhow_like::Error {
                context: what.to_owned(),
                source: Box::new(e),
            })
        })
    }
}

impl<T> Context<T> for Result<T, serde_json::Error> {
    fn context(self, what: &str) -> Result<T, StoreError> {
        self.map_err(|e| {
            StoreError::Other(anyhow_like::Error {
                context: what.to_owned(),
                source: Box::new(e),
            })
        })
    }
}

/// A stored value this version cannot read, e.g. a case state written by a newer version.
#[derive(Debug, thiserror::Error)]
#[error("`{value}` is not a known {what}")]
pub struct UnknownValue {
    /// What the column holds, e.g. `case state`.
    pub what: &'static str,
    /// The stored text.
    pub value: String,
}

/// Reads a stored name with `parse`; an unknown one is a `StoreError::Other` naming it.
pub(crate) fn decode<T>(
    what: &'static str,
    raw: String,
    parse: impl FnOnce(&str) -> Option<T>,
) -> StoreResult<T> {
    parse(&raw).ok_or_else(|| {
        StoreError::Other(anyhow_like::Error {
            context: format!("reading a {what}"),
            source: Box::new(UnknownValue { what, value: raw }),
        })
    })
}

/// Storage results.
pub type StoreResult<T> = Result<T, StoreError>;

#[cfg(test)]
mod tests {
    use super::is_sqlite_busy;

    #[test]
    fn only_sqlite_busy_codes_are_busy() {
        for busy in ["5", "261", "517", "773"] {
            assert!(is_sqlite_busy(busy), "{busy}");
        }
        for other in ["6", "19", "2067", "40P01", "23505", "08006", "55P03", ""] {
            assert!(!is_sqlite_busy(other), "{other}");
        }
    }
}
