//! The directory of buyers, ESS structures, partners and companies.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, FromRequest, HttpRequest, HttpResponse};
use matinale_domain::directory;
use matinale_domain::organisation::{Organisation, OrganisationDraft, OrganisationFields};
use matinale_store::organisations::OrganisationFilter;
use uuid::Uuid;

use super::{paged, ListQuery, PageQuery};
use crate::dto::organisations::{
    CreateOrganisationRequest, OrganisationListQuery, OrganisationResponse, PatchOrganisationRequest,
};
use crate::dto::{patched, ListResponse};
use crate::error::ApiError;
use crate::etag;
use crate::etag::IfMatch;
use crate::extract::{Json, SignedIn};
use crate::responses::{ListErrors, NotFoundErrors, PatchErrors, WriteErrors};
use crate::spreadsheet;
use crate::state::AppState;

fn respond(org: Organisation, status: StatusCode) -> HttpResponse {
    etag::tagged(status, org.version, OrganisationResponse::from(org))
}

/// Creates an organisation; its creator becomes a member and may edit it. With the company
/// search service on (`MATINALE_COMPANY_API_URL`), what it lacks is filled from its SIRET's
/// entry in the public register; a failed look-up leaves it as sent.
#[utoipa::path(tag = "organisations", request_body = CreateOrganisationRequest, security(("bearer" = [])), responses(
        WriteErrors,
    (status = 201, body = OrganisationResponse, headers(("ETag" = String))),
))]
#[post("/organisations")]
#[tracing::instrument(skip_all)]
pub async fn create_organisation(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    body: Json<CreateOrganisationRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut draft = OrganisationDraft::from(body.into_inner());
    if let Some(register) = &state.company_register {
        register.complete(&mut draft).await;
    }
    let fields = OrganisationFields::parse(draft)?;
    let org = matinale_store::organisations::create(&state.db, &actor, fields).await?;
    Ok(respond(org, StatusCode::CREATED))
}

/// The directory, by name, filtered. With `Accept: text/csv`, every organisation passing the
/// filters (no paging) in the import's own header, for organisers and admins: importing the
/// file back changes nothing.
#[utoipa::path(tag = "organisations", params(OrganisationListQuery, PageQuery), responses(
        ListErrors,
    (status = 200, body = ListResponse<OrganisationResponse>, headers(("Link" = String)),
        content((ListResponse<OrganisationResponse> = "application/json"), (String = "text/csv"))),
    (status = 403, description = "CSV asked for by a caller who is not an organiser or admin"),
))]
#[get("/organisations")]
pub async fn list_organisations(
    req: HttpRequest,
    state: web::Data<AppState>,
    list: ListQuery<OrganisationListQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = OrganisationFilter::from(list.filter);
    if spreadsheet::wanted(&req) {
        let actor = SignedIn::from_request(&req, &mut actix_web::dev::Payload::None)
            .await?
            .0;
        if !actor.may_organise() {
            return Err(ApiError::Forbidden);
        }
        let all = matinale_store::organisations::every(&state.db, &filter).await?;
        return spreadsheet::answer(
            "organisations",
            directory::EXPORT_HEADER,
            all.iter().map(|(_, _, fields)| directory::export_row(fields)),
        );
    }
    let page = matinale_store::organisations::list(&state.db, &filter, list.page.parse()?).await?;
    Ok(paged(&req, ListResponse::from_page(page, OrganisationResponse::from)))
}

/// One organisation.
#[utoipa::path(tag = "organisations", params(("id" = Uuid, Path)), responses(
        NotFoundErrors,
    (status = 200, body = OrganisationResponse, headers(("ETag" = String))),
))]
#[get("/organisations/{id}")]
pub async fn get_organisation(state: web::Data<AppState>, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let org = matinale_store::organisations::get(&state.db, id.into_inner()).await?;
    Ok(respond(org, StatusCode::OK))
}

/// Changes an organisation (its members or an admin). Send `If-Match` with the ETag you read.
#[utoipa::path(tag = "organisations", request_body = PatchOrganisationRequest, security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses(
        PatchErrors,
        (status = 200, body = OrganisationResponse, headers(("ETag" = String))),
))]
#[patch("/organisations/{id}")]
#[tracing::instrument(skip_all)]
pub async fn patch_organisation(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<PatchOrganisationRequest>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_inner();
    let org = matinale_store::organisations::update(&state.db, id.into_inner(), &actor, if_match.0, |current| {
        Ok(OrganisationFields::parse(patched(&current.fields.to_draft(), &patch)?)?)
    })
    .await?;
    Ok(respond(org, StatusCode::OK))
}
