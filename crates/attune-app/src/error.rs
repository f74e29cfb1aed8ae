//! The one error type of the use cases. The web crate maps it to HTTP in one place; the CLI
//! prints it.

use attune_domain::{FieldError, Invalid};
use attune_storage::StoreError;

/// Why a use case did not give its answer.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input has problems, field by field (HTTP 422).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The thing asked for does not exist in this organisation (HTTP 404).
    #[error("not found")]
    NotFound,
    /// The request conflicts with what is stored (HTTP 409).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The caller may not do this (HTTP 403).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Storage failed for a reason the caller cannot fix (HTTP 500, logged).
    #[error(transparent)]
    Store(StoreError),
    /// A failure inside the use case (a worker thread died, indexing failed): logged, 500.
    #[error("internal error: {0}")]
    Internal(String),
}

/// A use case's answer.
pub type AppResult<T> = Result<T, AppError>;

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Invalid(i) => AppError::Invalid(i),
            other => AppError::Store(other),
        }
    }
}

impl AppError {
    /// A 422 about one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid(Invalid::one(field, message))
    }

    /// The field problems, when this is an `Invalid`.
    pub fn fields(&self) -> Option<&[FieldError]> {
        match self {
            AppError::Invalid(Invalid(f)) => Some(f),
            _ => None,
        }
    }
}
