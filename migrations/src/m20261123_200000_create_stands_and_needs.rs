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
                    .table("stands")
                    .col(uuid("id").primary_key())
                    .col(uuid("event_id"))
                    .col(uuid("organisation_id"))
                    .col(string("kind"))
                    .col(string("title"))
                    .col(string("location"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut cascade("stands", "event_id", "events"))
                    .foreign_key(&mut cascade("stands", "organisation_id", "organisations"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("stands", &["event_id"])).await?;
        // `cities` and `cpv_codes` are JSON arrays as given; `cities_folded` is "|orly|rungis|"
        // so that a city filter is a plain LIKE on both databases.
        manager
            .create_table(
                Table::create()
                    .table("needs")
                    .col(uuid("id").primary_key())
                    .col(uuid("organisation_id"))
                    .col(uuid_null("event_id"))
                    .col(uuid_null("stand_id"))
                    .col(string("title"))
                    .col(text("description"))
                    .col(string("category"))
                    .col(text("cpv_codes"))
                    .col(big_integer_null("amount_min_eur"))
                    .col(big_integer_null("amount_max_eur"))
                    .col(date_null("expected_tender_on"))
                    .col(string("reserved_market"))
                    .col(boolean("social_clause"))
                    .col(boolean("environmental_criterion"))
                    .col(text("cities"))
                    .col(text("cities_folded"))
                    .col(string("status"))
                    .col(text("search_text"))
                    .col(uuid("created_by"))
                    .col(integer("version"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut cascade("needs", "organisation_id", "organisations"))
                    .foreign_key(&mut cascade("needs", "event_id", "events"))
                    .foreign_key(&mut cascade("needs", "stand_id", "stands"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("needs", &["status", "event_id"])).await?;
        manager.create_index(index("needs", &["organisation_id"])).await?;
        // An expression of interest from an ESS structure. `registration_id` is for the
        // manage-token path (registrations live in another migration), hence no foreign key yet.
        manager
            .create_table(
                Table::create()
                    .table("need_interests")
                    .col(uuid("id").primary_key())
                    .col(uuid("need_id"))
                    .col(uuid("organisation_id"))
                    .col(uuid_null("registration_id"))
                    .col(uuid_null("created_by"))
                    .col(text("message"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut cascade("need_interests", "need_id", "needs"))
                    .foreign_key(&mut cascade("need_interests", "organisation_id", "organisations"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_need_interests_need_id_organisation_id")
                    .table("need_interests")
                    .col("need_id")
                    .col("organisation_id")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["need_interests", "needs", "stands"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
