//! Registrations: create (anyone, idempotent), read/change/cancel (its token or an organiser),
//! the organiser's list and CSV export, check-in and no-shows.

use actix_web::http::{header, StatusCode};
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono_tz::Tz;
use matinale_domain::meeting::MeetingPreferences;
use matinale_domain::registration::{self, NewRegistration, Registration, RegistrationDetails};
use matinale_store::registrations::{IdempotencyRequest, Outcome, RegistrationFilter, RegistrationWithHistory};
use uuid::Uuid;

use super::{paged, ListQuery, PageQuery};
use crate::dto::registrations::{
    CheckInRequest, CreateRegistrationRequest, CreatedRegistrationResponse, EmailVerificationRequest, NoShowsResponse,
    PatchRegistrationRequest, RegistrationListQuery, RegistrationResponse,
};
use crate::dto::{patched, ListResponse};
use crate::error::{ApiError, Problem};
use crate::etag;
use crate::etag::IfMatch;
use crate::extract::{AccountIfAny, IdempotencyKey, Json, RegistrationCaller, SignedIn};
use crate::responses::{OrganiserErrors, OrganiserListErrors, PatchErrors, ReadErrors, WriteErrors};
use crate::spreadsheet;
use crate::state::AppState;

/// Registers for a published event inside its registration window. Beyond the quota of the
/// category (or the capacity) the registration is `waitlisted` with its place. Send an
/// `Idempotency-Key` to retry safely: the same key and body replay the first answer for 24 h
/// (a key is scoped by the e-mail registered: another person's key neither blocks nor answers).
/// An e-mail already registered gets its management link by mail (a new one, the earlier ones
/// still work; at most one such mail per registration every 10 minutes). Each client address
/// may post `MATINALE_REGISTRATION_RATE` registrations a minute (default 300, in bursts of 100).
///
/// The e-mail is not proven by registering: the confirmation mail carries a verification link
/// (`?verify=mv_…`, a secret of its own, not the manage token) whose page calls
/// `POST /registrations/{id}/email-verification`. A member signed in with an account token
/// whose e-mail is the one registered, registering for the organisation it is a member of,
/// proves it at once (`email_verified: true`). Until proven, a member's login address or a
/// verified domain does not confirm the claim to the organisation.
///
/// Through an organiser's invitation (`invitation`: the secret of the mail's link), the
/// invited address is proven at once, and the organisation the invitation named counts as
/// confirmed for this registration (as if the organiser had approved it).
#[utoipa::path(tag = "registrations", params(("id" = Uuid, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "retry key, kept 24 h")),
    request_body = CreateRegistrationRequest, responses(
        WriteErrors,
        (status = 201, body = CreatedRegistrationResponse,
            headers(("Cache-Control" = String, description = "no-store: the answer holds the manage token"))),
        (status = 409, body = Problem, content_type = "application/problem+json",
            description = "the e-mail is already registered (its link is mailed again), or the event is not published"),
        (status = 422, body = Problem, content_type = "application/problem+json",
            description = "invalid input (names on one line, without control characters; an organisation_id that exists; an invitation of this event), outside the registration window, or an Idempotency-Key reused for the same e-mail with another body"),
        (status = 429, body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "seconds to wait")),
            description = "too many registrations from this client address"),
))]
#[post("/events/{id}/registrations")]
#[tracing::instrument(skip_all)]
pub async fn create_registration(
    req: HttpRequest,
    state: web::Data<AppState>,
    event_id: web::Path<Uuid>,
    key: IdempotencyKey,
    AccountIfAny(account): AccountIfAny,
    body: Json<CreateRegistrationRequest>,
) -> Result<HttpResponse, ApiError> {
    state.admit_registration(state.client_address(&req))?;
    let body = body.into_inner();
    let event_id = event_id.into_inner();
    let request_hash = matinale_store::accounts::secret_hash(&serde_json::to_string(&body).unwrap_or_default());
    let invitation = body.invitation.clone().filter(|s| !s.trim().is_empty());
    let mut new = NewRegistration::try_from(body)?;
    if let Some(actor) = account {
        new.email_proven = matinale_store::registrations::email_proven_by(&state.db, &new, &actor).await?;
    }
    // A key is the person's own: scoped by the event and the e-mail, and replayed only for the
    // same body, so a key that another person happens to use neither blocks nor answers them.
    let idempotency = key.0.map(|key| IdempotencyRequest {
        key,
        scope: format!(
            "POST /events/{event_id}/registrations {}",
            matinale_store::accounts::secret_hash(new.person.email.as_str())
        ),
        request_hash,
    });
    let outcome = match invitation {
        Some(secret) => {
            matinale_store::registrations::register_invited(&state.db, event_id, new, idempotency, &secret).await
        }
        None => matinale_store::registrations::register(&state.db, event_id, new, idempotency).await,
    }
    .inspect_err(|error| {
        // Refused: full, closed, a duplicate, bad input; not the database failing.
        use matinale_store::Error::{Busy, Db, Unavailable};
        if !matches!(error, Db(_) | Busy | Unavailable) {
            crate::metrics::registration("refused");
        }
    })?;
    if let Outcome::Created(r) = &outcome {
        crate::metrics::registration(r.registration.status.as_str());
    }
    // Both answers carry the manage token: no cache may keep them.
    Ok(match outcome {
        Outcome::Created(r) => HttpResponse::Created()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(CreatedRegistrationResponse::from(r.receipt())),
        Outcome::Replayed(receipt) => HttpResponse::Created()
            .insert_header(("Idempotent-Replayed", "true"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(CreatedRegistrationResponse::from(receipt)),
    })
}

fn respond(r: RegistrationWithHistory, meetings: MeetingPreferences, tz: Tz) -> HttpResponse {
    let version = r.registration.version;
    let body = RegistrationResponse::new(r.registration, Some(r.history), tz).with_meetings(meetings);
    etag::tagged(StatusCode::OK, version, body)
}

/// The registration with its speed-meeting preferences, its times in its event's zone.
async fn one(db: &matinale_store::Store, r: RegistrationWithHistory) -> Result<HttpResponse, ApiError> {
    let meetings =
        matinale_store::meeting_preferences::of_registration(db, r.registration.event_id, r.registration.id).await?;
    let tz = matinale_store::events::timezone(db, r.registration.event_id).await?;
    Ok(respond(r, meetings, tz))
}

/// One registration with its history (who moved it, when, why): its token or an organiser.
#[utoipa::path(tag = "registrations", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        ReadErrors,
    (status = 200, body = RegistrationResponse, headers(("ETag" = String))),
))]
#[get("/registrations/{id}")]
pub async fn get_registration(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    one(
        &state.db,
        matinale_store::registrations::get(&state.db, id.into_inner(), &who).await?,
    )
    .await
}

/// Changes names, phone, organisation, locale, accessibility needs, consents or speed-meeting
/// preferences (`meetings`; the slot ids are those of the event's meeting blocks).
#[utoipa::path(tag = "registrations", params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = PatchRegistrationRequest, security(("bearer" = [])), responses(
        PatchErrors,
        (status = 200, body = RegistrationResponse, headers(("ETag" = String))),
))]
#[patch("/registrations/{id}")]
pub async fn patch_registration(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<PatchRegistrationRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut patch = body.into_inner();
    let meetings = patch.meetings.take().map(Into::into);
    let (r, meetings) = matinale_store::meeting_preferences::update_registration(
        &state.db,
        id.into_inner(),
        &who,
        if_match.0,
        |current| RegistrationDetails::parse(&current.email, patched(&current.details, &patch)?),
        meetings,
    )
    .await?;
    let tz = matinale_store::events::timezone(&state.db, r.registration.event_id).await?;
    Ok(respond(r, meetings, tz))
}

/// Confirms that a registration speaks for the organisation it names (`organisation_confirmed`),
/// so that its interests in needs count for that organisation. Without this approval only a
/// registration with the e-mail of one of the organisation's member accounts, or of one of its
/// `verified_domains`, is confirmed. For an organiser of the registration's event or a member
/// of the organisation; approving twice changes nothing; naming another organisation later
/// drops the approval.
#[utoipa::path(tag = "registrations", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        ReadErrors,
    (status = 200, body = RegistrationResponse, headers(("ETag" = String))),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "no such registration, or the caller neither organises its event nor is a member of its organisation"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "the registration names no organisation (organisation_id)"),
))]
#[post("/registrations/{id}/organisation/approve")]
pub async fn approve_organisation(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let r = matinale_store::registrations::approve_organisation(&state.db, id.into_inner(), &actor).await?;
    one(&state.db, r).await
}

/// Proves the registration's e-mail with the secret of its confirmation mail's link
/// (`?verify=mv_…`; the participant's page calls this): a link only ever sent to that address. From
/// then on `email_verified` is true, and a member's login address or a verified domain of the
/// organisation it names confirms its claim. Using the link again answers the same; the manage
/// token is not this secret (404). No credential needed: the secret is one.
#[utoipa::path(tag = "registrations", params(("id" = Uuid, Path)), request_body = EmailVerificationRequest,
    responses(
        WriteErrors,
        (status = 204, description = "the e-mail is proven",
            headers(("Cache-Control" = String, description = "no-store"))),
        (status = 404, body = Problem, content_type = "application/problem+json",
            description = "no such registration, or not its verification secret"),
))]
#[post("/registrations/{id}/email-verification")]
pub async fn verify_email(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<EmailVerificationRequest>,
) -> Result<HttpResponse, ApiError> {
    matinale_store::registrations::verify_email(&state.db, id.into_inner(), &body.into_inner().token).await?;
    Ok(HttpResponse::NoContent()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

/// Cancels a registration; its seat goes at once to the first waitlisted person of its category.
#[utoipa::path(tag = "registrations", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        ReadErrors,
    (status = 200, body = RegistrationResponse),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "already cancelled, attended or no-show"),
))]
#[post("/registrations/{id}/cancel")]
pub async fn cancel_registration(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    one(
        &state.db,
        matinale_store::registrations::cancel(&state.db, id.into_inner(), &who).await?,
    )
    .await
}

const CSV_HEADER: [&str; 15] = [
    "id",
    "status",
    "category",
    "waitlist_position",
    "first_name",
    "last_name",
    "email",
    "phone",
    "organisation_id",
    "locale",
    "accessibility_needs",
    "share_contact",
    "created_at",
    "organisation_confirmed",
    "email_verified",
];

fn csv(items: Vec<Registration>, tz: Tz) -> Result<HttpResponse, ApiError> {
    let rows = items.into_iter().map(|r| {
        let d = r.details;
        [
            r.id.to_string(),
            r.status.to_string(),
            r.category.to_string(),
            r.waitlist_position.map(|p| p.to_string()).unwrap_or_default(),
            d.first_name,
            d.last_name,
            r.email,
            d.phone.unwrap_or_default(),
            d.organisation_id.map(|o| o.to_string()).unwrap_or_default(),
            d.locale.to_string(),
            d.accessibility_needs.unwrap_or_default(),
            d.consents.share_contact.to_string(),
            r.created_at.with_timezone(&tz).to_rfc3339(),
            r.organisation_confirmed.to_string(),
            r.email_verified.to_string(),
        ]
    });
    spreadsheet::answer("registrations", CSV_HEADER, rows)
}

/// The registrations of an event, oldest first, for its organisers. With `Accept: text/csv`,
/// every matching row as CSV (UTF-8 with BOM; formula-like cells neutralised) without paging.
#[utoipa::path(tag = "registrations", params(("id" = Uuid, Path), RegistrationListQuery, PageQuery),
    security(("bearer" = [])), responses(
        OrganiserListErrors,
        (status = 200, headers(("Link" = String)),
            content((ListResponse<RegistrationResponse> = "application/json"), (String = "text/csv"))),
))]
#[get("/events/{id}/registrations")]
pub async fn list_registrations(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    list: ListQuery<RegistrationListQuery>,
) -> Result<HttpResponse, ApiError> {
    let as_csv = spreadsheet::wanted(&req);
    let page = if as_csv { None } else { Some(list.page.parse()?) };
    let event_id = id.into_inner();
    let filter = RegistrationFilter::from(list.filter);
    let list = matinale_store::registrations::list(&state.db, event_id, &actor, filter, page).await?;
    let tz = matinale_store::events::timezone(&state.db, event_id).await?;
    if as_csv {
        return csv(list.items, tz);
    }
    let ids: Vec<Uuid> = list.items.iter().map(|r| r.id).collect();
    let mut meetings = matinale_store::meeting_preferences::of_registrations(&state.db, event_id, &ids).await?;
    Ok(paged(
        &req,
        ListResponse::from_page(list, |r| {
            let m = meetings.remove(&r.id).unwrap_or_default();
            RegistrationResponse::new(r, None, tz).with_meetings(m)
        }),
    ))
}

/// Checks a registration in on the day (confirmed or no-show → attended), named by exactly one
/// of its id, its manage token or the text of its check-in QR code.
#[utoipa::path(tag = "registrations", params(("id" = Uuid, Path)), request_body = CheckInRequest,
    security(("bearer" = [])), responses(
        WriteErrors,
        (status = 200, body = RegistrationResponse),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "none or several of registration_id, token, qr; malformed token or QR text"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "not confirmed (waitlisted, cancelled, already attended)"),
))]
#[post("/events/{id}/check-ins")]
pub async fn check_in(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    body: Json<CheckInRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let arrival = registration::Arrival::parse(body.registration_id, body.token.as_deref(), body.qr.as_deref())?;
    let registration_id = match arrival {
        registration::Arrival::Id(id) => id,
        // An unknown or rotated token names nobody: 404, as for an unknown id.
        registration::Arrival::ManageToken(token) => matinale_store::registrations::for_token(&state.db, &token)
            .await?
            .ok_or(ApiError::NotFound)?,
    };
    let r = matinale_store::registrations::check_in(&state.db, id.into_inner(), registration_id, &actor).await?;
    one(&state.db, r).await
}

/// After the event: every confirmed registration that did not check in becomes `no_show`.
#[utoipa::path(tag = "registrations", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        OrganiserErrors,
    (status = 200, body = NoShowsResponse),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "the event has not ended"),
))]
#[post("/events/{id}/no-shows")]
pub async fn mark_no_shows(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let marked = matinale_store::registrations::mark_no_shows(&state.db, id.into_inner(), &actor).await?;
    Ok(HttpResponse::Ok().json(NoShowsResponse { marked }))
}
