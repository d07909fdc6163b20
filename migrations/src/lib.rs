//! Database migrations, one file per change, run by `matinale migrate` and at `serve` start.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_accounts;
mod m20261123_000002_create_events;
mod m20261123_000003_create_organisations;
mod m20261123_193000_create_registrations;
mod m20261123_200000_create_stands_and_needs;
mod m20261124_090000_add_mail_delivery_columns;
mod m20261124_090000_add_registration_feed_token;
mod m20261124_120000_add_free_seats_index;
mod m20261124_130000_create_waitlist_tally;
mod m20261202_090000_create_meetings;
mod m20261202_100000_add_organisation_claims;
mod m20261202_110000_create_registration_tokens;
mod m20261202_130000_meeting_outcomes;
mod m20261207_201000_add_email_verification;
mod m20261207_201010_add_need_placement;
mod m20261207_202000_create_waitlist_queues;
mod m20261207_207000_create_presences;
mod m20261208_013000_add_organisation_postcode;
mod m20261208_014000_create_invitations;

/// Every migration, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_accounts::Migration),
            Box::new(m20261123_000002_create_events::Migration),
            Box::new(m20261123_000003_create_organisations::Migration),
            Box::new(m20261123_193000_create_registrations::Migration),
            Box::new(m20261123_200000_create_stands_and_needs::Migration),
            Box::new(m20261124_090000_add_registration_feed_token::Migration),
            Box::new(m20261124_090000_add_mail_delivery_columns::Migration),
            Box::new(m20261124_120000_add_free_seats_index::Migration),
            Box::new(m20261124_130000_create_waitlist_tally::Migration),
            Box::new(m20261202_090000_create_meetings::Migration),
            Box::new(m20261202_100000_add_organisation_claims::Migration),
            Box::new(m20261202_110000_create_registration_tokens::Migration),
            Box::new(m20261202_130000_meeting_outcomes::Migration),
            Box::new(m20261207_201000_add_email_verification::Migration),
            Box::new(m20261207_201010_add_need_placement::Migration),
            Box::new(m20261207_202000_create_waitlist_queues::Migration),
            Box::new(m20261207_207000_create_presences::Migration),
            Box::new(m20261208_013000_add_organisation_postcode::Migration),
            Box::new(m20261208_014000_create_invitations::Migration),
        ]
    }
}

/// A foreign key from `table.column` to `target.id`, deleting children with the parent.
pub(crate) fn cascade(table: &'static str, column: &'static str, target: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// An index on the given columns.
pub(crate) fn index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{}", columns.join("_"))).table(table);
    for c in columns {
        stmt.col(*c);
    }
    stmt.to_owned()
}
