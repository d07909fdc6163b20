//! Buyer needs presented on inverted stands, expressions of interest, and the ranking of ESS
//! structures that could answer a need.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{bounded_text, required_line, Checker, FieldError};
use crate::event::Category;
use crate::organisation::{EssKind, Organisation, OrganisationKind};
use crate::registration::{Registration, RegistrationStatus};
use crate::text::fold;
use crate::user::Actor;
use crate::Error;

text_enum! {
    /// The fixed taxonomy of purchasing needs.
    NeedCategory {
        /// Impressions durables.
        ImpressionsDurables => "impressions_durables",
        /// Mobilier en réemploi.
        MobilierReemploi => "mobilier_reemploi",
        /// Événementiel responsable.
        EvenementielResponsable => "evenementiel_responsable",
        /// Matériel informatique reconditionné.
        InformatiqueReconditionnee => "informatique_reconditionnee",
        /// Collecte des biodéchets.
        CollecteBiodechets => "collecte_biodechets",
        /// Travaux des bâtiments.
        TravauxBatiment => "travaux_batiment",
        /// Espaces verts.
        EspacesVerts => "espaces_verts",
        /// Nettoyage.
        Nettoyage => "nettoyage",
        /// Restauration et traiteur.
        RestaurationTraiteur => "restauration_traiteur",
        /// Textile.
        Textile => "textile",
        /// Mobilité et cycles.
        MobiliteCycles => "mobilite_cycles",
        /// Anything else.
        Autre => "autre",
    }
}

impl NeedCategory {
    /// The French label shown to people.
    pub fn label_fr(self) -> &'static str {
        match self {
            NeedCategory::ImpressionsDurables => "Impressions durables",
            NeedCategory::MobilierReemploi => "Mobilier en réemploi",
            NeedCategory::EvenementielResponsable => "Événementiel responsable",
            NeedCategory::InformatiqueReconditionnee => "Matériel informatique reconditionné",
            NeedCategory::CollecteBiodechets => "Collecte des biodéchets",
            NeedCategory::TravauxBatiment => "Travaux des bâtiments",
            NeedCategory::EspacesVerts => "Espaces verts",
            NeedCategory::Nettoyage => "Nettoyage",
            NeedCategory::RestaurationTraiteur => "Restauration et traiteur",
            NeedCategory::Textile => "Textile",
            NeedCategory::MobiliteCycles => "Mobilité et cycles",
            NeedCategory::Autre => "Autre",
        }
    }

    /// Folded words that, found in an organisation's sectors, say it works in this category.
    pub fn sector_keywords(self) -> &'static [&'static str] {
        match self {
            NeedCategory::ImpressionsDurables => &["impression", "imprimerie", "papeterie", "reprographie"],
            NeedCategory::MobilierReemploi => &["mobilier", "reemploi", "ressourcerie", "recyclerie", "menuiserie"],
            NeedCategory::EvenementielResponsable => &["evenementiel", "evenement", "traiteur", "spectacle"],
            NeedCategory::InformatiqueReconditionnee => &["informatique", "numerique", "reconditionn", "deee"],
            NeedCategory::CollecteBiodechets => &["biodechet", "dechet", "compost", "collecte"],
            NeedCategory::TravauxBatiment => &["batiment", "btp", "second oeuvre", "travaux", "peinture"],
            NeedCategory::EspacesVerts => &["espaces verts", "jardin", "paysag", "maraich"],
            NeedCategory::Nettoyage => &["nettoyage", "proprete", "entretien des locaux"],
            NeedCategory::RestaurationTraiteur => &["restauration", "traiteur", "alimentation", "anti-gaspillage"],
            NeedCategory::Textile => &["textile", "couture", "vetement", "linge"],
            NeedCategory::MobiliteCycles => &["mobilite", "cycles", "velo", "transport"],
            NeedCategory::Autre => &[],
        }
    }
}

text_enum! {
    /// Whether the future contract is reserved (code de la commande publique).
    ReservedMarket {
        /// An ordinary contract.
        None => "none",
        /// Reserved for EA and ESAT (article L2113-12).
        L2113_12 => "l2113_12",
        /// Reserved for SIAE and equivalent structures (article L2113-13).
        L2113_13 => "l2113_13",
    }
}

impl ReservedMarket {
    /// Whether a structure of these kinds may answer such a market.
    pub fn admits(self, kinds: &[EssKind]) -> bool {
        match self {
            ReservedMarket::None => true,
            ReservedMarket::L2113_12 => kinds.iter().any(|k| k.is_disability()),
            ReservedMarket::L2113_13 => kinds.iter().any(|k| k.is_insertion()),
        }
    }
}

text_enum! {
    /// Life cycle: draft → open ⇄ closed → awarded.
    NeedStatus {
        /// Seen only by those who may edit it.
        Draft => "draft",
        /// Public; ESS structures may express interest.
        Open => "open",
        /// Public, no more interests.
        Closed => "closed",
        /// The contract was awarded; final.
        Awarded => "awarded",
    }
}

impl NeedStatus {
    /// The status after a requested change, or a conflict naming both.
    pub fn transition_to(self, to: NeedStatus) -> Result<NeedStatus, Error> {
        use NeedStatus::*;
        let allowed = self == to
            || matches!(
                (self, to),
                (Draft, Open) | (Open, Closed) | (Closed, Open) | (Open, Awarded) | (Closed, Awarded)
            );
        if allowed {
            Ok(to)
        } else {
            Err(Error::Conflict(format!(
                "a need cannot go from {} to {}",
                self.as_str(),
                to.as_str()
            )))
        }
    }

    /// Whether anyone may read a need in this status.
    pub fn is_public(self) -> bool {
        self != NeedStatus::Draft
    }
}

/// A CPV code (Common Procurement Vocabulary, regulation (EC) 213/2008): `NNNNNNNN-N`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CpvCode(String);

/// Published CPV 2008 codes whose check digit does not follow the rule of [`CpvCode::check_digit`]
/// (codes renumbered in the 2008 revision; seen in TED notices and national code lists).
const IRREGULAR_CPV: &[&str] = &[
    "72212100-0",
    "72212110-3",
    "72212120-6",
    "72212121-3",
    "72212190-7",
    "72212311-2",
    "72212440-5",
    "72212450-8",
    "72212460-1",
    "72212461-8",
    "72212463-2",
    "72212481-3",
    "72212482-0",
    "72212730-5",
    "72267100-0",
    "72413000-8",
    "72415000-2",
    "72416000-9",
    "72420000-0",
    "72421000-7",
    "72700000-7",
    "72810000-1",
    "72910000-2",
];

impl CpvCode {
    /// The check digit of eight CPV digits: the digits weighted 3, 7, 1, 3, 7, 1, 3, 7, summed,
    /// modulo 10. (Not modulo 11: 03111800-0 and 03111900-1 are both published codes.)
    pub fn check_digit(digits: &[u8; 8]) -> u8 {
        const WEIGHTS: [u32; 8] = [3, 7, 1, 3, 7, 1, 3, 7];
        let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| u32::from(*d) * w).sum();
        (sum % 10) as u8
    }

    /// Parses `NNNNNNNN-N` (spaces around ignored) and checks the ninth digit.
    pub fn parse(field: &str, input: &str) -> Result<Self, Error> {
        let text = input.trim();
        let bytes = text.as_bytes();
        let shaped = bytes.len() == 10
            && bytes[8] == b'-'
            && bytes[..8].iter().all(u8::is_ascii_digit)
            && bytes[9].is_ascii_digit();
        if !shaped {
            return Err(Error::field(field, "invalid", "a CPV code looks like 30200000-1"));
        }
        let mut digits = [0u8; 8];
        for (d, b) in digits.iter_mut().zip(&bytes[..8]) {
            *d = b - b'0';
        }
        if Self::check_digit(&digits) != bytes[9] - b'0' && !IRREGULAR_CPV.contains(&text) {
            return Err(Error::field(field, "checksum", "this CPV code fails its check digit"));
        }
        Ok(Self(text.to_owned()))
    }

    /// The code, `NNNNNNNN-N`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A need's values, raw or checked: [`NeedDraft`] as received (also the JSON a PATCH is merged
/// over), [`NeedFields`] once [`NeedFields::parse`] accepted it. They differ in the CPV codes,
/// `String` as typed or [`CpvCode`]; parsing also trims the texts, drops repeated codes and
/// cities, and checks the amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedValues<Cpv> {
    /// The buyer organisation.
    pub organisation_id: Uuid,
    /// The event where it is presented.
    pub event_id: Option<Uuid>,
    /// The inverted stand where it is presented.
    pub stand_id: Option<Uuid>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category: NeedCategory,
    /// CPV codes (once parsed: valid, without repeats).
    pub cpv_codes: Vec<Cpv>,
    /// Lowest estimated amount, euros (once parsed: non-negative).
    pub amount_min_eur: Option<i64>,
    /// Highest estimated amount, euros (once parsed: at least the lowest).
    pub amount_max_eur: Option<i64>,
    /// When the tender is expected.
    pub expected_tender_on: Option<NaiveDate>,
    /// Reserved market.
    pub reserved_market: ReservedMarket,
    /// Whether a social (insertion) clause is planned.
    pub social_clause: bool,
    /// Whether an environmental criterion is planned.
    pub environmental_criterion: bool,
    /// Communes of the perimeter (once parsed: trimmed, without repeats, accents and case
    /// ignored).
    pub cities: Vec<String>,
}

/// Raw need values as received.
pub type NeedDraft = NeedValues<String>;

/// Validated need fields.
pub type NeedFields = NeedValues<CpvCode>;

/// Largest amount a need may state (ten billion euros).
pub const MAX_AMOUNT_EUR: i64 = 10_000_000_000;

impl NeedFields {
    /// Checks every rule: a title, at most 20 valid CPV codes, amounts within 0..=10^10 with
    /// min ≤ max, at most 100 cities.
    pub fn parse(draft: NeedDraft) -> Result<Self, Error> {
        let mut check = Checker::new();
        let title = check.take(required_line("title", &draft.title, 200));
        let description = check.take(bounded_text("description", &draft.description, 20_000));
        check.ensure(
            draft.cpv_codes.len() <= 20,
            "cpv_codes",
            "too_long",
            "at most 20 CPV codes",
        );
        let mut cpv_codes: Vec<CpvCode> = Vec::new();
        for (i, code) in draft.cpv_codes.iter().enumerate().take(20) {
            if let Some(c) = check.take(CpvCode::parse(&format!("cpv_codes[{i}]"), code)) {
                if !cpv_codes.contains(&c) {
                    cpv_codes.push(c);
                }
            }
        }
        for (field, amount) in [
            ("amount_min_eur", draft.amount_min_eur),
            ("amount_max_eur", draft.amount_max_eur),
        ] {
            if let Some(a) = amount {
                check.ensure(
                    (0..=MAX_AMOUNT_EUR).contains(&a),
                    field,
                    "out_of_range",
                    "must be between 0 and 10000000000 euros",
                );
            }
        }
        if let (Some(min), Some(max)) = (draft.amount_min_eur, draft.amount_max_eur) {
            check.ensure(
                min <= max,
                "amount_max_eur",
                "order",
                "must not be below amount_min_eur",
            );
        }
        check.ensure(draft.cities.len() <= 100, "cities", "too_long", "at most 100 cities");
        let mut cities: Vec<String> = Vec::new();
        for (i, city) in draft.cities.iter().enumerate().take(100) {
            if let Some(c) = check.take(required_line(&format!("cities[{i}]"), city, 120)) {
                if !cities.iter().any(|o| fold(o) == fold(&c)) {
                    cities.push(c);
                }
            }
        }
        match (title, description) {
            (Some(title), Some(description)) => check.finish(|| NeedFields {
                organisation_id: draft.organisation_id,
                event_id: draft.event_id,
                stand_id: draft.stand_id,
                title,
                description,
                category: draft.category,
                cpv_codes,
                amount_min_eur: draft.amount_min_eur,
                amount_max_eur: draft.amount_max_eur,
                expected_tender_on: draft.expected_tender_on,
                reserved_market: draft.reserved_market,
                social_clause: draft.social_clause,
                environmental_criterion: draft.environmental_criterion,
                cities,
            }),
            _ => Err(check.into_error()),
        }
    }

    /// Turns the fields back into a draft, to merge an update.
    pub fn to_draft(&self) -> NeedDraft {
        NeedDraft {
            organisation_id: self.organisation_id,
            event_id: self.event_id,
            stand_id: self.stand_id,
            title: self.title.clone(),
            description: self.description.clone(),
            category: self.category,
            cpv_codes: self.cpv_codes.iter().map(|c| c.as_str().to_owned()).collect(),
            amount_min_eur: self.amount_min_eur,
            amount_max_eur: self.amount_max_eur,
            expected_tender_on: self.expected_tender_on,
            reserved_market: self.reserved_market,
            social_clause: self.social_clause,
            environmental_criterion: self.environmental_criterion,
            cities: self.cities.clone(),
        }
    }

    /// The folded text searched by `?q=`: title, description, category label, cities, CPV codes.
    pub fn search_text(&self) -> String {
        fold(&format!(
            "{} {} {} {} {}",
            self.title,
            self.description,
            self.category.label_fr(),
            self.cities.join(" "),
            self.cpv_codes.iter().map(CpvCode::as_str).collect::<Vec<_>>().join(" ")
        ))
    }
}

/// A need as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    /// Identifier.
    pub id: Uuid,
    /// Fields.
    pub fields: NeedFields,
    /// Status.
    pub status: NeedStatus,
    /// Who published it.
    pub created_by: Uuid,
    /// Whether the organisers of its event consented to show it there ([`placed_at_event`]);
    /// false for a need without an event.
    pub event_accepted: bool,
    /// Whether an organiser (or an admin) who is not a member of the buyer posted it: it shows
    /// as posted by the organiser ([`posted_by_outsider`]).
    pub posted_by_organiser: bool,
    /// Incremented on every change; the ETag.
    pub version: i32,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// Who may edit a need: members of its buyer organisation, organisers of its event, admins.
pub fn may_edit_need(actor: &Actor, buyer_members: &[Uuid], event_organisers: &[Uuid]) -> bool {
    actor.is_admin() || buyer_members.contains(&actor.user_id) || event_organisers.contains(&actor.user_id)
}

/// Whether a need that `actor` places at an event (attaches or moves it there) shows on its
/// inverted stands at once: only when `actor` organises that event (one of
/// `event_organisers`) or is an admin. A buyer's member only proposes it; the event's
/// organisers accept it.
pub fn placed_at_event(actor: &Actor, event_organisers: &[Uuid]) -> bool {
    actor.is_admin() || event_organisers.contains(&actor.user_id)
}

/// Whether `actor` posts a need for a buyer whose `buyer_members` it is not one of (an
/// organiser of its event, or an admin): the need then shows as posted by the organiser, not
/// as the buyer's word.
pub fn posted_by_outsider(actor: &Actor, buyer_members: &[Uuid]) -> bool {
    !buyer_members.contains(&actor.user_id)
}

/// A checked expression-of-interest message (may be empty, at most 5000 characters).
pub fn interest_message(field: &str, text: &str) -> Result<String, Error> {
    bounded_text(field, text, 5_000)
}

/// Filters of `GET /needs`, all optional and combined with AND: the query string of the list
/// and what the store filters by.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NeedFilter {
    /// Event id.
    pub event: Option<Uuid>,
    /// Category.
    pub category: Option<NeedCategory>,
    /// Commune of the perimeter (accents and case ignored).
    pub city: Option<String>,
    /// Reserved market.
    pub reserved_market: Option<ReservedMarket>,
    /// Buyer organisation id.
    pub organisation: Option<Uuid>,
    /// `open`, `closed` or `awarded` (default: these three, plus the drafts a signed-in caller
    /// may edit); `draft` lists only those drafts and needs a signed-in caller (422 otherwise).
    pub status: Option<NeedStatus>,
    /// Free text in title, description, category, cities and CPV codes (accents and case ignored).
    pub q: Option<String>,
    /// With `event`: `true` lists the needs proposed for that event by buyers and awaiting its
    /// organisers' acceptance (`POST /needs/{id}/accept`); otherwise (default) only the needs
    /// the event's organisers accepted are listed for it.
    pub proposed: Option<bool>,
}

/// An expression of interest of an ESS structure in a need, as the store keeps it (the API
/// answers it with its time in the zone of the need's event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interest {
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
    /// When.
    pub created_at: DateTime<Utc>,
    /// The contact of the person who expressed it through a registration: only where that
    /// person consented (`consents.share_contact`) and the registration's claim to the
    /// structure is confirmed ([`crate::partner::contact_shown_to_partner`]); `null` otherwise
    /// and for a member's interest.
    pub contact: Option<InterestContact>,
}

/// The contact details of the person behind an expression of interest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct InterestContact {
    /// First and last name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Phone number, if given.
    pub phone: Option<String>,
}

/// Why an ESS structure is suggested for a need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// Stable code: `sector`, `perimeter`, `reserved_market`.
    pub code: &'static str,
    /// Explanation in French.
    pub message: String,
}

/// An ESS structure suggested for a need, with its score and reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The structure.
    pub organisation: Organisation,
    /// Higher is better.
    pub score: u32,
    /// Every reason, in the order sector, perimeter, reserved market.
    pub reasons: Vec<Reason>,
}

/// Ranks ESS structures for a need.
///
/// A sector matching the category scores 3, serving a commune of the perimeter 2, eligibility
/// for the need's reserved market 3. For a reserved market, structures that are not eligible are
/// left out: they cannot bid. Structures with no reason at all are left out too. Ties are broken
/// by name.
pub fn suggest(need: &NeedFields, candidates: Vec<Organisation>) -> Vec<Suggestion> {
    let keywords = need.category.sector_keywords();
    let need_cities: Vec<(String, &String)> = need.cities.iter().map(|c| (fold(c), c)).collect();
    let mut out: Vec<Suggestion> = candidates
        .into_iter()
        .filter(|o| o.fields.kind == OrganisationKind::EssStructure)
        .filter(|o| need.reserved_market.admits(&o.fields.ess_kinds))
        .filter_map(|org| {
            let mut score = 0;
            let mut reasons = Vec::new();
            let sectors: Vec<&String> = org
                .fields
                .sectors
                .iter()
                .filter(|s| {
                    let folded = fold(s);
                    keywords.iter().any(|k| folded.contains(k))
                })
                .collect();
            if !sectors.is_empty() {
                score += 3;
                reasons.push(Reason {
                    code: "sector",
                    message: format!(
                        "secteur {} correspondant à la catégorie « {} »",
                        sectors
                            .iter()
                            .map(|s| format!("« {s} »"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        need.category.label_fr()
                    ),
                });
            }
            let served: Vec<&String> = need_cities
                .iter()
                .filter(|(folded, _)| org.fields.cities.iter().any(|c| fold(c) == *folded))
                .map(|(_, c)| *c)
                .collect();
            if !served.is_empty() {
                score += 2;
                reasons.push(Reason {
                    code: "perimeter",
                    message: format!(
                        "intervient sur le périmètre : {}",
                        served.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                });
            }
            match need.reserved_market {
                ReservedMarket::None => {}
                ReservedMarket::L2113_12 => {
                    score += 3;
                    reasons.push(Reason {
                        code: "reserved_market",
                        message: "éligible au marché réservé aux EA et ESAT (art. L2113-12)".into(),
                    });
                }
                ReservedMarket::L2113_13 => {
                    score += 3;
                    reasons.push(Reason {
                        code: "reserved_market",
                        message: "éligible au marché réservé aux SIAE et structures équivalentes (art. L2113-13)"
                            .into(),
                    });
                }
            }
            (score > 0).then_some(Suggestion {
                organisation: org,
                score,
                reasons,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| fold(&a.organisation.fields.name).cmp(&fold(&b.organisation.fields.name)))
            .then_with(|| a.organisation.id.cmp(&b.organisation.id))
    });
    out
}

/// The ESS structure on whose behalf a registration expresses interest in a need presented
/// at `need_event_id`: the registration must be of category `ess_structure`, not cancelled,
/// for the need's event, and name its organisation, confirmed. Errors name the field `registration_id`
/// (a cancelled registration is a conflict whose message names it).
pub fn interest_registration(registration: &Registration, need_event_id: Option<Uuid>) -> Result<Uuid, Error> {
    const FIELD: &str = "registration_id";
    if registration.category != Category::EssStructure {
        return Err(reference_error(
            FIELD,
            "category",
            "only registrations of category ess_structure express interest in needs",
        ));
    }
    if need_event_id != Some(registration.event_id) {
        return Err(reference_error(
            FIELD,
            "other_event",
            "the registration is for another event than the one where the need is presented",
        ));
    }
    if registration.status == RegistrationStatus::Cancelled {
        return Err(Error::Conflict(
            "registration_id: the registration is cancelled; it may no longer express interest".into(),
        ));
    }
    let organisation_id = registration.details.organisation_id.ok_or_else(|| {
        reference_error(
            FIELD,
            "no_organisation",
            "the registration names no organisation: set its organisation_id (PATCH /registrations/{id}) first",
        )
    })?;
    // Anyone may type any organisation: until the claim is confirmed the registration speaks
    // for itself only, and an interest in the organisation's name would block its members.
    if !registration.organisation_confirmed {
        return Err(reference_error(
            FIELD,
            "organisation_unconfirmed",
            "the registration's organisation is not confirmed yet: register with an address of the \
             organisation (a member's, or of a domain it verified), or ask a member or an organiser to \
             approve it (POST /registrations/{id}/organisation/approve)",
        ));
    }
    Ok(organisation_id)
}

/// A wish to meet derived from an expression of interest, for the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InterestWish {
    /// The need that was answered.
    pub need_id: Uuid,
    /// The ESS structure that wishes to meet.
    pub from_organisation_id: Uuid,
    /// The registration the interest came through (manage-token path); `None` when a member
    /// of the structure expressed it with an account.
    pub from_registration_id: Option<Uuid>,
    /// The buyer it wishes to meet.
    pub to_organisation_id: Uuid,
    /// Always [`INTEREST_WISH_PRIORITY`].
    pub priority: u8,
}

/// The priority of a wish that comes from an expression of interest (1 is the highest).
pub const INTEREST_WISH_PRIORITY: u8 = 2;

/// A field error for a reference that does not fit (wrong kind, unknown id).
pub fn reference_error(field: &str, code: &str, message: &str) -> Error {
    Error::Invalid(vec![FieldError::new(field, code, message)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::organisation::OrganisationFields;

    #[test]
    fn published_cpv_codes_pass_their_check_digit() {
        for code in [
            "30200000-1",
            "39130000-2",
            "79800000-2",
            "90500000-2",
            "45000000-7",
            "79952000-2",
            "77310000-6",
            "03111800-0",
            "03111900-1",
            "45111211-0",
            "72212000-4",
            "30213100-6",
            "48000000-8",
            "72212100-0",
        ] {
            assert!(CpvCode::parse("cpv", code).is_ok(), "{code}");
        }
    }

    #[test]
    fn the_rule_holds_across_published_code_lists() {
        // Codes as printed in national CPV 2008 lists (an Italian DGUE code list, the Dutch
        // TenderNed list) and in TED/SEAP notices: every level of several divisions.
        for code in [
            "03000000-1",
            "03100000-2",
            "03110000-5",
            "03111000-2",
            "03112000-9",
            "03113000-6",
            "03114100-4",
            "45100000-8",
            "45110000-1",
            "45111000-8",
            "45111100-9",
            "45111200-0",
            "45111214-1",
            "45111250-5",
            "45233120-6",
            "71000000-8",
            "71200000-0",
            "71241000-9",
            "72100000-6",
            "72150000-1",
            "72211000-7",
            "77120000-7",
            "77211600-8",
            "79121100-9",
            "79140000-7",
            "85100000-0",
            "30213300-8",
            "42412200-9",
        ] {
            let digits: Vec<u8> = code.bytes().take(8).map(|b| b - b'0').collect();
            let digits: [u8; 8] = digits.try_into().unwrap();
            assert_eq!(CpvCode::check_digit(&digits), code.as_bytes()[9] - b'0', "{code}");
        }
    }

    #[test]
    fn a_wrong_check_digit_or_shape_is_refused() {
        let Err(Error::Invalid(e)) = CpvCode::parse("cpv", "30200000-2") else {
            panic!()
        };
        assert_eq!(e[0].code, "checksum");
        for bad in ["30200000", "3020000-1", "30200000_1", "3020000a-1", "30200000-11"] {
            let Err(Error::Invalid(e)) = CpvCode::parse("cpv", bad) else {
                panic!("{bad}")
            };
            assert_eq!(e[0].code, "invalid", "{bad}");
        }
    }

    fn draft() -> NeedDraft {
        NeedDraft {
            organisation_id: Uuid::now_v7(),
            event_id: None,
            stand_id: None,
            title: "Mobilier de bureau en réemploi".into(),
            description: String::new(),
            category: NeedCategory::MobilierReemploi,
            cpv_codes: vec!["39130000-2".into(), "39130000-2".into()],
            amount_min_eur: Some(10_000),
            amount_max_eur: Some(40_000),
            expected_tender_on: None,
            reserved_market: ReservedMarket::None,
            social_clause: true,
            environmental_criterion: true,
            cities: vec!["Orly".into(), "ORLY".into()],
        }
    }

    #[test]
    fn amounts_must_be_ordered_and_non_negative() {
        let f = NeedFields::parse(draft()).unwrap();
        assert_eq!(f.cpv_codes.len(), 1);
        assert_eq!(f.cities, ["Orly"]);
        let mut d = draft();
        d.amount_min_eur = Some(50_000);
        let Err(Error::Invalid(e)) = NeedFields::parse(d) else {
            panic!()
        };
        assert_eq!(e[0].field, "amount_max_eur");
        let mut d = draft();
        d.amount_min_eur = Some(-1);
        d.cpv_codes = vec!["39130000-3".into()];
        let Err(Error::Invalid(e)) = NeedFields::parse(d) else {
            panic!()
        };
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["cpv_codes[0]", "amount_min_eur"]);
    }

    #[test]
    fn status_transitions() {
        use NeedStatus::*;
        assert!(Draft.transition_to(Open).is_ok());
        assert!(Open.transition_to(Awarded).is_ok());
        assert!(Awarded.transition_to(Open).is_err());
        assert!(Open.transition_to(Draft).is_err());
    }

    fn ess(name: &str, kinds: &[EssKind], sectors: &[&str], cities: &[&str]) -> Organisation {
        Organisation {
            id: Uuid::now_v7(),
            fields: OrganisationFields {
                kind: OrganisationKind::EssStructure,
                name: name.into(),
                siret: None,
                postcode: None,
                ess_kinds: kinds.to_vec(),
                sectors: sectors.iter().map(|s| (*s).into()).collect(),
                cities: cities.iter().map(|s| (*s).into()).collect(),
                website: None,
                description: String::new(),
                labels: vec![],
                verified_domains: vec![],
            },
            version: 1,
            members: vec![],
        }
    }

    #[test]
    fn suggestions_rank_by_sector_perimeter_and_eligibility() {
        let mut need = NeedFields::parse(draft()).unwrap();
        let candidates = vec![
            ess(
                "Adopte un Bureau",
                &[EssKind::Esus],
                &["Mobilier", "réemploi"],
                &["Orly"],
            ),
            ess("Emmaüs Liberté", &[EssKind::Siae], &["réemploi"], &["Ivry-sur-Seine"]),
            ess("Cyclofficine", &[EssKind::Association], &["vélo"], &["Ivry-sur-Seine"]),
        ];
        let ranked = suggest(&need, candidates.clone());
        let names: Vec<_> = ranked.iter().map(|s| s.organisation.fields.name.as_str()).collect();
        assert_eq!(names, ["Adopte un Bureau", "Emmaüs Liberté"]);
        assert_eq!(ranked[0].score, 5);
        assert_eq!(ranked[0].reasons[1].code, "perimeter");
        need.reserved_market = ReservedMarket::L2113_13;
        let ranked = suggest(&need, candidates);
        let names: Vec<_> = ranked.iter().map(|s| s.organisation.fields.name.as_str()).collect();
        assert_eq!(names, ["Emmaüs Liberté"]);
        assert_eq!(ranked[0].reasons.last().unwrap().code, "reserved_market");
    }

    fn registration(category: Category, status: RegistrationStatus, organisation: Option<Uuid>) -> Registration {
        use crate::registration::{Consents, Locale, RegistrationDetails};
        Registration {
            id: Uuid::now_v7(),
            event_id: Uuid::from_u128(7),
            category,
            status,
            waitlist_position: None,
            details: RegistrationDetails {
                first_name: "Awa".into(),
                last_name: "Diallo".into(),
                phone: None,
                organisation_id: organisation,
                locale: Locale::Fr,
                accessibility_needs: None,
                consents: Consents { share_contact: true },
            },
            organisation_confirmed: organisation.is_some(),
            email: "awa@example.org".into(),
            email_verified: true,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn only_the_events_organisers_place_a_need_there_and_outsiders_post_as_organisers() {
        let organiser = Actor {
            user_id: Uuid::from_u128(1),
            role: crate::user::Role::Organiser,
        };
        let member = Actor {
            user_id: Uuid::from_u128(2),
            role: crate::user::Role::Member,
        };
        let admin = Actor {
            user_id: Uuid::from_u128(3),
            role: crate::user::Role::Admin,
        };
        let organisers = [organiser.user_id];
        let members = [member.user_id];
        assert!(placed_at_event(&organiser, &organisers));
        assert!(placed_at_event(&admin, &organisers));
        assert!(!placed_at_event(&member, &organisers));
        assert!(posted_by_outsider(&organiser, &members));
        assert!(!posted_by_outsider(&member, &members));
    }

    fn refused_field(result: Result<Uuid, Error>) -> (String, String) {
        match result {
            Err(Error::Invalid(errors)) => (errors[0].field.clone(), errors[0].code.clone()),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn a_registration_speaks_for_its_ess_structure_at_the_needs_event() {
        let org = Uuid::from_u128(42);
        let event = Some(Uuid::from_u128(7));
        let ok = registration(Category::EssStructure, RegistrationStatus::Waitlisted, Some(org));
        assert_eq!(interest_registration(&ok, event).unwrap(), org);
        let buyer = registration(Category::Buyer, RegistrationStatus::Confirmed, Some(org));
        assert_eq!(
            refused_field(interest_registration(&buyer, event)),
            ("registration_id".into(), "category".into())
        );
        assert_eq!(
            refused_field(interest_registration(&ok, Some(Uuid::from_u128(8)))),
            ("registration_id".into(), "other_event".into())
        );
        assert_eq!(
            refused_field(interest_registration(&ok, None)),
            ("registration_id".into(), "other_event".into())
        );
        let alone = registration(Category::EssStructure, RegistrationStatus::Confirmed, None);
        assert_eq!(
            refused_field(interest_registration(&alone, event)),
            ("registration_id".into(), "no_organisation".into())
        );
        let mut claimed = registration(Category::EssStructure, RegistrationStatus::Confirmed, Some(org));
        claimed.organisation_confirmed = false;
        assert_eq!(
            refused_field(interest_registration(&claimed, event)),
            ("registration_id".into(), "organisation_unconfirmed".into())
        );
        let cancelled = registration(Category::EssStructure, RegistrationStatus::Cancelled, Some(org));
        assert!(matches!(
            interest_registration(&cancelled, event),
            Err(Error::Conflict(m)) if m.contains("registration_id")
        ));
    }
}
