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
                    .table("registrations")
                    .col(uuid("id").primary_key())
                    .col(uuid("event_id"))
                    .col(string("category"))
                    // The seat pool it draws from: its category when that has a quota, else `open`.
                    .col(string("pool"))
                    .col(string("status"))
                    .col(string("first_name"))
                    .col(string("last_name"))
                    .col(string("email"))
                    .col(string_null("phone"))
                    .col(uuid_null("organisation_id"))
                    .col(string("locale"))
                    .col(text_null("accessibility_needs"))
                    .col(boolean("share_contact"))
                    .col(string_uniq("manage_token_hash"))
                    .col(integer("version"))
                    // Order of the waiting list: first come, first promoted.
                    .col(big_integer("queue_order"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut cascade("registrations", "event_id", "events"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_registrations_organisation_id")
                            .from("registrations", "organisation_id")
                            .to("organisations", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "registrations",
                &["event_id", "category", "status", "queue_order"],
            ))
            .await?;
        // One live registration per e-mail and event; a cancelled one does not block a new one.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_registrations_event_email ON registrations (event_id, email) \
                 WHERE status <> 'cancelled'",
            )
            .await?;
        // One row per seat: claiming a seat locks one row, so no single row is a bottleneck.
        manager
            .create_table(
                Table::create()
                    .table("seats")
                    .col(uuid("event_id"))
                    .col(string("pool"))
                    .col(integer("seat_no"))
                    .col(uuid_null("registration_id"))
                    .primary_key(Index::create().col("event_id").col("pool").col("seat_no"))
                    .foreign_key(&mut cascade("seats", "event_id", "events"))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("CREATE UNIQUE INDEX ux_seats_registration_id ON seats (registration_id)")
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("registration_history")
                    .col(uuid("id").primary_key())
                    .col(uuid("registration_id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(string("actor"))
                    .col(string_null("from_status"))
                    .col(string("to_status"))
                    .col(string("reason"))
                    .foreign_key(&mut cascade("registration_history", "registration_id", "registrations"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("registration_history", &["registration_id", "at"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("outbox")
                    .col(uuid("id").primary_key())
                    .col(string("kind"))
                    .col(string("to_email"))
                    .col(string("locale"))
                    .col(json("payload"))
                    .col(string("status"))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(text_null("last_error"))
                    .col(uuid_null("registration_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("outbox", &["status", "next_attempt_at"]))
            .await?;
        manager.create_index(index("outbox", &["registration_id"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("idempotency")
                    .col(string("scope"))
                    .col(string("key"))
                    .col(string("request_hash"))
                    .col(integer_null("response_status"))
                    .col(text_null("response_body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("scope").col("key"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("idempotency", &["created_at"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "idempotency",
            "outbox",
            "registration_history",
            "seats",
            "registrations",
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
