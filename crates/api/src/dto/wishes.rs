//! Meeting wishes.

use crate::dto::meetings::local;
use chrono::DateTime;
use chrono::FixedOffset;
use chrono_tz::Tz;
use matinale_store::wishes::RegistrationWishes;
use matinale_store::wishes::Wish;
use matinale_store::wishes::WishSource;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /events/{id}/wishes`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWishRequest {
    /// Who wishes: the registration whose manage token is the bearer, or any registration of
    /// the event for an organiser.
    pub from_registration_id: Uuid,
    /// Whom: a buyer for an ESS structure, an ESS structure for a buyer.
    pub to_registration_id: Uuid,
    /// 1 (nice to meet) to 3 (must meet).
    #[schema(minimum = 1, maximum = 3)]
    pub priority: i64,
}

/// Where a wish comes from.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WishSourceResponse {
    /// Made with `POST /events/{id}/wishes`.
    Wish,
    /// Implied by an expression of interest on a buyer's need (priority 2).
    Interest,
}

/// A wish to meet.
#[derive(Debug, Serialize, ToSchema)]
pub struct WishResponse {
    /// Id: the wish's, or the interest's for one implied by an interest.
    pub id: Uuid,
    /// The event.
    pub event_id: Uuid,
    /// Who wishes.
    pub from_registration_id: Uuid,
    /// Whom.
    pub to_registration_id: Uuid,
    /// 1 to 3.
    pub priority: u8,
    /// Made, or implied by an interest.
    pub source: WishSourceResponse,
    /// The need of the interest; `null` for a wish made.
    pub need_id: Option<Uuid>,
    /// One side declined the pair: it is never scheduled.
    pub declined: bool,
    /// When, with the offset of the event's zone.
    pub created_at: DateTime<FixedOffset>,
}

impl WishResponse {
    /// A wish, its time in `tz`, its event's zone.
    pub(crate) fn new(w: Wish, tz: Tz) -> Self {
        let Wish {
            event_id,
            wish,
            declined,
        } = w;
        Self {
            id: wish.id,
            event_id,
            from_registration_id: wish.from_registration_id,
            to_registration_id: wish.to_registration_id,
            priority: wish.priority.get(),
            source: match wish.source {
                WishSource::Direct => WishSourceResponse::Wish,
                WishSource::Interest => WishSourceResponse::Interest,
            },
            need_id: wish.need_id,
            declined,
            created_at: local(wish.created_at, tz),
        }
    }
}

/// The wishes of a registration.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationWishesResponse {
    /// Made by it, oldest first: directly, then through its interests.
    pub made: Vec<WishResponse>,
    /// Made to it, the same way.
    pub received: Vec<WishResponse>,
}

impl RegistrationWishesResponse {
    /// The wishes of a registration, their times in `tz`, its event's zone.
    pub(crate) fn new(w: RegistrationWishes, tz: Tz) -> Self {
        Self {
            made: w.made.into_iter().map(|w| WishResponse::new(w, tz)).collect(),
            received: w.received.into_iter().map(|w| WishResponse::new(w, tz)).collect(),
        }
    }
}
