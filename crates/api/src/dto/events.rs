//! Events, their quotas and programme.

use crate::dto::nullable;
use chrono::DateTime;
use chrono::FixedOffset;
use chrono::Utc;
use matinale_domain::event::Category;
use matinale_domain::event::Event;
use matinale_domain::event::EventDraft;
use matinale_domain::event::EventKind;
use matinale_domain::event::EventStatus;
use matinale_domain::event::ProgrammeItem;
use matinale_domain::event::ProgrammeItemKind;
use matinale_domain::event::VenueDraft;
use matinale_store::events::EventFilter;
use serde::Deserialize;
use serde::Serialize;
use utoipa::IntoParams;
use utoipa::ToSchema;
use uuid::Uuid;

/// Where an event takes place.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VenueBody {
    /// Name of the place.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$"
    )]
    pub name: String,
    /// Street address.
    #[serde(default)]
    #[schema(max_length = 300, pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*$")]
    pub address: String,
    /// Five-digit postcode.
    #[schema(pattern = r"^[0-9]{5}$")]
    pub postcode: String,
    /// Commune.
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$"
    )]
    pub city: String,
}

/// Seats per category; `null` or absent means no limit beyond the capacity.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotasBody {
    /// Public buyers.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub buyer: Option<i64>,
    /// ESS structures.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub ess_structure: Option<i64>,
    /// Partners.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub partner: Option<i64>,
    /// Visitors.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub visitor: Option<i64>,
}

impl QuotasBody {
    pub(crate) fn to_array(self) -> [Option<i64>; 4] {
        [self.buyer, self.ess_structure, self.partner, self.visitor]
    }
}

pub(crate) fn default_timezone() -> String {
    "Europe/Paris".to_owned()
}

/// `POST /events`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEventRequest {
    /// Series, optional.
    #[serde(default)]
    pub series_id: Option<Uuid>,
    /// Kind.
    pub kind: EventKind,
    /// Title.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$"
    )]
    pub title: String,
    /// Description.
    #[serde(default)]
    #[schema(max_length = 20000, pattern = r"^[^\x00-\x09\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub description: String,
    /// Start, RFC 3339 with offset.
    pub starts_at: DateTime<FixedOffset>,
    /// End, after the start.
    pub ends_at: DateTime<FixedOffset>,
    /// IANA time zone, default `Europe/Paris`.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// Venue; required unless `online_url` is given.
    #[serde(default)]
    pub venue: Option<VenueBody>,
    /// Link for online events.
    #[serde(default)]
    pub online_url: Option<String>,
    /// Total seats, 1 to 100000.
    #[schema(minimum = 1, maximum = 100000)]
    pub capacity: i64,
    /// Seats per category.
    #[serde(default)]
    pub quotas: Option<QuotasBody>,
    /// Registration opening.
    #[serde(default)]
    pub registration_opens_at: Option<DateTime<FixedOffset>>,
    /// Registration closing, no later than the end.
    #[serde(default)]
    pub registration_closes_at: Option<DateTime<FixedOffset>>,
    /// Days after the end of the event its follow-up mail asks for the meetings' outcomes
    /// (0 to 365, default 30).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 365)]
    pub follow_up_days: Option<i64>,
    /// `draft` (default) or `published`.
    #[serde(default)]
    pub status: Option<EventStatus>,
    /// `true` records a past edition: an event that has already ended is refused (422 on
    /// `ends_at`) unless this is set.
    #[serde(default)]
    pub past: bool,
    /// Accounts that may also edit the event.
    #[serde(default)]
    pub co_organisers: Vec<Uuid>,
}

impl CreateEventRequest {
    /// The raw draft for the domain to check.
    pub fn draft(&self) -> EventDraft {
        EventDraft {
            series_id: self.series_id,
            kind: self.kind,
            title: self.title.clone(),
            description: self.description.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            timezone: self.timezone.clone(),
            venue: self.venue.clone().map(Into::into),
            online_url: self.online_url.clone(),
            capacity: self.capacity,
            quotas: self.quotas.unwrap_or_default().to_array(),
            registration_opens_at: self.registration_opens_at,
            registration_closes_at: self.registration_closes_at,
            follow_up_days: self.follow_up_days,
        }
    }
}

/// `PATCH /events/{id}`: absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchEventRequest {
    /// Series (`null` detaches).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub series_id: Option<Option<Uuid>>,
    /// Kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<EventKind>,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$"
    )]
    pub title: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 20000, pattern = r"^[^\x00-\x09\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub description: Option<String>,
    /// Start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<DateTime<FixedOffset>>,
    /// End.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<FixedOffset>>,
    /// Time zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Venue (`null` removes it).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<VenueBody>, nullable)]
    pub venue: Option<Option<VenueBody>>,
    /// Online link (`null` removes it).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, nullable)]
    pub online_url: Option<Option<String>>,
    /// Capacity.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 100000)]
    pub capacity: Option<i64>,
    /// Quotas, replaced as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quotas: Option<QuotasBody>,
    /// Registration opening (`null` removes it).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<DateTime<FixedOffset>>, nullable)]
    pub registration_opens_at: Option<Option<DateTime<FixedOffset>>>,
    /// Registration closing (`null` removes it).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<DateTime<FixedOffset>>, nullable)]
    pub registration_closes_at: Option<Option<DateTime<FixedOffset>>>,
    /// Days after the end of the event its follow-up mail goes out (0 to 365).
    #[schema(minimum = 0, maximum = 365)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up_days: Option<i64>,
    /// `published` or `closed`; cancel with `POST /events/{id}/cancel`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<EventStatus>,
    /// Co-organisers, replaced as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub co_organisers: Option<Vec<Uuid>>,
}

/// Seats per category as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuotasResponse {
    /// Public buyers.
    pub buyer: Option<u32>,
    /// ESS structures.
    pub ess_structure: Option<u32>,
    /// Partners.
    pub partner: Option<u32>,
    /// Visitors.
    pub visitor: Option<u32>,
}

/// An event.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventResponse {
    /// Id.
    pub id: Uuid,
    /// Series.
    pub series_id: Option<Uuid>,
    /// Kind.
    pub kind: EventKind,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Start, in the event's time zone.
    pub starts_at: DateTime<FixedOffset>,
    /// End, in the event's time zone.
    pub ends_at: DateTime<FixedOffset>,
    /// IANA time zone.
    pub timezone: String,
    /// Venue.
    pub venue: Option<VenueBody>,
    /// Online link.
    pub online_url: Option<String>,
    /// Total seats.
    pub capacity: u32,
    /// Seats per category.
    pub quotas: QuotasResponse,
    /// Registration opening.
    pub registration_opens_at: Option<DateTime<FixedOffset>>,
    /// Registration closing.
    pub registration_closes_at: Option<DateTime<FixedOffset>>,
    /// Days after the end its follow-up mail asks for the meetings' outcomes.
    pub follow_up_days: u32,
    /// Status.
    pub status: EventStatus,
    /// Co-organisers' account ids (shown to the event's organisers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub co_organisers: Option<Vec<Uuid>>,
    /// Creation time, with the offset of the event's zone.
    pub created_at: DateTime<FixedOffset>,
    /// Last change, with the offset of the event's zone.
    pub updated_at: DateTime<FixedOffset>,
}

impl EventResponse {
    /// Renders an event; organisers' ids only when `for_organiser`.
    pub fn new(e: Event, for_organiser: bool) -> Self {
        let f = e.fields;
        let tz = f.timezone;
        let local = move |t: DateTime<Utc>| t.with_timezone(&tz).fixed_offset();
        Self {
            id: e.id,
            series_id: f.series_id,
            kind: f.kind,
            title: f.title,
            description: f.description,
            starts_at: local(f.starts_at),
            ends_at: local(f.ends_at),
            timezone: tz.name().to_owned(),
            venue: f.venue.map(|v| VenueBody {
                name: v.name,
                address: v.address,
                postcode: v.postcode,
                city: v.city,
            }),
            online_url: f.online_url,
            capacity: f.capacity,
            quotas: QuotasResponse {
                buyer: f.quotas.of(Category::Buyer),
                ess_structure: f.quotas.of(Category::EssStructure),
                partner: f.quotas.of(Category::Partner),
                visitor: f.quotas.of(Category::Visitor),
            },
            registration_opens_at: f.registration_opens_at.map(local),
            registration_closes_at: f.registration_closes_at.map(local),
            follow_up_days: f.follow_up_days,
            status: e.status,
            co_organisers: for_organiser.then_some(e.co_organisers),
            created_at: local(e.created_at),
            updated_at: local(e.updated_at),
        }
    }
}

/// `POST /events/{id}/programme`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProgrammeItemRequest {
    /// Start, within the event.
    pub starts_at: DateTime<FixedOffset>,
    /// End, within the event.
    pub ends_at: DateTime<FixedOffset>,
    /// Title.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$"
    )]
    pub title: String,
    /// Kind.
    pub kind: ProgrammeItemKind,
    /// Speakers' names.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub speakers: Vec<String>,
}

/// A programme item.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeItemResponse {
    /// Id.
    pub id: Uuid,
    /// Start, in the event's time zone.
    pub starts_at: DateTime<FixedOffset>,
    /// End.
    pub ends_at: DateTime<FixedOffset>,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: ProgrammeItemKind,
    /// Speakers.
    pub speakers: Vec<String>,
}

impl ProgrammeItemResponse {
    /// Renders an item in the event's time zone.
    pub fn new(p: ProgrammeItem, tz: chrono_tz::Tz) -> Self {
        Self {
            id: p.id,
            starts_at: p.item.starts_at.with_timezone(&tz).fixed_offset(),
            ends_at: p.item.ends_at.with_timezone(&tz).fixed_offset(),
            title: p.item.title,
            kind: p.item.kind,
            speakers: p.item.speakers,
        }
    }
}

/// Filters of `GET /events`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventListQuery {
    /// Series id.
    pub series: Option<Uuid>,
    /// Commune of the venue (accents and case ignored).
    pub city: Option<String>,
    /// Kind.
    pub kind: Option<EventKind>,
    /// Events ending at or after this time (RFC 3339; encode `+` as `%2B`).
    pub from: Option<DateTime<FixedOffset>>,
    /// Events starting at or before this time.
    pub to: Option<DateTime<FixedOffset>>,
    /// Free text in title, description and venue (accents and case ignored).
    pub q: Option<String>,
}

impl From<EventListQuery> for EventFilter {
    fn from(q: EventListQuery) -> Self {
        Self {
            series: q.series,
            city: q.city,
            kind: q.kind,
            from: q.from.map(|t| t.with_timezone(&Utc)),
            to: q.to.map(|t| t.with_timezone(&Utc)),
            q: q.q,
        }
    }
}

impl From<VenueBody> for VenueDraft {
    fn from(v: VenueBody) -> Self {
        VenueDraft {
            name: v.name,
            address: v.address,
            postcode: v.postcode,
            city: v.city,
        }
    }
}
