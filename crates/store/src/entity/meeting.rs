use matinale_domain::meeting::MeetingStatus;
use matinale_domain::outcome::{Absent, MarkedAttendance};
use sea_orm::entity::prelude::*;

use super::text::Text;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meetings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_id: Uuid,
    pub slot_id: Uuid,
    pub table_no: i32,
    pub buyer_registration_id: Uuid,
    pub supplier_registration_id: Uuid,
    pub status: Text<MeetingStatus>,
    pub sequence: i32,
    pub score: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub cancel_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// What the organiser marked (see `outcomes`); `None` until then.
    pub attendance: Option<Text<MarkedAttendance>>,
    /// Who was absent, when the attendance says so.
    pub absent: Option<Text<Absent>>,
    pub attendance_marked_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
