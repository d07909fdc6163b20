//! Speed meetings: the event's draft schedule (run, read, publish), the published meetings
//! (JSON or the stewards' CSV sheet) and a person's agenda.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono_tz::Tz;
use matinale_domain::partner::Viewer;
use matinale_domain::registration::Locale;
use matinale_store::meetings::{MeetingFilter, MeetingView, Party};
use uuid::Uuid;

use super::{paged, ListQuery, PageQuery};
use crate::dto::events::EventResponse;
use crate::dto::meetings::{
    local, partner, AgendaMeetingResponse, AgendaResponse, DraftResponse, MeetingListQuery, MeetingResponse,
    PublishResponse,
};
use crate::dto::replan::RunScheduleRequest;
use crate::dto::ListResponse;
use crate::error::{ApiError, Problem};
use crate::extract::{RegistrationCaller, SignedIn};
use crate::responses::{OrganiserErrors, OrganiserListErrors, ReadErrors, WriteErrors};
use crate::spreadsheet;
use crate::state::AppState;

/// Runs the scheduler over the event's slots, participants (confirmed buyers and ESS structures
/// who take part, with their availability and limits), wishes (made, and implied by interests;
/// declined pairs left out) and published meetings (kept exactly), and stores the result as
/// the event's one draft, replacing the previous one. Nothing is published or mailed. With
/// `{"fill_idle": true}`, pairs who both would meet anyone are added where a slot leaves both
/// idle, below every wish.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), request_body(content = Option<RunScheduleRequest>),
    security(("bearer" = [])), responses(
        WriteErrors,
    (status = 201, body = DraftResponse),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "another run for this event is under way"),
))]
#[post("/events/{id}/schedule")]
#[tracing::instrument(skip_all)]
pub async fn run_schedule(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: RunScheduleRequest = crate::routes::replan::optional_body(&body)?;
    let started = std::time::Instant::now();
    let run = matinale_store::schedule::run_filling(&state.db, id.into_inner(), &actor, request.fill_idle).await;
    crate::metrics::schedule_run(if run.is_ok() { "ok" } else { "error" }, started.elapsed());
    let draft = run?;
    Ok(HttpResponse::Created().json(DraftResponse::from(draft)))
}

/// The event's current draft schedule.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        OrganiserErrors,
    (status = 200, body = DraftResponse),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "unknown event, or no draft yet"),
))]
#[get("/events/{id}/schedule")]
pub async fn get_schedule(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let draft = matinale_store::schedule::draft(&state.db, id.into_inner(), &actor).await?;
    Ok(HttpResponse::Ok().json(DraftResponse::from(draft)))
}

/// What the next run would solve, in the file format of `matinale schedule --input` (see
/// docs/scheduler.md): ids are slot and registration ids. For checking a draft offline.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        OrganiserErrors,
    (status = 200, description = "the scheduler's instance", body = Object),
))]
#[get("/events/{id}/schedule/instance")]
pub async fn schedule_instance(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let instance = matinale_store::schedule::instance(&state.db, id.into_inner(), &actor).await?;
    Ok(HttpResponse::Ok().json(instance))
}

/// Publishes the draft in one transaction: its new meetings become `scheduled`, and everyone
/// whose agenda changed gets one mail with an invitation (`METHOD:REQUEST`) per meeting.
/// Publishing the same draft again changes nothing.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        OrganiserErrors,
    (status = 200, body = PublishResponse),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "no draft, or the draft no longer fits the published timetable"),
))]
#[post("/events/{id}/schedule/publish")]
#[tracing::instrument(skip_all)]
pub async fn publish_schedule(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let p = matinale_store::meetings::publish(&state.db, id.into_inner(), &actor).await?;
    Ok(HttpResponse::Ok().json(PublishResponse {
        draft_id: p.draft_id,
        added: p.added,
        kept: p.kept,
        cancelled: p.cancelled,
        skipped: p.skipped,
        notified: p.notified,
        already_published: p.already_published,
    }))
}

const CSV_HEADER: [&str; 13] = [
    "date",
    "starts_at",
    "ends_at",
    "table",
    "table_label",
    "buyer_name",
    "buyer_organisation",
    "supplier_name",
    "supplier_organisation",
    "status",
    "buyer_registration_id",
    "supplier_registration_id",
    "id",
];

fn csv(items: Vec<MeetingView>, tz: Tz) -> Result<HttpResponse, ApiError> {
    let rows = items.into_iter().map(|m| {
        let (start, end) = (m.starts_at.with_timezone(&tz), m.ends_at.with_timezone(&tz));
        let organisation = |p: &Party| {
            p.shown_to(Viewer::Organiser)
                .organisation_label(Locale::Fr)
                .unwrap_or_default()
        };
        let (buyer_organisation, supplier_organisation) = (organisation(&m.buyer), organisation(&m.supplier));
        [
            start.format("%Y-%m-%d").to_string(),
            start.format("%H:%M").to_string(),
            end.format("%H:%M").to_string(),
            m.table.to_string(),
            m.table_label,
            m.buyer.name,
            buyer_organisation,
            m.supplier.name,
            supplier_organisation,
            m.status.map(|s| s.to_string()).unwrap_or_default(),
            m.buyer.registration_id.to_string(),
            m.supplier.registration_id.to_string(),
            m.id.to_string(),
        ]
    });
    spreadsheet::answer("meetings", CSV_HEADER, rows)
}

/// The published meetings of an event, in time order then by table, for its organisers. With
/// `Accept: text/csv`, every matching meeting as the stewards' sheet (local times, both sides'
/// names and organisations; UTF-8 with BOM) without paging.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path), MeetingListQuery, PageQuery),
    security(("bearer" = [])), responses(
        OrganiserListErrors,
        (status = 200, headers(("Link" = String)),
            content((ListResponse<MeetingResponse> = "application/json"), (String = "text/csv"))),
))]
#[get("/events/{id}/meetings")]
pub async fn list_meetings(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    list: ListQuery<MeetingListQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = MeetingFilter::from(list.filter);
    let as_csv = spreadsheet::wanted(&req);
    let page = if as_csv { None } else { Some(list.page.parse()?) };
    let list = matinale_store::meetings::list(&state.db, id.into_inner(), &actor, filter, page).await?;
    let tz = list.timezone;
    if as_csv {
        return csv(list.meetings.items, tz);
    }
    Ok(paged(
        &req,
        ListResponse::from_page(list.meetings, |m| MeetingResponse::new(m, tz)),
    ))
}

/// A registration's agenda as JSON: its event and each published meeting (partner,
/// organisation, table, slot). Its manage token or an organiser of the event.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        ReadErrors,
    (status = 200, body = AgendaResponse),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "unknown, or not this token's registration, or not an organiser of its event"),
))]
#[get("/registrations/{id}/agenda")]
pub async fn registration_agenda_json(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let agenda = matinale_store::registrations::agenda(&state.db, id.into_inner(), &who).await?;
    let me = agenda.registration.id;
    let meetings = matinale_store::meetings::of_registration(&state.db, me).await?;
    let tz = agenda.event.fields.timezone;
    let locale = agenda.registration.details.locale;
    let meetings = meetings
        .into_iter()
        .map(|m| {
            let buyer = m.buyer.registration_id == me;
            let other = if buyer { m.supplier } else { m.buyer };
            AgendaMeetingResponse {
                id: m.id,
                slot_id: m.slot_id,
                starts_at: local(m.starts_at, tz),
                ends_at: local(m.ends_at, tz),
                table: m.table,
                table_label: m.table_label,
                side: if buyer { "buyer" } else { "supplier" }.to_owned(),
                partner: partner(other, locale),
                status: m.status,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(AgendaResponse {
        registration_id: me,
        event: EventResponse::new(agenda.event, false),
        meetings,
    }))
}
