use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{matinale, problem, spawn_app};

const CHECK_ICS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/check_ics.py");

/// Parses an .ics with Python's `icalendar` (an independent parser); `None` when it is not
/// installed outside CI (skipped loudly); with CI set a missing parser fails the test.
pub(crate) fn parse_ics(ics: &str) -> Option<Value> {
    let child = Command::new("python3")
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

fn missing(what: &str) -> Option<Value> {
    if std::env::var_os("CI").is_some() {
        panic!("{what} (CI is set)");
    }
    eprintln!("\n!!!!! SKIPPED calendar parse: {what} !!!!!\n");
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
    body["title"] = json!("Matinale, achats; responsables\r\nATTENDEE:mailto:intrus@example.org");
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
        "the title must not create a property:\n{ics}"
    );

    if let Some(parsed) = parse_ics(&ics) {
        let events = vevents(&parsed);
        assert_eq!(events.len(), 1);
        let vevent = events[0];
        assert_eq!(
            value(vevent, "SUMMARY"),
            "Matinale, achats; responsables\nATTENDEE:mailto:intrus@example.org"
        );
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
