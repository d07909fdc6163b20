use matinale_domain::event::Category;
use sea_orm::entity::prelude::*;

use super::text::Text;

/// The waiting list of an event and category: the tickets given so far and how many wait now.
/// A registrant takes its ticket and place under this row's lock (`sql::REGISTER_*`).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "waitlist_queues")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub category: Text<Category>,
    pub issued: i64,
    pub waiting: i64,
}

impl ActiveModelBehavior for ActiveModel {}
