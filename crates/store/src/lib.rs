//! Persistence: SeaORM entities and the use cases that read and write them, each inside a
//! transaction it owns. Runs on SQLite and PostgreSQL from one URL.

pub mod accounts;
mod entity;
pub mod error;
pub mod events;
mod group_commit;
pub mod meeting_blocks;
pub mod meeting_changes;
pub mod meeting_preferences;
pub mod meetings;
pub mod needs;
pub mod notices;
pub mod organisations;
pub mod outbox;
pub mod outcomes;
pub mod participants;
pub mod personal_data;
pub mod registrations;
pub mod reports;
pub mod schedule;
pub mod series;
pub mod stands;
pub mod wishes;

use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

pub use error::Error;
pub use sea_orm::{DatabaseConnection as Db, DbErr};

/// Opens a pool on `url` (`sqlite://file.db?mode=rwc` or `postgres://…`).
///
/// SQLite runs in WAL mode with a busy timeout, so readers never block the one writer. Its pool
/// is small (3): there is one writer (writers queue in this process, [`begin_write`]), and two
/// connections are left for readers; `MATINALE_DB_POOL` sets another size.
pub async fn connect(url: &str) -> Result<DatabaseConnection, Error> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(pool_size(url))
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        // A ping on every checkout is one more round trip per query; only connections idle
        // long enough to have been dropped by the server or a firewall are checked.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    Ok(Database::connect(options).await?)
}

/// The turn of one SQLite write transaction in this process (see [`begin_write`]); dropping it
/// lets the next writer in. Empty on PostgreSQL, whose writers run side by side.
#[must_use = "the turn must live as long as the transaction"]
pub struct WriterTurn(#[allow(dead_code)] Option<tokio::sync::OwnedMutexGuard<()>>);

/// SQLite has one writer. Queuing writers here, in order, instead of in SQLite's busy handler
/// (which sleeps 1, 2, 5 … 100 ms between retries while the lock may already be free) keeps
/// the lock busy and latency flat under a registration rush. One queue for the process: a
/// process serves one database (tests that open several only wait a little longer).
static SQLITE_WRITERS: std::sync::LazyLock<std::sync::Arc<tokio::sync::Mutex<()>>> =
    std::sync::LazyLock::new(|| std::sync::Arc::new(tokio::sync::Mutex::new(())));

/// Waits for this process's SQLite writer turn (at most 10 s).
pub(crate) async fn writer_turn() -> Result<WriterTurn, DbErr> {
    let queued = SQLITE_WRITERS.clone().lock_owned();
    match tokio::time::timeout(Duration::from_secs(10), queued).await {
        Ok(guard) => Ok(WriterTurn(Some(guard))),
        Err(_) => Err(DbErr::Custom("the database is busy: no write turn within 10 s".into())),
    }
}

/// Begins a transaction that will write. On SQLite it first waits for this process's writer
/// turn, then runs `BEGIN IMMEDIATE`, so it holds the one writer lock from its start instead
/// of failing to upgrade a read snapshot later; on PostgreSQL it is a plain `BEGIN`. Keep the
/// turn until the transaction ends, and never begin a second write while holding one.
pub async fn begin_write<D: TransactionTrait + ConnectionTrait>(db: &D) -> Result<(WriterTurn, D::Transaction), DbErr> {
    let turn = if db.get_database_backend() == DbBackend::Sqlite {
        writer_turn().await?
    } else {
        WriterTurn(None)
    };
    Ok((turn, begin_immediate(db).await?))
}

/// `BEGIN IMMEDIATE` on SQLite (the writer lock at once), a plain `BEGIN` on PostgreSQL. The
/// caller holds the writer turn ([`begin_write`] takes it).
pub(crate) async fn begin_immediate<D: TransactionTrait>(db: &D) -> Result<D::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Runs the write `work` to its end even if the caller stops waiting (a client that hangs up):
/// on SQLite the registrant that writes a group of registrations writes it for the others too
/// ([`group_commit`]), so it must not stop half-way.
pub(crate) async fn run_to_completion<T, F>(work: F) -> Result<T, Error>
where
    F: std::future::Future<Output = Result<T, Error>> + Send + 'static,
    T: Send + 'static,
{
    match tokio::spawn(work).await {
        Ok(done) => done,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(Error::Database(DbErr::Custom(format!("the write was stopped: {e}")))),
    }
}

/// Connections in the pool: `MATINALE_DB_POOL`, else 3 on SQLite (one writer; readers in WAL)
/// and 8 on PostgreSQL (more only queue inside the server: on 2 cores the registration rush had
/// its lowest p99 with 8, and its highest with 32; see BENCHMARKS.md).
fn pool_size(url: &str) -> u32 {
    std::env::var("MATINALE_DB_POOL")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(if url.starts_with("sqlite") { 3 } else { 8 })
}

/// Runs the transaction `once` builds, again (up to four times in all) while PostgreSQL rolls it
/// back as a deadlock or serialization failure ([`Error::is_retryable`]): each run begins its
/// own transaction, so it starts over from a fresh snapshot.
pub(crate) async fn run_again_on_rollback<T, F, Fut>(mut once: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let mut attempt = 1;
    loop {
        match once().await {
            Err(e) if e.is_retryable() && attempt < 4 => {
                tracing::debug!(attempt, error = %e, "transaction rolled back by the database; running it again");
                attempt += 1;
            }
            result => return result,
        }
    }
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
