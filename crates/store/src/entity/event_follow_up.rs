//! The follow-up columns of `events` (added by the outcomes migration), apart from
//! [`super::event`] so that the code writing whole events need not know them.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub series_id: Option<Uuid>,
    pub status: String,
    pub ends_at: DateTimeUtc,
    pub follow_up_days: i32,
    pub follow_ups_queued_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
