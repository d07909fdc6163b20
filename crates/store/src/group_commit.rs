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
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
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

/// Registers `new` on the SQLite database `db`, in the next group written for its pool. Run it
/// where it is not cancelled half-way ([`crate::run_to_completion`]): the one who writes a group
/// writes it for the others too.
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

/// Writes `group` in one transaction (the caller holds the writer turn) and answers each: with
/// its own outcome once committed, or with the error that stopped the transaction.
async fn write(db: &DatabaseConnection, group: Vec<Waiting>) {
    let (answers, work): (Vec<_>, Vec<_>) = group.into_iter().map(|w| (w.answer, (w.event, w.new))).unzip();
    match write_all(db, &work).await {
        Ok(outcomes) => {
            for (answer, outcome) in answers.into_iter().zip(outcomes) {
                let _ = answer.send(outcome);
            }
        }
        Err(e) => {
            for answer in answers {
                let _ = answer.send(Err(Error::Database(DbErr::Custom(e.to_string()))));
            }
        }
    }
}

/// Each registration of `work` behind a savepoint, in one transaction: the outcome of each, or
/// the error that stopped the transaction (rolled back, then).
async fn write_all(
    db: &DatabaseConnection,
    work: &[(Event, NewRegistration)],
) -> Result<Vec<Result<Registered, Error>>, DbErr> {
    let txn = crate::begin_immediate(db).await?;
    let mut outcomes = Vec::with_capacity(work.len());
    for (event, new) in work {
        let outcome = insert_registration(&txn, event, new, Some("registration")).await;
        if outcome.is_err() {
            // Undo what this registration's statements did before the one that failed.
            txn.execute_unprepared("ROLLBACK TO registration").await?;
        }
        outcomes.push(outcome);
    }
    txn.commit().await?;
    Ok(outcomes)
}
