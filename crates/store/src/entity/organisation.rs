use matinale_domain::organisation::OrganisationKind;
use sea_orm::entity::prelude::*;

use super::text::Text;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "organisations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: Text<OrganisationKind>,
    pub name: String,
    pub siret: Option<String>,
    pub postcode: Option<String>,
    pub website: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub version: i32,
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
