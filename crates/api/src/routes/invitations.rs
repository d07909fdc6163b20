//! Invitations (issue 25): an organiser's list sent as a CSV file, the list of invitations
//! with their counts, what an invitation link pre-fills, and the one-click unsubscribe.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono_tz::Tz;
use matinale_domain::invitation::InvitationReport;
use matinale_store::invitations::InvitationView;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::import::CsvBody;
use super::{links, PageQuery};
use crate::dto::invitations::{InvitationListResponse, InvitationPrefillResponse};
use crate::error::{ApiError, Problem};
use crate::extract::{Query, SignedIn};
use crate::page::{unsubscribe_page, Unsubscribe};
use crate::responses::{NotFoundErrors, OrganiserListErrors, WriteErrors};
use crate::spreadsheet;
use crate::state::AppState;

/// `?dry_run=` of an invitations file.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvitationQuery {
    /// `true`: answer the same report and queue nothing.
    pub dry_run: Option<bool>,
}

/// Invites people to a published event (its organisers): a CSV file (`;` or `,`, UTF-8 or
/// Windows-1252) with an `email` column and optionally `first_name`, `last_name`,
/// `organisation_siret`, `category`, `locale` (`fr`, the default, or `en`). Each new address
/// gets one personal mail through the outbox, with a link to the event page that pre-fills
/// the form (`?invitation=mi_…`) and a one-click unsubscribe link (also in the
/// `List-Unsubscribe` and `List-Unsubscribe-Post` headers, RFC 8058). Never twice to one
/// address for one event, never to an address that unsubscribed: such lines, and bad ones,
/// are reported in `skipped` with their line and reason. One transaction.
#[utoipa::path(tag = "invitations", params(("id" = Uuid, Path), InvitationQuery), security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv", description = "the list, with a header line"),
    responses(
        WriteErrors,
        (status = 200, body = InvitationReport, description = "what was (or, in a dry run, would be) queued"),
        (status = 409, body = Problem, content_type = "application/problem+json",
            description = "the event is not published"),
))]
#[post("/events/{id}/invitations")]
#[tracing::instrument(skip_all)]
pub async fn invite(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    query: Query<InvitationQuery>,
    body: CsvBody,
) -> Result<HttpResponse, ApiError> {
    let text = body.text();
    let dry_run = query.0.dry_run.unwrap_or(false);
    let report = matinale_store::invitations::invite(&state.db, id.into_inner(), &actor, &text, dry_run).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// The columns of the CSV export, in order.
const CSV_HEADER: [&str; 10] = [
    "id",
    "email",
    "first_name",
    "last_name",
    "organisation_id",
    "category",
    "locale",
    "status",
    "created_at",
    "sent_at",
];

fn csv(items: Vec<InvitationView>, tz: Tz) -> Result<HttpResponse, ApiError> {
    let rows = items.into_iter().map(|v| {
        [
            v.id.to_string(),
            v.email,
            v.first_name,
            v.last_name,
            v.organisation_id.map(|o| o.to_string()).unwrap_or_default(),
            v.category.map(|c| c.to_string()).unwrap_or_default(),
            v.locale.to_string(),
            v.status.to_string(),
            v.created_at.with_timezone(&tz).to_rfc3339(),
            v.sent_at
                .map(|at| at.with_timezone(&tz).to_rfc3339())
                .unwrap_or_default(),
        ]
    });
    spreadsheet::answer("invitations", CSV_HEADER, rows)
}

/// The invitations of an event, oldest first, for its organisers: each with its `status`
/// (`queued`, `sent`, `failed`, `registered`, `unsubscribed`; no tracking pixel: whether a
/// mail was read is not known), and the counts (invited, registered, unsubscribed, in all and
/// by category). With `Accept: text/csv`, every invitation as CSV, without paging.
#[utoipa::path(tag = "invitations", params(("id" = Uuid, Path), PageQuery), security(("bearer" = [])),
    responses(
        OrganiserListErrors,
        (status = 200, headers(("Link" = String)),
            content((InvitationListResponse = "application/json"), (String = "text/csv"))),
))]
#[get("/events/{id}/invitations")]
pub async fn list_invitations(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let as_csv = spreadsheet::wanted(&req);
    let request = if as_csv { None } else { Some(page.0.parse()?) };
    let event_id = id.into_inner();
    let (list, counts) = matinale_store::invitations::list(&state.db, event_id, &actor, request).await?;
    let tz = matinale_store::events::timezone(&state.db, event_id).await?;
    if as_csv {
        return csv(list.items, tz);
    }
    let body = InvitationListResponse::new(list, counts, tz);
    Ok(HttpResponse::Ok()
        .insert_header((header::LINK, links(&req, body.page, body.per_page, body.total)))
        .json(body))
}

/// What an invitation link pre-fills on the event page: the invited address and names, the
/// category and the organisation the organiser's list gave. The secret is the credential; an
/// unknown one (or one erased since) is not found.
#[utoipa::path(tag = "invitations", params(("token" = String, Path, description = "the secret of the link, `mi_…`")),
    responses(
        NotFoundErrors,
        (status = 200, body = InvitationPrefillResponse),
))]
#[get("/invitations/{token}")]
pub async fn invitation_prefill(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let prefill = matinale_store::invitations::prefill(&state.db, &token).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(InvitationPrefillResponse::from(prefill)))
}

/// The page of an invitation mail's unsubscribe link: a button that confirms (a `POST` to the
/// same address unsubscribes, as a mail client's one-click does); opening it changes nothing,
/// since mail scanners follow links. An unknown link is not found.
#[utoipa::path(tag = "invitations", params(("token" = String, Path, description = "the secret of the unsubscribe link, `mu_…`")),
    responses(
        NotFoundErrors,
        (status = 200, body = String, content_type = "text/html", description = "the page with its button"),
))]
#[get("/unsubscribe/{token}")]
pub async fn unsubscribe_confirm(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if !matinale_store::invitations::unsubscribe_known(&state.db, &token).await? {
        return Err(ApiError::NotFound);
    }
    Ok(unsubscribe_page(Unsubscribe::Confirm))
}

/// One-click unsubscribe (RFC 8058) with the secret of an invitation mail's link: the address
/// gets no more invitations, for any event (kept as a hash of the address, which outlives the
/// erasure of the person's data). Mail clients post `List-Unsubscribe=One-Click`; the page at
/// `GET` of the same address posts it from its button. Again changes nothing. Answers a
/// confirmation page.
#[utoipa::path(tag = "invitations", params(("token" = String, Path, description = "the secret of the unsubscribe link, `mu_…`")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "`List-Unsubscribe=One-Click`"),
    responses(
        NotFoundErrors,
        (status = 200, body = String, content_type = "text/html", description = "unsubscribed"),
))]
#[post("/unsubscribe/{token}")]
pub async fn unsubscribe(state: web::Data<AppState>, token: web::Path<String>) -> Result<HttpResponse, ApiError> {
    matinale_store::invitations::unsubscribe(&state.db, &token).await?;
    Ok(unsubscribe_page(Unsubscribe::Done))
}
