//! What delivering the outbox needs: a lease per claim (so that a crashed worker's rows come
//! back), the event a mail concerns (for the organisers' view), when it was sent, and on events
//! when their day-before reminders were queued (so that they are queued once).

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
        for (table, column) in [
            ("outbox", timestamp_with_time_zone_null("lease_until")),
            ("outbox", uuid_null("event_id")),
            ("outbox", timestamp_with_time_zone_null("sent_at")),
            ("events", timestamp_with_time_zone_null("reminders_queued_at")),
        ] {
            let mut column = column;
            manager
                .alter_table(Table::alter().table(table).add_column(&mut column).to_owned())
                .await?;
        }
        manager.create_index(index("outbox", &["event_id"])).await?;
        // Rows queued before this migration name their event through their registration.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE outbox SET event_id = \
                 (SELECT r.event_id FROM registrations r WHERE r.id = outbox.registration_id) \
                 WHERE event_id IS NULL AND registration_id IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("ix_outbox_event_id").table("outbox").to_owned())
            .await?;
        for (table, column) in [
            ("outbox", "lease_until"),
            ("outbox", "event_id"),
            ("outbox", "sent_at"),
            ("events", "reminders_queued_at"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
