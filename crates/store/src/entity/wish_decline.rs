use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "wish_declines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub buyer_registration_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub supplier_registration_id: Uuid,
    pub event_id: Uuid,
    pub declined_by_registration_id: Uuid,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
