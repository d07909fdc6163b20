//! Mail kept in the outbox: what each row announces and where its delivery stands.

text_enum! {
    /// Where an outbox row stands: `queued` → `sending` (claimed by a worker, under a lease)
    /// → `sent` or `failed`; a failed attempt that may succeed later goes back to `queued`.
    MailStatus {
        /// Waiting for its next attempt.
        Queued => "queued",
        /// Claimed by a worker until its lease expires.
        Sending => "sending",
        /// Accepted by the mail server.
        Sent => "sent",
        /// Given up: refused for good, unreadable, or too many attempts.
        Failed => "failed",
    }
}

text_enum! {
    /// What an outbox row announces (its stored `kind`).
    MailKind {
        /// A seat is confirmed.
        RegistrationConfirmed => "registration_confirmed",
        /// The person is on the waiting list.
        RegistrationWaitlisted => "registration_waitlisted",
        /// A seat freed up and the person got it.
        RegistrationPromoted => "registration_promoted",
        /// The registration was cancelled.
        RegistrationCancelled => "registration_cancelled",
        /// The management link, sent again after a second registration with the same e-mail.
        RegistrationLink => "registration_link",
        /// The organiser cancelled the event.
        EventCancelled => "event_cancelled",
        /// The event starts within a day.
        EventReminder => "event_reminder",
        /// The speed-meeting timetable was published and the person's agenda changed.
        AgendaPublished => "agenda_published",
        /// A published meeting was cancelled.
        MeetingCancelled => "meeting_cancelled",
        /// An organiser moved a published meeting or added one by hand: a new invitation.
        MeetingChanged => "meeting_changed",
        /// Some time after the event: what came of the person's meetings?
        FollowUpRequest => "follow_up_request",
        /// An organiser's invitation to an event, with a link that pre-fills its page and a
        /// one-click unsubscribe link (about no registration).
        Invitation => "invitation",
    }
}

impl MailKind {
    /// Whether the mail still makes sense once its event is cancelled: only the news of a
    /// cancellation does; a confirmation or a reminder sent afterwards would mislead.
    pub fn survives_event_cancellation(self) -> bool {
        matches!(self, MailKind::EventCancelled | MailKind::RegistrationCancelled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_texts_read_back() {
        for kind in MailKind::ALL {
            assert_eq!(MailKind::from_db(kind.as_str()), Some(*kind));
        }
        for status in MailStatus::ALL {
            assert_eq!(MailStatus::from_db(status.as_str()), Some(*status));
        }
        assert_eq!(MailKind::from_db("registration_unknown"), None);
    }

    #[test]
    fn only_cancellation_news_outlive_a_cancelled_event() {
        assert!(MailKind::EventCancelled.survives_event_cancellation());
        assert!(MailKind::RegistrationCancelled.survives_event_cancellation());
        assert!(!MailKind::RegistrationConfirmed.survives_event_cancellation());
        assert!(!MailKind::EventReminder.survives_event_cancellation());
    }
}
