use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registration_history")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub registration_id: Uuid,
    pub at: DateTimeUtc,
    pub actor: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub reason: String,
}

impl ActiveModelBehavior for ActiveModel {}
