//! Delivery against a real SMTP server (`tests/support/smtp_sink.py`, aiosmtpd), a server
//! that is down, one that refuses the recipient, and the `.eml` directory transport.

mod common;

use std::time::Duration;

use common::{check_ics, matinale, meeting, prop, utc, SmtpSink};
use mail_parser::{MessageParser, MimeHeaders};
use matinale_notify::delivery::{DeliveryError, Mailer, MailerConfig, OutgoingMail};
use matinale_notify::templates::{render, Message};
use matinale_notify::Locale;

const FROM: &str = "Matinale Grand-Orly Seine Bièvre <noreply@matinale.example.org>";

fn agenda_mail(message_id: &str) -> OutgoingMail {
    let message = Message::AgendaPublished {
        recipient_name: "Élodie Martin".into(),
        event: matinale(),
        meetings: vec![
            meeting(1, "2026-11-25T10:00:00+01:00", "2026-11-25T10:15:00+01:00", 4),
            meeting(2, "2026-11-25T10:20:00+01:00", "2026-11-25T10:35:00+01:00", 7),
        ],
        agenda_url: None,
        issued_at: utc("2026-11-02T10:00:00Z"),
    };
    OutgoingMail {
        to_email: "elodie.martin@vitry.example".into(),
        to_name: Some("Élodie Martin".into()),
        from: FROM.into(),
        message_id: message_id.into(),
        rendered: render(&message, Locale::Fr).expect("renders"),
    }
}

#[tokio::test]
async fn an_agenda_goes_through_a_real_smtp_server_with_its_invitations() {
    let Some(sink) = SmtpSink::start(&[]) else {
        return;
    };
    let mailer = Mailer::smtp(&sink.url(), Duration::from_secs(10)).expect("valid URL");
    let mail = agenda_mail("<outbox-0190f3c4-aaaa@matinale>");
    mailer.send(&mail).await.expect("delivered");

    let received = sink.wait_for(1, Duration::from_secs(10));
    let (raw, envelope) = &received[0];
    assert_eq!(envelope["rcpt_tos"][0], "elodie.martin@vitry.example");
    assert_eq!(envelope["mail_from"], "noreply@matinale.example.org");

    let parsed = MessageParser::default().parse(raw).expect("parseable message");
    assert_eq!(
        parsed.subject(),
        Some("Vos rendez-vous à «\u{a0}Matinale des achats responsables — 4e édition\u{a0}»")
    );
    let to = parsed.to().and_then(|to| to.first()).expect("To");
    assert_eq!(to.address(), Some("elodie.martin@vitry.example"));
    assert_eq!(to.name(), Some("Élodie Martin"));
    assert_eq!(parsed.message_id(), Some("outbox-0190f3c4-aaaa@matinale"));
    assert_eq!(
        parsed.header_raw("Auto-Submitted").map(str::trim),
        Some("auto-generated")
    );
    let text = parsed.body_text(0).expect("text part");
    assert!(text.contains("Bonjour Élodie Martin,"));
    assert!(text.contains("mercredi 25 novembre 2026, de 10 h 00 à 10 h 15, table 4"));
    let html = parsed.body_html(0).expect("html part");
    assert!(html.contains("<table"));

    let calendars: Vec<_> = parsed
        .attachments()
        .filter(|part| {
            part.content_type()
                .is_some_and(|ct| ct.ctype() == "text" && ct.subtype() == Some("calendar"))
        })
        .collect();
    assert_eq!(calendars.len(), 2);
    for part in calendars {
        let content_type = part.content_type().expect("content type");
        assert_eq!(content_type.attribute("method"), Some("REQUEST"));
        assert!(part.attachment_name().is_some_and(|n| n.ends_with(".ics")));
        let ics = std::str::from_utf8(part.contents()).expect("UTF-8 calendar");
        assert!(ics.contains("METHOD:REQUEST\r\n"), "CRLF kept through SMTP:\n{ics}");
        if let Some(calendar) = check_ics(ics) {
            assert_eq!(prop(calendar.component("VCALENDAR"), "METHOD")["value"], "REQUEST");
            assert_eq!(
                prop(calendar.component("VEVENT"), "DTSTART")["params"]["TZID"],
                "Europe/Paris"
            );
        }
    }
}

#[tokio::test]
async fn a_mail_server_that_is_down_is_a_transient_failure() {
    // Bind then drop: the port is known to be free and nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mailer = Mailer::smtp(&format!("smtp://127.0.0.1:{port}"), Duration::from_secs(5)).expect("valid URL");
    let error = mailer
        .send(&agenda_mail("<outbox-down@matinale>"))
        .await
        .expect_err("nothing listens");
    assert!(matches!(error, DeliveryError::Connect(_)), "{error:?}");
    assert!(error.is_transient());
    assert_eq!(error.smtp_code(), None);
}

#[tokio::test]
async fn a_refused_recipient_is_a_permanent_failure_and_a_deferral_is_transient() {
    let Some(refusing) = SmtpSink::start(&["--rcpt-reply", "550 5.1.1 No such user here"]) else {
        return;
    };
    let mailer = Mailer::smtp(&refusing.url(), Duration::from_secs(10)).expect("valid URL");
    let error = mailer
        .send(&agenda_mail("<outbox-550@matinale>"))
        .await
        .expect_err("refused");
    assert!(matches!(error, DeliveryError::Rejected(_)), "{error:?}");
    assert!(!error.is_transient());
    assert_eq!(error.smtp_code(), Some(550));
    drop(refusing);

    let Some(deferring) = SmtpSink::start(&["--rcpt-reply", "451 4.7.1 Greylisted, try later"]) else {
        return;
    };
    let mailer = Mailer::smtp(&deferring.url(), Duration::from_secs(10)).expect("valid URL");
    let error = mailer
        .send(&agenda_mail("<outbox-451@matinale>"))
        .await
        .expect_err("deferred");
    assert!(error.is_transient(), "{error:?}");
    assert_eq!(error.smtp_code(), Some(451));
    assert_eq!(deferring.received(), 0);
}

#[tokio::test]
async fn a_bad_address_is_permanent_and_nothing_is_sent() {
    let mut mail = agenda_mail("<outbox-bad@matinale>");
    mail.to_email = "not an address".into();
    let dir = tempfile::tempdir().expect("temp dir");
    let error = Mailer::directory(dir.path())
        .send(&mail)
        .await
        .expect_err("invalid address");
    assert!(matches!(error, DeliveryError::InvalidAddress { role: "recipient", .. }));
    assert!(!error.is_transient());

    let mut mail = agenda_mail("<outbox-header@matinale>");
    mail.message_id = "<a@b>\r\nBcc: victim@example.org".into();
    let error = Mailer::directory(dir.path()).send(&mail).await.expect_err("bad id");
    assert!(matches!(error, DeliveryError::InvalidMessageId(_)));
    assert_eq!(std::fs::read_dir(dir.path()).map(|d| d.count()).unwrap_or(0), 0);
}

#[tokio::test]
async fn without_smtp_url_mail_is_written_as_a_parseable_eml_file_named_by_message_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = MailerConfig {
        smtp_url: None,
        mail_dir: dir.path().join("mail-out"),
        timeout: Duration::from_secs(5),
    };
    let mailer = Mailer::new(&config).expect("directory transport");
    assert!(mailer.describe().starts_with("dir:"));
    let mail = agenda_mail("<outbox-0190f3c4-bbbb@matinale>");
    mailer.send(&mail).await.expect("written");
    // A retry of the same outbox row overwrites the same file instead of adding one.
    mailer.send(&mail).await.expect("written again");

    let files: Vec<_> = std::fs::read_dir(dir.path().join("mail-out"))
        .expect("mail dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["outbox-0190f3c4-bbbb@matinale.eml"]);

    let raw = std::fs::read(dir.path().join("mail-out").join(&files[0])).expect("eml");
    let parsed = MessageParser::default().parse(&raw).expect("parseable .eml");
    assert!(parsed.subject().is_some_and(|s| s.starts_with("Vos rendez-vous")));
    assert!(parsed
        .body_text(0)
        .is_some_and(|t| t.contains("Structure de l'ESS\u{a0}: Rejoué")));
    assert_eq!(parsed.attachments().count(), 2);
}
