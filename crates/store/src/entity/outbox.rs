use matinale_domain::mail::MailStatus;
use sea_orm::entity::prelude::*;

use super::text::Text;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub to_email: String,
    pub locale: String,
    pub payload: Json,
    pub status: Text<MailStatus>,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub registration_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub lease_until: Option<DateTimeUtc>,
    pub event_id: Option<Uuid>,
    pub sent_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
