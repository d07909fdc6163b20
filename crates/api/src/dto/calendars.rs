//! Calendar feeds.

use serde::Serialize;
use utoipa::ToSchema;

/// A new secret calendar feed; the token is shown only here.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarFeedResponse {
    /// The feed to subscribe to (no other credential needed): `…/api/v1/calendars/{token}.ics`.
    pub url: String,
    /// The same feed as a `webcal://` link, which calendar applications open as a subscription.
    pub webcal_url: String,
    /// The feed token (`mc_…`); it opens this agenda only, read-only.
    pub token: String,
}
