use matinale_domain::need::{NeedCategory, NeedStatus, ReservedMarket};
use sea_orm::entity::prelude::*;

use super::text::Text;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "needs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub event_id: Option<Uuid>,
    pub stand_id: Option<Uuid>,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub category: Text<NeedCategory>,
    #[sea_orm(column_type = "Text")]
    pub cpv_codes: String,
    pub amount_min_eur: Option<i64>,
    pub amount_max_eur: Option<i64>,
    pub expected_tender_on: Option<Date>,
    pub reserved_market: Text<ReservedMarket>,
    pub social_clause: bool,
    pub environmental_criterion: bool,
    #[sea_orm(column_type = "Text")]
    pub cities: String,
    #[sea_orm(column_type = "Text")]
    pub cities_folded: String,
    pub status: Text<NeedStatus>,
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
    pub created_by: Uuid,
    /// When the organisers of its event consented to show it there (placed by one of them, or
    /// a buyer's proposal accepted); `None`: not shown at the event.
    pub event_accepted_at: Option<DateTimeUtc>,
    /// Posted by an organiser (or admin) who is not a member of the buyer.
    pub posted_by_organiser: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
