use matinale_domain::registration::RegistrationStatus;
use sea_orm::entity::prelude::*;

use super::text::{Text, TextColumn};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registration_history")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub registration_id: Uuid,
    pub at: DateTimeUtc,
    pub actor: Text<Changer>,
    pub from_status: Option<Text<RegistrationStatus>>,
    pub to_status: Text<RegistrationStatus>,
    pub reason: String,
}

impl ActiveModelBehavior for ActiveModel {}

/// Who changed a registration, as its history stores it: an account (its id), the holder of
/// its manage token (`registrant`), or the system (`system`, a promotion).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Changer {
    /// An organiser, member or admin account.
    User(Uuid),
    /// The registrant, by their manage token.
    Registrant,
    /// The store itself.
    System,
}

impl TextColumn for Changer {
    const NAME: &'static str = "Changer";

    fn to_text(&self) -> String {
        match self {
            Changer::User(id) => id.to_string(),
            Changer::Registrant => "registrant".to_owned(),
            Changer::System => "system".to_owned(),
        }
    }

    fn from_text(text: &str) -> Option<Self> {
        match text {
            "registrant" => Some(Changer::Registrant),
            "system" => Some(Changer::System),
            id => Uuid::parse_str(id).ok().map(Changer::User),
        }
    }
}
