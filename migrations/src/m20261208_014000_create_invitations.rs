use sea_orm_migration::{prelude::*, schema::*};

use crate::{cascade, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Invitations (issue 25): one row per address invited to an event (unique per event), each
/// with the hashes of its two secrets — the link that pre-fills the event page and proves the
/// mailbox, and the one-click unsubscribe link — and the outbox row of its mail.
///
/// `mail_opt_outs` keeps the addresses that asked for no more invitations, as the SHA-256 of
/// the lower-cased address only: it outlives the erasure of everything else about the person.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("invitations")
                    .col(uuid("id").primary_key())
                    .col(uuid("event_id"))
                    .col(string("email"))
                    .col(string("first_name"))
                    .col(string("last_name"))
                    .col(uuid_null("organisation_id"))
                    .col(string_null("category"))
                    .col(string("locale"))
                    .col(string("token_hash"))
                    .col(string("unsubscribe_hash"))
                    .col(uuid_null("outbox_id"))
                    .col(uuid("invited_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut cascade("invitations", "event_id", "events"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index("invitations", &["event_id", "email"]).unique().to_owned())
            .await?;
        manager
            .create_index(index("invitations", &["token_hash"]).unique().to_owned())
            .await?;
        manager
            .create_index(index("invitations", &["unsubscribe_hash"]).unique().to_owned())
            .await?;
        manager.create_index(index("invitations", &["email"])).await?;
        manager
            .create_table(
                Table::create()
                    .table("mail_opt_outs")
                    .col(string("email_hash").primary_key())
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("mail_opt_outs").to_owned())
            .await?;
        manager.drop_table(Table::drop().table("invitations").to_owned()).await
    }
}
