//! What came of the speed meetings: attendance marked by an organiser on each meeting, the
//! outcomes each side reports (history kept, the latest per side wins), and per event how long
//! after its end the follow-up mail asks for them and when it was queued (so that it is queued
//! once).

use sea_orm_migration::{prelude::*, schema::*};

use crate::{cascade, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
        for (table, column) in [
            // held | no_show, as marked by an organiser; null: derived from check-ins.
            ("meetings", string_null("attendance")),
            // buyer | supplier | both, for a no_show.
            ("meetings", string_null("absent")),
            ("meetings", timestamp_with_time_zone_null("attendance_marked_at")),
            ("events", integer("follow_up_days").default(30).to_owned()),
            ("events", timestamp_with_time_zone_null("follow_ups_queued_at")),
        ] {
            let mut column = column;
            manager
                .alter_table(Table::alter().table(table).add_column(&mut column).to_owned())
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("meeting_outcomes")
                    .col(uuid("id").primary_key())
                    .col(uuid("meeting_id"))
                    // buyer | supplier
                    .col(string("side"))
                    // none | quote_requested | contract_signed | reserved_market_awarded
                    .col(string("outcome"))
                    // Euro cents, exact.
                    .col(big_integer_null("amount_cents"))
                    .col(text_null("comment"))
                    // `user:<id>` (an organiser) or `registration:<id>` (the side's token).
                    .col(string("recorded_by"))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .foreign_key(&mut cascade("meeting_outcomes", "meeting_id", "meetings"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("meeting_outcomes", &["meeting_id", "side", "recorded_at"]))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("meeting_outcomes").to_owned())
            .await?;
        for (table, column) in [
            ("meetings", "attendance"),
            ("meetings", "absent"),
            ("meetings", "attendance_marked_at"),
            ("events", "follow_up_days"),
            ("events", "follow_ups_queued_at"),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
