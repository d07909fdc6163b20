use sea_orm::entity::prelude::*;

/// What is known of a registration's presence on the day, beyond its check-in: an organiser's
/// mark and the slots the person said it arrives from or leaves after.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "presences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub registration_id: Uuid,
    pub marked_present: Option<bool>,
    pub from_slot_id: Option<Uuid>,
    pub until_slot_id: Option<Uuid>,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
