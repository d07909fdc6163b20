use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting_preferences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub registration_id: Uuid,
    pub opt_in: bool,
    pub max_meetings: Option<i32>,
    pub unavailable_slot_ids: Json,
    /// Would meet anyone on the day, wished or not (the re-plan and `fill_idle` fill idle tables).
    pub open_to_any: bool,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
