use std::io::Write;
use std::process::Stdio;

use reqwest::StatusCode;
use serde_json::{json, Value};

use matinale_domain::user::Role;
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};

use crate::mail::notify_common::{missing_tool, python_command};
use crate::support::{matinale, problem, spawn_app, TestApp};

const CHECK_ICS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/check_ics.py");

/// Parses an .ics with Python's `icalendar` (an independent parser); `None` when it is not
/// installed outside CI (skipped loudly); with CI set a missing parser fails the test.
pub(crate) fn parse_ics(ics: &str) -> Option<Value> {
    let child = python_command()
        .arg(CHECK_ICS)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return missing(&format!("python3 cannot start: {e}")),
    };
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(ics.as_bytes())
        .expect("write .ics");
    let out = child.wait_with_output().expect("check_ics.py runs");
    if out.status.code() == Some(2) {
        return missing("the Python package icalendar is missing (pip install icalendar)");
    }
    let parsed: Value = serde_json::from_slice(&out.stdout).expect("check_ics.py prints JSON");
    assert!(
        out.status.success(),
        "independent parser refused the calendar: {parsed}\n{ics}"
    );
    Some(parsed)
}

/// Fails with CI set; else says loudly, and records for `make test`'s last lines, that the
/// calendar was not parsed.
fn missing(what: &str) -> Option<Value> {
    missing_tool(&format!("calendar parse: {what}"));
    None
}

pub(crate) fn vevents(parsed: &Value) -> Vec<&Value> {
    parsed["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "VEVENT")
        .collect()
}

fn prop<'a>(component: &'a Value, name: &str) -> Vec<&'a Value> {
    component["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == name)
        .collect()
}

pub(crate) fn value(component: &Value, name: &str) -> String {
    let found = prop(component, name);
    assert_eq!(found.len(), 1, "{name} once in {component}");
    found[0]["value"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| found[0]["value"].to_string())
}

#[tokio::test]
async fn an_event_calendar_is_valid_escaped_stable_and_cacheable() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let mut body = matinale();
    // A line break cannot reach a one-line field such as the title (issue #21, item 12)…
    body["title"] = json!("Matinale, achats; responsables\r\nATTENDEE:mailto:intrus@example.org");
    let refused = app.post("/api/v1/events", Some(&token), &body).await;
    assert_eq!(
        crate::support::fields(&problem(refused, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["title"]
    );
    // …and where one may be (the description), it is escaped, never a new property.
    body["title"] = json!("Matinale, achats; responsables");
    body["description"] = json!("Acheteurs publics et ESS\r\nATTENDEE:mailto:intrus@example.org");
    body["status"] = json!("published");
    let event = app.create_event(&token, &body).await;
    let path = format!("/api/v1/events/{}/calendar.ics", event["id"].as_str().unwrap());

    let response = app.get(&path, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert!(response.headers().contains_key("last-modified"));
    let ics = response.text().await.unwrap();
    assert!(
        !ics.contains("\r\nATTENDEE"),
        "the description must not create a property:\n{ics}"
    );

    if let Some(parsed) = parse_ics(&ics) {
        let events = vevents(&parsed);
        assert_eq!(events.len(), 1);
        let vevent = events[0];
        assert_eq!(value(vevent, "SUMMARY"), "Matinale, achats; responsables");
        assert!(value(vevent, "DESCRIPTION").contains("ESS\nATTENDEE:mailto:intrus@example.org"));
        assert!(prop(vevent, "ATTENDEE").is_empty());
        assert_eq!(
            value(vevent, "UID"),
            format!("event-{}@127.0.0.1", event["id"].as_str().unwrap())
        );
        assert_eq!(value(vevent, "SEQUENCE"), "0");
        assert_eq!(prop(vevent, "DTSTART")[0]["params"]["TZID"], "Europe/Paris");
        assert!(value(vevent, "LOCATION").contains("94310 Orly"));
        assert_eq!(
            parsed["components"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["name"] == "VTIMEZONE")
                .count(),
            1
        );
    }

    let again = app
        .request(reqwest::Method::GET, &path, None)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let moved = app
        .patch(
            &format!("/api/v1/events/{}", event["id"].as_str().unwrap()),
            Some(&token),
            &json!({"starts_at": "2026-11-25T08:30:00+01:00"}),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let changed = app
        .request(reqwest::Method::GET, &path, None)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK, "a change gives a new ETag");
    let ics = changed.text().await.unwrap();
    if let Some(parsed) = parse_ics(&ics) {
        let vevent = vevents(&parsed)[0];
        assert_eq!(value(vevent, "SEQUENCE"), "1", "SEQUENCE follows every change");
        assert_eq!(
            value(vevent, "UID"),
            format!("event-{}@127.0.0.1", event["id"].as_str().unwrap())
        );
    }
}

#[tokio::test]
async fn a_draft_calendar_is_hidden_and_a_series_feed_lists_public_events() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let series = app.create_series(&token).await;
    let mut draft = matinale();
    draft["series_id"] = series["id"].clone();
    let draft = app.create_event(&token, &draft).await;
    problem(
        app.get(
            &format!("/api/v1/events/{}/calendar.ics", draft["id"].as_str().unwrap()),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    for title in ["Matinale d'Orly", "Forum de Vitry"] {
        let mut e = matinale();
        e["series_id"] = series["id"].clone();
        e["title"] = json!(title);
        e["status"] = json!("published");
        app.create_event(&token, &e).await;
    }
    let feed = app
        .get(
            &format!("/api/v1/series/{}/calendar.ics", series["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(feed.status(), StatusCode::OK);
    let ics = feed.text().await.unwrap();
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2, "drafts stay out of the feed");
    if let Some(parsed) = parse_ics(&ics) {
        let mut titles: Vec<String> = vevents(&parsed).iter().map(|v| value(v, "SUMMARY")).collect();
        titles.sort();
        assert_eq!(titles, ["Forum de Vitry", "Matinale d'Orly"]);
    }
    problem(
        app.get("/api/v1/series/01900000-0000-7000-8000-000000000000/calendar.ics", None)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

/// A published matinale open for registration now; its id.
async fn open_event(app: &TestApp, token: &str) -> String {
    let mut body = matinale();
    body["status"] = json!("published");
    body["title"] = json!("Matinale d'Orly; achats, réemploi");
    body["starts_at"] = json!("2099-11-25T09:00:00+01:00");
    body["ends_at"] = json!("2099-11-25T12:30:00+01:00");
    body["registration_opens_at"] = json!("2020-01-01T00:00:00Z");
    body["registration_closes_at"] = json!("2099-11-24T18:00:00+01:00");
    app.create_event(token, &body).await["id"].as_str().unwrap().to_owned()
}

/// Registers a visitor; `(id, manage_token)`.
async fn register(app: &TestApp, event: &str, locale: &str) -> (String, String) {
    let body = json!({
        "category": "visitor",
        "person": {"first_name": "Awa", "last_name": "Diallo",
                   "email": format!("{}@example.org", uuid::Uuid::now_v7().simple())},
        "locale": locale,
    });
    let r = app
        .post(&format!("/api/v1/events/{event}/registrations"), None, &body)
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: Value = r.json().await.unwrap();
    (
        body["id"].as_str().unwrap().to_owned(),
        body["manage_token"].as_str().unwrap().to_owned(),
    )
}

async fn get_with_etag(app: &TestApp, path: &str, token: Option<&str>, etag: &str) -> reqwest::Response {
    app.request(Method::GET, path, token)
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap()
}

/// The calendar-level property `name` (X-WR-CALNAME, METHOD…).
fn calendar_value(parsed: &Value, name: &str) -> String {
    let vcalendar = parsed["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "VCALENDAR")
        .unwrap();
    value(vcalendar, name)
}

/// Checks a personal agenda: one VEVENT for the event, with this STATUS and SEQUENCE.
fn check_agenda(ics: &str, event: &str, status: &str, sequence: &str) {
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1, "{ics}");
    if let Some(parsed) = parse_ics(ics) {
        let vevent = vevents(&parsed)[0];
        assert_eq!(value(vevent, "UID"), format!("event-{event}@127.0.0.1"));
        assert_eq!(value(vevent, "STATUS"), status);
        assert_eq!(value(vevent, "SEQUENCE"), sequence);
        assert_eq!(value(vevent, "SUMMARY"), "Matinale d'Orly; achats, réemploi");
        assert_eq!(prop(vevent, "DTSTART")[0]["params"]["TZID"], "Europe/Paris");
        assert_eq!(prop(vevent, "DTSTART")[0]["value"]["utc"], "2099-11-25T08:00:00+00:00");
        assert!(value(vevent, "LOCATION").contains("94310 Orly"));
        assert_eq!(calendar_value(&parsed, "METHOD"), "PUBLISH");
        assert_eq!(
            calendar_value(&parsed, "X-WR-CALNAME"),
            "Mon agenda – Matinale d'Orly; achats, réemploi"
        );
    }
}

#[tokio::test]
async fn a_registrations_agenda_shows_its_event_and_its_cancellation() {
    let app = spawn_app().await;
    let organiser = app.organiser().await;
    let event = open_event(&app, &organiser).await;
    let (id, token) = register(&app, &event, "fr").await;
    let (_, other_token) = register(&app, &event, "fr").await;
    let path = format!("/api/v1/registrations/{id}/agenda.ics");

    let r = app.get(&path, Some(&token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    // Read with a credential: no cache keeps it (issue #21, item 10).
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert!(r.headers().contains_key("last-modified"));
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let ics = r.text().await.unwrap();
    check_agenda(&ics, &event, "CONFIRMED", "0");
    assert_eq!(
        get_with_etag(&app, &path, Some(&token), &etag).await.status(),
        StatusCode::NOT_MODIFIED
    );

    // Who may read it: its token, the event's organisers and admins; nobody else.
    problem(app.get(&path, None).await, StatusCode::UNAUTHORIZED).await;
    problem(app.get(&path, Some("mr_forged")).await, StatusCode::UNAUTHORIZED).await;
    problem(app.get(&path, Some(&other_token)).await, StatusCode::NOT_FOUND).await;
    let stranger = app.organiser().await;
    problem(app.get(&path, Some(&stranger)).await, StatusCode::NOT_FOUND).await;
    let (_, member) = app.account(Role::Member).await;
    problem(app.get(&path, Some(&member)).await, StatusCode::NOT_FOUND).await;
    let (_, admin) = app.account(Role::Admin).await;
    for token in [&organiser, &admin] {
        let r = app.get(&path, Some(token)).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.text().await.unwrap(), ics, "the same calendar for everyone allowed");
    }
    problem(
        app.get(
            &format!("/api/v1/registrations/{}/agenda.ics", uuid::Uuid::now_v7()),
            Some(&organiser),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // Cancelled: the same UID, STATUS:CANCELLED, a higher SEQUENCE, a new ETag.
    let r = app
        .post(&format!("/api/v1/registrations/{id}/cancel"), Some(&token), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = get_with_etag(&app, &path, Some(&token), &etag).await;
    assert_eq!(r.status(), StatusCode::OK);
    let cancelled = r.text().await.unwrap();
    check_agenda(&cancelled, &event, "CANCELLED", "1");

    // An English-speaking registrant gets an English calendar name.
    let (en, en_token) = register(&app, &event, "en").await;
    let r = app
        .get(&format!("/api/v1/registrations/{en}/agenda.ics"), Some(&en_token))
        .await;
    let ics = r.text().await.unwrap();
    if let Some(parsed) = parse_ics(&ics) {
        assert_eq!(
            calendar_value(&parsed, "X-WR-CALNAME"),
            "My agenda – Matinale d'Orly; achats, réemploi"
        );
    }
}

#[tokio::test]
async fn a_secret_feed_serves_the_agenda_until_it_is_rotated_or_revoked() {
    let app = spawn_app().await;
    let organiser = app.organiser().await;
    let event = open_event(&app, &organiser).await;
    let (id, token) = register(&app, &event, "fr").await;
    let (_, other_token) = register(&app, &event, "fr").await;
    let feed = format!("/api/v1/registrations/{id}/calendar-feed");

    // Opening a feed: its token or an organiser of the event.
    problem(app.post(&feed, None, &json!({})).await, StatusCode::UNAUTHORIZED).await;
    problem(
        app.post(&feed, Some(&other_token), &json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let stranger = app.organiser().await;
    problem(
        app.post(&feed, Some(&stranger), &json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let r = app.post(&feed, Some(&token), &json!({})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let opened: Value = r.json().await.unwrap();
    let secret = opened["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("mc_") && secret.len() > 40, "{secret}");
    assert_eq!(opened["url"], format!("{}/api/v1/calendars/{secret}.ics", app.address));
    assert_eq!(
        opened["webcal_url"],
        format!(
            "{}/api/v1/calendars/{secret}.ics",
            app.address.replacen("http", "webcal", 1)
        )
    );
    let url = format!("/api/v1/calendars/{secret}.ics");

    // Only a hash of the secret is stored.
    let stored: Vec<String> = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT feed_token_hash FROM registrations WHERE feed_token_hash IS NOT NULL",
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "feed_token_hash").unwrap())
        .collect();
    assert_eq!(stored, [matinale_store::accounts::secret_hash(&secret)]);

    // Without any other credential, the same calendar as agenda.ics, cacheable.
    let agenda = app
        .get(&format!("/api/v1/registrations/{id}/agenda.ics"), Some(&token))
        .await
        .text()
        .await
        .unwrap();
    let r = app.get(&url, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "private, no-cache");
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let ics = r.text().await.unwrap();
    assert_eq!(ics, agenda);
    check_agenda(&ics, &event, "CONFIRMED", "0");
    assert_eq!(
        get_with_etag(&app, &url, None, &etag).await.status(),
        StatusCode::NOT_MODIFIED
    );

    // Rotating (here by the organiser) kills the old URL at once.
    let r = app.post(&feed, Some(&organiser), &json!({})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let rotated: Value = r.json().await.unwrap();
    let new_secret = rotated["token"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    problem(app.get(&url, None).await, StatusCode::NOT_FOUND).await;
    let new_url = format!("/api/v1/calendars/{new_secret}.ics");
    assert_eq!(app.get(&new_url, None).await.status(), StatusCode::OK);

    // The feed follows the registration: cancelled, it says so.
    let r = app
        .post(&format!("/api/v1/registrations/{id}/cancel"), Some(&token), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = get_with_etag(&app, &new_url, None, &etag).await;
    assert_eq!(r.status(), StatusCode::OK);
    check_agenda(&r.text().await.unwrap(), &event, "CANCELLED", "1");

    // Revoking: others may not; its token may, and twice is fine; the URL is then unknown.
    problem(
        app.request(Method::DELETE, &feed, Some(&other_token))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.request(Method::DELETE, &feed, None).send().await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    for _ in 0..2 {
        let r = app.request(Method::DELETE, &feed, Some(&token)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }
    problem(app.get(&new_url, None).await, StatusCode::NOT_FOUND).await;

    // Unknown and malformed feed tokens, and a manage token in its place: 404.
    for path in [
        "/api/v1/calendars/mc_unknown.ics".to_owned(),
        "/api/v1/calendars/nonsense.ics".to_owned(),
        format!("/api/v1/calendars/{token}.ics"),
        format!("/api/v1/calendars/{new_secret}"),
    ] {
        problem(app.get(&path, None).await, StatusCode::NOT_FOUND).await;
    }
}
