use sea_orm_migration::{prelude::*, schema::*};

use crate::{cascade, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Manage links sent again (a second registration with the same e-mail): each is a new token
/// of the registration, and the ones sent before keep working. The first token stays in
/// `registrations.manage_token_hash`. Only the SHA-256 of a token is kept.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("registration_tokens")
                    .col(string("token_hash").primary_key())
                    .col(uuid("registration_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut cascade("registration_tokens", "registration_id", "registrations"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("registration_tokens", &["registration_id", "created_at"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("registration_tokens").to_owned())
            .await
    }
}
