//! Matinale's domain: the types and rules of ESS events, with no I/O.
//!
//! Requests are parsed once into these types (`Siret::parse`, `NewEvent::parse`, …) so that the
//! rest of the system never holds an invalid value. Every refusal names the field at fault.
//!
//! A value that the API answers as it is (a series, a meeting block, an interest) or a filter it
//! reads as it is (the needs') is defined once, here: it derives `Serialize` and utoipa's
//! `ToSchema` under the response's schema name (or `IntoParams`), the store returns it and the
//! API sends it without a mirror DTO.

#[macro_use]
mod text_enum;
pub mod clock;
pub mod directory;
pub mod error;
pub mod event;
pub mod invitation;
pub mod mail;
pub mod meeting;
pub mod need;
pub mod organisation;
pub mod outcome;
pub mod page;
pub mod partner;
pub mod presence;
pub mod register;
pub mod registration;
pub mod series;
pub mod siret;
pub mod stand;
pub mod text;
pub mod user;

pub use error::{Error, FieldError};
