//! Registrations, check-in and no-shows.

use crate::dto::meeting_preferences::MeetingPreferencesPatch;
use crate::dto::meeting_preferences::MeetingPreferencesResponse;
use crate::dto::meetings::local;
use crate::dto::nullable;
use chrono::DateTime;
use chrono::FixedOffset;
use chrono_tz::Tz;
use matinale_domain::event::Category;
use matinale_domain::registration;
use matinale_domain::registration::Consents;
use matinale_domain::registration::Locale;
use matinale_domain::registration::NewRegistration;
use matinale_domain::registration::Person;
use matinale_domain::registration::Registration;
use matinale_domain::registration::RegistrationStatus;
use matinale_domain::registration::StatusChange;
use matinale_store::registrations::Receipt;
use matinale_store::registrations::RegistrationFilter;
use serde::Deserialize;
use serde::Serialize;
use utoipa::IntoParams;
use utoipa::ToSchema;
use uuid::Uuid;

/// The person of a registration.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    /// First name.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$"
    )]
    pub first_name: String,
    /// Last name.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$"
    )]
    pub last_name: String,
    /// E-mail; one live registration per e-mail and event.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// Phone.
    #[serde(default)]
    #[schema(max_length = 40, pattern = r"^[0-9 +.()-]*$")]
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
    #[schema(max_length = 1000, pattern = r"^[^\x00-\x09\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub accessibility_needs: Option<String>,
    /// Consents.
    #[serde(default)]
    pub consents: ConsentsBody,
    /// The secret of an invitation link of this event (`?invitation=mi_…`): registering the
    /// invited address proves it, and the organisation the invitation named is confirmed.
    #[serde(default)]
    #[schema(pattern = r"^\s*mi_", max_length = 200)]
    pub invitation: Option<String>,
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
    /// Whether the e-mail is proven already (registered signed in as the member account of
    /// that address); otherwise the confirmation mail's link proves it. The manage token
    /// proves nothing about the mailbox.
    pub email_verified: bool,
}

impl From<Receipt> for CreatedRegistrationResponse {
    fn from(r: Receipt) -> Self {
        Self {
            check_in_qr: matinale_domain::registration::check_in_qr(r.id),
            id: r.id,
            event_id: r.event_id,
            category: r.category,
            status: r.status,
            waitlist_position: r.waitlist_position,
            manage_token: r.manage_token,
            email_verified: r.email_verified,
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
    /// When, with the offset of the event's zone.
    pub at: DateTime<FixedOffset>,
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
    /// Whether the person's e-mail is proven: the verification link of the confirmation mail
    /// was used (`POST /registrations/{id}/email-verification`), or the registration was made
    /// signed in as the member account of that address. Until then the address is no evidence
    /// of a claim to an organisation (a member's login, a verified domain).
    pub email_verified: bool,
    /// Locale.
    pub locale: Locale,
    /// Accessibility needs.
    pub accessibility_needs: Option<String>,
    /// Consents.
    pub consents: ConsentsBody,
    /// Creation time, with the offset of the event's zone.
    pub created_at: DateTime<FixedOffset>,
    /// Last change (a check-in included), with the offset of the event's zone.
    pub updated_at: DateTime<FixedOffset>,
    /// State changes, oldest first (single reads only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<StatusChangeResponse>>,
    /// Speed meetings: whether the person takes part, how many, and when not.
    pub meetings: MeetingPreferencesResponse,
}

impl RegistrationResponse {
    /// A registration, with its history when given; its times in `tz`, its event's zone.
    pub fn new(r: Registration, history: Option<Vec<StatusChange>>, tz: Tz) -> Self {
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
            email_verified: r.email_verified,
            locale: d.locale,
            accessibility_needs: d.accessibility_needs,
            consents: ConsentsBody {
                share_contact: d.consents.share_contact,
            },
            created_at: local(r.created_at, tz),
            updated_at: local(r.updated_at, tz),
            history: history.map(|h| {
                h.into_iter()
                    .map(|c| StatusChangeResponse {
                        at: local(c.at, tz),
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
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchRegistrationRequest {
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$"
    )]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$"
    )]
    pub last_name: Option<String>,
    /// Phone (`null` clears).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, nullable)]
    pub phone: Option<Option<String>>,
    /// Organisation (`null` clears).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub organisation_id: Option<Option<Uuid>>,
    /// Locale.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// Accessibility needs (`null` clears).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, nullable)]
    pub accessibility_needs: Option<Option<String>>,
    /// Consents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consents: Option<ConsentsBody>,
    /// Speed meetings: whether to take part, how many, and when not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meetings: Option<MeetingPreferencesPatch>,
}

/// `POST /registrations/{id}/email-verification`: the secret of the confirmation mail's link
/// (`?verify=mv_…`), never the manage token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailVerificationRequest {
    /// The verification secret the confirmation mail carried.
    #[schema(pattern = r"^\s*mv_")]
    pub token: String,
}

/// `POST /events/{id}/check-ins`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    /// The registration that arrived, found in the list…
    pub registration_id: Option<Uuid>,
    /// …or its manage token (`mr_…`), when the person shows their management link…
    #[schema(pattern = r"^\s*mr_")]
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

/// Filters of `GET /events/{id}/registrations`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegistrationListQuery {
    /// Only this status.
    pub status: Option<RegistrationStatus>,
    /// Only this category.
    pub category: Option<Category>,
    /// Only those whose first name, last name or e-mail contains this (ASCII case ignored).
    pub q: Option<String>,
}

impl From<RegistrationListQuery> for RegistrationFilter {
    fn from(q: RegistrationListQuery) -> Self {
        Self {
            status: q.status,
            category: q.category,
            q: q.q,
        }
    }
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
                email_proven: false,
            }),
            _ => Err(check.into_error()),
        }
    }
}
