//! Stands, classic and inverted.

use crate::dto::meetings::local;
use chrono::DateTime;
use chrono::FixedOffset;
use chrono_tz::Tz;
use matinale_domain::stand::Stand;
use matinale_domain::stand::StandKind;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /events/{id}/stands`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStandRequest {
    /// `classic` (held by an ESS structure) or `inverted` (held by a public buyer).
    pub kind: StandKind,
    /// The organisation holding the stand.
    pub organisation_id: Uuid,
    /// Title, on one line.
    #[schema(
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$"
    )]
    pub title: String,
    /// Location label, such as "Salle des fêtes, stand 4", on one line.
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$")]
    pub location: String,
}

/// A stand.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandResponse {
    /// Id.
    pub id: Uuid,
    /// Event.
    pub event_id: Uuid,
    /// Kind.
    pub kind: StandKind,
    /// Holder.
    pub organisation_id: Uuid,
    /// Holder's name.
    pub organisation_name: String,
    /// Title.
    pub title: String,
    /// Location label.
    pub location: String,
    /// Creation time, with the offset of the event's zone.
    pub created_at: DateTime<FixedOffset>,
}

impl StandResponse {
    pub(crate) fn new(s: Stand, organisation_name: String, tz: Tz) -> Self {
        Self {
            id: s.id,
            event_id: s.event_id,
            kind: s.stand.kind,
            organisation_id: s.stand.organisation_id,
            organisation_name,
            title: s.stand.title,
            location: s.stand.location,
            created_at: local(s.created_at, tz),
        }
    }
}
