use matinale_domain::meeting::Side;
use matinale_domain::outcome::{side_from_text, side_text, OutcomeKind};
use sea_orm::entity::prelude::*;

use super::text::{Text, TextColumn};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting_outcomes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub side: Text<Side>,
    pub outcome: Text<OutcomeKind>,
    pub amount_cents: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub comment: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

impl TextColumn for Side {
    const NAME: &'static str = "Side";

    fn to_text(&self) -> String {
        side_text(*self).to_owned()
    }

    fn from_text(text: &str) -> Option<Self> {
        side_from_text(text)
    }
}
