//! Mail and calendar notifications for Matinale: what people receive when they register,
//! wait, are promoted, cancel, get their speed-meeting agenda, and after the event.
//!
//! Layers, each usable on its own:
//! - [`calendar`]: pure RFC 5545 rendering, built with the `ics` crate (`VCALENDAR`, `VEVENT`,
//!   `VTIMEZONE`); thin layers add what `ics` leaves to its caller — control characters
//!   dropped from TEXT, quoted `CN`, folding at 75 octets counting the continuation's space,
//!   a `VTIMEZONE` only when it agrees with tzdata — and stable UIDs;
//! - [`templates`]: the [`templates::Message`] an outbox stores as JSON, rendered into a
//!   [`templates::RenderedMail`] (subject, text, HTML, `.ics` attachments) in French or English;
//! - [`events`] and [`links`]: what calendars and mail show of a domain event, and the links
//!   they give (one conversion, shared by the API's `.ics` routes and the mail worker);
//! - [`delivery`]: the [`delivery::Mailer`] that sends a rendered mail over SMTP or writes it
//!   as an `.eml` file, with errors that say whether a retry can help, and [`delivery::backoff`].

pub mod calendar;
pub mod delivery;
pub mod events;
pub mod links;
pub mod locale;
mod smtp_pool;
pub mod templates;
pub mod worker;

pub use locale::Locale;

/// What the unit tests of several modules share.
#[cfg(test)]
mod testing {
    use chrono::{DateTime, Utc};

    /// An RFC 3339 literal as a UTC instant.
    pub(crate) fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("test literal")
            .with_timezone(&Utc)
    }
}
