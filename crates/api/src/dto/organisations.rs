//! Organisations: buyers, ESS structures, partners.

use crate::dto::nullable;
use matinale_domain::organisation::EssKind;
use matinale_domain::organisation::Organisation;
use matinale_domain::organisation::OrganisationDraft;
use matinale_domain::organisation::OrganisationKind;
use matinale_store::organisations::OrganisationFilter;
use serde::Deserialize;
use serde::Serialize;
use utoipa::IntoParams;
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /organisations`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganisationRequest {
    /// Kind.
    pub kind: OrganisationKind,
    /// Name; required, unless the company search service (`MATINALE_COMPANY_API_URL`) finds
    /// the SIRET's.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$"
    )]
    pub name: String,
    /// SIRET (14 digits, Luhn-checked; La Poste's own rule). With the company search service
    /// on, what the organisation lacks (name, postcode, commune, NAF code among the sectors,
    /// the ESS kinds of an ESS structure) is filled from the register's entry; a failed
    /// look-up leaves it as sent.
    #[serde(default)]
    pub siret: Option<String>,
    /// Postcode of the address (five digits).
    #[serde(default)]
    pub postcode: Option<String>,
    /// ESS kinds, for ESS structures only.
    #[serde(default)]
    pub ess_kinds: Vec<EssKind>,
    /// Sectors of activity.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub sectors: Vec<String>,
    /// Communes served.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub cities: Vec<String>,
    /// Website.
    #[serde(default)]
    pub website: Option<String>,
    /// Description.
    #[serde(default)]
    #[schema(max_length = 20000, pattern = r"^[^\x00-\x09\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub description: String,
    /// Labels and approvals.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub labels: Vec<String>,
    /// Mail domains of the organisation (`rejoue.org`, at most 20): a registration with an
    /// address there speaks for the organisation without approval.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub verified_domains: Vec<String>,
}

/// `PATCH /organisations/{id}`: absent fields stay, `null` clears `siret` or `website`.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchOrganisationRequest {
    /// Kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<OrganisationKind>,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$"
    )]
    pub name: Option<String>,
    /// SIRET.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, nullable)]
    pub siret: Option<Option<String>>,
    /// Postcode (five digits).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, nullable)]
    pub postcode: Option<Option<String>>,
    /// ESS kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ess_kinds: Option<Vec<EssKind>>,
    /// Sectors.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 50)]
    pub sectors: Option<Vec<String>>,
    /// Cities.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 50)]
    pub cities: Option<Vec<String>>,
    /// Website.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, nullable)]
    pub website: Option<Option<String>>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 20000, pattern = r"^[^\x00-\x09\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub description: Option<String>,
    /// Labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 50)]
    pub labels: Option<Vec<String>>,
    /// Verified mail domains (the list replaces the current one).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 20)]
    pub verified_domains: Option<Vec<String>>,
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
    /// Postcode of the address.
    pub postcode: Option<String>,
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
            postcode: f.postcode,
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

/// Filters of `GET /organisations`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganisationListQuery {
    /// Kind.
    pub kind: Option<OrganisationKind>,
    /// Sector (accents and case ignored).
    pub sector: Option<String>,
    /// Commune served (accents and case ignored).
    pub city: Option<String>,
    /// Free text (accents and case ignored).
    pub q: Option<String>,
}

impl From<OrganisationListQuery> for OrganisationFilter {
    fn from(q: OrganisationListQuery) -> Self {
        Self {
            kind: q.kind,
            sector: q.sector,
            city: q.city,
            q: q.q,
        }
    }
}

impl From<CreateOrganisationRequest> for OrganisationDraft {
    fn from(r: CreateOrganisationRequest) -> Self {
        OrganisationDraft {
            kind: Some(r.kind),
            name: r.name,
            siret: r.siret,
            postcode: r.postcode,
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
