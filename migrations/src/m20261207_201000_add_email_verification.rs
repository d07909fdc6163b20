use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A registration's e-mail is proven once its person used the verification link of the
/// confirmation mail (a secret of its own, stored as its hash, never the manage token the 201
/// answers) or registered signed in as the member account of that e-mail. Only then does the
/// address count as evidence of a claim to an organisation (a member's login, a verified
/// domain).
///
/// `erased_at` marks a registration whose person's data was erased (RGPD): it was cancelled
/// then, and no list shows it any more; its anonymous row stays for the counts.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table("registrations")
                    .add_column(timestamp_with_time_zone_null("email_verified_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("registrations")
                    .add_column(string_null("email_verification_hash"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("registrations")
                    .add_column(timestamp_with_time_zone_null("erased_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["erased_at", "email_verification_hash", "email_verified_at"] {
            manager
                .alter_table(Table::alter().table("registrations").drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
