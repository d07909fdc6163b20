//! The store's outbox seen through `matinale_notify::worker::Outbox`.
//!
//! [`StoreOutbox`] is the bridge: it claims rows with `matinale_store::outbox` (leased,
//! exclusive across processes) and turns each into a [`Message`] by reading the event as it is
//! now (title, times, venue, organiser, calendar UID and SEQUENCE as in the `.ics` endpoints).
//! A row that cannot become a mail (unknown kind, unreadable payload, event gone) is marked
//! failed with the reason, never retried and never a panic.

use std::collections::hash_map::{Entry, HashMap};
use std::time::Duration;

use chrono::{DateTime, Utc};
use matinale_domain::event::{Event, EventStatus};
use matinale_domain::mail::MailKind;
use matinale_domain::meeting::MeetingStatus;
use matinale_notify::calendar::{Contact, MeetingEntry};
use matinale_notify::links::{invitation_link, manage_link, unsubscribe_link};
use matinale_notify::templates::{EventInfo, Message};
use matinale_notify::worker::{Envelope, Outbox, OutboxError};
use matinale_notify::Locale;
use matinale_store::outbox::{InvitationPayload, Mail, MailPayload, MANAGE_TOKEN_KEY};
use matinale_store::Store;
use uuid::Uuid;

use crate::calendar::meeting_entry;

/// The outbox table seen through `matinale_notify::worker::Outbox`.
#[derive(Clone)]
pub struct StoreOutbox {
    db: Store,
    public_url: String,
    /// `MATINALE_MANAGE_URL`, the template of the links to a registration's page.
    manage_template: Option<String>,
}

/// Why a claimed row cannot be turned into a mail.
pub(crate) enum Unsendable {
    /// Retrying will not help: mark it failed with this reason.
    Bad(String),
    /// The database failed: leave the row to its lease and try later.
    Storage(matinale_store::Error),
}

impl From<matinale_store::Error> for Unsendable {
    fn from(error: matinale_store::Error) -> Self {
        match error {
            matinale_store::Error::NotFound => Unsendable::Bad("its event no longer exists".into()),
            other => Unsendable::Storage(other),
        }
    }
}

fn storage(error: matinale_store::Error) -> OutboxError {
    OutboxError(error.to_string())
}

/// "First Last" as the payload gives them, trimmed; empty when both are.
fn full_name(first: &str, last: &str) -> String {
    format!("{} {}", first.trim(), last.trim()).trim().to_owned()
}

/// The envelope of a claimed row: its address, language and attempts (the inverse of
/// [`claim_of`]), the person's name when there is one, and the message.
fn envelope_of(row: &Mail, recipient_name: String, message: Message) -> Envelope {
    Envelope {
        id: row.id,
        to_email: row.to_email.clone(),
        to_name: Some(recipient_name).filter(|n| !n.is_empty()),
        locale: Locale::from_tag(&row.locale),
        message,
        attempts: u32::try_from(row.attempts.saturating_sub(1)).unwrap_or(0),
    }
}

/// The row's claim: the attempt count the store gave it (see `matinale_store::outbox`).
fn claim_of(envelope: &Envelope) -> i32 {
    i32::try_from(envelope.attempts).unwrap_or(i32::MAX - 1) + 1
}

impl StoreOutbox {
    /// The outbox of `db`; links in mail start with `public_url`.
    pub fn new(db: Store, public_url: impl Into<String>) -> Self {
        Self {
            db,
            public_url: public_url.into().trim_end_matches('/').to_owned(),
            manage_template: None,
        }
    }

    /// Links to registrations follow `template` (`MATINALE_MANAGE_URL`) instead of going to
    /// the built-in page.
    pub fn with_manage_url(self, template: Option<String>) -> Self {
        Self {
            manage_template: template,
            ..self
        }
    }

    /// The magic link of a registration (see [`manage_link`]), with the manage
    /// token in its fragment when the mail carries one (confirmation, waiting list, link
    /// re-sent).
    fn manage_url(&self, registration_id: Uuid, event_id: Uuid, token: Option<&str>) -> String {
        manage_link(
            self.manage_template.as_deref(),
            &self.public_url,
            registration_id,
            event_id,
            token,
        )
    }

    async fn event_info(&self, event: &Event) -> Result<EventInfo, matinale_store::Error> {
        let organizer = matinale_store::accounts::user_by_id(&self.db, event.created_by)
            .await?
            .map(|user| Contact {
                name: user.name,
                email: user.email,
            });
        Ok(EventInfo::of_event(event, &self.public_url, organizer))
    }

    /// The event of a row and what mail shows of it, read once per batch.
    async fn event<'a>(
        &self,
        id: Uuid,
        cache: &'a mut HashMap<Uuid, (Event, EventInfo)>,
    ) -> Result<&'a (Event, EventInfo), Unsendable> {
        Ok(match cache.entry(id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => {
                let event = matinale_store::events::get(&self.db, id).await?;
                let info = self.event_info(&event).await?;
                slot.insert((event, info))
            }
        })
    }

    async fn envelope(
        &self,
        row: &Mail,
        events: &mut HashMap<Uuid, (Event, EventInfo)>,
    ) -> Result<Envelope, Unsendable> {
        let kind =
            MailKind::from_db(&row.kind).ok_or_else(|| Unsendable::Bad(format!("unknown mail kind {:?}", row.kind)))?;
        if kind == MailKind::Invitation {
            return self.invitation(row, events).await;
        }
        let payload = MailPayload::from_json(&row.payload)
            .map_err(|e| Unsendable::Bad(format!("the payload of this {} mail is not readable: {e}", row.kind)))?;
        let event_id = row
            .event_id
            .or(payload.event_id)
            .ok_or_else(|| Unsendable::Bad("the mail names no event".into()))?;
        let (full, info) = self.event(event_id, events).await?;
        if full.status == EventStatus::Cancelled && !kind.survives_event_cancellation() {
            return Err(Unsendable::Bad(format!(
                "the event was cancelled before this {} mail went out",
                row.kind
            )));
        }
        let event = info.clone();
        let recipient_name = full_name(&payload.first_name, &payload.last_name);
        let details = &payload.details;
        let token_url = || match details.manage_token.as_deref() {
            Some(token) => Ok(self.manage_url(payload.registration_id, event_id, Some(token))),
            None => Err(Unsendable::Bad(format!(
                "the payload of this {} mail has no {MANAGE_TOKEN_KEY}",
                row.kind
            ))),
        };
        // Tokens are stored hashed: mails queued without one link to the page, where the link
        // from the confirmation (or a new one, by registering again) opens the registration.
        let page_url = self.manage_url(payload.registration_id, event_id, None);
        // The first mail of a registration (and a link sent again) proves its address with a
        // secret of its own.
        let verifying_url = || {
            token_url().map(|url| match details.verification_token.as_deref() {
                Some(secret) => matinale_notify::links::with_verification(&url, secret),
                None => url,
            })
        };
        let issued_at = row.created_at;
        let message = match kind {
            MailKind::RegistrationConfirmed => Message::RegistrationConfirmed {
                recipient_name: recipient_name.clone(),
                event,
                manage_url: verifying_url()?,
                issued_at,
            },
            MailKind::RegistrationWaitlisted => Message::Waitlisted {
                recipient_name: recipient_name.clone(),
                event,
                position: details
                    .waitlist_position
                    .filter(|p| *p > 0)
                    .ok_or_else(|| Unsendable::Bad("the waiting-list mail has no waitlist_position".into()))?,
                manage_url: verifying_url()?,
            },
            MailKind::RegistrationPromoted => Message::PromotedFromWaitlist {
                recipient_name: recipient_name.clone(),
                event,
                manage_url: page_url,
                issued_at,
            },
            MailKind::RegistrationCancelled => Message::RegistrationCancelled {
                recipient_name: recipient_name.clone(),
                event,
            },
            MailKind::RegistrationLink => Message::ManageLinkResent {
                recipient_name: recipient_name.clone(),
                event,
                manage_url: verifying_url()?,
            },
            MailKind::EventCancelled => Message::EventCancelled {
                recipient_name: recipient_name.clone(),
                event,
                reason: details.reason.clone(),
                issued_at,
                meetings: crate::mail_changes::cancelled_with_event(
                    &self.db,
                    &self.public_url,
                    payload.registration_id,
                    full,
                    info,
                )
                .await?,
            },
            MailKind::EventReminder => Message::Reminder {
                recipient_name: recipient_name.clone(),
                event,
                manage_url: page_url,
                meetings: self.meetings_of(payload.registration_id, full, info).await?,
            },
            MailKind::AgendaPublished => {
                let meetings = self.meetings_of(payload.registration_id, full, info).await?;
                if meetings.is_empty() {
                    return Err(Unsendable::Bad("the person has no meeting any more".into()));
                }
                Message::AgendaPublished {
                    recipient_name: recipient_name.clone(),
                    event,
                    meetings,
                    agenda_url: Some(page_url),
                    issued_at,
                }
            }
            MailKind::FollowUpRequest => crate::mail_follow_up::message(
                &self.db,
                &self.public_url,
                recipient_name.clone(),
                full,
                info,
                payload.registration_id,
                token_url()?,
            )
            .await?
            .ok_or_else(|| Unsendable::Bad("the person has no held meeting any more".into()))?,
            MailKind::MeetingCancelled => {
                let meeting_id = details
                    .meeting_id
                    .ok_or_else(|| Unsendable::Bad("the cancellation mail names no meeting".into()))?;
                let view = matinale_store::meetings::get(&self.db, meeting_id).await?;
                let mut meeting = meeting_entry(
                    &view,
                    full,
                    payload.registration_id,
                    &self.public_url,
                    info.organizer.clone(),
                );
                meeting.cancelled = true;
                Message::MeetingCancelled {
                    recipient_name: recipient_name.clone(),
                    event,
                    meeting,
                    reason: details.reason.clone(),
                    issued_at,
                }
            }
            MailKind::MeetingChanged => {
                let to = crate::mail_changes::Recipient {
                    registration_id: payload.registration_id,
                    name: recipient_name.clone(),
                    issued_at,
                };
                crate::mail_changes::meeting_changed(&self.db, &self.public_url, details, to, full, info).await?
            }
            MailKind::Invitation => return Err(Unsendable::Bad("an invitation read as a registration's mail".into())),
        };
        Ok(envelope_of(row, recipient_name, message))
    }

    /// An organiser's invitation (about no registration): the event page with the invitation's
    /// secret, and the unsubscribe link (both secrets in the payload until the mail is sent).
    async fn invitation(
        &self,
        row: &Mail,
        events: &mut HashMap<Uuid, (Event, EventInfo)>,
    ) -> Result<Envelope, Unsendable> {
        let payload = InvitationPayload::from_json(&row.payload)
            .map_err(|e| Unsendable::Bad(format!("the payload of this invitation is not readable: {e}")))?;
        let (full, info) = self.event(payload.event_id, events).await?;
        if full.status == EventStatus::Cancelled {
            return Err(Unsendable::Bad(
                "the event was cancelled before this invitation went out".into(),
            ));
        }
        let (Some(secret), Some(unsubscribe)) = (&payload.invitation_token, &payload.unsubscribe_token) else {
            return Err(Unsendable::Bad("the invitation's payload has no secrets".into()));
        };
        let recipient_name = full_name(&payload.first_name, &payload.last_name);
        let message = Message::Invitation {
            recipient_name: recipient_name.clone(),
            event: info.clone(),
            invitation_url: invitation_link(&self.public_url, payload.event_id, secret),
            unsubscribe_url: unsubscribe_link(&self.public_url, unsubscribe),
            unsubscribe_mailto: None,
        };
        Ok(envelope_of(row, recipient_name, message))
    }

    /// The published meetings of a registration still on, as invitations from the event's
    /// organiser.
    async fn meetings_of(
        &self,
        registration_id: Uuid,
        event: &Event,
        info: &EventInfo,
    ) -> Result<Vec<MeetingEntry>, Unsendable> {
        let views = matinale_store::meetings::of_registration(&self.db, registration_id).await?;
        Ok(views
            .iter()
            .filter(|m| m.status == Some(MeetingStatus::Scheduled))
            .map(|m| meeting_entry(m, event, registration_id, &self.public_url, info.organizer.clone()))
            .collect())
    }

    fn lease_lost(what: &str, envelope: &Envelope) {
        tracing::warn!(
            id = %envelope.id,
            "mail {what} after its lease was taken over by another claim; the other claim decides"
        );
    }
}

/// Counts one outcome of a delivery attempt (`matinale_mails_total`, read at `/metrics`):
/// `kind` is a mail kind's name, `outcome` one of sent, retried, failed.
fn count_mail(kind: &'static str, outcome: &'static str) {
    metrics::counter!("matinale_mails_total", "kind" => kind, "outcome" => outcome).increment(1);
}

impl Outbox for StoreOutbox {
    fn now(&self) -> DateTime<Utc> {
        self.db.now()
    }

    async fn claim(&self, limit: u32, lease: Duration) -> Result<Vec<Envelope>, OutboxError> {
        let lease = chrono::Duration::from_std(lease).map_err(|e| OutboxError(format!("lease: {e}")))?;
        let rows = matinale_store::outbox::claim(&self.db, limit, lease, self.db.now())
            .await
            .map_err(storage)?;
        let mut events = HashMap::new();
        let mut envelopes = Vec::with_capacity(rows.len());
        for row in rows {
            match self.envelope(&row, &mut events).await {
                Ok(envelope) => envelopes.push(envelope),
                Err(Unsendable::Bad(reason)) => {
                    tracing::error!(id = %row.id, kind = %row.kind, %reason, "mail cannot be built; given up");
                    count_mail(
                        MailKind::from_db(&row.kind).map_or("unknown", MailKind::as_str),
                        "failed",
                    );
                    matinale_store::outbox::mark_failed(&self.db, row.id, row.attempts, &reason)
                        .await
                        .map_err(storage)?;
                }
                // The rows stay claimed until their lease expires, then come back.
                Err(Unsendable::Storage(error)) => return Err(storage(error)),
            }
        }
        Ok(envelopes)
    }

    async fn mark_sent(&self, claimed: &Envelope) -> Result<(), OutboxError> {
        count_mail(claimed.message.kind(), "sent");
        if !matinale_store::outbox::mark_sent(&self.db, claimed.id, claim_of(claimed))
            .await
            .map_err(storage)?
        {
            Self::lease_lost("sent", claimed);
        }
        Ok(())
    }

    async fn mark_sent_many(&self, claimed: &[Envelope]) -> Result<(), OutboxError> {
        let claims: Vec<(Uuid, i32)> = claimed.iter().map(|e| (e.id, claim_of(e))).collect();
        let written = matinale_store::outbox::mark_sent_many(&self.db, &claims)
            .await
            .map_err(storage)?;
        for envelope in claimed {
            count_mail(envelope.message.kind(), "sent");
        }
        if written < claims.len() as u64 {
            tracing::warn!(
                lost = claims.len() as u64 - written,
                "some mails were sent after their lease ran out; their new claims record them"
            );
        }
        Ok(())
    }

    async fn retry_at(&self, claimed: &Envelope, at: chrono::DateTime<Utc>, error: &str) -> Result<(), OutboxError> {
        count_mail(claimed.message.kind(), "retried");
        if !matinale_store::outbox::retry_at(&self.db, claimed.id, claim_of(claimed), at, error)
            .await
            .map_err(storage)?
        {
            Self::lease_lost("deferred", claimed);
        }
        Ok(())
    }

    async fn mark_failed(&self, claimed: &Envelope, error: &str) -> Result<(), OutboxError> {
        count_mail(claimed.message.kind(), "failed");
        if !matinale_store::outbox::mark_failed(&self.db, claimed.id, claim_of(claimed), error)
            .await
            .map_err(storage)?
        {
            Self::lease_lost("given up", claimed);
        }
        Ok(())
    }
}
