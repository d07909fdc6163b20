use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting_blocks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_id: Uuid,
    /// Start of the block's first slot.
    pub starts_at: DateTimeUtc,
    /// End of its last slot.
    pub ends_at: DateTimeUtc,
    pub slot_minutes: i32,
    pub break_minutes: i32,
    pub tables: i32,
    pub table_labels: Option<Json>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
