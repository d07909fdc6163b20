use matinale_domain::event::Category;
use matinale_domain::registration::{
    Consents, Locale, Registration, RegistrationDetails, RegistrationStatus, SeatPool,
};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::ExprTrait;

use super::text::Text;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_id: Uuid,
    pub category: Text<Category>,
    pub pool: Text<SeatPool>,
    pub status: Text<RegistrationStatus>,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub locale: Text<Locale>,
    #[sea_orm(column_type = "Text", nullable)]
    pub accessibility_needs: Option<String>,
    pub share_contact: bool,
    #[sea_orm(unique)]
    pub manage_token_hash: String,
    /// SHA-256 of the secret calendar-feed token; `None` when no feed is open.
    #[sea_orm(unique)]
    pub feed_token_hash: Option<String>,
    pub version: i32,
    pub queue_order: i64,
    /// Its number on the waiting list of its event and category, given when it was waitlisted:
    /// promotion goes by it (`waitlist`).
    pub waitlist_ticket: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When an organiser or a member approved the registration's claim to its organisation.
    pub organisation_confirmed_at: Option<DateTimeUtc>,
    /// Who approved it (an account).
    pub organisation_confirmed_by: Option<Uuid>,
    /// When its e-mail was proven (the confirmation mail's verification link used, or
    /// registered signed in as the member account of that address).
    pub email_verified_at: Option<DateTimeUtc>,
    /// SHA-256 of the verification secret the confirmation mail carries; `None` once used.
    pub email_verification_hash: Option<String>,
    /// When the person's data was erased (RGPD); no list shows the row any more.
    pub erased_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}

/// An update of the registration `id` as its next version, changed at `now`: every change of a
/// registration row goes through it, so that its version (its ETag) moves. Callers add the
/// columns they change and any guard on the current state.
pub(crate) fn change(id: Uuid, now: DateTimeUtc) -> sea_orm::UpdateMany<Entity> {
    Entity::update_many()
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::val(now))
        .filter(Column::Id.eq(id))
}

impl Model {
    /// The registration of this row, at `waitlist_position` when it waits. Its organisation
    /// counts as confirmed on an approval only; the other evidence is read by
    /// `claims::settle_claims`.
    pub fn into_registration(self, waitlist_position: Option<u32>) -> Registration {
        Registration {
            id: self.id,
            event_id: self.event_id,
            category: self.category.get(),
            status: self.status.get(),
            waitlist_position,
            details: RegistrationDetails {
                first_name: self.first_name,
                last_name: self.last_name,
                phone: self.phone,
                organisation_id: self.organisation_id,
                locale: self.locale.get(),
                accessibility_needs: self.accessibility_needs,
                consents: Consents {
                    share_contact: self.share_contact,
                },
            },
            organisation_confirmed: self.organisation_id.is_some() && self.organisation_confirmed_at.is_some(),
            email: self.email,
            email_verified: self.email_verified_at.is_some(),
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}
