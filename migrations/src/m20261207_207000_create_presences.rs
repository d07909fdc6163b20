use sea_orm_migration::{prelude::*, schema::*};

use crate::cascade;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// On the day: `presences`, one optional row per registration — an organiser's mark (present
/// or absent for the rest of the block, `marked_present`) and the person's own word ("I arrive
/// for slot …", `from_slot_id`; "I leave after slot …", `until_slot_id`) — read by the re-plan;
/// and `meeting_preferences.open_to_any`: the person would meet anyone on the day.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("presences")
                    .col(uuid("registration_id").primary_key())
                    .col(boolean_null("marked_present"))
                    .col(uuid_null("from_slot_id"))
                    .col(uuid_null("until_slot_id"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut cascade("presences", "registration_id", "registrations"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("meeting_preferences")
                    .add_column(boolean("open_to_any").default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("meeting_preferences")
                    .drop_column("open_to_any")
                    .to_owned(),
            )
            .await?;
        manager.drop_table(Table::drop().table("presences").to_owned()).await
    }
}
