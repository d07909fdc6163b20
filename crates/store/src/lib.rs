//! Persistence: SeaORM entities and the use cases that read and write them, each inside a
//! transaction it owns. Runs on SQLite and PostgreSQL from one URL.

pub mod accounts;
mod entity;
pub mod error;
pub mod events;
pub mod needs;
pub mod notices;
pub mod organisations;
pub mod outbox;
pub mod registrations;
pub mod series;
pub mod stands;

use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};
use sea_orm_migration::MigratorTrait;

pub use error::Error;
pub use sea_orm::{DatabaseConnection as Db, DbErr};

/// Opens a pool on `url` (`sqlite://file.db?mode=rwc` or `postgres://…`).
///
/// SQLite runs in WAL mode with a busy timeout, so readers never block the one writer. Its pool
/// is small (3): with one writer, more connections only wait in SQLite's busy-handler back-off
/// (measured: p99 of the registration rush 0.33 s with 8, 0.19 s with 3; see BENCHMARKS.md).
pub async fn connect(url: &str) -> Result<DatabaseConnection, Error> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(if url.starts_with("sqlite") { 3 } else { 32 })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    Ok(Database::connect(options).await?)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), Error> {
    matinale_migrations::Migrator::up(db, None).await?;
    Ok(())
}

/// Whether the database answers.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

/// Which database this is.
pub fn backend(db: &impl ConnectionTrait) -> DbBackend {
    db.get_database_backend()
}
