//! Invitations: one as its organisers see it, the list with its counts, and what the event
//! page pre-fills from an invitation link.

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use matinale_domain::event::Category;
use matinale_domain::invitation::InvitationCounts;
use matinale_domain::invitation::InvitationStatus;
use matinale_domain::page::Page;
use matinale_domain::registration::Locale;
use matinale_store::invitations::{InvitationPrefill, InvitationView};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// One invitation, for the organisers of its event.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationResponse {
    /// Id.
    pub id: Uuid,
    /// The invited address (lower-cased).
    pub email: String,
    /// First name, as the list gave it.
    pub first_name: String,
    /// Last name, as the list gave it.
    pub last_name: String,
    /// The organisation the list named by SIRET.
    pub organisation_id: Option<Uuid>,
    /// The category to pre-fill.
    pub category: Option<Category>,
    /// The language of the mail.
    pub locale: Locale,
    /// `registered` (the address is registered for the event), `unsubscribed`, else where
    /// its mail is: `queued`, `sent`, `failed`. Whether it was read is not tracked.
    pub status: InvitationStatus,
    /// When it was queued, in the event's zone.
    pub created_at: DateTime<FixedOffset>,
    /// When the mail server accepted its mail.
    pub sent_at: Option<DateTime<FixedOffset>>,
}

impl InvitationResponse {
    /// `v` with its times in `tz`.
    pub fn new(v: InvitationView, tz: Tz) -> Self {
        Self {
            id: v.id,
            email: v.email,
            first_name: v.first_name,
            last_name: v.last_name,
            organisation_id: v.organisation_id,
            category: v.category,
            locale: v.locale,
            status: v.status,
            created_at: v.created_at.with_timezone(&tz).fixed_offset(),
            sent_at: v.sent_at.map(|at| at.with_timezone(&tz).fixed_offset()),
        }
    }
}

/// `GET /events/{id}/invitations`: a page of invitations and the counts of all of them.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationListResponse {
    /// The invitations of this page, oldest first.
    pub items: Vec<InvitationResponse>,
    /// Page number, from 1.
    pub page: u64,
    /// Page size (at most 200).
    pub per_page: u64,
    /// Invitations in all.
    pub total: u64,
    /// Invited, registered, unsubscribed: in all and by category.
    pub counts: InvitationCounts,
}

impl InvitationListResponse {
    /// The page and counts, times in `tz`.
    pub fn new(page: Page<InvitationView>, counts: InvitationCounts, tz: Tz) -> Self {
        Self {
            page: page.request.page,
            per_page: page.request.per_page,
            total: page.total,
            items: page.items.into_iter().map(|v| InvitationResponse::new(v, tz)).collect(),
            counts,
        }
    }
}

/// What the event page pre-fills from an invitation link (`GET /invitations/{token}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationPrefillResponse {
    /// The event invited to.
    pub event_id: Uuid,
    /// The invited address.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// The organisation the list named.
    pub organisation_id: Option<Uuid>,
    /// Its name.
    pub organisation_name: Option<String>,
    /// The category.
    pub category: Option<Category>,
    /// The language.
    pub locale: Locale,
}

impl From<InvitationPrefill> for InvitationPrefillResponse {
    fn from(p: InvitationPrefill) -> Self {
        Self {
            event_id: p.event_id,
            email: p.email,
            first_name: p.first_name,
            last_name: p.last_name,
            organisation_id: p.organisation_id,
            organisation_name: p.organisation_name,
            category: p.category,
            locale: p.locale,
        }
    }
}
