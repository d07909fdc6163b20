use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "schedule_drafts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: Uuid,
    pub draft_id: Option<Uuid>,
    pub result: Option<Json>,
    pub created_at: Option<DateTimeUtc>,
    pub published_at: Option<DateTimeUtc>,
    pub run_token: Option<Uuid>,
    pub running_since: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
