use matinale_domain::event::ProgrammeItemKind;
use sea_orm::entity::prelude::*;

use super::text::Text;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "programme_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_id: Uuid,
    pub title: String,
    pub kind: Text<ProgrammeItemKind>,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub speakers: Json,
}

impl ActiveModelBehavior for ActiveModel {}
