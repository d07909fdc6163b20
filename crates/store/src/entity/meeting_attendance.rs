//! The attendance columns of `meetings` (added by the outcomes migration), apart from
//! [`super::meeting`] so that the code writing whole meetings need not know them.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meetings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_id: Uuid,
    pub slot_id: Uuid,
    pub buyer_registration_id: Uuid,
    pub supplier_registration_id: Uuid,
    pub status: String,
    pub attendance: Option<String>,
    pub absent: Option<String>,
    pub attendance_marked_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
