use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `organisations.postcode`: the postcode of the organisation's address, optional. With the
/// name, it identifies an organisation without SIRET in a directory import.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("organisations")
                    .add_column(string_len_null("postcode", 5))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("organisations").drop_column("postcode").to_owned())
            .await
    }
}
