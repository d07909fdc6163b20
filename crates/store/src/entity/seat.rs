use matinale_domain::registration::SeatPool;
use sea_orm::entity::prelude::*;

use super::text::Text;

/// One seat of an event: claiming it locks one row, so no single row is a hot spot.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "seats")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub pool: Text<SeatPool>,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seat_no: i32,
    /// The registration holding it; `None` while free.
    #[sea_orm(unique)]
    pub registration_id: Option<Uuid>,
}

impl ActiveModelBehavior for ActiveModel {}
