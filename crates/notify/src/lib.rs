//! Mail and calendar notifications for Matinale: what people receive when they register,
//! wait, are promoted, cancel, get their speed-meeting agenda, and after the event.
//!
//! Layers, each usable on its own:
//! - [`calendar`]: pure RFC 5545 rendering (escaping, folding, `VTIMEZONE`, stable UIDs);
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
pub mod templates;
pub mod worker;

pub use locale::Locale;
