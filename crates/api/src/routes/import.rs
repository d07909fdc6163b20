//! The directory import (`POST /organisations/import`, a CSV file) and the CSV body it reads.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{post, web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use matinale_domain::directory::ImportReport;
use matinale_domain::organisation::OrganisationKind;
use matinale_store::import::ImportRequest;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::company_register;
use crate::error::ApiError;
use crate::extract::{Query, SignedIn};
use crate::responses::WriteErrors;
use crate::state::AppState;

/// The largest CSV body read (a département's SIRENE extract is a few MB).
const CSV_LIMIT: usize = 64 * 1024 * 1024;

/// A CSV body: its bytes and the `charset` of its `Content-Type`, if any. 415 unless it is sent
/// as `text/csv` (or `application/csv`, `text/plain`), 413 past 64 MiB.
#[derive(Debug)]
pub struct CsvBody {
    /// The bytes as sent.
    pub bytes: web::Bytes,
    /// The charset named by the `Content-Type`.
    pub charset: Option<String>,
}

impl CsvBody {
    /// The text, decoded (see `matinale_domain::directory::decode`).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        matinale_domain::directory::decode(&self.bytes, self.charset.as_deref())
    }
}

impl FromRequest for CsvBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let mime = req.mime_type().ok().flatten();
        let csv = mime.as_ref().is_some_and(|m| {
            matches!(
                (m.type_().as_str(), m.subtype().as_str()),
                ("text", "csv") | ("application", "csv") | ("text", "plain")
            )
        });
        let charset = mime
            .as_ref()
            .and_then(|m| m.get_param("charset"))
            .map(|c| c.as_str().to_owned());
        let mut payload = payload.take();
        Box::pin(async move {
            if !csv {
                return Err(ApiError::field("Content-Type", "invalid", "send the file as text/csv"));
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
                if body.len() + chunk.len() > CSV_LIMIT {
                    return Err(ApiError::PayloadTooLarge(CSV_LIMIT));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(CsvBody {
                bytes: body.freeze(),
                charset,
            })
        })
    }
}

/// `?kind=&dry_run=&mapping=` of an import.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Kind of the organisations the file does not give a kind (default `ess_structure`);
    /// given, it applies to every line without a kind column.
    pub kind: Option<OrganisationKind>,
    /// `true`: answer the same report and write nothing.
    pub dry_run: Option<bool>,
    /// Columns of other names, as `field:column` pairs: `name:Raison sociale,siret:N° SIRET`
    /// (fields: siret, name, kind, ess_kinds, sectors, naf, postcode, cities, website,
    /// description, labels, ess).
    #[param(max_length = 2000)]
    pub mapping: Option<String>,
}

/// Imports organisations from a CSV file (organisers, admins): SIRENE's columns
/// (`siret`, `denominationUniteLegale`, `activitePrincipaleEtablissement`,
/// `codePostalEtablissement`, `libelleCommuneEtablissement`,
/// `economieSocialeSolidaireUniteLegale`), our export's or others named by `mapping`; `;` or
/// `,`; UTF-8 or Windows-1252. One organisation per SIRET (else per name and postcode, else
/// per name and first commune): a second import updates or leaves it. One transaction. When
/// the server has a company search service (`MATINALE_COMPANY_API_URL`), what a line with a
/// SIRET lacks (name, postcode, commune, NAF code, ESS flag) is looked up first, and
/// `company_lookup` says how that went; a failed look-up never fails the import.
#[utoipa::path(tag = "organisations", params(ImportQuery), security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv", description = "the file, with a header line"),
    responses(
        WriteErrors,
        (status = 200, body = ImportReport, description = "what was (or, in a dry run, would be) done"),
))]
#[post("/organisations/import")]
#[tracing::instrument(skip_all)]
pub async fn import_organisations(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    query: Query<ImportQuery>,
    body: CsvBody,
) -> Result<HttpResponse, ApiError> {
    if !actor.may_organise() {
        return Err(ApiError::Forbidden);
    }
    let text = body.text();
    let request = ImportRequest {
        text: &text,
        mapping: query.0.mapping.as_deref(),
        kind: query.0.kind,
        dry_run: query.0.dry_run.unwrap_or(false),
        register: None,
    };
    let report = company_register::import(state.company_register.as_ref(), &state.db, &actor, request).await?;
    Ok(HttpResponse::Ok().json(report))
}
