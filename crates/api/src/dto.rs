//! Request and response bodies: the HTTP shape, separate from domain types and entities.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use matinale_domain::event::{
    Category, Event, EventDraft, EventKind, EventStatus, ProgrammeItem, ProgrammeItemKind, VenueDraft,
};
use matinale_domain::organisation::{EssKind, Organisation, OrganisationDraft, OrganisationKind};
use matinale_domain::page::Page;
use matinale_domain::registration::{
    self, Consents, Locale, NewRegistration, Person, Registration, RegistrationDetails, RegistrationStatus,
    StatusChange,
};
use matinale_domain::series::Series;
use matinale_domain::user::{Role, User};
use matinale_store::registrations::Receipt;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub mod meeting_preferences;

use meeting_preferences::{MeetingPreferencesPatch, MeetingPreferencesResponse};

/// Distinguishes "absent" (`None`) from "null" (`Some(None)`) in a PATCH body.
pub fn nullable<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListResponse<T: ToSchema> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Page number, from 1.
    pub page: u64,
    /// Page size (at most 200).
    pub per_page: u64,
    /// Matching items in all.
    pub total: u64,
}

impl<T: ToSchema> ListResponse<T> {
    /// Converts a page of domain values.
    pub fn from_page<U>(page: Page<U>, f: impl FnMut(U) -> T) -> Self {
        let request = page.request;
        let total = page.total;
        Self {
            items: page.items.into_iter().map(f).collect(),
            page: request.page,
            per_page: request.per_page,
            total,
        }
    }
}

/// `POST /auth/token`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// Account e-mail.
    pub email: String,
    /// Password.
    pub password: String,
}

/// A bearer token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// `POST /users`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// Login e-mail.
    pub email: String,
    /// Password, 10 to 128 characters.
    pub password: String,
    /// `organiser`, `admin`, or `member` (acts only for the organisations it is added to).
    pub role: Role,
    /// Display name.
    pub name: String,
}

/// An account.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    /// Id.
    pub id: Uuid,
    /// E-mail.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserResponse {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            created_at: u.created_at,
        }
    }
}

/// `POST /series`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSeriesRequest {
    /// Unique slug such as `mois-ess-2026`.
    pub slug: String,
    /// Title.
    pub title: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Description.
    #[serde(default)]
    pub description: String,
}

/// A series of events.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesResponse {
    /// Id.
    pub id: Uuid,
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Description.
    pub description: String,
}

impl From<Series> for SeriesResponse {
    fn from(s: Series) -> Self {
        Self {
            id: s.id,
            slug: s.slug,
            title: s.title,
            starts_on: s.starts_on,
            ends_on: s.ends_on,
            description: s.description,
        }
    }
}

/// Where an event takes place.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VenueBody {
    /// Name of the place.
    pub name: String,
    /// Street address.
    #[serde(default)]
    pub address: String,
    /// Five-digit postcode.
    pub postcode: String,
    /// Commune.
    pub city: String,
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

/// Seats per category; `null` or absent means no limit beyond the capacity.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotasBody {
    /// Public buyers.
    #[serde(default)]
    pub buyer: Option<i64>,
    /// ESS structures.
    #[serde(default)]
    pub ess_structure: Option<i64>,
    /// Partners.
    #[serde(default)]
    pub partner: Option<i64>,
    /// Visitors.
    #[serde(default)]
    pub visitor: Option<i64>,
}

impl QuotasBody {
    fn to_array(self) -> [Option<i64>; 4] {
        [self.buyer, self.ess_structure, self.partner, self.visitor]
    }
}

fn default_timezone() -> String {
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
    pub title: String,
    /// Description.
    #[serde(default)]
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
    /// `draft` (default) or `published`.
    #[serde(default)]
    pub status: Option<EventStatus>,
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
        }
    }
}

/// `PATCH /events/{id}`: absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchEventRequest {
    /// Series (`null` detaches).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub series_id: Option<Option<Uuid>>,
    /// Kind.
    pub kind: Option<EventKind>,
    /// Title.
    pub title: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Start.
    pub starts_at: Option<DateTime<FixedOffset>>,
    /// End.
    pub ends_at: Option<DateTime<FixedOffset>>,
    /// Time zone.
    pub timezone: Option<String>,
    /// Venue (`null` removes it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<VenueBody>, nullable)]
    pub venue: Option<Option<VenueBody>>,
    /// Online link (`null` removes it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable)]
    pub online_url: Option<Option<String>>,
    /// Capacity.
    pub capacity: Option<i64>,
    /// Quotas, replaced as a whole.
    pub quotas: Option<QuotasBody>,
    /// Registration opening (`null` removes it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<FixedOffset>>, nullable)]
    pub registration_opens_at: Option<Option<DateTime<FixedOffset>>>,
    /// Registration closing (`null` removes it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<FixedOffset>>, nullable)]
    pub registration_closes_at: Option<Option<DateTime<FixedOffset>>>,
    /// `published` or `closed`; cancel with `POST /events/{id}/cancel`.
    pub status: Option<EventStatus>,
    /// Co-organisers, replaced as a whole.
    pub co_organisers: Option<Vec<Uuid>>,
}

impl PatchEventRequest {
    /// Merges the patch into the current draft.
    pub fn apply(&self, mut d: EventDraft) -> EventDraft {
        if let Some(v) = self.series_id {
            d.series_id = v;
        }
        if let Some(v) = self.kind {
            d.kind = v;
        }
        if let Some(v) = &self.title {
            d.title = v.clone();
        }
        if let Some(v) = &self.description {
            d.description = v.clone();
        }
        if let Some(v) = self.starts_at {
            d.starts_at = v;
        }
        if let Some(v) = self.ends_at {
            d.ends_at = v;
        }
        if let Some(v) = &self.timezone {
            d.timezone = v.clone();
        }
        if let Some(v) = &self.venue {
            d.venue = v.clone().map(Into::into);
        }
        if let Some(v) = &self.online_url {
            d.online_url = v.clone();
        }
        if let Some(v) = self.capacity {
            d.capacity = v;
        }
        if let Some(v) = self.quotas {
            d.quotas = v.to_array();
        }
        if let Some(v) = self.registration_opens_at {
            d.registration_opens_at = v;
        }
        if let Some(v) = self.registration_closes_at {
            d.registration_closes_at = v;
        }
        d
    }
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
    /// Status.
    pub status: EventStatus,
    /// Co-organisers' account ids (shown to the event's organisers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub co_organisers: Option<Vec<Uuid>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
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
            status: e.status,
            co_organisers: for_organiser.then_some(e.co_organisers),
            created_at: e.created_at,
            updated_at: e.updated_at,
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
    pub title: String,
    /// Kind.
    pub kind: ProgrammeItemKind,
    /// Speakers' names.
    #[serde(default)]
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

/// `POST /organisations`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganisationRequest {
    /// Kind.
    pub kind: OrganisationKind,
    /// Name.
    pub name: String,
    /// SIRET (14 digits, Luhn-checked; La Poste's own rule).
    #[serde(default)]
    pub siret: Option<String>,
    /// ESS kinds, for ESS structures only.
    #[serde(default)]
    pub ess_kinds: Vec<EssKind>,
    /// Sectors of activity.
    #[serde(default)]
    pub sectors: Vec<String>,
    /// Communes served.
    #[serde(default)]
    pub cities: Vec<String>,
    /// Website.
    #[serde(default)]
    pub website: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Labels and approvals.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Mail domains of the organisation (`rejoue.org`, at most 20): a registration with an
    /// address there speaks for the organisation without approval.
    #[serde(default)]
    pub verified_domains: Vec<String>,
}

impl From<CreateOrganisationRequest> for OrganisationDraft {
    fn from(r: CreateOrganisationRequest) -> Self {
        OrganisationDraft {
            kind: Some(r.kind),
            name: r.name,
            siret: r.siret,
            ess_kinds: r.ess_kinds,
            sectors: r.sectors,
            cities: r.cities,
            website: r.website,
            description: r.description,
            labels: r.labels,
            verified_domains: r.verified_domains,
        }
    }
}

/// `PATCH /organisations/{id}`: absent fields stay, `null` clears `siret` or `website`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchOrganisationRequest {
    /// Kind.
    pub kind: Option<OrganisationKind>,
    /// Name.
    pub name: Option<String>,
    /// SIRET.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable)]
    pub siret: Option<Option<String>>,
    /// ESS kinds.
    pub ess_kinds: Option<Vec<EssKind>>,
    /// Sectors.
    pub sectors: Option<Vec<String>>,
    /// Cities.
    pub cities: Option<Vec<String>>,
    /// Website.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable)]
    pub website: Option<Option<String>>,
    /// Description.
    pub description: Option<String>,
    /// Labels.
    pub labels: Option<Vec<String>>,
    /// Verified mail domains (the list replaces the current one).
    pub verified_domains: Option<Vec<String>>,
}

impl PatchOrganisationRequest {
    /// Merges the patch into the current draft.
    pub fn apply(&self, mut d: OrganisationDraft) -> OrganisationDraft {
        if let Some(v) = self.kind {
            d.kind = Some(v);
        }
        if let Some(v) = &self.name {
            d.name = v.clone();
        }
        if let Some(v) = &self.siret {
            d.siret = v.clone();
        }
        if let Some(v) = &self.ess_kinds {
            d.ess_kinds = v.clone();
        }
        if let Some(v) = &self.sectors {
            d.sectors = v.clone();
        }
        if let Some(v) = &self.cities {
            d.cities = v.clone();
        }
        if let Some(v) = &self.website {
            d.website = v.clone();
        }
        if let Some(v) = &self.description {
            d.description = v.clone();
        }
        if let Some(v) = &self.labels {
            d.labels = v.clone();
        }
        if let Some(v) = &self.verified_domains {
            d.verified_domains = v.clone();
        }
        d
    }
}

/// An organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationResponse {
    /// Id.
    pub id: Uuid,
    /// Kind.
    pub kind: OrganisationKind,
    /// Name.
    pub name: String,
    /// SIRET.
    pub siret: Option<String>,
    /// SIREN, the first nine digits of the SIRET.
    pub siren: Option<String>,
    /// ESS kinds.
    pub ess_kinds: Vec<EssKind>,
    /// Sectors.
    pub sectors: Vec<String>,
    /// Cities served.
    pub cities: Vec<String>,
    /// Website.
    pub website: Option<String>,
    /// Description.
    pub description: String,
    /// Labels.
    pub labels: Vec<String>,
    /// Verified mail domains.
    pub verified_domains: Vec<String>,
}

impl From<Organisation> for OrganisationResponse {
    fn from(o: Organisation) -> Self {
        let f = o.fields;
        Self {
            id: o.id,
            kind: f.kind,
            name: f.name,
            siren: f.siret.as_ref().map(|s| s.siren().to_owned()),
            siret: f.siret.map(|s| s.as_str().to_owned()),
            ess_kinds: f.ess_kinds,
            sectors: f.sectors,
            cities: f.cities,
            website: f.website,
            description: f.description,
            labels: f.labels,
            verified_domains: f.verified_domains,
        }
    }
}

/// Liveness or readiness.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    /// `ok`, or `unavailable`.
    pub status: String,
}

/// The person of a registration.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail; one live registration per e-mail and event.
    pub email: String,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
}

/// Consents of a registrant.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentsBody {
    /// Share contact details with meeting partners.
    #[serde(default)]
    pub share_contact: bool,
}

/// `POST /events/{id}/registrations`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRegistrationRequest {
    /// Category, each with its quota.
    pub category: Category,
    /// The person.
    pub person: PersonBody,
    /// Their organisation.
    #[serde(default)]
    pub organisation_id: Option<Uuid>,
    /// Language of their mail (default `fr`).
    #[serde(default)]
    pub locale: Option<Locale>,
    /// Needs the organiser should know of.
    #[serde(default)]
    pub accessibility_needs: Option<String>,
    /// Consents.
    #[serde(default)]
    pub consents: ConsentsBody,
}

impl TryFrom<CreateRegistrationRequest> for NewRegistration {
    type Error = matinale_domain::Error;

    fn try_from(r: CreateRegistrationRequest) -> Result<Self, Self::Error> {
        let mut check = matinale_domain::error::Checker::new();
        let person = check.take(Person::parse(
            &r.person.first_name,
            &r.person.last_name,
            &r.person.email,
            r.person.phone.as_deref(),
        ));
        let needs = check.take(registration::accessibility_needs(r.accessibility_needs.as_deref()));
        match (person, needs) {
            (Some(person), Some(accessibility_needs)) => Ok(NewRegistration {
                category: r.category,
                person,
                organisation_id: r.organisation_id,
                locale: r.locale.unwrap_or(Locale::Fr),
                accessibility_needs,
                consents: Consents {
                    share_contact: r.consents.share_contact,
                },
            }),
            _ => Err(check.into_error()),
        }
    }
}

/// `201` of `POST /events/{id}/registrations`: the manage token is shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedRegistrationResponse {
    /// Id.
    pub id: Uuid,
    /// Event.
    pub event_id: Uuid,
    /// Category.
    pub category: Category,
    /// `confirmed` or `waitlisted`.
    pub status: RegistrationStatus,
    /// Place on the waiting list of its category (1 = next), when waitlisted.
    pub waitlist_position: Option<u32>,
    /// Bearer secret for this registration only: `Authorization: Bearer <manage_token>`.
    pub manage_token: String,
    /// Text of the check-in QR code to show at the door (`matinale:registration:<id>`).
    pub check_in_qr: String,
}

impl From<&Receipt> for CreatedRegistrationResponse {
    fn from(r: &Receipt) -> Self {
        Self {
            id: r.id,
            event_id: r.event_id,
            category: r.category,
            status: r.status,
            waitlist_position: r.waitlist_position,
            manage_token: r.manage_token.clone(),
            check_in_qr: matinale_domain::registration::check_in_qr(r.id),
        }
    }
}

/// The person as answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonResponse {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail.
    pub email: String,
    /// Phone.
    pub phone: Option<String>,
}

/// One recorded state change: who moved the registration, when, from what to what and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusChangeResponse {
    /// When.
    pub at: DateTime<Utc>,
    /// An account id, `registrant` or `system`.
    pub actor: String,
    /// Previous status (none at creation).
    pub from_status: Option<RegistrationStatus>,
    /// New status.
    pub to_status: RegistrationStatus,
    /// Why.
    pub reason: String,
}

/// A registration.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationResponse {
    /// Id.
    pub id: Uuid,
    /// Event.
    pub event_id: Uuid,
    /// Category.
    pub category: Category,
    /// Status.
    pub status: RegistrationStatus,
    /// Place on the waiting list of its category, when waitlisted.
    pub waitlist_position: Option<u32>,
    /// Text of the check-in QR code to show at the door (`matinale:registration:<id>`); it
    /// names the registration and grants nothing: only an organiser can check it in.
    pub check_in_qr: String,
    /// The person.
    pub person: PersonResponse,
    /// Organisation, as the registrant named it.
    pub organisation_id: Option<Uuid>,
    /// Whether the registration speaks for `organisation_id`: its e-mail is a member account's
    /// or of a verified domain of the organisation, or an organiser or a member approved it
    /// (`POST /registrations/{id}/organisation/approve`). Until then it acts for itself only.
    pub organisation_confirmed: bool,
    /// Locale.
    pub locale: Locale,
    /// Accessibility needs.
    pub accessibility_needs: Option<String>,
    /// Consents.
    pub consents: ConsentsBody,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// State changes, oldest first (single reads only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<StatusChangeResponse>>,
    /// Speed meetings: whether the person takes part, how many, and when not.
    pub meetings: MeetingPreferencesResponse,
}

impl RegistrationResponse {
    /// A registration, with its history when given.
    pub fn new(r: Registration, history: Option<Vec<StatusChange>>) -> Self {
        let d = r.details;
        Self {
            id: r.id,
            event_id: r.event_id,
            category: r.category,
            status: r.status,
            waitlist_position: r.waitlist_position,
            check_in_qr: matinale_domain::registration::check_in_qr(r.id),
            person: PersonResponse {
                first_name: d.first_name,
                last_name: d.last_name,
                email: r.email,
                phone: d.phone,
            },
            organisation_id: d.organisation_id,
            organisation_confirmed: r.organisation_confirmed,
            locale: d.locale,
            accessibility_needs: d.accessibility_needs,
            consents: ConsentsBody {
                share_contact: d.consents.share_contact,
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
            history: history.map(|h| {
                h.into_iter()
                    .map(|c| StatusChangeResponse {
                        at: c.at,
                        actor: c.actor,
                        from_status: c.from,
                        to_status: c.to,
                        reason: c.reason,
                    })
                    .collect()
            }),
            meetings: MeetingPreferencesResponse::default(),
        }
    }

    /// The registration with its speed-meeting preferences.
    pub fn with_meetings(self, meetings: matinale_domain::meeting::MeetingPreferences) -> Self {
        Self {
            meetings: meetings.into(),
            ..self
        }
    }
}

/// `PATCH /registrations/{id}`: absent fields stay; the e-mail and category do not change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchRegistrationRequest {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Phone (`null` clears).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable)]
    pub phone: Option<Option<String>>,
    /// Organisation (`null` clears).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub organisation_id: Option<Option<Uuid>>,
    /// Locale.
    pub locale: Option<Locale>,
    /// Accessibility needs (`null` clears).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable)]
    pub accessibility_needs: Option<Option<String>>,
    /// Consents.
    pub consents: Option<ConsentsBody>,
    /// Speed meetings: whether to take part, how many, and when not.
    pub meetings: Option<MeetingPreferencesPatch>,
}

impl PatchRegistrationRequest {
    /// The details after the patch, validated.
    pub fn apply(&self, current: &Registration) -> Result<RegistrationDetails, matinale_domain::Error> {
        let d = &current.details;
        let first = self.first_name.as_deref().unwrap_or(&d.first_name);
        let last = self.last_name.as_deref().unwrap_or(&d.last_name);
        let phone = match &self.phone {
            Some(p) => p.as_deref(),
            None => d.phone.as_deref(),
        };
        // Person::parse checks names and phone the same way as at registration.
        let person = Person::parse(first, last, &current.email, phone)?;
        let accessibility_needs = match &self.accessibility_needs {
            Some(n) => registration::accessibility_needs(n.as_deref())?,
            None => d.accessibility_needs.clone(),
        };
        Ok(RegistrationDetails {
            first_name: person.first_name,
            last_name: person.last_name,
            phone: person.phone,
            organisation_id: self.organisation_id.unwrap_or(d.organisation_id),
            locale: self.locale.unwrap_or(d.locale),
            accessibility_needs,
            consents: self.consents.map_or(d.consents, |c| Consents {
                share_contact: c.share_contact,
            }),
        })
    }
}

/// `POST /events/{id}/check-ins`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    /// The registration that arrived, found in the list…
    pub registration_id: Option<Uuid>,
    /// …or its manage token (`mr_…`), when the person shows their management link…
    pub token: Option<String>,
    /// …or the text of its check-in QR code (`matinale:registration:<id>`, see `check_in_qr`).
    pub qr: Option<String>,
}

/// `POST /events/{id}/no-shows`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoShowsResponse {
    /// How many confirmed registrations were marked `no_show`.
    pub marked: u64,
}
