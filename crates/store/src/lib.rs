//! Persistence: SeaORM entities and the use cases that read and write them, each inside a
//! transaction it owns. Runs on SQLite and PostgreSQL from one URL.
//!
//! One [`Store`] handle, built at start from a [`Config`], owns the pool and what goes with it
//! in this process (the SQLite writer queue, the events read to register for them, the group
//! of registrations waiting for the writer); nothing is process-wide. Every write runs in
//! [`Store::write`]; reads take any [`sea_orm::ConnectionTrait`] (the handle, or the write's
//! transaction). Errors are [`Error`]s: not found, conflict, busy, stale, or an opaque
//! database failure. Entities type their text columns with the domain's enums
//! (`entity::text::Text<T>`).
//!
//! Modules are nouns, and a module uses only modules of the lines below its own
//! (`tests/module_graph.rs` checks that no import closes a cycle):
//!
//! ```text
//! participants                                       whom to wish for
//! meeting_preferences  needs (+ interests)
//! registrations                                      the registration use cases
//! reports  rush (one-round-trip insert)  schedule (the draft run)
//! meeting_changes  outcomes  personal_data  tokens  wishes
//! credential  meeting_blocks  meetings  outbox_view  stands  account_view (the console's "mine")
//! invitations (lists, opt-outs; below registrations and personal_data)
//! operations (pool and outbox figures, pending migrations, SQLite backups)
//! events                                             reads and changes of an event
//! shown (what others are shown of a registration)
//! claims  seats (rows, promotion)
//! cascade (what goes with a registration or event)  notices  organisations
//! accounts  idempotency  outbox (queueing, MailPayload)  series
//! database (the Store handle)
//! group_commit  history  versioned  waitlist
//! draft  entity  error  paging  receipt  sql (named statements)
//! ```

pub mod account_view;
pub mod accounts;
mod cascade;
mod claims;
mod credential;
mod database;
mod draft;
mod entity;
pub mod error;
pub mod events;
mod group_commit;
mod history;
mod idempotency;
pub mod import;
pub mod invitations;
pub mod meeting_blocks;
pub mod meeting_changes;
pub mod meeting_preferences;
pub mod meetings;
pub mod needs;
pub mod notices;
mod open_to_any;
pub mod operations;
pub mod organisations;
pub mod outbox;
pub mod outbox_view;
pub mod outcomes;
mod paging;
pub mod participants;
pub mod personal_data;
pub mod presence;
mod receipt;
pub mod registrations;
pub mod replan;
pub mod reports;
mod rush;
pub mod schedule;
mod seats;
pub mod series;
mod shown;
mod sql;
pub mod stands;
mod tokens;
mod versioned;
mod waitlist;
pub mod wishes;

pub use database::{connect, Clocked, Config, Store, Txn, Work};
pub use error::Error;

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
        Err(e) => Err(Error::internal(format!("the write was stopped: {e}"))),
    }
}

/// Applies every pending migration ([`Store::migrate`]).
pub async fn migrate(store: &Store) -> Result<(), Error> {
    store.migrate().await
}

/// Whether the database answers ([`Store::ping`]).
pub async fn ping(store: &Store) -> bool {
    store.ping().await
}
