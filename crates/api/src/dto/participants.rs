//! Participants of an event, for the speed meetings.

use matinale_domain::meeting::Side;
use matinale_store::participants::Participant;
use matinale_store::participants::ParticipantFilter;
use serde::Deserialize;
use serde::Serialize;
use utoipa::IntoParams;
use utoipa::ToSchema;
use uuid::Uuid;

/// The two sides of speed meetings, as registration categories.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantCategory {
    /// A public buyer.
    Buyer,
    /// An ESS structure.
    EssStructure,
}

impl From<Side> for ParticipantCategory {
    fn from(s: Side) -> Self {
        match s {
            Side::Buyer => ParticipantCategory::Buyer,
            Side::Supplier => ParticipantCategory::EssStructure,
        }
    }
}

/// Filters of `GET /events/{id}/participants`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ParticipantListQuery {
    /// Only this side.
    pub category: Option<ParticipantCategory>,
    /// Words in the organisation or the shown name (accents and case ignored).
    pub q: Option<String>,
}

impl From<ParticipantCategory> for Side {
    fn from(c: ParticipantCategory) -> Self {
        match c {
            ParticipantCategory::Buyer => Side::Buyer,
            ParticipantCategory::EssStructure => Side::Supplier,
        }
    }
}

impl From<ParticipantListQuery> for ParticipantFilter {
    fn from(q: ParticipantListQuery) -> Self {
        Self {
            side: q.category.map(Side::from),
            q: q.q,
        }
    }
}

/// An open need of a buyer, by title (`GET /needs/{id}` has the rest).
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantNeed {
    /// The need.
    pub id: Uuid,
    /// Its title.
    pub title: String,
}

/// A participant of the speed meetings. Never an e-mail or a phone number.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantResponse {
    /// The registration: `to_registration_id` of a wish.
    pub registration_id: Uuid,
    /// Buyer or ESS structure.
    pub category: ParticipantCategory,
    /// The name of the organisation the registration names, if any.
    pub organisation: Option<String>,
    /// That organisation.
    pub organisation_id: Option<Uuid>,
    /// First and last name, only if the person consented to share contact details.
    pub name: Option<String>,
    /// Takes part in speed meetings (always true in a registrant's list).
    pub takes_part: bool,
    /// For a buyer, the open needs of its organisation at the event; empty otherwise.
    pub needs: Vec<ParticipantNeed>,
}

impl From<Participant> for ParticipantResponse {
    fn from(p: Participant) -> Self {
        Self {
            registration_id: p.registration_id,
            category: p.side.into(),
            organisation: p.organisation,
            organisation_id: p.organisation_id,
            name: p.name,
            takes_part: p.takes_part,
            needs: p
                .needs
                .into_iter()
                .map(|n| ParticipantNeed {
                    id: n.id,
                    title: n.title,
                })
                .collect(),
        }
    }
}
