//! Mail through the outbox worker to a real SMTP server (`tests/support/smtp_sink.py`,
//! aiosmtpd), on SQLite or PostgreSQL: what arrives, in which language, with which calendar;
//! and the faults — the server down, a worker dying mid-batch, several workers at once.
//!
//! Without python3 and aiosmtpd a test skips loudly; with `CI` set it fails.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use matinale_api::Config;
use matinale_domain::mail::MailStatus;
use matinale_domain::user::Role;
use matinale_notify::worker::Outbox;
use matinale_worker::{mailer, MailWorker, StoreOutbox};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::calendars::{parse_ics, value, vevents};
use crate::meeting_blocks::count;
use crate::support::{cancel_own, created, fields, open_matinale, problem, spawn_app, spawn_app_with, TestApp};

/// The SMTP sink and its start-up, shared with `matinale-notify`'s own tests.
#[path = "../../crates/notify/tests/common/mod.rs"]
pub(crate) mod notify_common;

/// Longest wait for mail that should arrive.
const PATIENCE: Duration = Duration::from_secs(30);

/// A real SMTP server on loopback (aiosmtpd), read without blocking the test's runtime, on
/// which the worker under test runs too.
pub(crate) struct SmtpSink(notify_common::SmtpSink);

impl SmtpSink {
    /// On any free port; `None` (skipped loudly, or a failure with `CI` set) when python3 or
    /// aiosmtpd is missing.
    pub(crate) fn start() -> Option<Self> {
        notify_common::SmtpSink::start(&[]).map(Self)
    }

    /// On `port` (a later `--port` overrides the sink's default `--port 0`).
    fn start_on(port: u16) -> Option<Self> {
        notify_common::SmtpSink::start(&["--port", &port.to_string()]).map(Self)
    }

    pub(crate) fn url(&self) -> String {
        self.0.url()
    }

    /// Everything received so far, in arrival order.
    pub(crate) fn received(&self) -> Vec<Received> {
        (1..)
            .map_while(|n| {
                let eml = std::fs::read(self.0.dir().join(format!("{n}.eml"))).ok()?;
                let envelope = std::fs::read(self.0.dir().join(format!("{n}.json"))).ok()?;
                Some(Received::parse(&eml, &envelope))
            })
            .collect()
    }

    /// Waits until `count` mails have arrived, then returns them.
    pub(crate) async fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "the SMTP server received {} of {count} mails",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// A mail as the server received it, parsed by `mail-parser`.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    rcpt_to: Vec<String>,
    message_id: String,
    to_name: Option<String>,
    pub(crate) subject: String,
    pub(crate) text: String,
    pub(crate) html: String,
    /// (METHOD parameter of the part, calendar text) of each `text/calendar` attachment.
    pub(crate) calendars: Vec<(String, String)>,
    /// The `List-Unsubscribe` and `List-Unsubscribe-Post` header fields, as sent.
    pub(crate) list_unsubscribe: Option<String>,
    pub(crate) list_unsubscribe_post: Option<String>,
}

impl Received {
    fn parse(raw: &[u8], envelope: &[u8]) -> Self {
        let envelope: Value = serde_json::from_slice(envelope).expect("envelope JSON");
        let parsed = MessageParser::default().parse(raw).expect("a parseable message");
        let calendars = parsed
            .attachments()
            .filter(|part| {
                part.content_type()
                    .is_some_and(|ct| ct.ctype() == "text" && ct.subtype() == Some("calendar"))
            })
            .map(|part| {
                let method = part
                    .content_type()
                    .and_then(|ct| ct.attribute("method"))
                    .unwrap_or_default()
                    .to_owned();
                (
                    method,
                    String::from_utf8(part.contents().to_vec()).expect("UTF-8 calendar"),
                )
            })
            .collect();
        Self {
            rcpt_to: envelope["rcpt_tos"]
                .as_array()
                .expect("rcpt_tos")
                .iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect(),
            message_id: parsed.message_id().expect("Message-ID").to_owned(),
            to_name: parsed
                .to()
                .and_then(|to| to.first())
                .and_then(|a| a.name())
                .map(str::to_owned),
            subject: parsed.subject().expect("Subject").to_owned(),
            text: parsed.body_text(0).expect("text part").into_owned(),
            html: parsed.body_html(0).expect("HTML part").into_owned(),
            calendars,
            // Unfolded: a long field may be folded at its white space.
            list_unsubscribe: parsed
                .header_raw("List-Unsubscribe")
                .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" ")),
            list_unsubscribe_post: parsed.header_raw("List-Unsubscribe-Post").map(|v| v.trim().to_owned()),
        }
    }

    pub(crate) fn to(&self) -> &str {
        self.rcpt_to.first().map(String::as_str).unwrap_or_default()
    }
}

/// The mails to `email`.
fn to<'a>(mails: &'a [Received], email: &str) -> Vec<&'a Received> {
    mails.iter().filter(|m| m.to() == email).collect()
}

/// Fails if a Message-ID arrived twice; returns how many arrived per Message-ID.
fn assert_each_once(mails: &[Received]) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for m in mails {
        *seen.entry(&m.message_id).or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
}

/// The app with a worker that mails a fresh [`SmtpSink`] quickly; `None` where the sink
/// cannot run (see [`SmtpSink::start`]).
pub(crate) async fn app_with_sink() -> Option<(SmtpSink, TestApp)> {
    let sink = SmtpSink::start()?;
    let smtp = sink.url();
    let app = spawn_app_with(|c| fast_worker(c, &smtp)).await;
    Some((sink, app))
}

/// A worker that notices new mail at once and retries quickly.
pub(crate) fn fast_worker(config: &mut Config, smtp_url: &str) {
    config.worker = true;
    config.smtp_url = Some(smtp_url.to_owned());
    config.worker_idle = Duration::from_millis(50);
    config.worker_lease = Duration::from_secs(10);
    config.mail_retry_base = Duration::from_millis(100);
    config.reminder_sweep = Duration::from_millis(100);
}

/// The configuration of an extra worker (another process) on `app`'s database.
pub(crate) fn worker_config(app: &TestApp, smtp_url: &str) -> Config {
    let mut config = Config {
        database_url: app.database_url.clone(),
        public_url: app.address.clone(),
        ..Config::default()
    };
    fast_worker(&mut config, smtp_url);
    config
}

fn rfc3339(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A published event open for registration now, far in the future.
async fn open_event(app: &TestApp, token: &str, title: &str, capacity: u32) -> String {
    let mut body = open_matinale();
    body["title"] = json!(title);
    body["capacity"] = json!(capacity);
    app.create_event(token, &body).await["id"]
        .as_str()
        .expect("event id")
        .to_owned()
}

/// Registers `email` (first name Éloïse) in `locale`; returns the 201 body.
async fn register(app: &TestApp, event: &str, email: &str, last_name: &str, locale: &str) -> Value {
    let body = json!({
        "category": "visitor",
        "person": {"first_name": "Éloïse", "last_name": last_name, "email": email},
        "locale": locale,
    });
    created(app, &format!("/api/v1/events/{event}/registrations"), None, body).await
}

/// `GET /outbox` with `query`, as `token`.
async fn outbox(app: &TestApp, token: &str, query: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/outbox?per_page=200{query}"), Some(token))
        .await;
    let status = r.status();
    let body: Value = r.json().await.expect("outbox JSON");
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Polls `GET /outbox` until `done` holds for its items.
async fn outbox_until(app: &TestApp, token: &str, query: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let items = outbox(app, token, query).await["items"]
            .as_array()
            .expect("items")
            .clone();
        if done(&items) {
            return items;
        }
        assert!(Instant::now() < deadline, "the outbox never got there: {items:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the outbox is at rest: every row sent or given up, none queued or being sent.
/// Then no worker has anything left to deliver (a sent or failed row is never claimed again),
/// and the SMTP sink holds every mail sent (it writes a mail before accepting it, so before its
/// row is marked sent): what "nothing more arrives" checks after it. Returns the rows sent.
pub(crate) async fn outbox_at_rest(app: &TestApp) -> usize {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let pending = count(
            app,
            "SELECT COUNT(*) AS n FROM outbox WHERE status IN ('queued', 'sending')",
            vec![],
        )
        .await;
        if pending == 0 {
            let sent = count(app, "SELECT COUNT(*) AS n FROM outbox WHERE status = 'sent'", vec![]).await;
            return usize::try_from(sent).expect("a count");
        }
        assert!(
            Instant::now() < deadline,
            "{pending} mails are still queued or being sent"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn a_registration_is_confirmed_by_mail_in_french_with_the_event_invitation() {
    let Some((sink, app)) = app_with_sink().await else {
        return;
    };
    let org = app.organiser().await;
    let event = open_event(&app, &org, "Matinale des achats responsables ; 4e édition", 80).await;
    let registration = register(&app, &event, "eloise.martin@vitry.example", "Martin", "fr").await;
    let id = registration["id"].as_str().unwrap();
    let token = registration["manage_token"].as_str().unwrap();

    let mails = sink.wait_for(1).await;
    let mail = &mails[0];
    assert_eq!(mail.to(), "eloise.martin@vitry.example");
    assert_eq!(mail.to_name.as_deref(), Some("Éloïse Martin"));
    assert!(
        mail.subject.starts_with("Votre inscription à «")
            && mail.subject.contains("Matinale des achats responsables ; 4e édition")
            && mail.subject.ends_with("est confirmée"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("Bonjour Éloïse Martin,"), "{}", mail.text);
    assert!(mail.text.contains("Votre inscription à"), "{}", mail.text);
    assert!(mail
        .text
        .contains("Centre culturel, 1 place du Fer-à-Cheval, 94310 Orly"));
    // The magic link carries, besides the manage token, a secret of its own that proves the
    // mailbox (issue #21): the 201's token proves nothing about it.
    let page = format!("{}/r/{id}?e={event}&verify=mv_", app.address);
    let at = mail
        .text
        .find(&page)
        .unwrap_or_else(|| panic!("the magic link:\n{}", mail.text));
    let link: String = mail.text[at..].chars().take_while(|c| !c.is_whitespace()).collect();
    let (query, fragment) = link.split_once('#').expect("a fragment");
    assert_eq!(fragment, format!("token={token}"), "{link}");
    let secret = query.split("verify=").nth(1).expect("the secret");
    assert_ne!(secret, token);
    let verification = format!("/api/v1/registrations/{id}/email-verification");
    let r = app.post(&verification, None, &json!({"token": token})).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "the manage token proves no mailbox");
    let r = app.post(&verification, None, &json!({"token": secret})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r: Value = app
        .get(&format!("/api/v1/registrations/{id}"), Some(token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["email_verified"], true, "{r}");
    // "Programme et informations pratiques" opens the event's public page, not the JSON API.
    let event_page = format!("{}/e/{event}", app.address);
    assert!(mail.text.contains(&event_page), "the event page:\n{}", mail.text);
    assert!(mail.html.contains("Bonjour"));

    // The Message-ID is the outbox row's, on the public host.
    let rows = outbox_until(&app, &org, "", |items| items.iter().all(|m| m["status"] == "sent")).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        mail.message_id,
        format!("outbox-{}@127.0.0.1", rows[0]["id"].as_str().unwrap())
    );
    assert_eq!(rows[0]["kind"], "registration_confirmed");
    assert_eq!(rows[0]["event_id"], event.as_str());
    assert!(rows[0]["sent_at"].is_string());
    assert!(rows[0]["payload"].get("manage_token").is_none(), "{}", rows[0]);
    assert_eq!(rows[0]["payload"]["first_name"], "Éloïse");

    // Once sent, the token is gone from the row too.
    let stored = matinale_store::outbox::for_registration(&app.db, id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(stored[0].status, MailStatus::Sent);
    assert!(
        stored[0].payload.get("manage_token").is_none(),
        "{:?}",
        stored[0].payload
    );

    // The invitation is the event's own calendar entry: same UID, same SEQUENCE.
    assert_eq!(mail.calendars.len(), 1);
    let (method, ics) = &mail.calendars[0];
    assert_eq!(method, "PUBLISH");
    let feed = app
        .get(&format!("/api/v1/events/{event}/calendar.ics"), None)
        .await
        .text()
        .await
        .unwrap();
    let (Some(invitation), Some(feed)) = (parse_ics(ics), parse_ics(&feed)) else {
        return;
    };
    let (vevent, published) = (vevents(&invitation)[0], vevents(&feed)[0]);
    assert_eq!(value(vevent, "UID"), value(published, "UID"));
    assert_eq!(value(vevent, "SEQUENCE"), value(published, "SEQUENCE"));
    assert_eq!(
        value(vevent, "SUMMARY"),
        "Matinale des achats responsables ; 4e édition"
    );
    assert_eq!(value(vevent, "STATUS"), "CONFIRMED");
    assert_eq!(
        value(vevent, "LOCATION"),
        "Centre culturel, 1 place du Fer-à-Cheval, 94310 Orly"
    );
    assert!(value(vevent, "ORGANIZER").contains("@test.matinale"));
    assert!(ics.contains("METHOD:PUBLISH\r\n"));
}

#[tokio::test]
async fn english_registrants_get_english_mail_and_the_waitlisted_their_position() {
    let Some((sink, app)) = app_with_sink().await else {
        return;
    };
    let org = app.organiser().await;
    let event = open_event(&app, &org, "Forum du réemploi", 1).await;
    let first = register(&app, &event, "ada@example.org", "Lovelace", "en").await;
    assert_eq!(first["status"], "confirmed");
    let second = register(&app, &event, "bea@example.org", "Bernard", "fr").await;
    assert_eq!(second["waitlist_position"], 1);
    let third = register(&app, &event, "cy@example.org", "Young", "en").await;
    assert_eq!(third["waitlist_position"], 2);

    let mails = sink.wait_for(3).await;
    let ada = to(&mails, "ada@example.org");
    assert_eq!(ada.len(), 1);
    assert_eq!(ada[0].subject, "Your registration for “Forum du réemploi” is confirmed");
    assert!(ada[0].text.starts_with("Hello Éloïse Lovelace,"), "{}", ada[0].text);
    assert_eq!(ada[0].calendars.len(), 1);

    let bea = to(&mails, "bea@example.org");
    assert!(bea[0].subject.starts_with("Liste d'attente pour"), "{}", bea[0].subject);
    assert!(bea[0].text.contains("en position 1."), "{}", bea[0].text);
    assert!(bea[0].calendars.is_empty(), "no invitation while waiting");

    let cy = to(&mails, "cy@example.org");
    assert_eq!(cy[0].subject, "Waiting list for “Forum du réemploi”");
    assert!(cy[0].text.contains("in position 2."), "{}", cy[0].text);
    let link = format!(
        "{}/r/{}?e={event}&verify=mv_",
        app.address,
        third["id"].as_str().unwrap()
    );
    assert!(cy[0].text.contains(&link), "{}", cy[0].text);
    let token = format!("#token={}", third["manage_token"].as_str().unwrap());
    assert!(cy[0].text.contains(&token), "{}", cy[0].text);
    assert_eq!(outbox_at_rest(&app).await, 3);
    let mails = sink.received();
    assert_eq!(mails.len(), 3);
    assert_each_once(&mails);
}

#[tokio::test]
async fn cancelling_the_event_sends_a_method_cancel_to_every_live_registrant() {
    let Some((sink, app)) = app_with_sink().await else {
        return;
    };
    let org = app.organiser().await;
    let event = open_event(&app, &org, "Matinale de Vitry", 1).await;
    register(&app, &event, "confirmed@example.org", "Un", "fr").await;
    register(&app, &event, "waiting@example.org", "Deux", "en").await;
    let gone = register(&app, &event, "gone@example.org", "Trois", "fr").await;
    cancel_own(&app, &gone).await;
    // Confirmed, two waiting-list notices, and the cancellation of the third.
    let before = sink.wait_for(4).await;
    let invitation = to(&before, "confirmed@example.org")[0].calendars[0].1.clone();

    let r = app
        .post(&format!("/api/v1/events/{event}/cancel"), Some(&org), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let mails = sink.wait_for(6).await;
    assert_eq!(outbox_at_rest(&app).await, 6);
    let mails_now = sink.received();
    assert_eq!(mails_now.len(), 6, "one cancellation per live registration only");
    assert_each_once(&mails_now);

    let confirmed = to(&mails, "confirmed@example.org");
    let cancel = confirmed.last().unwrap();
    assert!(
        cancel.subject.starts_with("Annulation") && cancel.subject.contains("Matinale de Vitry"),
        "{}",
        cancel.subject
    );
    assert!(cancel.text.contains("est annulé"), "{}", cancel.text);
    assert_eq!(cancel.calendars.len(), 1);
    let (method, ics) = &cancel.calendars[0];
    assert_eq!(method, "CANCEL");
    assert!(ics.contains("METHOD:CANCEL\r\n"));
    let waiting = to(&mails, "waiting@example.org");
    assert_eq!(
        waiting.last().unwrap().subject,
        "Cancelled: “Matinale de Vitry” will not take place"
    );
    assert_eq!(to(&mails, "gone@example.org").len(), 2, "no news for who had cancelled");

    let (Some(before), Some(after)) = (parse_ics(&invitation), parse_ics(ics)) else {
        return;
    };
    let (first, last) = (vevents(&before)[0], vevents(&after)[0]);
    assert_eq!(value(first, "UID"), value(last, "UID"), "the same calendar entry");
    let seq = |c: &Value| value(c, "SEQUENCE").parse::<u32>().unwrap();
    assert!(
        seq(last) > seq(first),
        "SEQUENCE grows: {} then {}",
        seq(first),
        seq(last)
    );
    assert_eq!(value(last, "STATUS"), "CANCELLED");
    assert!(value(last, "ORGANIZER").contains("@test.matinale"));
}

#[tokio::test]
async fn mail_waits_while_smtp_is_down_and_goes_out_once_when_it_returns() {
    // Bind then drop: a free port on which nothing listens yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let app = spawn_app_with(|c| fast_worker(c, &format!("smtp://127.0.0.1:{port}"))).await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, "Matinale pendant la panne", 80).await;
    for n in 0..3 {
        register(&app, &event, &format!("p{n}@example.org"), "Panne", "fr").await;
    }
    // Each mail was tried, failed, and waits in the queue with the reason.
    let queued = outbox_until(&app, &org, "&status=queued", |items| {
        items.len() == 3
            && items
                .iter()
                .all(|m| m["attempts"].as_i64() >= Some(1) && m["last_error"].is_string())
    })
    .await;
    assert!(queued[0]["last_error"].as_str().unwrap().contains("unavailable"));
    assert!(queued[0]["payload"].get("manage_token").is_none());

    let Some(sink) = SmtpSink::start_on(port) else { return };
    let mails = sink.wait_for(3).await;
    assert_eq!(outbox_at_rest(&app).await, 3);
    let mails_now = sink.received();
    assert_eq!(mails_now.len(), 3, "none twice: {mails:#?}");
    assert_each_once(&mails_now);
    for n in 0..3 {
        assert_eq!(to(&mails_now, &format!("p{n}@example.org")).len(), 1);
    }
    assert_eq!(outbox(&app, &org, "&status=queued").await["total"], 0);
}

#[tokio::test]
async fn a_worker_killed_mid_batch_leaves_the_rest_to_the_next_after_its_lease() {
    let Some(sink) = SmtpSink::start() else { return };
    let app = spawn_app().await; // no worker in the server: this test plays the workers
    let org = app.organiser().await;
    let event = open_event(&app, &org, "Matinale interrompue", 80).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let r = register(&app, &event, &format!("k{n}@example.org"), "Kill", "fr").await;
        ids.push(r["id"].as_str().unwrap().parse::<uuid::Uuid>().unwrap());
    }

    // The first worker claims all three for a short lease, delivers one, and dies.
    let config = worker_config(&app, &sink.url());
    let crashed = StoreOutbox::new(app.db.clone(), app.address.clone());
    let claimed = crashed.claim(10, Duration::from_secs(2)).await.unwrap();
    assert_eq!(claimed.len(), 3);
    assert!(
        crashed.claim(10, Duration::from_millis(1)).await.unwrap().is_empty(),
        "claimed rows are nobody else's while the lease runs"
    );
    let first = matinale_notify::worker::deliver_batch(
        &OneEnvelope {
            inner: &crashed,
            envelope: std::sync::Mutex::new(Some(claimed[0].clone())),
        },
        &mailer(&config.worker_settings()).unwrap(),
        &matinale_worker::worker_config(&config.worker_settings()),
    )
    .await
    .unwrap();
    assert_eq!(first.sent, 1);
    drop(crashed);

    // The next worker (another pool, as another process would have) finds the two others
    // once the lease has run out: the clock moves past it.
    app.clock.advance(chrono::Duration::seconds(3));
    let next = MailWorker::start(
        app.another_pool().await,
        &config.worker_settings(),
        mailer(&config.worker_settings()).unwrap(),
    );
    let mails = sink.wait_for(3).await;
    assert_eq!(outbox_at_rest(&app).await, 3);
    next.stop().await;
    let mails_now = sink.received();
    assert_eq!(mails_now.len(), 3, "{mails:#?}");
    assert_each_once(&mails_now);
    let retried = matinale_store::outbox::for_registration(&app.db, ids[1]).await.unwrap();
    assert_eq!(retried[0].attempts, 2, "a claim that died counts as an attempt");

    // The dead worker's late outcome for a row it lost is ignored.
    let late = StoreOutbox::new(app.db.clone(), app.address.clone());
    late.mark_failed(&claimed[1], "late news from a dead worker")
        .await
        .unwrap();
    let row = &matinale_store::outbox::for_registration(&app.db, ids[1]).await.unwrap()[0];
    assert_eq!(row.status, MailStatus::Sent);
    assert!(
        !matinale_store::outbox::mark_sent(&app.db, ids[1], 1).await.unwrap(),
        "the first claim (attempt 1) no longer holds the row"
    );
}

/// An outbox that hands out one given envelope, to deliver a single claimed row.
struct OneEnvelope<'a> {
    inner: &'a StoreOutbox,
    envelope: std::sync::Mutex<Option<matinale_notify::worker::Envelope>>,
}

impl Outbox for OneEnvelope<'_> {
    async fn claim(
        &self,
        _limit: u32,
        _lease: Duration,
    ) -> Result<Vec<matinale_notify::worker::Envelope>, matinale_notify::worker::OutboxError> {
        Ok(self.envelope.lock().unwrap().take().into_iter().collect())
    }

    async fn mark_sent(
        &self,
        claimed: &matinale_notify::worker::Envelope,
    ) -> Result<(), matinale_notify::worker::OutboxError> {
        self.inner.mark_sent(claimed).await
    }

    async fn retry_at(
        &self,
        claimed: &matinale_notify::worker::Envelope,
        at: chrono::DateTime<Utc>,
        error: &str,
    ) -> Result<(), matinale_notify::worker::OutboxError> {
        self.inner.retry_at(claimed, at, error).await
    }

    async fn mark_failed(
        &self,
        claimed: &matinale_notify::worker::Envelope,
        error: &str,
    ) -> Result<(), matinale_notify::worker::OutboxError> {
        self.inner.mark_failed(claimed, error).await
    }
}

#[tokio::test]
async fn several_workers_on_one_database_send_each_mail_exactly_once() {
    let Some(sink) = SmtpSink::start() else { return };
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, "Matinale très demandée", 200).await;
    const PEOPLE: usize = 40;
    for n in 0..PEOPLE {
        register(&app, &event, &format!("w{n}@example.org"), "Worker", "fr").await;
    }
    // Four workers, each with its own pool as separate processes would have, small batches
    // so that their claims interleave.
    let mut config = worker_config(&app, &sink.url());
    config.worker_batch = 4;
    config.worker_idle = Duration::from_millis(10);
    let mut workers = Vec::new();
    for _ in 0..4 {
        let db = matinale_store::connect(&app.database_url).await.unwrap();
        workers.push(MailWorker::start(
            db,
            &config.worker_settings(),
            mailer(&config.worker_settings()).unwrap(),
        ));
    }
    sink.wait_for(PEOPLE).await;
    assert_eq!(outbox_at_rest(&app).await, PEOPLE);
    for worker in workers {
        worker.stop().await;
    }
    let mails = sink.received();
    assert_eq!(mails.len(), PEOPLE);
    assert_each_once(&mails);
    let per_person: HashMap<&str, usize> = mails.iter().fold(HashMap::new(), |mut acc, m| {
        *acc.entry(m.to()).or_default() += 1;
        acc
    });
    assert!(per_person.values().all(|n| *n == 1), "{per_person:?}");
    let rows = outbox(&app, &org, "").await;
    assert!(
        rows["items"].as_array().unwrap().iter().all(|m| m["attempts"] == 1),
        "no row was claimed twice"
    );
}

#[tokio::test]
async fn reminders_go_out_the_day_before_once_and_not_to_late_registrants() {
    let Some((sink, app)) = app_with_sink().await else {
        return;
    };
    let org = app.organiser().await;
    let event = open_event(&app, &org, "Matinale de demain", 80).await;
    register(&app, &event, "early@example.org", "Tôt", "fr").await;
    register(&app, &event, "early-en@example.org", "Early", "en").await;
    let gone = register(&app, &event, "gone@example.org", "Parti", "fr").await;
    cancel_own(&app, &gone).await;
    // The event moves to the day after tomorrow: its reminder is due in a day, after the
    // registrations above; the clock then moves past that, before the one below.
    let starts = app.clock.now() + chrono::Duration::hours(48);
    let patch = json!({
        "starts_at": rfc3339(starts),
        "ends_at": rfc3339(starts + chrono::Duration::hours(3)),
        "registration_closes_at": rfc3339(starts),
    });
    let r = app.patch(&format!("/api/v1/events/{event}"), Some(&org), &patch).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());
    app.clock
        .advance(chrono::Duration::hours(24) + chrono::Duration::seconds(1));
    register(&app, &event, "late@example.org", "Tard", "fr").await;
    // A day later the organiser's sign-in has expired: an admin signed in now reads the outbox.
    let org = app.account(Role::Admin).await.1;

    // Confirmations (3), the cancellation (1), two reminders.
    let rows = outbox_until(&app, &org, &format!("&event={event}"), |items| {
        items
            .iter()
            .filter(|m| m["kind"] == "event_reminder" && m["status"] == "sent")
            .count()
            == 2
            && items.iter().all(|m| m["status"] == "sent")
    })
    .await;
    let mails = sink.wait_for(7).await;
    // Whatever the sweeps do now, nothing more is queued for this event.
    let again = matinale_store::notices::queue_due_reminders(&app.db, app.clock.now())
        .await
        .unwrap();
    assert_eq!(again.events, 0);
    assert_eq!(outbox_at_rest(&app).await, rows.len());
    assert_eq!(
        outbox(&app, &org, &format!("&event={event}")).await["total"],
        rows.len()
    );
    assert_eq!(sink.received().len(), 7, "{mails:#?}");
    assert_each_once(&mails);

    let reminders: Vec<&str> = rows
        .iter()
        .filter(|m| m["kind"] == "event_reminder")
        .map(|m| m["to_email"].as_str().unwrap())
        .collect();
    assert_eq!(reminders.len(), 2);
    assert!(reminders.contains(&"early@example.org") && reminders.contains(&"early-en@example.org"));
    let early = to(&mails, "early@example.org");
    let reminder = early
        .iter()
        .find(|m| m.subject.starts_with("Rappel"))
        .expect("a reminder");
    assert!(reminder.subject.ends_with("a lieu demain"), "{}", reminder.subject);
    assert!(reminder.text.contains("Nous vous attendons demain"));
    let english = to(&mails, "early-en@example.org");
    assert!(english
        .iter()
        .any(|m| m.subject == "Reminder: “Matinale de demain” is tomorrow"));
    assert_eq!(
        to(&mails, "late@example.org").len(),
        1,
        "the late registrant only got the confirmation"
    );
    assert_eq!(
        to(&mails, "gone@example.org").len(),
        2,
        "confirmed then cancelled: no reminder"
    );
}

#[tokio::test]
async fn a_mail_that_cannot_be_built_is_given_up_with_the_reason() {
    let Some(sink) = SmtpSink::start() else { return };
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, "Matinale", 80).await;
    let ok = register(&app, &event, "ok@example.org", "Valide", "fr").await;
    let event_id: uuid::Uuid = event.parse().unwrap();
    let registration_id: uuid::Uuid = ok["id"].as_str().unwrap().parse().unwrap();
    let bad = |kind: &'static str, payload: Value| matinale_store::outbox::NewMail {
        kind,
        to_email: "bad@example.org".into(),
        locale: "fr".into(),
        payload,
        registration_id: Some(registration_id),
        event_id: Some(event_id),
    };
    let base = json!({"registration_id": registration_id, "event_id": event_id, "first_name": "A", "last_name": "B"});
    for mail in [
        bad("registration_unheard_of", base.clone()),
        bad("registration_confirmed", json!({"first_name": 3})),
        bad("registration_confirmed", base.clone()), // no manage token
        bad(
            "registration_waitlisted",
            json!({"registration_id": registration_id, "first_name": "A",
            "last_name": "B", "manage_token": "mr_x"}),
        ), // no position
    ] {
        matinale_store::outbox::enqueue(&app.db, mail).await.unwrap();
    }
    let config = worker_config(&app, &sink.url());
    let worker = MailWorker::start(
        app.db.clone(),
        &config.worker_settings(),
        mailer(&config.worker_settings()).unwrap(),
    );
    let failed = outbox_until(&app, &org, "&status=failed", |items| items.len() == 4).await;
    sink.wait_for(1).await;
    assert_eq!(outbox_at_rest(&app).await, 1, "only the good mail was sent");
    worker.stop().await;
    let errors: Vec<&str> = failed.iter().map(|m| m["last_error"].as_str().unwrap()).collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("unknown mail kind \"registration_unheard_of\"")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("not readable")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("no manage_token")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("waitlist_position")), "{errors:?}");
    assert!(
        failed.iter().all(|m| m["attempts"] == 1),
        "given up at once, not retried"
    );
    let mails = sink.received();
    assert_eq!(mails.len(), 1, "only the good mail went out");
    assert_eq!(mails[0].to(), "ok@example.org");
}

#[tokio::test]
async fn the_outbox_is_shown_to_the_event_organisers_without_tokens() {
    let app = spawn_app().await;
    let alice = app.organiser().await;
    let bob = app.organiser().await;
    let admin = app.account(Role::Admin).await.1;
    let mine = open_event(&app, &alice, "Matinale d'Alice", 80).await;
    let theirs = open_event(&app, &bob, "Matinale de Bob", 80).await;
    register(&app, &mine, "a1@example.org", "Un", "fr").await;
    register(&app, &mine, "a2@example.org", "Deux", "en").await;
    register(&app, &theirs, "b1@example.org", "Trois", "fr").await;

    let all = outbox(&app, &admin, "").await;
    assert_eq!(all["total"], 3);
    let alices = outbox(&app, &alice, "").await;
    assert_eq!(alices["total"], 2);
    for item in alices["items"].as_array().unwrap() {
        assert_eq!(item["event_id"], mine.as_str());
        assert_eq!(item["status"], "queued");
        assert_eq!(item["attempts"], 0);
        assert!(item["payload"].get("manage_token").is_none(), "{item}");
        assert!(!item.to_string().contains("mr_"), "no token anywhere: {item}");
    }
    assert_eq!(outbox(&app, &bob, "").await["total"], 1);
    assert_eq!(
        outbox(&app, &alice, &format!("&event={mine}&status=queued")).await["total"],
        2
    );
    assert_eq!(outbox(&app, &alice, "&status=sent").await["total"], 0);
    let page = app.get("/api/v1/outbox?per_page=1&page=2", Some(&alice)).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers().get("link").is_some());
    let page: Value = page.json().await.unwrap();
    assert_eq!(
        (page["items"].as_array().unwrap().len(), page["total"].as_u64()),
        (1, Some(2))
    );

    // Bob's event is public: Alice may know it exists but not read its mail.
    problem(
        app.get(&format!("/api/v1/outbox?event={theirs}"), Some(&alice)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    for (query, field) in [
        ("status=delivered", "status"),
        ("event=not-a-uuid", "event"),
        ("event=0190f3c4-5a6b-7c8d-9e0f-112233445566", "event"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
    ] {
        let body = problem(
            app.get(&format!("/api/v1/outbox?{query}"), Some(&alice)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&body), [field], "{query}: {body}");
    }
    problem(app.get("/api/v1/outbox", None).await, StatusCode::UNAUTHORIZED).await;
    let (_, member) = app.account(Role::Member).await;
    problem(app.get("/api/v1/outbox", Some(&member)).await, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn a_claim_in_progress_is_skipped_not_waited_for_on_postgresql() {
    let app = spawn_app().await;
    if !app.database_url.starts_with("postgres") {
        // SQLite has one writer: a claim is a single statement under its write lock, and a
        // second claim simply comes after it (covered by the tests above).
        return;
    }
    use sea_orm::TransactionTrait;
    let org = app.organiser().await;
    let event = open_event(&app, &org, "Matinale", 80).await;
    for n in 0..4 {
        register(&app, &event, &format!("s{n}@example.org"), "Skip", "fr").await;
    }
    let lease = chrono::Duration::seconds(60);
    // One worker's claim is still open (its transaction holds the row locks)…
    let open = app.db.connection().begin().await.unwrap();
    let first = matinale_store::outbox::claim_in(&open, 2, lease, app.clock.now())
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    // …another worker takes the other rows at once instead of waiting for them.
    let second = tokio::time::timeout(
        Duration::from_secs(3),
        matinale_store::outbox::claim(&app.db, 10, lease, app.clock.now()),
    )
    .await
    .expect("a second claim does not wait for the first one's locks")
    .unwrap();
    open.commit().await.unwrap();
    assert_eq!(second.len(), 2);
    assert!(
        first.iter().all(|a| second.iter().all(|b| a.id != b.id)),
        "disjoint claims"
    );
    let third = matinale_store::outbox::claim(&app.db, 10, lease, app.clock.now())
        .await
        .unwrap();
    assert!(third.is_empty(), "all four are leased");
}
