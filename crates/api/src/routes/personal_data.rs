//! Personal data (RGPD): export and erasure, for the person (their manage token) or an admin.

use actix_web::http::header;
use actix_web::{delete, get, web, HttpResponse};
use serde::Serialize;
use uuid::Uuid;

use crate::dto::personal_data::{ErasedResponse, PersonQuery};
use crate::error::{ApiError, Problem};
use crate::extract::{Query, RegistrationCaller, SignedIn};
use crate::responses::OrganiserErrors;
use crate::state::AppState;

fn private_json<T: Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}

/// Everything stored about the person of this registration: the registration, its history,
/// meeting preferences, wishes, meetings (partners by id only), interests and mail (without
/// tokens). Its manage token or an admin (organisers of the event: 403).
#[utoipa::path(tag = "personal data", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        OrganiserErrors,
    (status = 200, description = "the export, JSON", body = Object),
))]
#[get("/registrations/{id}/export")]
pub async fn export_registration(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let export = matinale_store::personal_data::export_registration(&state.db, id.into_inner(), &who).await?;
    Ok(private_json(&export))
}

/// Erases the person of this registration: names, e-mail, phone, accessibility needs, interest
/// messages and the addresses of their mail; every token of it stops working. The registration
/// stays as an anonymous row, so counts and reports stay right. Its manage token or an admin.
#[utoipa::path(tag = "personal data", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        OrganiserErrors,
    (status = 200, body = ErasedResponse),
))]
#[delete("/registrations/{id}/personal-data")]
#[tracing::instrument(skip_all)]
pub async fn erase_registration(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let erased = matinale_store::personal_data::erase_registration(&state.db, id.into_inner(), &who).await?;
    Ok(HttpResponse::Ok().json(ErasedResponse::from(erased)))
}

/// Everything stored about an e-mail address, across events (admins).
#[utoipa::path(tag = "personal data", params(PersonQuery), security(("bearer" = [])), responses(
        OrganiserErrors,
    (status = 200, description = "the export, JSON", body = Object),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "no or an invalid email"),
))]
#[get("/people/export")]
pub async fn export_person(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    query: Query<PersonQuery>,
) -> Result<HttpResponse, ApiError> {
    let email = query.0.email()?;
    let export = matinale_store::personal_data::export_person(&state.db, email.as_str(), &actor).await?;
    Ok(private_json(&export))
}

/// Erases every registration of an e-mail address (admins); accounts are kept.
#[utoipa::path(tag = "personal data", params(PersonQuery), security(("bearer" = [])), responses(
        OrganiserErrors,
    (status = 200, body = ErasedResponse),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "no or an invalid email"),
))]
#[delete("/people")]
#[tracing::instrument(skip_all)]
pub async fn erase_person(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    query: Query<PersonQuery>,
) -> Result<HttpResponse, ApiError> {
    let email = query.0.email()?;
    let erased = matinale_store::personal_data::erase_person(&state.db, email.as_str(), &actor).await?;
    Ok(HttpResponse::Ok().json(ErasedResponse::from(erased)))
}
