use sea_orm_migration::{prelude::*, schema::*};

use crate::{cascade, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("organisations")
                    .col(uuid("id").primary_key())
                    .col(string("kind"))
                    .col(string("name"))
                    .col(string_null("siret"))
                    .col(string_null("website"))
                    .col(text("description"))
                    .col(integer("version"))
                    .col(text("search_text"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut cascade("organisations", "created_by", "users"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("organisations", &["kind", "name"])).await?;
        // Sectors, cities, ESS kinds and labels: one row per value, so that filters are plain
        // indexed lookups on both databases. `folded` is the accent- and case-folded value.
        manager
            .create_table(
                Table::create()
                    .table("organisation_tags")
                    .col(uuid("organisation_id"))
                    .col(string("facet"))
                    .col(string("value"))
                    .col(string("folded"))
                    .col(integer("position"))
                    .primary_key(Index::create().col("organisation_id").col("facet").col("value"))
                    .foreign_key(&mut cascade("organisation_tags", "organisation_id", "organisations"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("organisation_tags", &["facet", "folded"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("organisation_members")
                    .col(uuid("organisation_id"))
                    .col(uuid("user_id"))
                    .primary_key(Index::create().col("organisation_id").col("user_id"))
                    .foreign_key(&mut cascade("organisation_members", "organisation_id", "organisations"))
                    .foreign_key(&mut cascade("organisation_members", "user_id", "users"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["organisation_members", "organisation_tags", "organisations"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
