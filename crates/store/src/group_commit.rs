//! SQLite group commit for registrations. SQLite has one writer, so a registration rush is a
//! queue however it is written; what can shrink is the time each registration holds the lock.
//! A registrant queues its registration in the [`Store`] and waits for the writer turn;
//! whoever gets the turn writes every registration waiting in one write transaction, each
//! behind a savepoint (a duplicate e-mail rolls back only its own), and answers each once the
//! transaction is committed. One `BEGIN` and one `COMMIT` then serve many registrations.

use matinale_domain::event::Event;
use matinale_domain::registration::NewRegistration;
use sea_orm::ConnectionTrait;
use tokio::sync::oneshot;

use crate::database::Store;
use crate::error::Error;
use crate::registrations::{insert_registration, Registered};

/// A registration waiting for the writer, and where its answer goes.
pub(crate) struct Waiting {
    /// Tells it from the others (see [`register`]).
    ticket: u64,
    event: Event,
    new: NewRegistration,
    answer: oneshot::Sender<Result<Registered, Error>>,
}

/// Registers `new` on the SQLite store, in the next group written. Run it where it is not
/// cancelled half-way ([`crate::run_to_completion`]): the one who writes a group writes it for
/// the others too.
pub(crate) async fn register(store: &Store, event: Event, new: NewRegistration) -> Result<Registered, Error> {
    let ticket = store.ticket();
    let (answer, mut answered) = oneshot::channel();
    store.waiting().push(Waiting {
        ticket,
        event,
        new,
        answer,
    });
    loop {
        tokio::select! {
            biased;
            done = &mut answered => {
                return done.unwrap_or_else(|_| Err(Error::internal("the registration was not written")));
            }
            turn = store.writer_turn() => {
                let turn = match turn {
                    Ok(turn) => turn,
                    Err(busy) => {
                        // Give up only if nobody has taken this registration to write it yet.
                        let mut group = store.waiting();
                        let before = group.len();
                        group.retain(|w| w.ticket != ticket);
                        if group.len() < before {
                            return Err(busy);
                        }
                        continue;
                    }
                };
                let group = std::mem::take(&mut *store.waiting());
                if !group.is_empty() {
                    write(store, &turn, group).await;
                }
                drop(turn);
            }
        }
    }
}

/// Writes `group` in one transaction (the caller holds the writer turn) and answers each: with
/// its own outcome once committed, or with the error that stopped the transaction.
async fn write(store: &Store, turn: &crate::database::WriterTurn, group: Vec<Waiting>) {
    let (answers, work): (Vec<_>, Vec<_>) = group.into_iter().map(|w| (w.answer, (w.event, w.new))).unzip();
    let work = &work;
    let written = store
        .write_in_turn(turn, &mut |txn| {
            Box::pin(async move {
                let mut outcomes = Vec::with_capacity(work.len());
                for (event, new) in work {
                    let outcome = insert_registration(txn, event, new, Some("registration")).await;
                    if outcome.is_err() {
                        // Undo what this registration's statements did before the one that failed.
                        txn.execute_unprepared("ROLLBACK TO registration").await?;
                    }
                    outcomes.push(outcome);
                }
                Ok(outcomes)
            })
        })
        .await;
    match written {
        Ok(outcomes) => {
            for (answer, outcome) in answers.into_iter().zip(outcomes) {
                let _ = answer.send(outcome);
            }
        }
        Err(e) => {
            for answer in answers {
                let _ = answer.send(Err(e.clone()));
            }
        }
    }
}
