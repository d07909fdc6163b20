//! Buyer needs, expressions of interest, suggestions.

use crate::dto::meetings::local;
use crate::dto::nullable;
use crate::error::ApiError;
use chrono::DateTime;
use chrono::FixedOffset;
use chrono::NaiveDate;
use chrono::Utc;
use chrono_tz::Tz;
use matinale_domain::need::interest_message;
use matinale_domain::need::Interest;
use matinale_domain::need::InterestContact;
use matinale_domain::need::Need;
use matinale_domain::need::NeedCategory;
use matinale_domain::need::NeedDraft;
use matinale_domain::need::NeedStatus;
use matinale_domain::need::ReservedMarket;
use matinale_domain::need::Suggestion;
use matinale_domain::organisation::EssKind;
use matinale_domain::FieldError;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub(crate) fn no_reserved_market() -> ReservedMarket {
    ReservedMarket::None
}

/// `POST /needs`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNeedRequest {
    /// The public buyer publishing the need.
    pub organisation_id: Uuid,
    /// The event where it is presented.
    #[serde(default)]
    pub event_id: Option<Uuid>,
    /// The inverted stand (of the same buyer, at that event).
    #[serde(default)]
    pub stand_id: Option<Uuid>,
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
    /// Category, from `GET /needs/categories`.
    pub category: NeedCategory,
    /// CPV codes, `NNNNNNNN-N` with a valid check digit.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub cpv_codes: Vec<String>,
    /// Lowest estimated amount, euros (≥ 0).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10000000000_i64)]
    pub amount_min_eur: Option<i64>,
    /// Highest estimated amount, euros (≥ amount_min_eur).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10000000000_i64)]
    pub amount_max_eur: Option<i64>,
    /// Expected tender date.
    #[serde(default)]
    pub expected_tender_on: Option<NaiveDate>,
    /// `none` (default), `l2113_12` (EA/ESAT) or `l2113_13` (SIAE and equivalents).
    #[serde(default = "no_reserved_market")]
    pub reserved_market: ReservedMarket,
    /// An insertion clause is planned.
    #[serde(default)]
    pub social_clause: bool,
    /// An environmental criterion is planned.
    #[serde(default)]
    pub environmental_criterion: bool,
    /// Communes of the perimeter.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub cities: Vec<String>,
    /// `draft` (default, visible to its editors only) or `open`.
    #[serde(default)]
    pub status: Option<NeedStatus>,
}

impl CreateNeedRequest {
    pub(crate) fn draft(self) -> NeedDraft {
        NeedDraft {
            organisation_id: self.organisation_id,
            event_id: self.event_id,
            stand_id: self.stand_id,
            title: self.title,
            description: self.description,
            category: self.category,
            cpv_codes: self.cpv_codes,
            amount_min_eur: self.amount_min_eur,
            amount_max_eur: self.amount_max_eur,
            expected_tender_on: self.expected_tender_on,
            reserved_market: self.reserved_market,
            social_clause: self.social_clause,
            environmental_criterion: self.environmental_criterion,
            cities: self.cities,
        }
    }
}

/// `PATCH /needs/{id}`: absent fields stay, `null` clears an optional one.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchNeedRequest {
    /// Buyer organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation_id: Option<Uuid>,
    /// Event (`null` detaches).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub event_id: Option<Option<Uuid>>,
    /// Inverted stand (`null` detaches).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub stand_id: Option<Option<Uuid>>,
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
    /// Category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<NeedCategory>,
    /// CPV codes, replaced as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 20)]
    pub cpv_codes: Option<Vec<String>>,
    /// Lowest amount (`null` clears).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>, nullable)]
    pub amount_min_eur: Option<Option<i64>>,
    /// Highest amount (`null` clears).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>, nullable)]
    pub amount_max_eur: Option<Option<i64>>,
    /// Expected tender date (`null` clears).
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    pub expected_tender_on: Option<Option<NaiveDate>>,
    /// Reserved market.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved_market: Option<ReservedMarket>,
    /// Social clause.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub social_clause: Option<bool>,
    /// Environmental criterion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environmental_criterion: Option<bool>,
    /// Cities, replaced as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(max_items = 100)]
    pub cities: Option<Vec<String>>,
    /// Status: draft → open ⇄ closed → awarded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<NeedStatus>,
}

/// A buyer need.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeedResponse {
    /// Id.
    pub id: Uuid,
    /// Buyer organisation.
    pub organisation_id: Uuid,
    /// Event.
    pub event_id: Option<Uuid>,
    /// Inverted stand.
    pub stand_id: Option<Uuid>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category: NeedCategory,
    /// The category's French label.
    pub category_label: String,
    /// CPV codes.
    pub cpv_codes: Vec<String>,
    /// Lowest amount, euros.
    pub amount_min_eur: Option<i64>,
    /// Highest amount, euros.
    pub amount_max_eur: Option<i64>,
    /// Expected tender date.
    pub expected_tender_on: Option<NaiveDate>,
    /// Reserved market.
    pub reserved_market: ReservedMarket,
    /// Social clause.
    pub social_clause: bool,
    /// Environmental criterion.
    pub environmental_criterion: bool,
    /// Communes of the perimeter.
    pub cities: Vec<String>,
    /// Status.
    pub status: NeedStatus,
    /// Whether the organisers of `event_id` consented to show the need at their event (they
    /// placed it there, or accepted the buyer's proposal: `POST /needs/{id}/accept`). Until
    /// then it is a proposal: `GET /needs?event=` and the event's inverted stands leave it out
    /// (`GET /needs?event=…&proposed=true` lists the proposals). False without an event.
    pub event_accepted: bool,
    /// Who speaks in it: `buyer` (posted by a member of the buyer) or `organiser` (posted by
    /// an organiser or an admin who is not a member of the buyer, on the buyer's behalf).
    #[schema(pattern = "^(buyer|organiser)$")]
    pub posted_by: String,
    /// Creation time, with the offset of the zone of the need's event (UTC for a need
    /// attached to no event).
    pub created_at: DateTime<FixedOffset>,
    /// Last change, with the same offset as `created_at`.
    pub updated_at: DateTime<FixedOffset>,
}

impl NeedResponse {
    /// A need, its times in `tz`, the zone of its event (`None`: no event, UTC).
    pub(crate) fn new(n: Need, tz: Option<Tz>) -> Self {
        let stamp = |t: DateTime<Utc>| tz.map_or_else(|| t.fixed_offset(), |tz| local(t, tz));
        let f = n.fields;
        Self {
            id: n.id,
            organisation_id: f.organisation_id,
            event_id: f.event_id,
            stand_id: f.stand_id,
            title: f.title,
            description: f.description,
            category: f.category,
            category_label: f.category.label_fr().to_owned(),
            cpv_codes: f.cpv_codes.iter().map(|c| c.as_str().to_owned()).collect(),
            amount_min_eur: f.amount_min_eur,
            amount_max_eur: f.amount_max_eur,
            expected_tender_on: f.expected_tender_on,
            reserved_market: f.reserved_market,
            social_clause: f.social_clause,
            environmental_criterion: f.environmental_criterion,
            cities: f.cities,
            status: n.status,
            event_accepted: n.event_accepted,
            posted_by: if n.posted_by_organiser { "organiser" } else { "buyer" }.to_owned(),
            created_at: stamp(n.created_at),
            updated_at: stamp(n.updated_at),
        }
    }
}

/// An expression of interest of an ESS structure in a need.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterestResponse {
    /// Id.
    pub id: Uuid,
    /// Need.
    pub need_id: Uuid,
    /// ESS structure.
    pub organisation_id: Uuid,
    /// Its name.
    pub organisation_name: String,
    /// The registration it came through (manage-token path); `null` for a member's interest.
    pub registration_id: Option<Uuid>,
    /// Message.
    pub message: String,
    /// When, with the offset of the zone of the need's event (UTC for a need attached to no
    /// event), as the need's own times.
    pub created_at: DateTime<FixedOffset>,
    /// The contact of the person who expressed it through a registration: only where that
    /// person consented (`consents.share_contact`) and the registration's claim to the
    /// structure is confirmed; `null` otherwise and for a member's interest.
    pub contact: Option<InterestContact>,
}

impl InterestResponse {
    /// An interest, its time in `tz`, the zone of its need's event (`None`: no event, UTC).
    pub(crate) fn new(i: Interest, tz: Option<Tz>) -> Self {
        Self {
            id: i.id,
            need_id: i.need_id,
            organisation_id: i.organisation_id,
            organisation_name: i.organisation_name,
            registration_id: i.registration_id,
            message: i.message,
            created_at: tz.map_or_else(|| i.created_at.fixed_offset(), |tz| local(i.created_at, tz)),
            contact: i.contact,
        }
    }
}

/// A category of the taxonomy.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryResponse {
    /// Code used in `category`.
    pub code: NeedCategory,
    /// French label.
    pub label: String,
}

/// `POST /needs/{id}/interests`: send exactly one of `organisation_id` (a member of that ESS
/// structure, signed in with an account token) and `registration_id` (an ESS-structure
/// registration of the need's event, with its manage token `mr_…` as bearer; an organiser of
/// the event may also use it on the registration's behalf).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInterestRequest {
    /// Member path: the ESS structure, of which the signed-in caller is a member.
    #[serde(default)]
    pub organisation_id: Option<Uuid>,
    /// Registrant path: the registration whose manage token is the bearer. It must be of
    /// category `ess_structure`, not cancelled, for the need's event, and name its organisation
    /// (the ESS structure the interest is recorded for) with `organisation_confirmed`: an
    /// unconfirmed claim is refused (422), so that it never takes the structure's place.
    #[serde(default)]
    pub registration_id: Option<Uuid>,
    /// Message to the buyer (at most 5000 characters).
    #[serde(default)]
    #[schema(max_length = 5000, pattern = r"^[^\x00-\x09\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub message: String,
}

/// On whose behalf an interest is expressed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum InterestFrom {
    /// A member of this ESS structure, with an account.
    Member(Uuid),
    /// This registration, with its manage token (or an organiser of its event).
    Registration(Uuid),
}

impl CreateInterestRequest {
    /// Checks that the body names exactly one way in and a valid message.
    pub(crate) fn parse(self) -> Result<(InterestFrom, String), ApiError> {
        let message = interest_message("message", &self.message)?;
        let from = match (self.organisation_id, self.registration_id) {
            (Some(_), Some(_)) => {
                return Err(ApiError::field(
                    "registration_id",
                    "exclusive",
                    "send organisation_id (as a member) or registration_id (with its manage token), not both",
                ))
            }
            (None, None) => {
                let why = "send organisation_id (as a member) or registration_id (with its manage token)";
                return Err(ApiError::Invalid(vec![
                    FieldError::new("organisation_id", "required", why),
                    FieldError::new("registration_id", "required", why),
                ]));
            }
            (Some(org), None) => InterestFrom::Member(org),
            (None, Some(reg)) => InterestFrom::Registration(reg),
        };
        Ok((from, message))
    }
}

/// Why a structure is suggested.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonResponse {
    /// `sector`, `perimeter` or `reserved_market`.
    pub code: String,
    /// Explanation in French.
    pub message: String,
}

/// An ESS structure suggested for a need.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionResponse {
    /// Organisation id.
    pub organisation_id: Uuid,
    /// Name.
    pub name: String,
    /// ESS kinds.
    pub ess_kinds: Vec<EssKind>,
    /// Sectors.
    pub sectors: Vec<String>,
    /// Cities served.
    pub cities: Vec<String>,
    /// Sector 3, perimeter 2, reserved-market eligibility 3.
    pub score: u32,
    /// Every reason.
    pub reasons: Vec<ReasonResponse>,
}

impl From<Suggestion> for SuggestionResponse {
    fn from(s: Suggestion) -> Self {
        let f = s.organisation.fields;
        Self {
            organisation_id: s.organisation.id,
            name: f.name,
            ess_kinds: f.ess_kinds,
            sectors: f.sectors,
            cities: f.cities,
            score: s.score,
            reasons: s
                .reasons
                .into_iter()
                .map(|r| ReasonResponse {
                    code: r.code.to_owned(),
                    message: r.message,
                })
                .collect(),
        }
    }
}

/// Ranked suggestions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionsResponse {
    /// Best first.
    pub items: Vec<SuggestionResponse>,
}
