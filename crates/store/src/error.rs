//! Errors of the store layer.

use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// What can go wrong reading or writing.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// No such row, or the caller may not know it exists.
    #[error("not found")]
    NotFound,
    /// The caller may see it but not change it.
    #[error("not allowed")]
    Forbidden,
    /// A unique key or a state rule refuses the change; says which, in words for the client.
    #[error("{0}")]
    Conflict(String),
    /// The row changed since the caller read it (stale `If-Match`).
    #[error("the resource has changed since it was read")]
    Stale,
    /// No write turn or no connection within the time allowed: try again shortly.
    #[error("the database is busy")]
    Busy,
    /// The input breaks a domain rule.
    #[error(transparent)]
    Invalid(#[from] matinale_domain::Error),
    /// An idempotency key used again with another request body.
    #[error("this idempotency key was used with another request")]
    KeyReused,
    /// The database is unreachable.
    #[error("the database is unreachable")]
    Unavailable,
    /// The database failed; the detail is for the log only.
    #[error("database error: {0}")]
    Db(DbError),
}

/// A failure of the database or of what the store read from it, kept opaque: it is logged,
/// never shown to a client.
#[derive(Debug, Clone)]
pub struct DbError(Failure);

#[derive(Debug, Clone)]
enum Failure {
    Driver(DbErr),
    Other(String),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Failure::Driver(e) => e.fmt(f),
            Failure::Other(what) => f.write_str(what),
        }
    }
}

impl Error {
    /// A PostgreSQL deadlock (`40P01`) or serialization failure (`40001`): the database rolled
    /// the transaction back, and running it again is the expected answer.
    pub fn is_retryable(&self) -> bool {
        let Error::Db(DbError(Failure::Driver(
            DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)),
        ))) = self
        else {
            return false;
        };
        match std::ops::Deref::deref(e) {
            sea_orm::sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("40P01" | "40001")),
            _ => false,
        }
    }

    /// A failure that is not the database's answer (a write stopped half-way, …).
    pub(crate) fn internal(what: impl Into<String>) -> Error {
        Error::Db(DbError(Failure::Other(what.into())))
    }
}

/// What a client reads when a unique constraint refuses a write.
pub const UNIQUE_CONFLICT: &str = "this already exists";

impl From<DbErr> for Error {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            // The detail names tables, columns and values: for the log, not for the client.
            Some(SqlErr::UniqueConstraintViolation(detail)) => {
                tracing::info!(%detail, "a unique constraint refused a write");
                Error::Conflict(UNIQUE_CONFLICT.into())
            }
            _ => match err {
                DbErr::ConnectionAcquire(_) => Error::Busy,
                DbErr::Conn(_) => {
                    tracing::error!(error = %err, "the database is unreachable");
                    Error::Unavailable
                }
                err => Error::Db(DbError(Failure::Driver(err))),
            },
        }
    }
}

/// A stored value that no longer parses: the database was edited by hand.
pub(crate) fn corrupt(what: &str) -> Error {
    Error::internal(format!("stored {what} is not valid"))
}

#[cfg(test)]
mod tests {
    use sea_orm::ConnectionTrait;

    use super::*;

    #[tokio::test]
    async fn a_unique_violation_does_not_tell_the_client_what_it_hit() {
        let db = crate::connect("sqlite::memory:").await.unwrap();
        db.execute_unprepared("CREATE TABLE secret_things (email TEXT UNIQUE)")
            .await
            .unwrap();
        db.execute_unprepared("INSERT INTO secret_things VALUES ('awa@example.org')")
            .await
            .unwrap();
        let err = db
            .execute_unprepared("INSERT INTO secret_things VALUES ('awa@example.org')")
            .await
            .map(|_| ())
            .map_err(Error::from)
            .unwrap_err();
        let Error::Conflict(message) = err else {
            panic!("a conflict, not {err:?}");
        };
        assert_eq!(message, UNIQUE_CONFLICT);
        assert!(!message.contains("secret_things") && !message.contains("email"));
    }
}
