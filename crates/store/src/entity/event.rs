use matinale_domain::event::{EventKind, EventStatus};
use sea_orm::entity::prelude::*;

use super::text::Text;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub series_id: Option<Uuid>,
    pub kind: Text<EventKind>,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub timezone: String,
    pub venue_name: Option<String>,
    pub venue_address: Option<String>,
    pub venue_postcode: Option<String>,
    pub venue_city: Option<String>,
    pub venue_city_folded: Option<String>,
    pub online_url: Option<String>,
    pub capacity: i32,
    pub quota_buyer: Option<i32>,
    pub quota_ess_structure: Option<i32>,
    pub quota_partner: Option<i32>,
    pub quota_visitor: Option<i32>,
    pub registration_opens_at: Option<DateTimeUtc>,
    pub registration_closes_at: Option<DateTimeUtc>,
    pub status: Text<EventStatus>,
    pub created_by: Uuid,
    pub version: i32,
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub reminders_queued_at: Option<DateTimeUtc>,
    /// Days after the event its follow-up mail goes out (see `outcomes`).
    pub follow_up_days: i32,
    /// When the follow-up mails went out; `None` until then.
    pub follow_ups_queued_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
