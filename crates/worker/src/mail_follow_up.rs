//! The follow-up mail some time after an event (`follow_up_request`): the person's held
//! meetings (partner, time) and a link that opens their registration with a new manage token,
//! where they report what came of each meeting. Built by the mail worker (see
//! [`crate::outbox`]); queued once per event by the sweep ([`sweep`]).

use matinale_domain::event::Event;
use matinale_notify::templates::{EventInfo, Message};
use matinale_store::Store;
use uuid::Uuid;

use crate::calendar::meeting_entry;

/// The follow-up message of `registration_id`, or `None` when the person has no held meeting
/// any more (then the row is given up).
pub(crate) async fn message(
    db: &Store,
    public_url: &str,
    recipient_name: String,
    event: &Event,
    info: &EventInfo,
    registration_id: Uuid,
    outcome_url: String,
) -> Result<Option<Message>, matinale_store::Error> {
    let held = matinale_store::outcomes::held_meetings_of(db, registration_id, db.now()).await?;
    let mut meetings = Vec::with_capacity(held.len());
    for id in held {
        let view = matinale_store::meetings::get(db, id).await?;
        meetings.push(meeting_entry(
            &view,
            event,
            registration_id,
            public_url,
            info.organizer.clone(),
        ));
    }
    meetings.sort_by_key(|m| (m.span.starts_at, m.table));
    if meetings.is_empty() {
        return Ok(None);
    }
    Ok(Some(Message::FollowUpRequest {
        recipient_name,
        event: info.clone(),
        meetings,
        outcome_url,
    }))
}

/// One pass of the follow-up sweep, logged; the caller repeats it.
pub(crate) async fn sweep(db: &Store) {
    match matinale_store::outcomes::queue_due_follow_ups(db, db.now()).await {
        Ok(sweep) if sweep.events > 0 => {
            tracing::info!(events = sweep.events, mails = sweep.mails, "follow-up mails queued");
        }
        Ok(_) => {}
        Err(error) => tracing::error!(%error, "the follow-up sweep failed; trying again later"),
    }
}
