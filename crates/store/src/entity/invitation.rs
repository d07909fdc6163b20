use matinale_domain::event::Category;
use matinale_domain::registration::Locale;
use sea_orm::entity::prelude::*;

use super::text::Text;

/// One address invited to one event by an organiser's list (unique per event).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_id: Uuid,
    /// Lower-cased.
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// The organisation the list named (by SIRET), pre-filled and confirmed on registering.
    pub organisation_id: Option<Uuid>,
    pub category: Option<Text<Category>>,
    pub locale: Text<Locale>,
    /// SHA-256 of the secret of the link to the event page (`?invitation=`).
    pub token_hash: String,
    /// SHA-256 of the secret of the unsubscribe link.
    pub unsubscribe_hash: String,
    /// The outbox row of its mail.
    pub outbox_id: Option<Uuid>,
    /// The organiser who sent the list: the claim to the organisation is theirs to vouch for.
    pub invited_by: Uuid,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
