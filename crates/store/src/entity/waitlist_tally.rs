use matinale_domain::event::Category;
use sea_orm::entity::prelude::*;

use super::text::Text;

/// How many registrations of an event and category wait, split over a few rows (shards).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "waitlist_tally")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub category: Text<Category>,
    #[sea_orm(primary_key, auto_increment = false)]
    pub shard: i32,
    pub waitlisted: i32,
}

impl ActiveModelBehavior for ActiveModel {}
