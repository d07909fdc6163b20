//! A stored meeting as the calendar entry of one of its sides, for the invitations the worker
//! sends and for the API's agenda calendars.

use matinale_domain::event::Event;
use matinale_domain::meeting::MeetingStatus;
use matinale_domain::partner::Viewer;
use matinale_notify::calendar::{self, Contact, Invitation, MeetingEntry, MeetingParty, Span, UidKind};
use matinale_notify::events::event_location;
use matinale_notify::links::{manage_link, uid_domain};
use matinale_store::meetings::{MeetingView, Party};
use uuid::Uuid;

/// A published meeting as the calendar entry of one of its two sides (`viewer`): the partner
/// is an `ATTENDEE` only if they consented to share their contact (and named only then, see
/// `matinale_domain::partner`), and `LOCATION` is the table then the venue.
pub fn meeting_entry(
    meeting: &MeetingView,
    event: &Event,
    viewer: Uuid,
    public_url: &str,
    organizer: Option<Contact>,
) -> MeetingEntry {
    let location = match event_location(event) {
        Some(venue) => format!("{}, {venue}", meeting.table_label),
        None => meeting.table_label.clone(),
    };
    let (me, partner) = if meeting.buyer.registration_id == viewer {
        (&meeting.buyer, &meeting.supplier)
    } else {
        (&meeting.supplier, &meeting.buyer)
    };
    let contact = |p: &Party| Contact {
        name: p.name.clone(),
        email: p.email.clone(),
    };
    // One rule (`matinale_domain::partner`): the partner's name, and so their `ATTENDEE`, only
    // with their consent; an organisation only once its claim is confirmed.
    let party = |p: &Party| {
        let recipient = p.registration_id == me.registration_id;
        MeetingParty {
            shown: p.shown_to(if recipient { Viewer::Organiser } else { Viewer::Partner }),
            recipient,
        }
    };
    let mut attendees = vec![contact(me)];
    if party(partner).shown.name.is_some() {
        attendees.push(contact(partner));
    }
    MeetingEntry {
        uid: calendar::uid_for(UidKind::Meeting, meeting.id, uid_domain(public_url)),
        sequence: meeting.sequence,
        event_title: event.fields.title.clone(),
        buyer: party(&meeting.buyer),
        supplier: party(&meeting.supplier),
        table: meeting.table,
        span: Span {
            starts_at: meeting.starts_at,
            ends_at: meeting.ends_at,
            timezone: event.fields.timezone,
        },
        invitation: Invitation {
            location: Some(location),
            url: Some(manage_link(None, public_url, viewer, event.id, None)),
            organizer,
            attendees,
        },
        cancelled: meeting.status == Some(MeetingStatus::Cancelled),
    }
}
