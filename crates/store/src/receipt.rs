//! What registering answers: the new registration with its manage token ([`Registered`]), or,
//! to a request repeated with the same `Idempotency-Key`, the [`Receipt`] kept of the first.

use matinale_domain::event::Category;
use matinale_domain::registration::{Registration, RegistrationStatus};
use uuid::Uuid;

/// A created registration and its manage token (shown once).
#[derive(Debug, Clone)]
pub struct Registered {
    /// The registration.
    pub registration: Registration,
    /// The bearer secret for this registration only.
    pub manage_token: String,
}

impl Registered {
    /// What is kept of it for replays.
    pub fn receipt(&self) -> Receipt {
        let r = &self.registration;
        Receipt {
            id: r.id,
            event_id: r.event_id,
            category: r.category,
            status: r.status,
            waitlist_position: r.waitlist_position,
            manage_token: self.manage_token.clone(),
            email_verified: r.email_verified,
        }
    }
}

/// A new registration as its registrant was first told of it: what an idempotent replay
/// answers again. Kept (as JSON) with the idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Receipt {
    /// The registration.
    pub id: Uuid,
    /// Its event.
    pub event_id: Uuid,
    /// Its category.
    pub category: Category,
    /// Its status then.
    pub status: RegistrationStatus,
    /// Its place on the waiting list then.
    pub waitlist_position: Option<u32>,
    /// The bearer secret for this registration only.
    pub manage_token: String,
    /// Whether its e-mail was proven then (receipts kept before this field read false).
    #[serde(default)]
    pub email_verified: bool,
}

/// What `register` did.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A new registration.
    Created(Box<Registered>),
    /// The registration first made with the same idempotency key and body.
    Replayed(Receipt),
}
