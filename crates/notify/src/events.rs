//! What calendars and mails show of a Matinale event: one conversion from the domain's
//! [`Event`], used by the `.ics` routes of the API and by the mail worker alike.

use matinale_domain::event::{Event, EventStatus as DomainStatus, Venue as DomainVenue};

use crate::calendar::{self, Contact, EventEntry, EventStatus, Span, UidKind};
use crate::links::{event_link, uid_domain};
use crate::templates::{EventInfo, Venue};

impl From<&DomainVenue> for Venue {
    fn from(v: &DomainVenue) -> Self {
        Venue {
            name: v.name.clone(),
            address: v.address.clone(),
            postcode: v.postcode.clone(),
            city: v.city.clone(),
        }
    }
}

impl EventInfo {
    /// The event as a mail shows it, links and UID under `public_url`; `organizer` sends
    /// its invitations.
    pub fn of_event(event: &Event, public_url: &str, organizer: Option<Contact>) -> Self {
        let f = &event.fields;
        EventInfo {
            uid: calendar::uid_for(UidKind::Event, event.id, uid_domain(public_url)),
            // SEQUENCE follows the event's version, so that the same state renders the same bytes.
            sequence: u32::try_from(event.version.saturating_sub(1)).unwrap_or(0),
            title: f.title.clone(),
            description: f.description.clone(),
            span: Span {
                starts_at: f.starts_at,
                ends_at: f.ends_at,
                timezone: f.timezone,
            },
            venue: f.venue.as_ref().map(Venue::from),
            online_url: f.online_url.clone(),
            url: Some(event_link(public_url, event.id)),
            organizer,
        }
    }
}

impl EventEntry {
    /// An event as a VEVENT. The UID never changes; SEQUENCE follows the event's version, and
    /// DTSTAMP its last change, so that the same state always renders the same bytes.
    pub fn of_event(event: &Event, public_url: &str) -> Self {
        let status = if event.status == DomainStatus::Cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        };
        EventInfo::of_event(event, public_url, None).to_event_entry(event.updated_at, status)
    }
}

/// Where an event takes place, for `LOCATION`: "name, address, postcode city", else its online
/// link.
pub fn event_location(event: &Event) -> Option<String> {
    let f = &event.fields;
    f.venue
        .as_ref()
        .map(|v| Venue::from(v).one_line())
        .or_else(|| f.online_url.clone())
}
