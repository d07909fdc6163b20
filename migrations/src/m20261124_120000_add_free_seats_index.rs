use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The free seats of each pool, in order: a registration looks for the first one, and once the
/// pool is full (all through a rush's waiting list) this index is empty, so the look-up reads
/// no seat rows at all instead of every seat of the pool.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Partial indexes: the same statement on both databases.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_seats_free ON seats (event_id, pool, seat_no) WHERE registration_id IS NULL",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("ix_seats_free").table("seats").to_owned())
            .await
    }
}
