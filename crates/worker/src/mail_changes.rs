//! The mails of changes after publication, built by the mail worker ([`crate::outbox`]): a
//! meeting moved or added by hand (a new `METHOD:REQUEST` with the meeting's current
//! `SEQUENCE`, and where it was before), and the meetings an event's cancellation took with it
//! (one `METHOD:CANCEL` each, inside the person's `event_cancelled` mail).

use chrono::{DateTime, Utc};
use matinale_domain::event::Event;
use matinale_domain::meeting::MeetingStatus;
use matinale_notify::calendar::MeetingEntry;
use matinale_notify::templates::{EventInfo, Message, PreviousSlot};
use matinale_store::outbox::MailDetails;
use matinale_store::Store;
use uuid::Uuid;

use crate::calendar::meeting_entry;
use crate::outbox::Unsendable;

/// Who a mail is for and when it was queued.
pub(crate) struct Recipient {
    /// Their registration.
    pub registration_id: Uuid,
    /// Greeting name.
    pub name: String,
    /// When the row was queued (the `DTSTAMP`).
    pub issued_at: DateTime<Utc>,
}

/// The invitation of a moved or added meeting, as the meeting is now.
pub(crate) async fn meeting_changed(
    db: &Store,
    public_url: &str,
    details: &MailDetails,
    to: Recipient,
    event: &Event,
    info: &EventInfo,
) -> Result<Message, Unsendable> {
    let meeting_id = details
        .meeting_id
        .ok_or_else(|| Unsendable::Bad("the payload of this meeting_changed mail names no meeting".into()))?;
    let view = matinale_store::meetings::get(db, meeting_id).await?;
    if view.status == Some(MeetingStatus::Cancelled) {
        // Its cancellation has its own mail; a REQUEST now would bring it back.
        return Err(Unsendable::Bad("the meeting was cancelled since".into()));
    }
    let meeting = meeting_entry(&view, event, to.registration_id, public_url, info.organizer.clone());
    Ok(Message::MeetingChanged {
        recipient_name: to.name,
        event: info.clone(),
        meeting,
        // Absent for a meeting added by hand.
        previous: details.previous.map(|p| PreviousSlot {
            starts_at: p.starts_at,
            ends_at: p.ends_at,
            table: p.table,
        }),
        issued_at: to.issued_at,
    })
}

/// The person's meetings that the event's cancellation cancelled, each ready for its
/// `METHOD:CANCEL`.
pub(crate) async fn cancelled_with_event(
    db: &Store,
    public_url: &str,
    registration_id: Uuid,
    event: &Event,
    info: &EventInfo,
) -> Result<Vec<MeetingEntry>, Unsendable> {
    let views = matinale_store::meeting_changes::cancelled_with_event(db, registration_id).await?;
    Ok(views
        .iter()
        .map(|view| {
            let mut entry = meeting_entry(view, event, registration_id, public_url, info.organizer.clone());
            entry.cancelled = true;
            entry
        })
        .collect())
}
