//! Buyer organisations, ESS structures, partners and companies.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{bounded_text, required_line, url, Checker, FieldError};
use crate::siret::Siret;
use crate::user::Actor;
use crate::Error;

text_enum! {
    /// What an organisation is.
    OrganisationKind {
        /// A public buyer (ville, EPT, hospital, social landlord…).
        PublicBuyer => "public_buyer",
        /// A social and solidarity economy structure.
        EssStructure => "ess_structure",
        /// A partner (network, chamber, federation…).
        Partner => "partner",
        /// An ordinary company.
        Company => "company",
    }
}

text_enum! {
    /// Statuses and approvals of ESS structures.
    EssKind {
        /// Structure d'insertion par l'activité économique.
        Siae => "siae",
        /// Atelier et chantier d'insertion (SIAE).
        Aci => "aci",
        /// Entreprise d'insertion (SIAE).
        Ei => "ei",
        /// Entreprise de travail temporaire d'insertion (SIAE).
        Etti => "etti",
        /// Association intermédiaire (SIAE).
        Ai => "ai",
        /// Entreprise d'insertion par le travail indépendant (SIAE).
        Eiti => "eiti",
        /// Entreprise adaptée.
        Ea => "ea",
        /// Établissement et service d'aide par le travail.
        Esat => "esat",
        /// Entreprise solidaire d'utilité sociale (agrément).
        Esus => "esus",
        /// Société coopérative et participative.
        Scop => "scop",
        /// Société coopérative d'intérêt collectif.
        Scic => "scic",
        /// Association.
        Association => "association",
        /// Foundation.
        Fondation => "fondation",
        /// Mutual society.
        Mutuelle => "mutuelle",
        /// Other cooperative.
        Cooperative => "cooperative",
        /// Commercial company with the ESS quality (loi 2014).
        SocieteCommercialeEss => "societe_commerciale_ess",
    }
}

impl EssKind {
    /// The kind's name in French, as a report shows it ("Entreprise adaptée", "SIAE"…).
    pub fn name_fr(self) -> &'static str {
        match self {
            EssKind::Siae => "SIAE",
            EssKind::Aci => "Atelier et chantier d'insertion",
            EssKind::Ei => "Entreprise d'insertion",
            EssKind::Etti => "Entreprise de travail temporaire d'insertion",
            EssKind::Ai => "Association intermédiaire",
            EssKind::Eiti => "Entreprise d'insertion par le travail indépendant",
            EssKind::Ea => "Entreprise adaptée",
            EssKind::Esat => "ESAT",
            EssKind::Esus => "ESUS",
            EssKind::Scop => "SCOP",
            EssKind::Scic => "SCIC",
            EssKind::Association => "Association",
            EssKind::Fondation => "Fondation",
            EssKind::Mutuelle => "Mutuelle",
            EssKind::Cooperative => "Coopérative",
            EssKind::SocieteCommercialeEss => "Société commerciale de l'ESS",
        }
    }

    /// The kind's name in English, as a report shows it.
    pub fn name_en(self) -> &'static str {
        match self {
            EssKind::Siae => "SIAE (work integration)",
            EssKind::Aci => "Integration workshop (ACI)",
            EssKind::Ei => "Integration company (EI)",
            EssKind::Etti => "Temporary work integration company (ETTI)",
            EssKind::Ai => "Intermediary association (AI)",
            EssKind::Eiti => "Self-employment integration company (EITI)",
            EssKind::Ea => "Adapted company (EA)",
            EssKind::Esat => "Sheltered workshop (ESAT)",
            EssKind::Esus => "Solidarity company of social utility (ESUS)",
            EssKind::Scop => "Workers' cooperative (SCOP)",
            EssKind::Scic => "Collective-interest cooperative (SCIC)",
            EssKind::Association => "Association",
            EssKind::Fondation => "Foundation",
            EssKind::Mutuelle => "Mutual society",
            EssKind::Cooperative => "Cooperative",
            EssKind::SocieteCommercialeEss => "Commercial company of the ESS",
        }
    }

    /// Whether this kind qualifies for markets reserved to SIAE and equivalents (L2113-13).
    pub fn is_insertion(self) -> bool {
        matches!(
            self,
            EssKind::Siae | EssKind::Aci | EssKind::Ei | EssKind::Etti | EssKind::Ai | EssKind::Eiti
        )
    }

    /// Whether this kind qualifies for markets reserved to EA and ESAT (L2113-12).
    pub fn is_disability(self) -> bool {
        matches!(self, EssKind::Ea | EssKind::Esat)
    }
}

/// An organisation's values, raw or checked: [`OrganisationDraft`] as received (also the JSON
/// a PATCH is merged over), [`OrganisationFields`] once [`OrganisationFields::parse`] accepted
/// it. They differ in the kind (optional until checked) and the SIRET (`String` as typed or
/// [`Siret`]); parsing also trims the texts and drops repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationValues<Kind, SiretNumber> {
    /// Kind.
    pub kind: Kind,
    /// Name.
    pub name: String,
    /// SIRET, optional.
    pub siret: Option<SiretNumber>,
    /// Postcode of the organisation's address (five digits), optional: with the name, what
    /// identifies an organisation without SIRET in an import.
    pub postcode: Option<String>,
    /// ESS kinds, only for ESS structures (once parsed: sorted, without repeats).
    pub ess_kinds: Vec<EssKind>,
    /// Sectors of activity.
    pub sectors: Vec<String>,
    /// Communes served.
    pub cities: Vec<String>,
    /// Website.
    pub website: Option<String>,
    /// Description.
    pub description: String,
    /// Labels and approvals (e.g. "Lucie", "B Corp").
    pub labels: Vec<String>,
    /// Mail domains of the organisation (`rejoue.org`): a registration with an address there
    /// speaks for it without approval (once parsed: lower case, without repeats).
    pub verified_domains: Vec<String>,
}

/// Raw organisation values as received.
pub type OrganisationDraft = OrganisationValues<Option<OrganisationKind>, String>;

/// Validated organisation fields.
pub type OrganisationFields = OrganisationValues<OrganisationKind, Siret>;

fn tag_list(check: &mut Checker, field: &str, values: &[String], max_items: usize) -> Vec<String> {
    if values.len() > max_items {
        check.push(FieldError::new(field, "too_long", format!("at most {max_items} items")));
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for (i, value) in values.iter().enumerate() {
        if let Some(v) = check.take(required_line(&format!("{field}[{i}]"), value, 120)) {
            if !out.iter().any(|o| crate::text::fold(o) == crate::text::fold(&v)) {
                out.push(v);
            }
        }
    }
    out
}

/// A French postcode: five digits (`94400`, `97400`; Corsica's are `20xxx`).
pub fn postcode(field: &str, value: &str) -> Result<String, Error> {
    let code: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() == 5 && code.chars().all(|c| c.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(Error::field(field, "invalid", "must be a French postcode: five digits"))
    }
}

/// A mail domain such as `rejoue.org`: labels of letters, digits and hyphens, at least two.
fn mail_domain(field: &str, value: &str) -> Result<String, Error> {
    let domain = value.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels_ok = domain.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if domain.len() > 253 || !domain.contains('.') || !labels_ok {
        return Err(Error::field(
            field,
            "invalid",
            "must be a mail domain such as rejoue.org (punycode for accented names)",
        ));
    }
    Ok(domain)
}

impl OrganisationFields {
    /// Checks the fields: a kind, a name, a valid SIRET and postcode when given, ESS kinds only
    /// on ESS structures, at most 50 sectors, cities and labels.
    pub fn parse(draft: OrganisationDraft) -> Result<Self, Error> {
        let mut check = Checker::new();
        if draft.kind.is_none() {
            check.push(FieldError::new("kind", "required", "must be given"));
        }
        let name = check.take(required_line("name", &draft.name, 200));
        let siret = match draft.siret.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(s) => check.take(Siret::parse("siret", s)).map(Some),
        };
        let postcode = match draft.postcode.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(p) => check.take(postcode("postcode", p)).map(Some),
        };
        if draft.kind.is_some_and(|k| k != OrganisationKind::EssStructure) && !draft.ess_kinds.is_empty() {
            check.push(FieldError::new(
                "ess_kinds",
                "invalid",
                "only ESS structures have ESS kinds",
            ));
        }
        let mut ess_kinds = draft.ess_kinds.clone();
        ess_kinds.sort();
        ess_kinds.dedup();
        let sectors = tag_list(&mut check, "sectors", &draft.sectors, 50);
        let cities = tag_list(&mut check, "cities", &draft.cities, 50);
        let labels = tag_list(&mut check, "labels", &draft.labels, 50);
        let mut verified_domains: Vec<String> = Vec::new();
        if draft.verified_domains.len() > 20 {
            check.push(FieldError::new("verified_domains", "too_long", "at most 20 items"));
        }
        for (i, d) in draft.verified_domains.iter().take(20).enumerate() {
            if let Some(d) = check.take(mail_domain(&format!("verified_domains[{i}]"), d)) {
                if !verified_domains.contains(&d) {
                    verified_domains.push(d);
                }
            }
        }
        let website = match draft.website.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(w) => check.take(url("website", w)).map(Some),
        };
        let description = check.take(bounded_text("description", &draft.description, 20_000));
        match (draft.kind, name, siret, postcode, website, description) {
            (Some(kind), Some(name), Some(siret), Some(postcode), Some(website), Some(description)) => {
                check.finish(|| Self {
                    kind,
                    name,
                    siret,
                    postcode,
                    ess_kinds,
                    sectors,
                    cities,
                    website,
                    description,
                    labels,
                    verified_domains,
                })
            }
            _ => Err(check.into_error()),
        }
    }

    /// Turns the fields back into a draft, to merge an update.
    pub fn to_draft(&self) -> OrganisationDraft {
        OrganisationDraft {
            kind: Some(self.kind),
            name: self.name.clone(),
            siret: self.siret.as_ref().map(|s| s.as_str().to_owned()),
            postcode: self.postcode.clone(),
            ess_kinds: self.ess_kinds.clone(),
            sectors: self.sectors.clone(),
            cities: self.cities.clone(),
            website: self.website.clone(),
            description: self.description.clone(),
            labels: self.labels.clone(),
            verified_domains: self.verified_domains.clone(),
        }
    }

    /// The folded text searched by `?q=`.
    pub fn search_text(&self) -> String {
        crate::text::fold(&format!(
            "{} {} {} {} {}",
            self.name,
            self.description,
            self.sectors.join(" "),
            self.cities.join(" "),
            self.labels.join(" ")
        ))
    }
}

/// An organisation as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// Identifier.
    pub id: Uuid,
    /// Fields.
    pub fields: OrganisationFields,
    /// Incremented on every change; the ETag.
    pub version: i32,
    /// Users who manage it.
    pub members: Vec<Uuid>,
}

/// Whether `actor` may read the e-mail addresses of an organisation's `members`: one of them,
/// or an admin. Other organisers list the members by name and role only (data minimisation,
/// RGPD art. 5.1.c: inviting members to an event needs no address).
pub fn may_read_member_emails(actor: &Actor, members: &[Uuid]) -> bool {
    actor.is_admin() || members.contains(&actor.user_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> OrganisationDraft {
        OrganisationDraft {
            kind: Some(OrganisationKind::EssStructure),
            name: "Rejoué".into(),
            ess_kinds: vec![EssKind::Siae, EssKind::Aci, EssKind::Siae],
            sectors: vec!["jouets".into(), "Jouets ".into()],
            cities: vec!["Vitry-sur-Seine".into()],
            ..Default::default()
        }
    }

    #[test]
    fn kinds_and_tags_are_deduplicated() {
        let f = OrganisationFields::parse(draft()).unwrap();
        assert_eq!(f.ess_kinds, [EssKind::Siae, EssKind::Aci]);
        assert_eq!(f.sectors, ["jouets"]);
        assert_eq!(
            f.search_text(),
            "rejoue  jouets vitry-sur-seine "
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        );
    }

    #[test]
    fn a_buyer_has_no_ess_kinds_and_a_bad_siret_is_named() {
        let mut d = draft();
        d.kind = Some(OrganisationKind::PublicBuyer);
        d.siret = Some("12345678901234".into());
        let Error::Invalid(errors) = OrganisationFields::parse(d).unwrap_err() else {
            panic!()
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["siret", "ess_kinds"]);
    }

    #[test]
    fn verified_domains_are_mail_domains_in_lower_case() {
        let mut d = draft();
        d.verified_domains = vec!["Rejoue.ORG".into(), "rejoue.org.".into(), "mail.rejoue.org".into()];
        assert_eq!(
            OrganisationFields::parse(d.clone()).unwrap().verified_domains,
            ["rejoue.org", "mail.rejoue.org"]
        );
        d.verified_domains = vec!["localhost".into(), "a@b.fr".into()];
        let Error::Invalid(errors) = OrganisationFields::parse(d).unwrap_err() else {
            panic!()
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["verified_domains[0]", "verified_domains[1]"]);
    }

    #[test]
    fn a_postcode_is_five_digits() {
        let mut d = draft();
        d.postcode = Some(" 94 400 ".into());
        assert_eq!(
            OrganisationFields::parse(d.clone()).unwrap().postcode.as_deref(),
            Some("94400")
        );
        d.postcode = Some("".into());
        assert_eq!(OrganisationFields::parse(d.clone()).unwrap().postcode, None);
        for bad in ["9440", "2A004", "944000"] {
            d.postcode = Some(bad.into());
            let Error::Invalid(errors) = OrganisationFields::parse(d.clone()).unwrap_err() else {
                panic!()
            };
            assert_eq!(errors[0].field, "postcode", "{bad}");
        }
    }

    #[test]
    fn reserved_market_families() {
        assert!(EssKind::Esat.is_disability() && !EssKind::Esat.is_insertion());
        assert!(EssKind::Aci.is_insertion());
    }
}
