//! What people are told, and how it reads: the [`Message`]s the outbox stores (as JSON,
//! tagged by `kind`) and their rendering into a [`RenderedMail`] — subject, plain text, HTML
//! and `.ics` attachments — in French, or in English for people who asked for it.
//!
//! Templates are minijinja files under `crates/notify/templates/{fr,en}/`, compiled into the
//! binary. Each message kind has a `.txt` template with a `subject` and a `body` block and an
//! `.html` template (auto-escaped, so a title like `<script>` arrives as text).

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use minijinja::Environment;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::calendar::{self, Contact, EventEntry, EventStatus, Invitation, MeetingEntry, Method, Span};
use crate::locale::{self, Locale};

/// An event as a mail needs it: a snapshot taken when the mail is queued, so the outbox
/// can render it later without reading the database again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventInfo {
    /// Calendar UID of the event (see [`calendar::uid_for`]); the same in every `.ics`.
    pub uid: String,
    /// Calendar revision of the event; cancelling the event bumps it.
    pub sequence: u32,
    /// Title, e.g. "Matinale des achats responsables — 4e édition".
    pub title: String,
    /// Short description shown in the calendar entry.
    #[serde(default)]
    pub description: String,
    /// When it takes place, and the zone its times are shown in.
    #[serde(flatten)]
    pub span: Span,
    /// Where it happens, if on site.
    pub venue: Option<Venue>,
    /// Video-conference link, if online.
    pub online_url: Option<String>,
    /// Public page of the event.
    pub url: Option<String>,
    /// Who organises it; also the `ORGANIZER` of invitations.
    pub organizer: Option<Contact>,
}

/// A venue: "Hôtel de ville, 2 avenue Youri-Gagarine, 94400 Vitry-sur-Seine".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Venue {
    /// Name of the place.
    pub name: String,
    /// Street address.
    pub address: String,
    /// Postcode.
    pub postcode: String,
    /// City.
    pub city: String,
}

impl Venue {
    /// "name, address, postcode city", the form used for `LOCATION` and in mail.
    pub fn one_line(&self) -> String {
        format!("{}, {}, {} {}", self.name, self.address, self.postcode, self.city)
    }
}

impl EventInfo {
    /// Where to go: the venue on one line, or else the online link.
    pub fn location(&self) -> Option<String> {
        self.venue
            .as_ref()
            .map(Venue::one_line)
            .or_else(|| self.online_url.clone())
    }

    /// The event as a `VEVENT` created at `dtstamp`.
    pub fn to_event_entry(&self, dtstamp: DateTime<Utc>, status: EventStatus) -> EventEntry {
        EventEntry {
            uid: self.uid.clone(),
            sequence: self.sequence,
            dtstamp,
            span: self.span,
            title: self.title.clone(),
            description: self.description.clone(),
            invitation: Invitation {
                location: self.location(),
                url: self.url.clone(),
                organizer: self.organizer.clone(),
                attendees: Vec::new(),
            },
            status,
        }
    }
}

/// Where a meeting was before it changed, to show "was: …" in the mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviousSlot {
    /// Former start.
    pub starts_at: DateTime<Utc>,
    /// Former end.
    pub ends_at: DateTime<Utc>,
    /// Former table.
    pub table: u32,
}

/// Everything a participant may be told by mail. Stored in the outbox as JSON with a
/// `kind` tag (`{"kind": "waitlisted", …}`); `issued_at` is when it was queued and becomes
/// the `DTSTAMP` of the attached calendars, so a retried mail is identical to the first try.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Message {
    /// A seat is confirmed; the event's `.ics` (PUBLISH) is attached.
    RegistrationConfirmed {
        /// Greeting name of the recipient.
        recipient_name: String,
        /// The event.
        event: EventInfo,
        /// Magic link to view, change or cancel the registration.
        manage_url: String,
        /// When the message was queued.
        issued_at: DateTime<Utc>,
    },
    /// The event or the category is full; the person is on the waiting list.
    Waitlisted {
        /// Greeting name of the recipient.
        recipient_name: String,
        /// The event.
        event: EventInfo,
        /// Position on the waiting list, 1 for first.
        position: u32,
        /// Magic link to the registration.
        manage_url: String,
    },
    /// A seat freed up and the person moved from the waiting list to confirmed; `.ics` attached.
    PromotedFromWaitlist {
        /// Greeting name of the recipient.
        recipient_name: String,
        /// The event.
        event: EventInfo,
        /// Magic link to the registration.
        manage_url: String,
        /// When the message was queued.
        issued_at: DateTime<Utc>,
    },
    /// The person cancelled their own registration.
    RegistrationCancelled {
        /// Greeting name of the recipient.
        recipient_name: String,
        /// The event.
        event: EventInfo,
    },
    /// The organiser cancelled the event; a `METHOD:CANCEL` `.ics` is attached.
    /// `event.sequence` must already be the bumped sequence of the cancelled event.
    EventCancelled {
        /// Greeting name of the recipient.
        recipient_name: String,
        /// The event.
        event: EventInfo,
        /// The organiser's explanation, if any.
        reason: Option<String>,
        /// When the message was queued.
        issued_at: DateTime<Utc>,
        /// The person's speed meetings, cancelled with the event: one `METHOD:CANCEL` each.
        #[serde(default)]
        meetings: Vec<MeetingEntry>,
    },
    /// Someone registered again with the same address: the management link is sent again.
    ManageLinkResent {
        /// Greeting name of the recipient.
        recipient_name: String,
        /// The event.
        event: EventInfo,
        /// Magic link to the registration.
        manage_url: String,
    },
    /// The day before the event.
    Reminder {
        /// Greeting name of the recipient.
        recipient_name: String,
        /// The event.
        event: EventInfo,
        /// Magic link to the registration.
        manage_url: String,
        /// The person's speed meetings, if any.
        #[serde(default)]
        meetings: Vec<MeetingEntry>,
    },
    /// The organiser published the speed-meeting schedule: one `.ics` invitation
    /// (`METHOD:REQUEST`) per meeting.
    AgendaPublished {
        /// Greeting name of the recipient.
        recipient_name: String,
        /// The event.
        event: EventInfo,
        /// The person's meetings, in time order.
        meetings: Vec<MeetingEntry>,
        /// Link to the person's agenda page or feed.
        agenda_url: Option<String>,
        /// When the message was queued.
        issued_at: DateTime<Utc>,
    },
    /// A meeting moved (time or table); the invitation is re-sent with a higher `SEQUENCE`.
    MeetingChanged {
        /// Greeting name of the recipient.
        recipient_name: String,
        /// The event.
        event: EventInfo,
        /// The meeting as it is now.
        meeting: MeetingEntry,
        /// Where it was before, if known.
        previous: Option<PreviousSlot>,
        /// When the message was queued.
        issued_at: DateTime<Utc>,
    },
    /// A meeting is cancelled: `METHOD:CANCEL`, same UID, higher `SEQUENCE`.
    MeetingCancelled {
        /// Greeting name of the recipient.
        recipient_name: String,
        /// The event.
        event: EventInfo,
        /// The cancelled meeting (its `sequence` already bumped).
        meeting: MeetingEntry,
        /// Why, if the organiser said.
        reason: Option<String>,
        /// When the message was queued.
        issued_at: DateTime<Utc>,
    },
    /// After the event: what came of each meeting (quote, contract, reserved market)?
    FollowUpRequest {
        /// Greeting name of the recipient.
        recipient_name: String,
        /// The event.
        event: EventInfo,
        /// The meetings the person had.
        #[serde(default)]
        meetings: Vec<MeetingEntry>,
        /// Where to record outcomes.
        outcome_url: String,
    },
    /// An organiser invites the person (issue 25): a link to the event page that pre-fills
    /// the form, and a one-click unsubscribe link, also given in the `List-Unsubscribe` and
    /// `List-Unsubscribe-Post` headers (RFC 8058).
    Invitation {
        /// Greeting name of the recipient (may be empty).
        recipient_name: String,
        /// The event.
        event: EventInfo,
        /// The event page with the invitation's secret (`?invitation=…`).
        invitation_url: String,
        /// The one-click unsubscribe link (an https URL in production).
        unsubscribe_url: String,
        /// A `mailto:` to unsubscribe by mail as well, if the deployment has one.
        #[serde(default)]
        unsubscribe_mailto: Option<String>,
    },
}

impl Message {
    /// The `kind` tag, also the template name: `registration_confirmed`, `waitlisted`, …
    pub fn kind(&self) -> &'static str {
        match self {
            Message::RegistrationConfirmed { .. } => "registration_confirmed",
            Message::Waitlisted { .. } => "waitlisted",
            Message::PromotedFromWaitlist { .. } => "promoted_from_waitlist",
            Message::RegistrationCancelled { .. } => "registration_cancelled",
            Message::EventCancelled { .. } => "event_cancelled",
            Message::ManageLinkResent { .. } => "manage_link_resent",
            Message::Reminder { .. } => "reminder",
            Message::AgendaPublished { .. } => "agenda_published",
            Message::MeetingChanged { .. } => "meeting_changed",
            Message::MeetingCancelled { .. } => "meeting_cancelled",
            Message::FollowUpRequest { .. } => "follow_up_request",
            Message::Invitation { .. } => "invitation",
        }
    }

    /// The event the message is about.
    pub fn event(&self) -> &EventInfo {
        match self {
            Message::RegistrationConfirmed { event, .. }
            | Message::Waitlisted { event, .. }
            | Message::PromotedFromWaitlist { event, .. }
            | Message::RegistrationCancelled { event, .. }
            | Message::EventCancelled { event, .. }
            | Message::ManageLinkResent { event, .. }
            | Message::Reminder { event, .. }
            | Message::AgendaPublished { event, .. }
            | Message::MeetingChanged { event, .. }
            | Message::MeetingCancelled { event, .. }
            | Message::FollowUpRequest { event, .. }
            | Message::Invitation { event, .. } => event,
        }
    }

    fn recipient_name(&self) -> &str {
        match self {
            Message::RegistrationConfirmed { recipient_name, .. }
            | Message::Waitlisted { recipient_name, .. }
            | Message::PromotedFromWaitlist { recipient_name, .. }
            | Message::RegistrationCancelled { recipient_name, .. }
            | Message::EventCancelled { recipient_name, .. }
            | Message::ManageLinkResent { recipient_name, .. }
            | Message::Reminder { recipient_name, .. }
            | Message::AgendaPublished { recipient_name, .. }
            | Message::MeetingChanged { recipient_name, .. }
            | Message::MeetingCancelled { recipient_name, .. }
            | Message::FollowUpRequest { recipient_name, .. }
            | Message::Invitation { recipient_name, .. } => recipient_name,
        }
    }
}

/// A file attached to a mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// File name shown to the recipient, e.g. `invitation.ics`.
    pub filename: String,
    /// Full MIME type, e.g. `text/calendar; method=REQUEST; charset=UTF-8`.
    pub content_type: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// A mail ready to be sent: what [`crate::delivery::Mailer::send`] takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenderedMail {
    /// Subject line, on one line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// Calendar files and the like.
    pub attachments: Vec<Attachment>,
    /// Extra header fields, `(name, value)`: `List-Unsubscribe` and `List-Unsubscribe-Post`
    /// of an invitation.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
}

/// A template failed to render. Our templates are compiled in and tested, so this means a
/// bug; the outbox should mark the message failed rather than retry it.
#[derive(Debug, thiserror::Error)]
#[error("mail template {template} failed: {source}")]
pub struct TemplateError {
    template: String,
    #[source]
    source: minijinja::Error,
}

macro_rules! embedded {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../templates/", $path)))),*]
    };
}

/// Every template, keyed by its path under `templates/`.
const TEMPLATES: &[(&str, &str)] = embedded![
    "layout.html",
    "fr/_event.txt",
    "fr/_event.html",
    "fr/_meetings.txt",
    "fr/_meetings.html",
    "en/_event.txt",
    "en/_event.html",
    "en/_meetings.txt",
    "en/_meetings.html",
    "fr/registration_confirmed.txt",
    "fr/registration_confirmed.html",
    "fr/waitlisted.txt",
    "fr/waitlisted.html",
    "fr/promoted_from_waitlist.txt",
    "fr/promoted_from_waitlist.html",
    "fr/registration_cancelled.txt",
    "fr/registration_cancelled.html",
    "fr/event_cancelled.txt",
    "fr/event_cancelled.html",
    "fr/manage_link_resent.txt",
    "fr/manage_link_resent.html",
    "fr/reminder.txt",
    "fr/reminder.html",
    "fr/agenda_published.txt",
    "fr/agenda_published.html",
    "fr/meeting_changed.txt",
    "fr/meeting_changed.html",
    "fr/meeting_cancelled.txt",
    "fr/meeting_cancelled.html",
    "fr/follow_up_request.txt",
    "fr/follow_up_request.html",
    "en/registration_confirmed.txt",
    "en/registration_confirmed.html",
    "en/waitlisted.txt",
    "en/waitlisted.html",
    "en/promoted_from_waitlist.txt",
    "en/promoted_from_waitlist.html",
    "en/registration_cancelled.txt",
    "en/registration_cancelled.html",
    "en/event_cancelled.txt",
    "en/event_cancelled.html",
    "en/manage_link_resent.txt",
    "en/manage_link_resent.html",
    "en/reminder.txt",
    "en/reminder.html",
    "en/agenda_published.txt",
    "en/agenda_published.html",
    "en/meeting_changed.txt",
    "en/meeting_changed.html",
    "en/meeting_cancelled.txt",
    "en/meeting_cancelled.html",
    "en/follow_up_request.txt",
    "en/follow_up_request.html",
    "fr/invitation.txt",
    "fr/invitation.html",
    "en/invitation.txt",
    "en/invitation.html",
];

/// The compiled templates. Built once: they are constants of the binary, not configuration.
fn environment() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        for (name, source) in TEMPLATES {
            // A syntax error surfaces as a TemplateError on first use (and in the tests).
            if let Err(error) = env.add_template(name, source) {
                tracing::error!(template = name, %error, "mail template does not compile");
            }
        }
        env
    })
}

/// Renders `message` in `locale`: subject, text, HTML and calendar attachments.
pub fn render(message: &Message, locale: Locale) -> Result<RenderedMail, TemplateError> {
    let env = environment();
    let context = context(message, locale);
    let text_name = format!("{}/{}.txt", locale.tag(), message.kind());
    let html_name = format!("{}/{}.html", locale.tag(), message.kind());
    let failed = |template: &str| {
        let template = template.to_owned();
        move |source| TemplateError { template, source }
    };

    let text_template = env.get_template(&text_name).map_err(failed(&text_name))?;
    let mut captured = text_template.render_captured(&context).map_err(failed(&text_name))?;
    let (subject, text) = captured
        .with_state_mut(|state| {
            Ok::<_, minijinja::Error>((state.render_block("subject")?, state.render_block("body")?))
        })
        .map_err(failed(&text_name))?;
    let html = env
        .get_template(&html_name)
        .and_then(|t| t.render(&context))
        .map_err(failed(&html_name))?;

    Ok(RenderedMail {
        subject: one_line(&subject),
        text: normalise_text(&text),
        html,
        attachments: attachments(message, locale),
        headers: headers(message),
    })
}

/// The header fields a message adds: an invitation's one-click unsubscribe (RFC 8058; RFC 2369
/// for the `mailto:`).
fn headers(message: &Message) -> Vec<(String, String)> {
    match message {
        Message::Invitation {
            unsubscribe_url,
            unsubscribe_mailto,
            ..
        } => {
            let mut list = format!("<{unsubscribe_url}>");
            if let Some(mailto) = unsubscribe_mailto {
                list.push_str(&format!(", <{mailto}>"));
            }
            vec![
                ("List-Unsubscribe".to_owned(), list),
                (
                    "List-Unsubscribe-Post".to_owned(),
                    "List-Unsubscribe=One-Click".to_owned(),
                ),
            ]
        }
        _ => Vec::new(),
    }
}

/// Subjects are one line: a title with a line break must not leak into other headers.
fn one_line(subject: &str) -> String {
    // Only ASCII white space and control characters: no-break spaces before « : » stay.
    subject
        .split(|c: char| c.is_ascii_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Trims trailing spaces, collapses runs of blank lines left by conditional blocks and ends
/// with exactly one newline.
fn normalise_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn event_context(event: &EventInfo, locale: Locale) -> Value {
    let Span {
        starts_at,
        ends_at,
        timezone,
    } = event.span;
    json!({
        "title": event.title,
        "when": locale::format_span(starts_at, ends_at, timezone, locale),
        "date": locale::format_date(starts_at, timezone, locale),
        "starts": locale::format_datetime(starts_at, timezone, locale),
        "venue": event.venue.as_ref().map(Venue::one_line),
        "online_url": event.online_url.as_deref().and_then(web_link),
        "url": event.url.as_deref().and_then(web_link),
        "organizer": event.organizer.as_ref().map(|o| &o.name),
    })
}

/// Only http(s) links become `href`s; a `javascript:` URL typed by an organiser does not.
fn web_link(url: &str) -> Option<&str> {
    let lower = url.trim_start().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(url)
}

fn meeting_context(meeting: &MeetingEntry, locale: Locale) -> Value {
    let Span {
        starts_at,
        ends_at,
        timezone,
    } = meeting.span;
    json!({
        "time": time_range(starts_at, ends_at, timezone, locale),
        "date": locale::format_date(starts_at, timezone, locale),
        "table": meeting.table,
        "start": locale::format_time(starts_at, timezone, locale),
        "buyer": meeting.buyer.shown.label(locale.domain()),
        "supplier": meeting.supplier.shown.label(locale.domain()),
    })
}

/// The other side of a meeting for its recipient, as the recipient may see them.
fn partner(meeting: &MeetingEntry, locale: Locale) -> String {
    let other = if meeting.buyer.recipient {
        &meeting.supplier
    } else {
        &meeting.buyer
    };
    other.shown.label(locale.domain())
}

fn time_range(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, tz: Tz, locale: Locale) -> String {
    let (from, to) = (
        locale::format_time(starts_at, tz, locale),
        locale::format_time(ends_at, tz, locale),
    );
    match locale {
        Locale::Fr => format!("de {from} à {to}"),
        Locale::En => format!("{from}–{to}"),
    }
}

fn context(message: &Message, locale: Locale) -> Value {
    let mut context = json!({
        "lang": locale.tag(),
        "name": message.recipient_name(),
        "event": event_context(message.event(), locale),
    });
    let meetings = |list: &[MeetingEntry]| -> Vec<Value> { list.iter().map(|m| meeting_context(m, locale)).collect() };
    let extra = match message {
        Message::RegistrationConfirmed { manage_url, .. }
        | Message::PromotedFromWaitlist { manage_url, .. }
        | Message::ManageLinkResent { manage_url, .. } => json!({ "manage_url": manage_url }),
        Message::Waitlisted {
            position, manage_url, ..
        } => json!({ "position": position, "manage_url": manage_url }),
        Message::RegistrationCancelled { .. } => json!({}),
        Message::EventCancelled {
            reason, meetings: list, ..
        } => json!({ "reason": reason, "meetings": meetings(list) }),
        Message::Reminder {
            manage_url,
            meetings: list,
            ..
        } => json!({ "manage_url": manage_url, "meetings": meetings(list) }),
        Message::AgendaPublished {
            meetings: list,
            agenda_url,
            ..
        } => json!({ "meetings": meetings(list), "agenda_url": agenda_url }),
        Message::MeetingChanged { meeting, previous, .. } => json!({
            "meeting": meeting_context(meeting, locale),
            "partner": partner(meeting, locale),
            "previous": previous.as_ref().map(|p| json!({
                "start": locale::format_time(p.starts_at, meeting.span.timezone, locale),
                "time": time_range(p.starts_at, p.ends_at, meeting.span.timezone, locale),
                "date": locale::format_date(p.starts_at, meeting.span.timezone, locale),
                "table": p.table,
            })),
        }),
        Message::MeetingCancelled { meeting, reason, .. } => {
            json!({ "meeting": meeting_context(meeting, locale), "reason": reason })
        }
        Message::FollowUpRequest {
            meetings: list,
            outcome_url,
            ..
        } => json!({ "meetings": meetings(list), "outcome_url": outcome_url }),
        Message::Invitation {
            invitation_url,
            unsubscribe_url,
            ..
        } => json!({ "invitation_url": invitation_url, "unsubscribe_url": unsubscribe_url }),
    };
    if let (Some(context), Value::Object(extra)) = (context.as_object_mut(), extra) {
        context.extend(extra);
    }
    context
}

fn calendar_attachment(filename: &str, method: Method, entries: &[EventEntry], calname: &str) -> Attachment {
    Attachment {
        filename: filename.to_owned(),
        content_type: method.content_type(),
        bytes: calendar::render_calendar(method, entries, calname).into_bytes(),
    }
}

fn attachments(message: &Message, locale: Locale) -> Vec<Attachment> {
    let (invitation, cancellation, meeting_file) = match locale {
        Locale::Fr => ("invitation.ics", "annulation.ics", "rendez-vous"),
        Locale::En => ("invitation.ics", "cancellation.ics", "meeting"),
    };
    match message {
        Message::RegistrationConfirmed { event, issued_at, .. }
        | Message::PromotedFromWaitlist { event, issued_at, .. } => vec![calendar_attachment(
            invitation,
            Method::Publish,
            &[event.to_event_entry(*issued_at, EventStatus::Confirmed)],
            &event.title,
        )],
        Message::EventCancelled {
            event,
            issued_at,
            meetings,
            ..
        } => {
            // One calendar per UID (RFC 5546 wants one UID per iTIP object): the event's, then
            // each meeting's.
            let mut files = vec![calendar_attachment(
                cancellation,
                Method::Cancel,
                &[event.to_event_entry(*issued_at, EventStatus::Cancelled)],
                &event.title,
            )];
            files.extend(meetings.iter().enumerate().map(|(index, meeting)| {
                let mut entry = meeting.to_event_entry(locale, *issued_at);
                entry.status = EventStatus::Cancelled;
                calendar_attachment(
                    &format!("{meeting_file}-{}-{cancellation}", index + 1),
                    Method::Cancel,
                    &[entry],
                    &event.title,
                )
            }));
            files
        }
        Message::AgendaPublished {
            event,
            meetings,
            issued_at,
            ..
        } => meetings
            .iter()
            .enumerate()
            .map(|(index, meeting)| {
                calendar_attachment(
                    &format!("{meeting_file}-{}.ics", index + 1),
                    Method::Request,
                    &[meeting.to_event_entry(locale, *issued_at)],
                    &event.title,
                )
            })
            .collect(),
        Message::MeetingChanged {
            event,
            meeting,
            issued_at,
            ..
        } => vec![calendar_attachment(
            &format!("{meeting_file}.ics"),
            Method::Request,
            &[meeting.to_event_entry(locale, *issued_at)],
            &event.title,
        )],
        Message::MeetingCancelled {
            event,
            meeting,
            issued_at,
            ..
        } => {
            let mut entry = meeting.to_event_entry(locale, *issued_at);
            entry.status = EventStatus::Cancelled;
            vec![calendar_attachment(
                cancellation,
                Method::Cancel,
                &[entry],
                &event.title,
            )]
        }
        Message::Waitlisted { .. }
        | Message::RegistrationCancelled { .. }
        | Message::ManageLinkResent { .. }
        | Message::Reminder { .. }
        | Message::FollowUpRequest { .. }
        | Message::Invitation { .. } => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_template_compiles() {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn subjects_are_kept_on_one_line() {
        assert_eq!(one_line("  Votre inscription\r\nBcc: x "), "Votre inscription Bcc: x");
    }

    #[test]
    fn blank_line_runs_collapse() {
        assert_eq!(normalise_text("\n a \n\n\n\nb  \n\n"), "a\n\nb\n");
    }
}
