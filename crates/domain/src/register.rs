//! What the public company register (SIRENE, read through the administration's search service
//! "API Recherche d'entreprises") says of one establishment, and how that completes an
//! organisation that lacks it. No I/O: the api crate asks the service and hands the answer over.

use std::collections::HashMap;

use serde::Serialize;

use crate::organisation::{EssKind, OrganisationDraft, OrganisationKind};
use crate::text::fold;

/// What the register says of one establishment (one SIRET); `None` where it says nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterEntry {
    /// The legal unit's name (`nom_raison_sociale`, else `nom_complet`).
    pub name: Option<String>,
    /// The establishment's postcode.
    pub postcode: Option<String>,
    /// The establishment's commune.
    pub commune: Option<String>,
    /// The establishment's main activity (NAF code such as `38.32Z`), else the unit's.
    pub naf: Option<String>,
    /// Whether the unit belongs to the social and solidarity economy (SIRENE's ESS flag).
    pub ess: Option<bool>,
    /// ESS kinds the register vouches for: SIAE (and its type), association.
    pub ess_kinds: Vec<EssKind>,
}

/// Register entries by SIRET (14 digits), for an import.
pub type RegisterEntries = HashMap<String, RegisterEntry>;

/// Whether `sector` is a NAF code (`38.32Z`, `3832Z`).
pub fn is_naf_code(sector: &str) -> bool {
    let code: Vec<char> = sector.trim().chars().filter(|&c| c != '.').collect();
    code.len() == 5 && code[..4].iter().all(char::is_ascii_digit) && code[4].is_ascii_alphabetic()
}

/// Whether `draft` lacks something the register could give: a name, a postcode, a commune,
/// or a NAF code among its sectors.
pub fn lacks(draft: &OrganisationDraft) -> bool {
    draft.name.trim().is_empty()
        || draft.postcode.as_deref().is_none_or(|p| p.trim().is_empty())
        || draft.cities.is_empty()
        || !draft.sectors.iter().any(|s| is_naf_code(s))
}

impl RegisterEntry {
    /// Fills what `draft` lacks, and nothing else: an empty name, a missing postcode, no
    /// commune (the register's becomes the first served), no NAF code among the sectors (the
    /// register's joins them), no ESS kinds on an ESS structure. What the caller gave always
    /// wins over the register.
    pub fn complete(&self, draft: &mut OrganisationDraft) {
        if draft.name.trim().is_empty() {
            if let Some(name) = &self.name {
                draft.name = name.clone();
            }
        }
        if draft.postcode.as_deref().is_none_or(|p| p.trim().is_empty()) {
            if let Some(postcode) = &self.postcode {
                draft.postcode = Some(postcode.clone());
            }
        }
        if draft.cities.is_empty() {
            draft.cities.extend(self.commune.iter().cloned());
        }
        if let Some(naf) = &self.naf {
            if !draft.sectors.iter().any(|s| is_naf_code(s)) && !draft.sectors.iter().any(|s| fold(s) == fold(naf)) {
                draft.sectors.push(naf.clone());
            }
        }
        if draft.kind == Some(OrganisationKind::EssStructure) && draft.ess_kinds.is_empty() {
            draft.ess_kinds = self.ess_kinds.clone();
        }
    }
}

/// What the look-ups of one import did; absent from the report when the service is off or
/// no line lacked anything it could give.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RegisterLookups {
    /// SIRETs asked of the service (or found in the cache).
    pub asked: u64,
    /// SIRETs the register knows.
    pub found: u64,
    /// SIRETs it does not know (closed, not public, or unknown).
    pub not_found: u64,
    /// Lines whose look-up failed (the service did not answer in time, or answered an error):
    /// they were imported with what they had.
    pub failed_lines: Vec<u64>,
    /// Lines that lacked something but were not looked up: past the import's limit of
    /// look-ups, or after repeated failures.
    pub skipped: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> RegisterEntry {
        RegisterEntry {
            name: Some("ATELIER DU REEMPLOI".into()),
            postcode: Some("94400".into()),
            commune: Some("VITRY-SUR-SEINE".into()),
            naf: Some("38.32Z".into()),
            ess: Some(true),
            ess_kinds: vec![EssKind::Aci, EssKind::Siae],
        }
    }

    #[test]
    fn naf_codes_are_recognised_with_or_without_the_dot() {
        assert!(is_naf_code("38.32Z") && is_naf_code("3832z") && is_naf_code(" 88.10C "));
        assert!(!is_naf_code("jouets") && !is_naf_code("38.32") && !is_naf_code("94400"));
    }

    #[test]
    fn the_register_fills_only_what_is_missing() {
        let mut draft = OrganisationDraft {
            kind: Some(OrganisationKind::EssStructure),
            ..Default::default()
        };
        assert!(lacks(&draft));
        entry().complete(&mut draft);
        assert_eq!(draft.name, "ATELIER DU REEMPLOI");
        assert_eq!(draft.postcode.as_deref(), Some("94400"));
        assert_eq!(draft.cities, ["VITRY-SUR-SEINE"]);
        assert_eq!(draft.sectors, ["38.32Z"]);
        assert_eq!(draft.ess_kinds, [EssKind::Aci, EssKind::Siae]);
        assert!(!lacks(&draft));

        let given = OrganisationDraft {
            kind: Some(OrganisationKind::Company),
            name: "Atelier du Réemploi".into(),
            postcode: Some("94200".into()),
            cities: vec!["Ivry-sur-Seine".into()],
            sectors: vec!["réemploi".into(), "43.99A".into()],
            ..Default::default()
        };
        assert!(!lacks(&given));
        let mut completed = given.clone();
        entry().complete(&mut completed);
        assert_eq!(
            completed, given,
            "what the caller gave wins; a company takes no ESS kinds"
        );

        let mut no_naf = OrganisationDraft {
            sectors: vec!["réemploi".into()],
            ..given.clone()
        };
        assert!(lacks(&no_naf));
        entry().complete(&mut no_naf);
        assert_eq!(no_naf.sectors, ["réemploi", "38.32Z"]);
    }
}
