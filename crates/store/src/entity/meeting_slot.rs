use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting_slots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub block_id: Uuid,
    pub event_id: Uuid,
    pub position: i32,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
