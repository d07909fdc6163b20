//! SQLite group commit for registrations. SQLite has one writer, so a registration rush is a
//! queue however it is written; what can shrink is the time each registration holds the lock.
//! A registrant queues its registration in the [`crate::Store`] ([`Waiting`]) and waits for the
//! writer turn; whoever gets the turn writes every registration waiting in one write
//! transaction, each behind a savepoint (a duplicate e-mail rolls back only its own), and
//! answers each once the transaction is committed (`rush::register_in_group`). One `BEGIN`
//! and one `COMMIT` then serve many registrations.
//!
//! The queue's item is all this module holds, so that the store handle can own the queue
//! without depending on the registering that fills it.

use matinale_domain::event::Event;
use matinale_domain::registration::NewRegistration;
use tokio::sync::oneshot;

use crate::error::Error;
use crate::receipt::Registered;

/// A registration waiting for the writer, and where its answer goes.
pub(crate) struct Waiting {
    /// Tells it from the others (see `rush::register_in_group`).
    pub(crate) ticket: u64,
    /// The event as read to register for it.
    pub(crate) event: Event,
    /// The registration to write.
    pub(crate) new: NewRegistration,
    /// Where its outcome goes.
    pub(crate) answer: oneshot::Sender<Result<Registered, Error>>,
}
