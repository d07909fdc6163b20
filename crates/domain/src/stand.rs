//! Stands of an event: classic (an ESS structure shows its offer) and inverted (a buyer presents
//! its needs).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{bounded_line, required_line, Checker, FieldError};
use crate::organisation::OrganisationKind;
use crate::Error;

text_enum! {
    /// What a stand is.
    StandKind {
        /// An ESS structure shows its offer.
        Classic => "classic",
        /// A public buyer presents its purchasing needs (stand inversé).
        Inverted => "inverted",
    }
}

impl StandKind {
    /// The kind of organisation that holds such a stand.
    pub fn holder(self) -> OrganisationKind {
        match self {
            StandKind::Classic => OrganisationKind::EssStructure,
            StandKind::Inverted => OrganisationKind::PublicBuyer,
        }
    }
}

/// A validated new stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStand {
    /// Kind.
    pub kind: StandKind,
    /// The organisation holding it.
    pub organisation_id: Uuid,
    /// Title shown on the map.
    pub title: String,
    /// Location label ("Hall A, stand 3").
    pub location: String,
}

impl NewStand {
    /// Checks a stand: a title, a location of at most 200 characters, and a holder of the kind
    /// the stand needs (classic: ESS structure; inverted: public buyer).
    pub fn parse(
        kind: StandKind,
        organisation_id: Uuid,
        holder_kind: OrganisationKind,
        title: &str,
        location: &str,
    ) -> Result<Self, Error> {
        let mut check = Checker::new();
        if holder_kind != kind.holder() {
            check.push(FieldError::new(
                "organisation_id",
                "invalid",
                format!("a {} stand is held by a {} organisation", kind, kind.holder()),
            ));
        }
        let title = check.take(required_line("title", title, 200));
        let location = check.take(bounded_line("location", location, 200));
        match (title, location) {
            (Some(title), Some(location)) => check.finish(|| NewStand {
                kind,
                organisation_id,
                title,
                location,
            }),
            _ => Err(check.into_error()),
        }
    }
}

/// A stand as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stand {
    /// Identifier.
    pub id: Uuid,
    /// Event.
    pub event_id: Uuid,
    /// The stand.
    pub stand: NewStand,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inverted_stand_is_held_by_a_buyer() {
        let id = Uuid::now_v7();
        assert!(NewStand::parse(
            StandKind::Inverted,
            id,
            OrganisationKind::PublicBuyer,
            "Ville d'Orly",
            "A1"
        )
        .is_ok());
        let Err(Error::Invalid(e)) =
            NewStand::parse(StandKind::Inverted, id, OrganisationKind::EssStructure, " ", "A1")
        else {
            panic!()
        };
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["organisation_id", "title"]);
    }
}
