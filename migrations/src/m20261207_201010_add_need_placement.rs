use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A need shows on an event's inverted stands only with the consent of that event's
/// organisers: `event_accepted_at` is set when one of them (or an admin) places the need at the
/// event or accepts a buyer's proposal; a buyer's member attaching or moving its need to an
/// event only proposes it. `posted_by_organiser` marks a need an organiser posted for a buyer
/// it is not a member of: it shows as posted by the organiser, not by the buyer.
///
/// Needs placed at an event before this migration were accepted by being there: they keep
/// showing.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("needs")
                    .add_column(timestamp_with_time_zone_null("event_accepted_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("needs")
                    .add_column(boolean("posted_by_organiser").default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("UPDATE needs SET event_accepted_at = created_at WHERE event_id IS NOT NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["posted_by_organiser", "event_accepted_at"] {
            manager
                .alter_table(Table::alter().table("needs").drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
