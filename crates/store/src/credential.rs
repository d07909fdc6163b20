//! Who may read or change a registration, and the check that they may.

use matinale_domain::user::Actor;
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::entity::registration;
use crate::entity::registration_history::Changer;
use crate::error::Error;

/// Who changes a registration, as recorded in its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// An organiser or admin account.
    User(Actor),
    /// The holder of the registration's manage token.
    Registrant(Uuid),
}

impl Credential {
    /// The account behind the credential, if it is one.
    pub fn actor(&self) -> Option<&Actor> {
        match self {
            Credential::User(actor) => Some(actor),
            Credential::Registrant(_) => None,
        }
    }

    /// Who the history names for a change made with this credential.
    pub(crate) fn changer(&self) -> Changer {
        match self {
            Credential::User(a) => Changer::User(a.user_id),
            Credential::Registrant(_) => Changer::Registrant,
        }
    }
}

/// The row of registration `id`, or not found.
pub(crate) async fn load(db: &impl ConnectionTrait, id: Uuid) -> Result<registration::Model, Error> {
    registration::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)
}

/// Loads a registration for `who`: its own token, or an organiser of its event; else not found.
pub(crate) async fn authorised(
    db: &impl ConnectionTrait,
    id: Uuid,
    who: &Credential,
) -> Result<registration::Model, Error> {
    match who {
        Credential::Registrant(own) if *own != id => return Err(Error::NotFound),
        _ => {}
    }
    let m = load(db, id).await?;
    if let Credential::User(actor) = who {
        let event = crate::events::get(db, m.event_id).await?;
        if !event.is_organised_by(actor) {
            return Err(Error::NotFound);
        }
    }
    Ok(m)
}
