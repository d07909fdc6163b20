use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A registration's `organisation_id` is a claim: it speaks for that organisation (interests,
/// wishes) only once confirmed. An approval by an organiser of its event or a member of the
/// organisation is recorded here; the other ways to confirm it (a member account's e-mail, a
/// verified domain of the organisation) are read when needed. Changing the organisation
/// clears the approval.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table("registrations")
                    .add_column(timestamp_with_time_zone_null("organisation_confirmed_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("registrations")
                    .add_column(uuid_null("organisation_confirmed_by"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["organisation_confirmed_by", "organisation_confirmed_at"] {
            manager
                .alter_table(Table::alter().table("registrations").drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
