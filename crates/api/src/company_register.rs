//! The SIRET look-up in the public company register, through the French administration's
//! search service "API Recherche d'entreprises" (`GET {MATINALE_COMPANY_API_URL}/search?q=SIRET`,
//! open, no key): off unless `MATINALE_COMPANY_API_URL` is set. It fills what an import line
//! or a new organisation lacks (name, postcode and commune, NAF code, ESS flag).
//!
//! One per process, in `AppState`: an HTTP client with a timeout, a pace under the service's
//! limit (7 requests a second per client), and a bounded in-memory cache of answers (found or
//! not) with a time to live. A look-up that fails or times out never stops what asked for it:
//! the line or the organisation goes on with what it had. Never called inside a transaction:
//! an import looks its lines up first, then hands the answers to the store.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use matinale_domain::directory::{self, ImportReport};
use matinale_domain::organisation::{self, EssKind, OrganisationDraft};
use matinale_domain::register::{self, RegisterEntries, RegisterEntry, RegisterLookups};
use matinale_domain::siret::Siret;
use matinale_store::import::ImportRequest;
use serde::Deserialize;

use crate::config::Config;

/// Look-ups of one import under way at once.
const IMPORT_CONCURRENCY: usize = 4;

/// Failures in a row after which an import stops asking (the service is down or unreachable:
/// each further line would wait for the timeout in vain).
const IMPORT_FAILURES_IN_A_ROW: usize = 3;

/// What the register answered for one SIRET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The establishment, as the register knows it.
    Found(RegisterEntry),
    /// The register does not know it (closed, not public, or unknown).
    NotFound,
    /// No answer in time, or an error: why, for the log.
    Failed(String),
}

/// The client of the company search service, its pace and its cache.
pub struct CompanyRegister {
    client: reqwest::Client,
    search_url: String,
    pace: DefaultDirectRateLimiter,
    cache: Cache,
    per_import: usize,
}

impl std::fmt::Debug for CompanyRegister {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompanyRegister")
            .field("search_url", &self.search_url)
            .finish_non_exhaustive()
    }
}

impl CompanyRegister {
    /// The look-up of `config`: `None` when `company_api_url` is unset (or no HTTP client can
    /// be built, which is logged).
    pub fn from_config(config: &Config) -> Option<Self> {
        let base = config.company_api_url.as_deref()?.trim().trim_end_matches('/');
        let client = reqwest::Client::builder()
            .timeout(config.company_api_timeout)
            .connect_timeout(config.company_api_timeout)
            .user_agent(concat!("matinale/", env!("CARGO_PKG_VERSION")))
            .build();
        let client = match client {
            Ok(client) => client,
            Err(error) => {
                tracing::warn!(%error, "no HTTP client for MATINALE_COMPANY_API_URL: the SIRET look-up is off");
                return None;
            }
        };
        let rate = NonZeroU32::new(config.company_api_rate_per_second).unwrap_or(NonZeroU32::MIN);
        Some(Self {
            client,
            search_url: format!("{base}/search"),
            pace: RateLimiter::direct(Quota::per_second(rate)),
            cache: Cache::new(config.company_cache_size, config.company_cache_ttl),
            per_import: config.company_lookups_per_import,
        })
    }

    /// What the register says of `siret`: from the cache when it answered in the last
    /// `company_cache_ttl`, else asked (failures are not cached).
    pub async fn look_up(&self, siret: &Siret) -> Lookup {
        if let Some(cached) = self.cache.get(siret.as_str(), Instant::now()) {
            count("cached");
            return cached.map_or(Lookup::NotFound, Lookup::Found);
        }
        self.pace.until_ready().await;
        let answer = self.ask(siret).await;
        match &answer {
            Ok(entry) => {
                count(if entry.is_some() { "found" } else { "not_found" });
                self.cache.insert(siret.as_str(), entry.clone(), Instant::now());
            }
            Err(reason) => {
                count("failed");
                tracing::warn!(siret = siret.as_str(), %reason, "SIRET look-up failed; going on without it");
            }
        }
        match answer {
            Ok(Some(entry)) => Lookup::Found(entry),
            Ok(None) => Lookup::NotFound,
            Err(reason) => Lookup::Failed(reason),
        }
    }

    async fn ask(&self, siret: &Siret) -> Result<Option<RegisterEntry>, String> {
        let response = self
            .client
            .get(&self.search_url)
            .query(&[("q", siret.as_str()), ("per_page", "1")])
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    "no answer in time".to_owned()
                } else {
                    e.to_string()
                }
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("the service answered {status}"));
        }
        let answer: SearchAnswer = response.json().await.map_err(|e| {
            if e.is_timeout() {
                "no answer in time".to_owned()
            } else {
                format!("unreadable answer: {e}")
            }
        })?;
        Ok(answer.entry(siret))
    }

    /// Fills what a new organisation lacks (see [`register::lacks`]) from the register's entry
    /// for its SIRET; nothing without a valid SIRET or when nothing lacks. Answers what the
    /// look-up did, if one was made.
    pub async fn complete(&self, draft: &mut OrganisationDraft) -> Option<Lookup> {
        let siret = Siret::parse("siret", draft.siret.as_deref()?).ok()?;
        if !register::lacks(draft) {
            return None;
        }
        let lookup = self.look_up(&siret).await;
        if let Lookup::Found(entry) = &lookup {
            entry.complete(draft);
        }
        Some(lookup)
    }

    /// Looks up the SIRETs of the import's lines that lack something (see
    /// [`directory::lines_to_look_up`]), each once, at most `company_lookups_per_import` of
    /// them, a few at a time; stops asking after repeated failures. Answers the entries found
    /// and what was done (`None` when no line lacked anything, or the file's header is bad:
    /// the import refuses it itself).
    pub async fn for_import(
        &self,
        text: &str,
        mapping: Option<&str>,
        kind_given: bool,
    ) -> (RegisterEntries, Option<RegisterLookups>) {
        let mut entries = RegisterEntries::new();
        let lines = match directory::lines_to_look_up(text, mapping, kind_given) {
            Ok(lines) if !lines.is_empty() => lines,
            _ => return (entries, None),
        };
        // Each SIRET once, with its lines, in the file's order.
        let mut sirets: Vec<(Siret, Vec<u64>)> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        for (line, siret) in lines {
            match position.get(siret.as_str()) {
                Some(&i) => sirets[i].1.push(line),
                None => {
                    position.insert(siret.as_str().to_owned(), sirets.len());
                    sirets.push((siret, vec![line]));
                }
            }
        }
        let mut summary = RegisterLookups::default();
        let mut done = vec![false; sirets.len()];
        let mut answers = futures_util::stream::iter(sirets.iter().enumerate().take(self.per_import))
            .map(|(i, (siret, _))| async move { (i, self.look_up(siret).await) })
            .buffer_unordered(IMPORT_CONCURRENCY);
        let mut failures_in_a_row = 0;
        while let Some((i, lookup)) = answers.next().await {
            done[i] = true;
            summary.asked += 1;
            match lookup {
                Lookup::Found(entry) => {
                    summary.found += 1;
                    failures_in_a_row = 0;
                    entries.insert(sirets[i].0.as_str().to_owned(), entry);
                }
                Lookup::NotFound => {
                    summary.not_found += 1;
                    failures_in_a_row = 0;
                }
                Lookup::Failed(_) => {
                    summary.failed_lines.extend(&sirets[i].1);
                    failures_in_a_row += 1;
                    if failures_in_a_row >= IMPORT_FAILURES_IN_A_ROW {
                        tracing::warn!("the company search service fails: this import asks it no more");
                        break;
                    }
                }
            }
        }
        summary.failed_lines.sort_unstable();
        summary.skipped = sirets
            .iter()
            .zip(&done)
            .filter(|(_, done)| !**done)
            .map(|((_, lines), _)| lines.len() as u64)
            .sum();
        (entries, Some(summary))
    }
}

/// Runs a directory import, its lines that lack something looked up first in the register
/// when `register` is on (see [`CompanyRegister::for_import`]); the report says what the
/// look-ups did. The command line's import and `POST /organisations/import` both come here.
pub async fn import(
    register: Option<&CompanyRegister>,
    store: &matinale_store::Store,
    actor: &matinale_domain::user::Actor,
    request: ImportRequest<'_>,
) -> Result<ImportReport, matinale_store::Error> {
    let (entries, lookups) = match register {
        Some(register) => {
            register
                .for_import(request.text, request.mapping, request.kind.is_some())
                .await
        }
        None => (RegisterEntries::new(), None),
    };
    let request = ImportRequest {
        register: lookups.is_some().then_some(&entries),
        ..request
    };
    let mut report = matinale_store::import::import(store, actor, request).await?;
    report.company_lookup = lookups;
    Ok(report)
}

fn count(outcome: &'static str) {
    metrics::counter!("matinale_company_lookups_total", "outcome" => outcome).increment(1);
}

/// Answers by SIRET, each kept `ttl`, at most `capacity` of them: when full, the expired go
/// first, else the oldest.
struct Cache {
    answers: Mutex<HashMap<String, (Instant, Option<RegisterEntry>)>>,
    capacity: usize,
    ttl: Duration,
}

impl Cache {
    fn new(capacity: usize, ttl: Duration) -> Self {
        Self {
            answers: Mutex::new(HashMap::new()),
            capacity,
            ttl,
        }
    }

    fn get(&self, siret: &str, now: Instant) -> Option<Option<RegisterEntry>> {
        let answers = self.answers.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        answers
            .get(siret)
            .filter(|(at, _)| now.saturating_duration_since(*at) < self.ttl)
            .map(|(_, entry)| entry.clone())
    }

    fn insert(&self, siret: &str, entry: Option<RegisterEntry>, now: Instant) {
        if self.capacity == 0 {
            return;
        }
        let mut answers = self.answers.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if answers.len() >= self.capacity && !answers.contains_key(siret) {
            answers.retain(|_, (at, _)| now.saturating_duration_since(*at) < self.ttl);
            if answers.len() >= self.capacity {
                if let Some(oldest) = answers.iter().min_by_key(|(_, (at, _))| *at).map(|(k, _)| k.clone()) {
                    answers.remove(&oldest);
                }
            }
        }
        answers.insert(siret.to_owned(), (now, entry));
    }
}

/// The service's answer to `/search` (only what is read of it; see
/// `tests/fixtures/company_search/search_siret.json`).
#[derive(Debug, Deserialize)]
struct SearchAnswer {
    #[serde(default)]
    results: Vec<Unit>,
}

/// A legal unit (SIREN) of the answer.
#[derive(Debug, Deserialize)]
struct Unit {
    siren: Option<String>,
    nom_complet: Option<String>,
    nom_raison_sociale: Option<String>,
    activite_principale: Option<String>,
    /// The ESS flag in the service's older answers (`O`/`N`).
    economie_sociale_solidaire: Option<String>,
    siege: Option<Establishment>,
    matching_etablissements: Option<Vec<Establishment>>,
    complements: Option<Complements>,
}

/// An establishment (SIRET) of a unit.
#[derive(Debug, Deserialize)]
struct Establishment {
    siret: Option<String>,
    code_postal: Option<String>,
    libelle_commune: Option<String>,
    activite_principale: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Complements {
    est_ess: Option<bool>,
    est_siae: Option<bool>,
    type_siae: Option<String>,
    est_association: Option<bool>,
}

fn filled(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

impl SearchAnswer {
    /// The entry of `siret`: its unit (by SIREN) and, when the answer holds it, its
    /// establishment (the matching one, or the head office when it is that one). `None` when
    /// the answer has no such unit.
    fn entry(&self, siret: &Siret) -> Option<RegisterEntry> {
        let unit = self
            .results
            .iter()
            .find(|u| u.siren.as_deref() == Some(siret.siren()))?;
        let is_it = |e: &&Establishment| e.siret.as_deref() == Some(siret.as_str());
        let establishment = unit
            .matching_etablissements
            .iter()
            .flatten()
            .find(is_it)
            .or(unit.siege.as_ref().filter(is_it));
        let complements = unit.complements.as_ref();
        let mut ess_kinds = Vec::new();
        if complements.and_then(|c| c.est_siae) == Some(true) {
            ess_kinds.push(EssKind::Siae);
            let types = complements.and_then(|c| c.type_siae.as_deref()).unwrap_or("");
            for word in types.split(|c: char| !c.is_ascii_alphanumeric()) {
                if let Some(kind) = EssKind::from_db(&word.to_ascii_lowercase()).filter(|k| k.is_insertion()) {
                    ess_kinds.push(kind);
                }
            }
        }
        if complements.and_then(|c| c.est_association) == Some(true) {
            ess_kinds.push(EssKind::Association);
        }
        ess_kinds.sort();
        ess_kinds.dedup();
        Some(RegisterEntry {
            name: filled(&unit.nom_raison_sociale).or_else(|| filled(&unit.nom_complet)),
            postcode: establishment
                .and_then(|e| filled(&e.code_postal))
                .and_then(|p| organisation::postcode("postcode", &p).ok()),
            commune: establishment.and_then(|e| filled(&e.libelle_commune)),
            naf: establishment
                .and_then(|e| filled(&e.activite_principale))
                .or_else(|| filled(&unit.activite_principale)),
            ess: complements
                .and_then(|c| c.est_ess)
                .or_else(|| filled(&unit.economie_sociale_solidaire).map(|f| f.eq_ignore_ascii_case("O"))),
            ess_kinds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The service's answer to `search?q=88000000000013`, as recorded in the fixture.
    const FIXTURE: &str = include_str!("../../../tests/fixtures/company_search/search_siret.json");

    fn siret(s: &str) -> Siret {
        Siret::parse("siret", s).unwrap()
    }

    #[test]
    fn the_answer_gives_the_establishment_asked_for_and_its_unit() {
        let answer: SearchAnswer = serde_json::from_str(FIXTURE).unwrap();
        let entry = answer.entry(&siret("88000000000013")).unwrap();
        assert_eq!(
            entry,
            RegisterEntry {
                name: Some("ATELIER DU REEMPLOI".into()),
                postcode: Some("94400".into()),
                commune: Some("VITRY-SUR-SEINE".into()),
                naf: Some("38.32Z".into()),
                ess: Some(true),
                ess_kinds: vec![EssKind::Siae, EssKind::Aci, EssKind::Association],
            }
        );
        // Another establishment of the same unit, not in the answer: the unit's name, flag
        // and activity, no address.
        let other = answer.entry(&siret("88000000000039")).unwrap();
        assert_eq!((other.postcode, other.commune), (None, None));
        assert_eq!(other.naf.as_deref(), Some("38.32Z"));
        // Another unit: nothing.
        assert_eq!(answer.entry(&siret("73282932000074")), None);
        let empty: SearchAnswer =
            serde_json::from_str(r#"{"results": [], "total_results": 0, "page": 1, "per_page": 1, "total_pages": 0}"#)
                .unwrap();
        assert_eq!(empty.entry(&siret("88000000000013")), None);
    }

    #[test]
    fn the_cache_keeps_answers_for_their_time_and_drops_the_oldest_when_full() {
        let cache = Cache::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        cache.insert("a", None, at(0));
        cache.insert("b", Some(RegisterEntry::default()), at(1));
        assert_eq!(cache.get("a", at(59)), Some(None));
        assert_eq!(cache.get("a", at(60)), None, "expired");
        cache.insert("c", None, at(2));
        assert_eq!(cache.get("a", at(3)), None, "the oldest made room");
        assert_eq!(cache.get("b", at(3)), Some(Some(RegisterEntry::default())));
        assert_eq!(cache.get("c", at(3)), Some(None));
    }
}
