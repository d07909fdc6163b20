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
                    .table("series")
                    .col(uuid("id").primary_key())
                    .col(string_uniq("slug"))
                    .col(string("title"))
                    .col(date("starts_on"))
                    .col(date("ends_on"))
                    .col(text("description"))
                    .col(uuid("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut cascade("series", "created_by", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("events")
                    .col(uuid("id").primary_key())
                    .col(uuid_null("series_id"))
                    .col(string("kind"))
                    .col(string("title"))
                    .col(text("description"))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone("ends_at"))
                    .col(string("timezone"))
                    .col(string_null("venue_name"))
                    .col(string_null("venue_address"))
                    .col(string_null("venue_postcode"))
                    .col(string_null("venue_city"))
                    .col(string_null("venue_city_folded"))
                    .col(string_null("online_url"))
                    .col(integer("capacity"))
                    .col(integer_null("quota_buyer"))
                    .col(integer_null("quota_ess_structure"))
                    .col(integer_null("quota_partner"))
                    .col(integer_null("quota_visitor"))
                    .col(timestamp_with_time_zone_null("registration_opens_at"))
                    .col(timestamp_with_time_zone_null("registration_closes_at"))
                    .col(string("status"))
                    .col(uuid("created_by"))
                    .col(integer("version"))
                    .col(text("search_text"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_events_series_id")
                            .from("events", "series_id")
                            .to("series", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(&mut cascade("events", "created_by", "users"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("events", &["status", "starts_at"])).await?;
        manager.create_index(index("events", &["series_id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("event_organisers")
                    .col(uuid("event_id"))
                    .col(uuid("user_id"))
                    .primary_key(Index::create().col("event_id").col("user_id"))
                    .foreign_key(&mut cascade("event_organisers", "event_id", "events"))
                    .foreign_key(&mut cascade("event_organisers", "user_id", "users"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("programme_items")
                    .col(uuid("id").primary_key())
                    .col(uuid("event_id"))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone("ends_at"))
                    .col(string("title"))
                    .col(string("kind"))
                    .col(json("speakers"))
                    .foreign_key(&mut cascade("programme_items", "event_id", "events"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("programme_items", &["event_id", "starts_at"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["programme_items", "event_organisers", "events", "series"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
