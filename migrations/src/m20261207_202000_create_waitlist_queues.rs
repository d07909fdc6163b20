use sea_orm_migration::{prelude::*, schema::*};

use crate::{cascade, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A waiting list per event and category is one row, `waitlist_queues`: `issued` counts the
/// tickets ever given (a waitlisted registration keeps its number, `waitlist_ticket`), and
/// `waiting` how many wait now. A registrant takes its ticket and its place (`waiting` after
/// adding itself) in the statement that writes it, under that row's lock, so two registrants
/// can never be told the same place, and promotion goes by ticket, the order told. It replaces
/// `waitlist_tally`, whose shards were read as committed before the statement.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("registrations")
                    .add_column(big_integer_null("waitlist_ticket"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("waitlist_queues")
                    .col(uuid("event_id"))
                    .col(string("category"))
                    .col(big_integer("issued"))
                    .col(big_integer("waiting"))
                    .primary_key(Index::create().col("event_id").col("category"))
                    .foreign_key(&mut cascade("waitlist_queues", "event_id", "events"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // The waitlisted of today keep their order (the time they registered) as tickets.
        db.execute_unprepared(
            "UPDATE registrations SET waitlist_ticket = (SELECT COUNT(*) FROM registrations r \
             WHERE r.event_id = registrations.event_id AND r.category = registrations.category \
             AND r.status = 'waitlisted' AND (r.queue_order < registrations.queue_order \
             OR (r.queue_order = registrations.queue_order AND r.id <= registrations.id))) \
             WHERE status = 'waitlisted'",
        )
        .await?;
        db.execute_unprepared(
            "INSERT INTO waitlist_queues (event_id, category, issued, waiting) \
             SELECT event_id, category, COUNT(*), COUNT(*) FROM registrations WHERE status = 'waitlisted' \
             GROUP BY event_id, category",
        )
        .await?;
        // The place is counted by ticket now; the index by time served only that count (and
        // filters by event, category and status, which the new one serves as well).
        manager
            .drop_index(
                Index::drop()
                    .name("ix_registrations_event_id_category_status_queue_order")
                    .table("registrations")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "registrations",
                &["event_id", "category", "status", "waitlist_ticket"],
            ))
            .await?;
        manager
            .drop_table(Table::drop().table("waitlist_tally").to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("waitlist_tally")
                    .col(uuid("event_id"))
                    .col(string("category"))
                    .col(integer("shard"))
                    .col(integer("waitlisted"))
                    .primary_key(Index::create().col("event_id").col("category").col("shard"))
                    .foreign_key(&mut cascade("waitlist_tally", "event_id", "events"))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO waitlist_tally (event_id, category, shard, waitlisted) \
                 SELECT event_id, category, 0, waiting FROM waitlist_queues",
            )
            .await?;
        manager
            .drop_table(Table::drop().table("waitlist_queues").to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_registrations_event_id_category_status_waitlist_ticket")
                    .table("registrations")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "registrations",
                &["event_id", "category", "status", "queue_order"],
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("registrations")
                    .drop_column("waitlist_ticket")
                    .to_owned(),
            )
            .await
    }
}
