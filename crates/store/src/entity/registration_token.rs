use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registration_tokens")]
pub struct Model {
    /// SHA-256 of a manage token sent again.
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    pub registration_id: Uuid,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
