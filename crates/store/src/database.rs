//! The [`Store`] handle: the pool, its backend, the SQLite writer queue, the events read to
//! register for them, and the group of registrations waiting for the writer. Built once at
//! start from a [`Config`]; cheap to clone (one `Arc` inside).
//!
//! Writes go through [`Store::write`]: on SQLite the writer queue of this handle and
//! `BEGIN IMMEDIATE`; on PostgreSQL a plain transaction, run again when the database rolls it
//! back as a deadlock or serialization failure. Reads run on the handle itself (it is a
//! [`ConnectionTrait`]) or on [`Store::connection`].

use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use matinale_domain::clock::Clock;
use matinale_domain::event::Event;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use uuid::Uuid;

use crate::error::Error;
use crate::group_commit::Waiting;

/// How long a write waits for the SQLite writer before it is refused as [`Error::Busy`].
const WRITER_WAIT: Duration = Duration::from_secs(10);

/// At most this many events are remembered for registering (then all are forgotten).
const EVENTS_REMEMBERED: usize = 1024;

/// How to open the store.
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://file.db?mode=rwc`, `sqlite::memory:` or `postgres://…`.
    pub url: String,
    /// Connections in the pool; `None`: 3 on SQLite (one writer; readers in WAL) and 8 on
    /// PostgreSQL (more only queue inside the server: on 2 cores the registration rush had its
    /// lowest p99 with 8, and its highest with 32; see BENCHMARKS.md).
    pub pool_size: Option<u32>,
    /// What time it is for every rule of this store ([`Store::now`]): the system clock, or
    /// one a test moves.
    pub clock: Clock,
}

impl Config {
    /// The store at `url`, with the default pool size.
    pub fn new(url: impl Into<String>) -> Self {
        Config {
            url: url.into(),
            pool_size: None,
            clock: Clock::system(),
        }
    }

    fn pool_size(&self) -> u32 {
        self.pool_size
            .filter(|&n| n > 0)
            .unwrap_or(if self.url.starts_with("sqlite") { 3 } else { 8 })
    }
}

/// The database, and the state that goes with it in this process.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    backend: DbBackend,
    /// SQLite has one writer. Queuing writers here, in order, instead of in SQLite's busy
    /// handler (which sleeps 1, 2, 5 … 100 ms between retries while the lock may already be
    /// free) keeps the lock busy and latency flat under a registration rush.
    writers: Arc<tokio::sync::Mutex<()>>,
    /// Events as last read to register for them, by id (see `registrations::register`).
    events_read: Mutex<HashMap<Uuid, Event>>,
    /// SQLite registrations waiting for the writer (see `group_commit`).
    waiting: Mutex<Vec<Waiting>>,
    /// Tells waiting registrations apart.
    tickets: AtomicU64,
    /// Write transactions waiting now for a connection of the pool (`begin`), and, on SQLite,
    /// for the writer's turn: the pool's queue as `/metrics` shows it (`operations::pool`).
    waiting_for_connection: AtomicU64,
    waiting_for_writer: AtomicU64,
    /// The one way the store, its use cases and the workers on it read now.
    clock: Clock,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.inner.backend).finish()
    }
}

/// The turn of one SQLite write transaction of a [`Store`]; dropping it lets the next writer
/// in. Empty on PostgreSQL, whose writers run side by side.
#[must_use = "the turn must live as long as the transaction"]
pub(crate) struct WriterTurn(#[allow(dead_code)] Option<tokio::sync::OwnedMutexGuard<()>>);

/// A write transaction, as [`Store::write`] hands it to its work. `'env` is the lifetime of
/// what the work borrows.
pub struct Txn<'env> {
    txn: DatabaseTransaction,
    clock: Clock,
    _env: PhantomData<&'env ()>,
}

impl Txn<'_> {
    /// Now, as the store's clock tells it.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// A connection that tells the store's time: the [`Store`] handle and its transactions. What
/// stamps or compares with now takes one, so that now always comes from the store's clock.
pub trait Clocked: ConnectionTrait {
    /// Now, as the store's clock tells it.
    fn now(&self) -> DateTime<Utc>;
}

impl Clocked for Store {
    fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }
}

impl Clocked for Txn<'_> {
    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// What the work of [`Store::write`] returns.
pub type Work<'c, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'c>>;

impl Store {
    /// Opens a pool as `config` says. SQLite runs in WAL mode with a busy timeout, so readers
    /// never block the one writer.
    pub async fn connect(config: &Config) -> Result<Store, Error> {
        let mut options = ConnectOptions::new(config.url.clone());
        options
            .max_connections(config.pool_size())
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
        let db = Database::connect(options).await?;
        Ok(Store {
            inner: Arc::new(Inner {
                backend: db.get_database_backend(),
                db,
                writers: Arc::new(tokio::sync::Mutex::new(())),
                events_read: Mutex::default(),
                waiting: Mutex::default(),
                tickets: AtomicU64::new(0),
                waiting_for_connection: AtomicU64::new(0),
                waiting_for_writer: AtomicU64::new(0),
                clock: config.clock.clone(),
            }),
        })
    }

    /// The pool, for statements of tests and benchmarks. Use cases write with [`Store::write`].
    pub fn connection(&self) -> &DatabaseConnection {
        &self.inner.db
    }

    /// The clock of this store: what time it is for its rules and the workers on it.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// Now, as the store's clock tells it.
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.inner.backend
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), Error> {
        matinale_migrations::Migrator::up(&self.inner.db, None).await?;
        Ok(())
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        self.inner.db.ping().await.is_ok()
    }

    /// Closes the pool (of every clone of this handle).
    pub async fn close(&self) -> Result<(), Error> {
        self.inner.db.clone().close().await?;
        Ok(())
    }

    /// Runs `work` in one write transaction, committed when it returns `Ok`, rolled back
    /// otherwise. SQLite: after this handle's writer turn (at most 10 s, else
    /// [`Error::Busy`]), with `BEGIN IMMEDIATE`, so the transaction holds the one writer lock
    /// from its start instead of failing to upgrade a read snapshot later. PostgreSQL: a plain
    /// `BEGIN`, and `work` runs again (up to four times in all, each in a fresh transaction)
    /// while the database rolls it back as a deadlock or serialization failure.
    ///
    /// Never call `write` from inside `work`: the writer turn is not reentrant.
    pub async fn write<'env, T, F>(&self, mut work: F) -> Result<T, Error>
    where
        F: for<'c> FnMut(&'c Txn<'env>) -> Work<'c, T> + Send + 'env,
        T: Send,
    {
        let mut attempt = 1;
        loop {
            let turn = self.writer_turn().await?;
            let done = self.write_in_turn(&turn, &mut work).await;
            drop(turn);
            match done {
                Err(e) if e.is_retryable() && attempt < 4 => {
                    tracing::debug!(attempt, error = %e, "transaction rolled back by the database; running it again");
                    attempt += 1;
                }
                done => return done,
            }
        }
    }

    /// [`Store::write`] of work that uses `value` once (a caller's `FnOnce`, an owned value):
    /// a run after PostgreSQL rolled the first one back finds it gone, and answers a conflict
    /// for the client to try again.
    pub async fn write_once<'env, T, A, F>(&self, value: A, mut work: F) -> Result<T, Error>
    where
        F: for<'c> FnMut(&'c Txn<'env>, A) -> Work<'c, T> + Send + 'env,
        A: Send + 'env,
        T: Send,
    {
        let mut value = Some(value);
        self.write(move |txn| match value.take() {
            Some(value) => work(txn, value),
            None => Box::pin(async { Err(rolled_back()) }),
        })
        .await
    }

    /// Runs `statement`, which writes with one statement on the pool: its own transaction, one
    /// round trip (no `BEGIN`/`COMMIT` around it). SQLite: in this handle's writer turn;
    /// PostgreSQL: run again while the database rolls it back, as [`Store::write`] does.
    pub(crate) async fn write_statement<T, F, Fut>(&self, mut statement: F) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let mut attempt = 1;
        loop {
            let turn = self.writer_turn().await?;
            let done = statement().await;
            drop(turn);
            match done {
                Err(e) if e.is_retryable() && attempt < 4 => {
                    tracing::debug!(attempt, error = %e, "statement rolled back by the database; running it again");
                    attempt += 1;
                }
                done => return done,
            }
        }
    }

    /// One run of `work` in a transaction; the caller holds the writer turn.
    pub(crate) async fn write_in_turn<'env, T, F>(&self, _turn: &WriterTurn, work: &mut F) -> Result<T, Error>
    where
        F: for<'c> FnMut(&'c Txn<'env>) -> Work<'c, T> + Send + 'env,
        T: Send,
    {
        let begun = {
            let _waiting = Counted::new(&self.inner.waiting_for_connection);
            self.inner
                .db
                .begin_with_options(TransactionOptions {
                    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                    ..TransactionOptions::default()
                })
                .await?
        };
        let txn = Txn {
            txn: begun,
            clock: self.inner.clock.clone(),
            _env: PhantomData,
        };
        let done = work(&txn).await;
        match done {
            Ok(value) => {
                txn.txn.commit().await?;
                Ok(value)
            }
            Err(e) => {
                txn.txn.rollback().await?;
                Err(e)
            }
        }
    }

    /// Waits for this handle's SQLite writer turn (at most 10 s, else [`Error::Busy`]); at once
    /// on PostgreSQL.
    pub(crate) async fn writer_turn(&self) -> Result<WriterTurn, Error> {
        if self.inner.backend != DbBackend::Sqlite {
            return Ok(WriterTurn(None));
        }
        let queued = self.inner.writers.clone().lock_owned();
        let _waiting = Counted::new(&self.inner.waiting_for_writer);
        match tokio::time::timeout(WRITER_WAIT, queued).await {
            Ok(guard) => Ok(WriterTurn(Some(guard))),
            Err(_) => Err(Error::Busy),
        }
    }

    /// The event `id` as last read to register for it.
    pub(crate) fn remembered_event(&self, id: Uuid) -> Option<Event> {
        lock(&self.inner.events_read).get(&id).cloned()
    }

    /// Remembers `event` for the next registrations.
    pub(crate) fn remember_event(&self, event: Event) {
        let mut remembered = lock(&self.inner.events_read);
        if remembered.len() >= EVENTS_REMEMBERED {
            remembered.clear();
        }
        remembered.insert(event.id, event);
    }

    /// Write transactions waiting now for a connection, and for SQLite's writer turn.
    pub(crate) fn waiting_now(&self) -> (u64, u64) {
        (
            self.inner.waiting_for_connection.load(Ordering::Relaxed),
            self.inner.waiting_for_writer.load(Ordering::Relaxed),
        )
    }

    /// The registrations waiting for the SQLite writer.
    pub(crate) fn waiting(&self) -> MutexGuard<'_, Vec<Waiting>> {
        lock(&self.inner.waiting)
    }

    /// A ticket no other waiting registration of this handle has.
    pub(crate) fn ticket(&self) -> u64 {
        self.inner.tickets.fetch_add(1, Ordering::Relaxed)
    }
}

/// What a write may use once (a caller's `FnOnce`, an owned value), taken out of its slot by
/// each run of the write: a run after PostgreSQL rolled the first one back finds it gone, and
/// answers a conflict for the client to try again.
pub(crate) fn once<T>(taken: Option<T>) -> Result<T, Error> {
    taken.ok_or_else(rolled_back)
}

fn rolled_back() -> Error {
    Error::Conflict("the change met a concurrent one and was rolled back; try again".into())
}

/// One more waiting on a counter while it lives (a waiter whose future is dropped counts off).
struct Counted<'a>(&'a AtomicU64);

impl<'a> Counted<'a> {
    fn new(counter: &'a AtomicU64) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Counted(counter)
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A panic while holding one of these locks leaves the value as it was: keep using it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Opens the store at `url` with the default pool size ([`Store::connect`]).
pub async fn connect(url: &str) -> Result<Store, Error> {
    Store::connect(&Config::new(url)).await
}

#[async_trait::async_trait]
impl ConnectionTrait for Store {
    fn get_database_backend(&self) -> DbBackend {
        self.inner.backend
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.inner.db.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.inner.db.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.inner.db.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.inner.db.query_all_raw(stmt).await
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Txn<'_> {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }
}
