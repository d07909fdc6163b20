use sea_orm_migration::{prelude::*, schema::*};

use crate::cascade;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// How many registrations wait, per event and category, split over a few rows (shards) so that
/// concurrent registrants do not all update one row. A new registration's place in the waiting
/// list is read from here instead of counting everyone ahead of it.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
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
                 SELECT event_id, category, 0, COUNT(*) FROM registrations WHERE status = 'waitlisted' \
                 GROUP BY event_id, category",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("waitlist_tally").to_owned())
            .await
    }
}
