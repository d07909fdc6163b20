//! The signed-in account's own views (`GET /me`, `GET /me/events`), which the console starts from.

use std::collections::BTreeMap;

use matinale_domain::event::Event;
use matinale_domain::organisation::OrganisationKind;
use matinale_domain::user::{Role, User};
use matinale_store::account_view::{Membership, RegistrationCount};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::events::EventResponse;

/// An organisation the account is a member of.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipResponse {
    /// The organisation.
    pub organisation_id: Uuid,
    /// Its name.
    pub name: String,
    /// Its kind: a `public_buyer`'s members publish needs.
    pub kind: OrganisationKind,
}

/// The signed-in account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountResponse {
    /// Id.
    pub id: Uuid,
    /// Login e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// `organiser`, `admin` or `member`.
    pub role: Role,
    /// The organisations it is a member of, by name.
    pub organisations: Vec<MembershipResponse>,
}

impl AccountResponse {
    /// The account and its memberships.
    pub fn new(user: User, memberships: Vec<Membership>) -> Self {
        Self {
            id: user.id,
            email: user.email,
            name: user.name,
            role: user.role,
            organisations: memberships
                .into_iter()
                .map(|m| MembershipResponse {
                    organisation_id: m.organisation_id,
                    name: m.name,
                    kind: m.kind,
                })
                .collect(),
        }
    }
}

/// An event the account organises, with its registrations counted.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisedEventResponse {
    /// The event (every status, drafts included).
    pub event: EventResponse,
    /// `{category: {status: count}}`: registrations by category, then status (`confirmed`,
    /// `waitlisted`, `cancelled`, `attended`, `no_show`); absent pairs count zero.
    pub registrations: BTreeMap<String, BTreeMap<String, u64>>,
}

impl OrganisedEventResponse {
    /// The event and its counts.
    pub fn new((event, counts): (Event, Vec<RegistrationCount>)) -> Self {
        let mut registrations: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for c in counts {
            *registrations
                .entry(c.category.as_str().to_owned())
                .or_default()
                .entry(c.status.as_str().to_owned())
                .or_default() += c.count;
        }
        Self {
            event: EventResponse::new(event, true),
            registrations,
        }
    }
}
