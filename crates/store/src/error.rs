//! Errors of the store layer.

use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// What can go wrong reading or writing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No such row, or the caller may not know it exists.
    #[error("not found")]
    NotFound,
    /// The caller may see it but not change it.
    #[error("not allowed")]
    Forbidden,
    /// A unique key or a state rule refuses the change.
    #[error("{0}")]
    Conflict(String),
    /// The row changed since the caller read it (stale `If-Match`).
    #[error("the resource has changed since it was read")]
    Stale,
    /// The input breaks a domain rule.
    #[error(transparent)]
    Invalid(#[from] matinale_domain::Error),
    /// The database failed or is unreachable.
    #[error("database error: {0}")]
    Database(DbErr),
}

impl Error {
    /// A PostgreSQL deadlock (`40P01`) or serialization failure (`40001`): the database rolled
    /// the transaction back, and running it again is the expected answer.
    pub fn is_retryable(&self) -> bool {
        let Error::Database(DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = self
        else {
            return false;
        };
        match std::ops::Deref::deref(e) {
            sea_orm::sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("40P01" | "40001")),
            _ => false,
        }
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
            _ => Error::Database(err),
        }
    }
}

impl From<sea_orm::TransactionError<Error>> for Error {
    fn from(err: sea_orm::TransactionError<Error>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

/// A stored value that no longer parses: the database was edited by hand.
pub(crate) fn corrupt(what: &str) -> Error {
    Error::Database(DbErr::Custom(format!("stored {what} is not valid")))
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
