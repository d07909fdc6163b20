//! Request and response bodies: the HTTP shape, separate from entities; one module per
//! resource, with the list envelope and the PATCH helpers (`nullable`, `patched`) shared here.
//! A domain value answered as it is (series, meeting block, interest) is its own body and has
//! no DTO here.

use matinale_domain::page::Page;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

pub mod account;
pub mod auth;
pub mod calendars;
pub mod events;
pub mod health;
pub mod invitations;
pub mod meeting_blocks;
pub mod meeting_changes;
pub mod meeting_preferences;
pub mod meetings;
pub mod members;
pub mod needs;
pub mod organisations;
pub mod outbox;
pub mod outcomes;
pub mod participants;
pub mod personal_data;
pub mod registrations;
pub mod replan;
pub mod reports;
pub mod series;
pub mod stands;
pub mod users;
pub mod wishes;

/// Distinguishes "absent" (`None`) from "null" (`Some(None)`) in a PATCH body.
pub fn nullable<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The current values of a resource with a PATCH body merged over them, as JSON: each member
/// the patch sends replaces the current one (`null` clears a nullable one), the others stay.
/// Patch structs skip their absent members when serialised; members the values do not hold
/// (an event's `status`) are ignored here and applied by the caller. The result is raw again:
/// the domain checks it as it checks a new resource.
pub fn patched<D: Serialize + DeserializeOwned>(
    current: &D,
    patch: &impl Serialize,
) -> Result<D, matinale_domain::Error> {
    let unreadable = |e: serde_json::Error| matinale_domain::Error::field("", "invalid", e.to_string());
    let mut merged = serde_json::to_value(current).map_err(unreadable)?;
    if let (Some(values), serde_json::Value::Object(changes)) =
        (merged.as_object_mut(), serde_json::to_value(patch).map_err(unreadable)?)
    {
        values.extend(changes);
    }
    serde_path_to_error::deserialize(merged)
        .map_err(|e| matinale_domain::Error::field(e.path().to_string(), "invalid", e.inner().to_string()))
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListResponse<T: ToSchema> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Page number, from 1.
    pub page: u64,
    /// Page size (at most 200).
    pub per_page: u64,
    /// Matching items in all.
    pub total: u64,
}

impl<T: ToSchema> ListResponse<T> {
    /// Converts a page of domain values.
    pub fn from_page<U>(page: Page<U>, f: impl FnMut(U) -> T) -> Self {
        let request = page.request;
        let total = page.total;
        Self {
            items: page.items.into_iter().map(f).collect(),
            page: request.page,
            per_page: request.per_page,
            total,
        }
    }
}

/// A page of values that are their own response.
impl<T: ToSchema> From<Page<T>> for ListResponse<T> {
    fn from(page: Page<T>) -> Self {
        Self::from_page(page, |item| item)
    }
}

#[cfg(test)]
mod tests {
    use matinale_domain::event::{EventDraft, EventKind};
    use matinale_domain::organisation::{OrganisationDraft, OrganisationKind};

    use super::events::PatchEventRequest;
    use super::organisations::PatchOrganisationRequest;
    use super::patched;

    #[test]
    fn a_patch_replaces_what_it_sends_clears_what_it_nulls_and_keeps_the_rest() {
        let current = OrganisationDraft {
            kind: Some(OrganisationKind::PublicBuyer),
            name: "Orly".into(),
            siret: Some("21940054800019".into()),
            website: Some("https://www.mairie-orly.fr".into()),
            description: "Commune".into(),
            sectors: vec!["voirie".into()],
            ..OrganisationDraft::default()
        };
        // `kind: null` on a field that cannot be cleared leaves it as it is, as absent does.
        let patch: PatchOrganisationRequest =
            serde_json::from_str(r#"{"name": "Ville d'Orly", "website": null, "kind": null, "labels": ["Lucie"]}"#)
                .expect("a valid patch");
        let merged = patched(&current, &patch).expect("merged");
        assert_eq!(
            merged,
            OrganisationDraft {
                name: "Ville d'Orly".into(),
                website: None,
                labels: vec!["Lucie".into()],
                ..current
            }
        );
    }

    #[test]
    fn an_event_patch_replaces_quotas_and_venue_as_wholes() {
        let at = |t: &str| chrono::DateTime::parse_from_rfc3339(t).expect("a time");
        let current = EventDraft {
            series_id: None,
            kind: EventKind::Matinale,
            title: "Matinale".into(),
            description: String::new(),
            starts_at: at("2026-11-05T08:30:00+01:00"),
            ends_at: at("2026-11-05T12:00:00+01:00"),
            timezone: "Europe/Paris".into(),
            venue: None,
            online_url: Some("https://visio.example.org/m".into()),
            capacity: 100,
            quotas: [Some(10), None, Some(5), None],
            registration_opens_at: None,
            registration_closes_at: None,
            follow_up_days: Some(15),
        };
        let patch: PatchEventRequest = serde_json::from_str(
            r#"{"quotas": {"ess_structure": 20}, "venue": {"name": "Hôtel de ville", "postcode": "94310", "city": "Orly"},
                "online_url": null, "status": "published"}"#,
        )
        .expect("a valid patch");
        let merged = patched(&current, &patch).expect("merged");
        assert_eq!(merged.quotas, [None, Some(20), None, None]);
        let venue = merged.venue.as_ref().expect("a venue");
        assert_eq!((venue.name.as_str(), venue.address.as_str()), ("Hôtel de ville", ""));
        assert_eq!(merged.online_url, None);
        assert_eq!(merged.follow_up_days, Some(15));
        assert_eq!(merged.starts_at, current.starts_at);
    }
}
