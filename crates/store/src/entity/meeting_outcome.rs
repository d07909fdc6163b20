use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting_outcomes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub side: String,
    pub outcome: String,
    pub amount_cents: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub comment: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
