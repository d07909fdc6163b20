//! SQLite group commit for registrations. SQLite has one writer, so a registration rush is a
//! queue however it is written; what can shrink is the time each registration holds the lock.
//! A registrant queues its registration here and waits for the writer turn; whoever gets the
//! turn writes every registration waiting for the same pool in one transaction, each
//! behind a savepoint (a duplicate e-mail rolls back only its own), and answers each once the
//! transaction is committed. One `BEGIN` and one `COMMIT` then serve many registrations.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use matinale_domain::event::Event;
use matinale_domain::registration::NewRegistration;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use tokio::sync::oneshot;

use crate::error::Error;
use crate::registrations::{insert_registration, Registered};

/// A registration waiting for the writer, and where its answer goes.
struct Waiting {
    /// Tells it from the others (see [`register`]).
    ticket: u64,
    event: Event,
    new: NewRegistration,
    answer: oneshot::Sender<Result<Registered, Error>>,
}

/// Registrations waiting to be written, per connection pool (see [`pool_of`]).
static WAITING: LazyLock<Mutex<HashMap<usize, Vec<Waiting>>>> = LazyLock::new(Default::default);

/// Tells `db`'s pool from the others alive: the address of its connect options, which the pool
/// holds (and hands out) as one shared allocation for its whole life. Not the file name: two
/// `sqlite::memory:` pools are two databases.
fn pool_of(db: &DatabaseConnection) -> usize {
    Arc::as_ptr(&db.get_sqlite_connection_pool().connect_options()) as usize
}

fn waiting() -> std::sync::MutexGuard<'static, HashMap<usize, Vec<Waiting>>> {
    // A panic while holding this lock leaves the map as it was: keep using it.
    WAITING.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Registers `new` on the SQLite database `db`, in the next group written for its pool. Run it where it is
/// not cancelled half-way ([`crate::run_to_completion`]): the one who writes a group writes it
/// for the others too.
pub(crate) async fn register(db: &DatabaseConnection, event: Event, new: NewRegistration) -> Result<Registered, Error> {
    let pool = pool_of(db);
    static TICKETS: AtomicU64 = AtomicU64::new(0);
    let ticket = TICKETS.fetch_add(1, Ordering::Relaxed);
    let (answer, mut answered) = oneshot::channel();
    waiting().entry(pool).or_default().push(Waiting {
        ticket,
        event,
        new,
        answer,
    });
    loop {
        tokio::select! {
            biased;
            done = &mut answered => {
                return done.unwrap_or_else(|_| Err(Error::Database(DbErr::Custom("the registration was not written".into()))));
            }
            turn = crate::writer_turn() => {
                let turn = match turn {
                    Ok(turn) => turn,
                    Err(busy) => {
                        // Give up only if nobody has taken this registration to write it yet.
                        let mut all = waiting();
                        let group = all.entry(pool).or_default();
                        let before = group.len();
                        group.retain(|w| w.ticket != ticket);
                        if group.len() < before {
                            return Err(busy.into());
                        }
                        continue;
                    }
                };
                let group = waiting().remove(&pool).unwrap_or_default();
                if !group.is_empty() {
                    write(db, group).await;
                }
                drop(turn);
            }
        }
    }
}

/// Writes `group` in one transaction (the caller holds the writer turn) and answers each.
async fn write(db: &DatabaseConnection, group: Vec<Waiting>) {
    let failed = |e: &DbErr| Error::Database(DbErr::Custom(e.to_string()));
    let txn = match db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await
    {
        Ok(txn) => txn,
        Err(e) => {
            for w in group {
                let _ = w.answer.send(Err(failed(&e)));
            }
            return;
        }
    };
    let mut written: Vec<(oneshot::Sender<_>, Result<Registered, Error>)> = Vec::with_capacity(group.len());
    for w in group {
        let result = insert_registration(&txn, &w.event, &w.new, Some("registration")).await;
        if result.is_err() {
            // Undo what this registration's statements did before the one that failed.
            if let Err(e) = txn.execute_unprepared("ROLLBACK TO registration").await {
                let _ = w.answer.send(Err(failed(&e)));
                for (answer, _) in written {
                    let _ = answer.send(Err(failed(&e)));
                }
                return;
            }
        }
        written.push((w.answer, result));
    }
    match txn.commit().await {
        Ok(()) => {
            for (answer, result) in written {
                let _ = answer.send(result);
            }
        }
        Err(e) => {
            for (answer, _) in written {
                let _ = answer.send(Err(failed(&e)));
            }
        }
    }
}
