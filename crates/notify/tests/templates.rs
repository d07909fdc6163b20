//! Every message in French and English: golden subject and bodies, attachments read back
//! by the independent iCalendar parser, HTML escaping, and the outbox's JSON form.

mod common;

use common::{check_ics, matinale, meeting, prop, utc};
use matinale_notify::templates::{render, Message, PreviousSlot, RenderedMail};
use matinale_notify::Locale;

const MANAGE: &str = "https://matinale.example.org/registrations/0190f3c4?token=s3cr3t";

fn issued_at() -> chrono::DateTime<chrono::Utc> {
    utc("2026-11-02T10:00:00Z")
}

fn all_messages() -> Vec<Message> {
    let event = matinale;
    let recipient_name = || "Claire Dubois".to_owned();
    let agenda = vec![
        meeting(1, "2026-11-25T10:00:00+01:00", "2026-11-25T10:15:00+01:00", 4),
        meeting(2, "2026-11-25T10:20:00+01:00", "2026-11-25T10:35:00+01:00", 7),
    ];
    let mut moved = meeting(2, "2026-11-25T10:40:00+01:00", "2026-11-25T10:55:00+01:00", 9);
    moved.sequence = 1;
    let mut cancelled = meeting(1, "2026-11-25T10:00:00+01:00", "2026-11-25T10:15:00+01:00", 4);
    cancelled.sequence = 1;
    cancelled.cancelled = true;
    let mut cancelled_event = event();
    cancelled_event.sequence = 1;
    vec![
        Message::RegistrationConfirmed {
            recipient_name: recipient_name(),
            event: event(),
            manage_url: MANAGE.into(),
            issued_at: issued_at(),
        },
        Message::Waitlisted {
            recipient_name: recipient_name(),
            event: event(),
            position: 3,
            manage_url: MANAGE.into(),
        },
        Message::PromotedFromWaitlist {
            recipient_name: recipient_name(),
            event: event(),
            manage_url: MANAGE.into(),
            issued_at: issued_at(),
        },
        Message::RegistrationCancelled {
            recipient_name: recipient_name(),
            event: event(),
        },
        Message::EventCancelled {
            recipient_name: recipient_name(),
            event: cancelled_event,
            reason: Some("La salle n'est plus disponible ; une nouvelle date sera annoncée.".into()),
            issued_at: issued_at(),
            meetings: Vec::new(),
        },
        Message::ManageLinkResent {
            recipient_name: recipient_name(),
            event: event(),
            manage_url: MANAGE.into(),
        },
        Message::Reminder {
            recipient_name: recipient_name(),
            event: event(),
            manage_url: MANAGE.into(),
            meetings: agenda.clone(),
        },
        Message::AgendaPublished {
            recipient_name: recipient_name(),
            event: event(),
            meetings: agenda.clone(),
            agenda_url: Some("https://matinale.example.org/calendars/f33d.ics".into()),
            issued_at: issued_at(),
        },
        Message::MeetingChanged {
            recipient_name: recipient_name(),
            event: event(),
            meeting: moved,
            previous: Some(PreviousSlot {
                starts_at: utc("2026-11-25T10:20:00+01:00"),
                ends_at: utc("2026-11-25T10:35:00+01:00"),
                table: 7,
            }),
            issued_at: issued_at(),
        },
        Message::MeetingCancelled {
            recipient_name: recipient_name(),
            event: event(),
            meeting: cancelled,
            reason: None,
            issued_at: issued_at(),
        },
        Message::FollowUpRequest {
            recipient_name: recipient_name(),
            event: event(),
            meetings: agenda,
            outcome_url: "https://matinale.example.org/registrations/0190f3c4/outcomes?token=s3cr3t".into(),
        },
        Message::Invitation {
            recipient_name: recipient_name(),
            event: event(),
            invitation_url: "https://matinale.example.org/e/0190f3c4?invitation=mi_s3cr3t".into(),
            unsubscribe_url: "https://matinale.example.org/unsubscribe/mu_s3cr3t".into(),
            unsubscribe_mailto: Some("mailto:desinscription@matinale.example.org?subject=unsubscribe".into()),
        },
    ]
}

fn golden(mail: &RenderedMail) -> String {
    let attachments: Vec<String> = mail
        .attachments
        .iter()
        .map(|a| format!("{} ({}, {} bytes)", a.filename, a.content_type, a.bytes.len()))
        .collect();
    // Header fields only where a message adds some (the snapshots of the others stay as recorded).
    let headers: String = mail.headers.iter().map(|(n, v)| format!("{n}: {v}\n")).collect();
    format!(
        "Subject: {}\n{headers}Attachments: {}\n\n--- text ---\n{}\n--- html ---\n{}",
        mail.subject,
        attachments.join("; "),
        mail.text,
        mail.html
    )
}

#[test]
fn every_message_renders_in_french_and_english_as_recorded() {
    for message in all_messages() {
        for locale in [Locale::Fr, Locale::En] {
            let mail = render(&message, locale).unwrap_or_else(|e| panic!("{} {locale:?}: {e}", message.kind()));
            assert!(!mail.subject.contains('\n'));
            assert!(mail.text.ends_with('\n'));
            insta::assert_snapshot!(format!("{}_{}", message.kind(), locale.tag()), golden(&mail));
        }
    }
}

#[test]
fn the_confirmation_reads_naturally_in_french() {
    let mail = render(&all_messages()[0], Locale::Fr).expect("renders");
    assert_eq!(
        mail.subject,
        "Votre inscription à «\u{a0}Matinale des achats responsables — 4e édition\u{a0}» est confirmée"
    );
    assert!(mail.text.starts_with("Bonjour Claire Dubois,\n"));
    assert!(mail.text.contains("mercredi 25 novembre 2026, de 9 h 00 à 12 h 30"));
    assert!(mail.text.contains(MANAGE));
    assert_eq!(mail.attachments.len(), 1);
    assert_eq!(
        mail.attachments[0].content_type,
        "text/calendar; method=PUBLISH; charset=UTF-8"
    );
}

#[test]
fn every_attached_calendar_passes_the_independent_parser() {
    for message in all_messages() {
        for locale in [Locale::Fr, Locale::En] {
            let mail = render(&message, locale).expect("renders");
            for attachment in &mail.attachments {
                let ics = std::str::from_utf8(&attachment.bytes).expect("UTF-8 calendar");
                let method = attachment
                    .content_type
                    .split("method=")
                    .nth(1)
                    .and_then(|rest| rest.split(';').next())
                    .expect("method parameter");
                let Some(parsed) = check_ics(ics) else { return };
                assert_eq!(prop(parsed.component("VCALENDAR"), "METHOD")["value"], method);
                for vevent in parsed.components("VEVENT") {
                    let expected = if method == "CANCEL" { "CANCELLED" } else { "CONFIRMED" };
                    assert_eq!(prop(vevent, "STATUS")["value"], expected, "{}", message.kind());
                    assert_eq!(prop(vevent, "DTSTART")["params"]["TZID"], "Europe/Paris");
                }
            }
        }
    }
}

#[test]
fn the_agenda_carries_one_request_per_meeting_and_the_cancellation_reuses_the_uid() {
    let messages = all_messages();
    let agenda = render(&messages[7], Locale::Fr).expect("renders");
    assert_eq!(agenda.attachments.len(), 2);
    assert!(agenda
        .attachments
        .iter()
        .all(|a| a.content_type == "text/calendar; method=REQUEST; charset=UTF-8"));
    let cancelled = render(&messages[9], Locale::Fr).expect("renders");
    assert_eq!(
        cancelled.attachments[0].content_type,
        "text/calendar; method=CANCEL; charset=UTF-8"
    );
    let first = String::from_utf8_lossy(&agenda.attachments[0].bytes).replace("\r\n ", "");
    let cancel = String::from_utf8_lossy(&cancelled.attachments[0].bytes).replace("\r\n ", "");
    let uid = |ics: &str| ics.lines().find_map(|l| l.strip_prefix("UID:")).map(str::to_owned);
    assert_eq!(uid(&first), uid(&cancel));
    assert!(first.contains("SEQUENCE:0\r\n"));
    assert!(cancel.contains("SEQUENCE:1\r\n"));
}

#[test]
fn html_bodies_escape_what_people_typed() {
    let mut event = matinale();
    event.title = "<script>alert('x')</script> & « Co »".into();
    event.url = Some("javascript:alert(1)".into());
    let message = Message::Waitlisted {
        recipient_name: "<b>Zoé</b>".into(),
        event,
        position: 1,
        manage_url: MANAGE.into(),
    };
    for locale in [Locale::Fr, Locale::En] {
        let mail = render(&message, locale).expect("renders");
        assert!(!mail.html.contains("<script>"), "{}", mail.html);
        assert!(!mail.html.contains("<b>Zoé"));
        assert!(mail.html.contains("&lt;script&gt;"));
        assert!(mail.html.contains("&amp; « Co »"));
        assert!(!mail.html.contains("javascript:"));
        // The text body is not HTML: it shows the characters as typed.
        assert!(mail.text.contains("<b>Zoé</b>"));
    }
}

#[test]
fn messages_survive_the_outbox_json_round_trip() {
    for message in all_messages() {
        let json = serde_json::to_value(&message).expect("serialises");
        assert_eq!(json["kind"], message.kind());
        let back: Message = serde_json::from_value(json).expect("deserialises");
        assert_eq!(back, message);
    }
    let stored = serde_json::json!({
        "kind": "waitlisted",
        "recipient_name": "Karim",
        "position": 2,
        "manage_url": MANAGE,
        "event": {
            "uid": "event-1@matinale", "sequence": 0, "title": "Forum",
            "starts_at": "2026-11-12T14:00:00+01:00", "ends_at": "2026-11-12T17:00:00+01:00",
            "venue": null, "online_url": "https://visio.example.org/forum", "url": null,
            "organizer": null
        }
    });
    let message: Message = serde_json::from_value(stored).expect("timezone defaults to Paris");
    let mail = render(&message, Locale::Fr).expect("renders");
    assert!(mail.text.contains("jeudi 12 novembre 2026, de 14 h 00 à 17 h 00"));
    assert!(mail.text.contains("En ligne\u{a0}: https://visio.example.org/forum"));
}
