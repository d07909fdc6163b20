use sea_orm_migration::{prelude::*, schema::*};

use crate::{cascade, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Speed meetings: blocks of slots, who takes part, wishes and declines, the event's one draft
/// schedule and the published meetings.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("meeting_blocks")
                    .col(uuid("id").primary_key())
                    .col(uuid("event_id"))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone("ends_at"))
                    .col(integer("slot_minutes"))
                    .col(integer("break_minutes"))
                    .col(integer("tables"))
                    // A JSON array of labels, one per table; NULL: tables are numbered.
                    .col(json_null("table_labels"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut cascade("meeting_blocks", "event_id", "events"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("meeting_blocks", &["event_id", "starts_at"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("meeting_slots")
                    .col(uuid("id").primary_key())
                    .col(uuid("block_id"))
                    .col(uuid("event_id"))
                    .col(integer("position"))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone("ends_at"))
                    .foreign_key(&mut cascade("meeting_slots", "block_id", "meeting_blocks"))
                    .foreign_key(&mut cascade("meeting_slots", "event_id", "events"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("meeting_slots", &["event_id", "starts_at"]))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("meeting_preferences")
                    .col(uuid("registration_id").primary_key())
                    .col(boolean("opt_in"))
                    .col(integer_null("max_meetings"))
                    // A JSON array of slot ids.
                    .col(json("unavailable_slot_ids"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut cascade("meeting_preferences", "registration_id", "registrations"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("wishes")
                    .col(uuid("id").primary_key())
                    .col(uuid("event_id"))
                    .col(uuid("from_registration_id"))
                    .col(uuid("to_registration_id"))
                    .col(integer("priority"))
                    // The account that made it for the registrant (an organiser), if any.
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut cascade("wishes", "event_id", "events"))
                    .foreign_key(&mut cascade("wishes", "from_registration_id", "registrations"))
                    .foreign_key(&mut cascade("wishes", "to_registration_id", "registrations"))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_wishes_from_to ON wishes (from_registration_id, to_registration_id)",
            )
            .await?;
        manager.create_index(index("wishes", &["to_registration_id"])).await?;
        manager.create_index(index("wishes", &["event_id"])).await?;
        // A pair one side declined: never scheduled, whoever wished it and however.
        manager
            .create_table(
                Table::create()
                    .table("wish_declines")
                    .col(uuid("buyer_registration_id"))
                    .col(uuid("supplier_registration_id"))
                    .col(uuid("event_id"))
                    .col(uuid("declined_by_registration_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(
                        Index::create()
                            .col("buyer_registration_id")
                            .col("supplier_registration_id"),
                    )
                    .foreign_key(&mut cascade("wish_declines", "event_id", "events"))
                    .foreign_key(&mut cascade("wish_declines", "buyer_registration_id", "registrations"))
                    .foreign_key(&mut cascade(
                        "wish_declines",
                        "supplier_registration_id",
                        "registrations",
                    ))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("wish_declines", &["event_id"])).await?;
        // The event's one draft schedule, and the run computing the next one (`run_token`).
        manager
            .create_table(
                Table::create()
                    .table("schedule_drafts")
                    .col(uuid("event_id").primary_key())
                    .col(uuid_null("draft_id"))
                    .col(json_null("result"))
                    .col(timestamp_with_time_zone_null("created_at"))
                    .col(timestamp_with_time_zone_null("published_at"))
                    .col(uuid_null("run_token"))
                    .col(timestamp_with_time_zone_null("running_since"))
                    .foreign_key(&mut cascade("schedule_drafts", "event_id", "events"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("meetings")
                    .col(uuid("id").primary_key())
                    .col(uuid("event_id"))
                    .col(uuid("slot_id"))
                    .col(integer("table_no"))
                    .col(uuid("buyer_registration_id"))
                    .col(uuid("supplier_registration_id"))
                    .col(string("status"))
                    // SEQUENCE of its invitations: a move or a cancellation adds one.
                    .col(integer("sequence"))
                    .col(integer("score"))
                    .col(text_null("cancel_reason"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut cascade("meetings", "event_id", "events"))
                    .foreign_key(&mut cascade("meetings", "slot_id", "meeting_slots"))
                    .foreign_key(&mut cascade("meetings", "buyer_registration_id", "registrations"))
                    .foreign_key(&mut cascade("meetings", "supplier_registration_id", "registrations"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("meetings", &["event_id", "slot_id", "table_no"]))
            .await?;
        manager
            .create_index(index("meetings", &["buyer_registration_id"]))
            .await?;
        manager
            .create_index(index("meetings", &["supplier_registration_id"]))
            .await?;
        // Nobody and no table is booked twice in a slot (cancelled meetings aside).
        let db = manager.get_connection();
        for (name, column) in [
            ("ux_meetings_slot_table", "table_no"),
            ("ux_meetings_slot_buyer", "buyer_registration_id"),
            ("ux_meetings_slot_supplier", "supplier_registration_id"),
        ] {
            db.execute_unprepared(&format!(
                "CREATE UNIQUE INDEX {name} ON meetings (slot_id, {column}) WHERE status <> 'cancelled'"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "meetings",
            "schedule_drafts",
            "wish_declines",
            "wishes",
            "meeting_preferences",
            "meeting_slots",
            "meeting_blocks",
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
