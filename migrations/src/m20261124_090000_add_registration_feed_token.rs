use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The secret calendar feed of a registration (`GET /api/v1/calendars/{feed_token}.ics`):
/// only the SHA-256 of the token is kept, like manage tokens; NULL when no feed is open.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("registrations")
                    .add_column(string_null("feed_token_hash"))
                    .to_owned(),
            )
            .await?;
        // Both databases let a unique index hold any number of NULLs.
        manager
            .create_index(
                Index::create()
                    .name("ux_registrations_feed_token_hash")
                    .table("registrations")
                    .col("feed_token_hash")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_registrations_feed_token_hash")
                    .table("registrations")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("registrations")
                    .drop_column("feed_token_hash")
                    .to_owned(),
            )
            .await
    }
}
