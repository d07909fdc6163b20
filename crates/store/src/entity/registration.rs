use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_id: Uuid,
    pub category: String,
    pub pool: String,
    pub status: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub locale: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub accessibility_needs: Option<String>,
    pub share_contact: bool,
    #[sea_orm(unique)]
    pub manage_token_hash: String,
    /// SHA-256 of the secret calendar-feed token; `None` when no feed is open.
    #[sea_orm(unique)]
    pub feed_token_hash: Option<String>,
    pub version: i32,
    pub queue_order: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When an organiser or a member approved the registration's claim to its organisation.
    pub organisation_confirmed_at: Option<DateTimeUtc>,
    /// Who approved it (an account).
    pub organisation_confirmed_by: Option<Uuid>,
}

impl ActiveModelBehavior for ActiveModel {}
