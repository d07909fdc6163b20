//! After the matinale: attendance (marked, or derived from check-ins once the block is over),
//! outcomes by either side or an organiser (latest per side, history kept), bad input named by
//! its field, and the follow-up mail queued once even with two workers, on SQLite or
//! PostgreSQL.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use matinale_worker::{mailer, MailWorker};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::mail::{worker_config, SmtpSink};
use crate::meeting_blocks::{count, sql};
use crate::scene::{timetable, Scene};
use crate::support::{fields, matinale, ok_json, problem, spawn_app, spawn_app_with, TestApp};

fn text(v: &Value) -> String {
    v.as_str().expect("a string").to_owned()
}

/// The scene of these tests, on the day: ESS structures in organisations of their own, every
/// contact shared, every buyer wishing to meet every structure, the schedule published.
pub(crate) async fn day(app: &TestApp, buyers: usize, suppliers: usize) -> Scene {
    let scene = Scene::with(buyers, suppliers)
        .structures_in_organisations()
        .everyone_shares_contact()
        .build(app)
        .await;
    scene.buyers_wish_every_structure(app).await;
    scene.run_and_publish(app).await;
    scene
}

/// A quarter of an hour after the scene's block (10:30–12:00 in Paris on 25 November 2099),
/// before the end of its event (12:30).
pub(crate) fn after_the_block() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2099-11-25T12:15:00+01:00")
        .expect("a time")
        .with_timezone(&Utc)
}

/// The end of the scene's event (12:30 in Paris on 25 November 2099).
fn the_end() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2099-11-25T12:30:00+01:00")
        .expect("a time")
        .with_timezone(&Utc)
}

/// The block is over: the clock moves past its end, and the scene's organiser signs in again
/// (the token of the days before has expired).
pub(crate) async fn end_the_block(app: &TestApp, s: &mut Scene) {
    app.move_clock_to(after_the_block(), &mut [&mut s.organiser]).await;
}

pub(crate) async fn check_in(app: &TestApp, s: &Scene, who: &str) {
    let r = app
        .post(
            &format!("/api/v1/events/{}/check-ins", s.event),
            Some(&s.organiser),
            &json!({"registration_id": who}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());
}

pub(crate) async fn mark(app: &TestApp, s: &Scene, meeting: &str, body: Value) -> Value {
    let r = app
        .post(
            &format!("/api/v1/meetings/{meeting}/attendance"),
            Some(&s.organiser),
            &body,
        )
        .await;
    let status = r.status();
    let json: Value = r.json().await.expect("JSON");
    assert_eq!(status, StatusCode::OK, "{json}");
    json
}

pub(crate) async fn outcome(app: &TestApp, meeting: &str, token: &str, body: Value) -> reqwest::Response {
    app.post(&format!("/api/v1/meetings/{meeting}/outcome"), Some(token), &body)
        .await
}

/// `token` records an outcome, which must be accepted (201); the answer.
pub(crate) async fn recorded(app: &TestApp, meeting: &str, token: &str, body: Value) -> Value {
    let r = outcome(app, meeting, token, body).await;
    let status = r.status();
    let json: Value = r.json().await.expect("JSON");
    assert_eq!(status, StatusCode::CREATED, "{json}");
    json
}

#[tokio::test]
async fn each_side_records_its_outcome_the_latest_wins_and_history_is_kept() {
    let app = spawn_app().await;
    let s = day(&app, 2, 2).await;
    let meetings = timetable(&app, &s).await;
    let m = &meetings[0];
    let id = text(&m["id"]);
    let buyer = s.person(m["buyer_registration_id"].as_str().unwrap()).clone();
    let supplier = s.person(m["supplier_registration_id"].as_str().unwrap()).clone();

    // Before the meeting took place, no outcome (409 naming the meeting).
    let r = outcome(&app, &id, &supplier.token, json!({"outcome": "quote_requested"})).await;
    let p = problem(r, StatusCode::CONFLICT).await;
    assert!(p["detail"].as_str().unwrap().starts_with("meeting:"), "{p}");
    mark(&app, &s, &id, json!({"status": "held"})).await;

    // The ESS side (its side is inferred from its token).
    let first = recorded(
        &app,
        &id,
        &supplier.token,
        json!({"outcome": "quote_requested", "amount_eur": 1200.5, "comment": "Devis envoyé"}),
    )
    .await;
    assert_eq!(first["latest"][0]["side"], "supplier");
    assert_eq!(first["latest"][0]["amount_cents"], 120_050);
    assert_eq!(first["latest"][0]["recorded_by"], "supplier");
    assert_eq!(first["attendance"], "held");
    // In the offset of the event's zone (Europe/Paris).
    crate::registrations::assert_paris(&first["latest"][0]["recorded_at"]);
    assert!(
        first.get("history").is_none(),
        "a POST answers the latest only: {first}"
    );
    // The buyer, then the buyer again: the latest of each side counts; the buyer's answer
    // holds its own side only.
    recorded(
        &app,
        &id,
        &buyer.token,
        json!({"outcome": "quote_requested", "comment": "Devis reçu"}),
    )
    .await;
    let own = recorded(
        &app,
        &id,
        &buyer.token,
        json!({"outcome": "contract_signed", "amount_eur": 45000.99, "comment": "Marché signé"}),
    )
    .await;
    assert_eq!(own["latest"].as_array().unwrap().len(), 1, "{own}");
    assert_eq!(own["latest"][0]["side"], "buyer", "{own}");
    // An organiser says which side.
    recorded(
        &app,
        &id,
        &s.organiser,
        json!({"outcome": "reserved_market_awarded", "amount_eur": 10, "side": "supplier"}),
    )
    .await;

    // The organiser reads both sides, the history newest first.
    let read = ok_json(&app, &format!("/api/v1/meetings/{id}/outcomes"), &s.organiser).await;
    assert_eq!(read["history"]["total"], 4, "{read}");
    assert_eq!(read["history"]["items"].as_array().unwrap().len(), 4, "{read}");
    for o in read["history"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(read["latest"].as_array().unwrap())
    {
        crate::registrations::assert_paris(&o["recorded_at"]);
    }
    assert_eq!(
        read["history"]["items"][0]["outcome"], "reserved_market_awarded",
        "{read}"
    );
    let latest = read["latest"].as_array().unwrap();
    assert_eq!(latest.len(), 2);
    assert_eq!(latest[0]["side"], "buyer");
    assert_eq!(latest[0]["outcome"], "contract_signed");
    assert_eq!(latest[0]["amount_cents"], 4_500_099);
    assert_eq!(latest[0]["comment"], "Marché signé");
    assert_eq!(latest[1]["side"], "supplier");
    assert_eq!(latest[1]["outcome"], "reserved_market_awarded");
    assert_eq!(latest[1]["recorded_by"], "organiser");
    // Each side reads its own side only, comments included.
    let mine = ok_json(&app, &format!("/api/v1/meetings/{id}/outcomes"), &buyer.token).await;
    assert_eq!(mine["latest"], json!([latest[0]]), "{mine}");
    assert_eq!(mine["history"]["total"], 2, "{mine}");
    assert!(
        !mine.to_string().contains("Devis envoyé") && !mine.to_string().contains("reserved_market"),
        "{mine}"
    );
    let theirs = ok_json(&app, &format!("/api/v1/meetings/{id}/outcomes"), &supplier.token).await;
    assert_eq!(theirs["latest"], json!([latest[1]]), "{theirs}");
    assert_eq!(theirs["history"]["total"], 2, "{theirs}");
    assert!(!theirs.to_string().contains("Marché signé"), "{theirs}");

    // Another registrant of the event, not part of this meeting: not found.
    let stranger = s
        .buyers
        .iter()
        .chain(&s.suppliers)
        .find(|p| p.id != buyer.id && p.id != supplier.id)
        .unwrap();
    let r = outcome(&app, &id, &stranger.token, json!({"outcome": "none"})).await;
    problem(r, StatusCode::NOT_FOUND).await;
    let r = app
        .get(&format!("/api/v1/meetings/{id}/outcomes"), Some(&stranger.token))
        .await;
    problem(r, StatusCode::NOT_FOUND).await;
    // A token speaks for its own side only.
    let r = outcome(&app, &id, &buyer.token, json!({"outcome": "none", "side": "supplier"})).await;
    assert_eq!(fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await), ["side"]);
    // An organiser must say which side.
    let r = outcome(&app, &id, &s.organiser, json!({"outcome": "none"})).await;
    assert_eq!(fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await), ["side"]);
}

#[tokio::test]
async fn bad_outcomes_are_refused_naming_the_field() {
    // More writes than a manage token may make in a minute: the limit is turned off here.
    let app = spawn_app_with(|c| c.outcome_writes_per_minute = 0).await;
    let s = day(&app, 1, 2).await;
    let meetings = timetable(&app, &s).await;
    let id = text(&meetings[0]["id"]);
    mark(&app, &s, &id, json!({"status": "held"})).await;
    let token = s
        .person(meetings[0]["buyer_registration_id"].as_str().unwrap())
        .token
        .clone();
    for (body, field) in [
        (json!({"outcome": "quote_requested", "amount_eur": -1}), "amount_eur"),
        (json!({"outcome": "quote_requested", "amount_eur": -0.01}), "amount_eur"),
        (
            json!({"outcome": "contract_signed", "amount_eur": 100_000_000.01}),
            "amount_eur",
        ),
        (json!({"outcome": "contract_signed", "amount_eur": 1e12}), "amount_eur"),
        (
            json!({"outcome": "contract_signed", "amount_eur": 12.345}),
            "amount_eur",
        ),
        (json!({"outcome": "contract_signed", "amount_eur": "12"}), "amount_eur"),
        (json!({"outcome": "none", "comment": "é".repeat(2001)}), "comment"),
        (json!({"outcome": "signed_in_blood"}), "outcome"),
        (json!({"amount_eur": 10}), "outcome"),
        (json!({"outcome": "none", "value": 3}), "value"),
    ] {
        let r = outcome(&app, &id, &token, body.clone()).await;
        let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&p), [field], "{body}: {p}");
    }
    // The bounds themselves are accepted.
    for amount in [json!(0), json!(100_000_000), json!(99_999_999.99)] {
        recorded(
            &app,
            &id,
            &token,
            json!({"outcome": "contract_signed", "amount_eur": amount}),
        )
        .await;
    }
    recorded(
        &app,
        &id,
        &token,
        json!({"outcome": "none", "comment": "é".repeat(2000)}),
    )
    .await;
    // Nothing refused was written.
    let read = ok_json(&app, &format!("/api/v1/meetings/{id}/outcomes"), &token).await;
    assert_eq!(read["history"]["total"], 4);

    // Attendance: `absent` goes with no_show only; an unknown meeting is not found.
    let bad = |body: Value| {
        let path = format!("/api/v1/meetings/{id}/attendance");
        let organiser = s.organiser.clone();
        let app = &app;
        async move { app.post(&path, Some(&organiser), &body).await }
    };
    let p = problem(
        bad(json!({"status": "no_show"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["absent"]);
    let p = problem(
        bad(json!({"status": "held", "absent": "buyer"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["absent"]);
    let p = problem(bad(json!({"status": "late"})).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), ["status"]);
    let r = app
        .post(
            &format!("/api/v1/meetings/{}/attendance", Uuid::now_v7()),
            Some(&s.organiser),
            &json!({"status": "held"}),
        )
        .await;
    problem(r, StatusCode::NOT_FOUND).await;
}

async fn attendance_of(app: &TestApp, s: &Scene, m: &Value) -> Value {
    let id = text(&m["id"]);
    ok_json(app, &format!("/api/v1/meetings/{id}/outcomes"), &s.organiser).await["attendance"].clone()
}

#[tokio::test]
async fn attendance_comes_from_marks_then_check_ins_and_no_shows_take_no_outcome() {
    let app = spawn_app().await;
    let mut s = day(&app, 2, 2).await;
    let meetings = timetable(&app, &s).await;
    assert!(meetings.len() >= 3, "{meetings:?}");
    // Before the block ends and without a mark: planned.
    assert_eq!(attendance_of(&app, &s, &meetings[0]).await, "planned");

    // Marked no-show: no outcome (409 naming the field), and the timetable says so.
    let marked = mark(
        &app,
        &s,
        meetings[0]["id"].as_str().unwrap(),
        json!({"status": "no_show", "absent": "buyer"}),
    )
    .await;
    assert_eq!(marked["attendance"], "no_show");
    assert_eq!(marked["absent"], "buyer");
    let buyer0 = s.person(meetings[0]["buyer_registration_id"].as_str().unwrap());
    let r = outcome(
        &app,
        meetings[0]["id"].as_str().unwrap(),
        &buyer0.token,
        json!({"outcome": "none"}),
    )
    .await;
    let p = problem(r, StatusCode::CONFLICT).await;
    assert!(p["detail"].as_str().unwrap().starts_with("meeting:"), "{p}");
    let listed = timetable(&app, &s).await;
    let again = listed.iter().find(|m| m["id"] == meetings[0]["id"]).unwrap();
    assert_eq!(again["status"], "no_show");
    // Marked held afterwards: it takes outcomes again.
    mark(&app, &s, meetings[0]["id"].as_str().unwrap(), json!({"status": "held"})).await;
    recorded(
        &app,
        meetings[0]["id"].as_str().unwrap(),
        &buyer0.token,
        json!({"outcome": "none"}),
    )
    .await;

    // Unmarked meetings after the block: check-ins decide.
    let m1 = &meetings[1];
    let m2 = &meetings[2];
    check_in(&app, &s, m1["buyer_registration_id"].as_str().unwrap()).await;
    check_in(&app, &s, m1["supplier_registration_id"].as_str().unwrap()).await;
    assert_eq!(
        attendance_of(&app, &s, m1).await,
        "planned",
        "the block is not over yet"
    );
    end_the_block(&app, &mut s).await;
    // Both people of m1 came; m2 shares at most one person with m1.
    assert_eq!(attendance_of(&app, &s, m1).await, "held");
    let came = |id: &Value| id == &m1["buyer_registration_id"] || id == &m1["supplier_registration_id"];
    let expected = if came(&m2["buyer_registration_id"]) && came(&m2["supplier_registration_id"]) {
        "held"
    } else {
        "no_show"
    };
    assert_eq!(attendance_of(&app, &s, m2).await, expected);
    if expected == "no_show" {
        let supplier = s.person(m2["supplier_registration_id"].as_str().unwrap());
        let r = outcome(
            &app,
            m2["id"].as_str().unwrap(),
            &supplier.token,
            json!({"outcome": "none"}),
        )
        .await;
        problem(r, StatusCode::CONFLICT).await;
    }
}

#[tokio::test]
async fn the_follow_up_goes_out_once_to_each_person_with_held_meetings_even_with_two_workers() {
    let Some(sink) = SmtpSink::start() else { return };
    let app = spawn_app().await;
    let s = day(&app, 2, 3).await;
    let meetings = timetable(&app, &s).await;
    // Two meetings held (marked), one a no-show; the others never marked and nobody checked
    // in: once the block is over they are no-shows and ask for nothing.
    mark(&app, &s, meetings[0]["id"].as_str().unwrap(), json!({"status": "held"})).await;
    mark(&app, &s, meetings[1]["id"].as_str().unwrap(), json!({"status": "held"})).await;
    mark(
        &app,
        &s,
        meetings[2]["id"].as_str().unwrap(),
        json!({"status": "no_show", "absent": "both"}),
    )
    .await;
    let mut held: HashMap<String, usize> = HashMap::new();
    for m in &meetings[..2] {
        for side in ["buyer_registration_id", "supplier_registration_id"] {
            *held.entry(text(&m[side])).or_default() += 1;
        }
    }
    // The event follows up the same day (`follow_up_days` 0); the clock moves to its end.
    let r = app
        .patch(
            &format!("/api/v1/events/{}", s.event),
            Some(&s.organiser),
            &json!({"follow_up_days": 0}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());

    // The mail queued so far (confirmations, agendas) is not this test's: out of the way.
    sql(&app, "UPDATE outbox SET status = 'sent'", vec![]).await;
    let sent_before = count(&app, "SELECT COUNT(*) AS n FROM outbox", vec![]).await;
    app.clock.set(the_end());
    // Two processes' workers, each sweeping every 100 ms, on the one database and its clock.
    let mut workers = Vec::new();
    for _ in 0..2 {
        let settings = worker_config(&app, &sink.url()).worker_settings();
        let db = app.another_pool().await;
        workers.push(MailWorker::start(db, &settings, mailer(&settings).unwrap()));
    }
    let mails = sink.wait_for(held.len()).await;
    // Every mail queued is sent, and a sweep now queues nothing more: nothing more can arrive.
    let sent = crate::mail::outbox_at_rest(&app).await;
    assert_eq!(sent as i64 - sent_before, held.len() as i64, "{mails:#?}");
    let again = matinale_store::outcomes::queue_due_follow_ups(&app.db, app.clock.now())
        .await
        .unwrap();
    assert_eq!(again.events, 0);
    for worker in workers {
        worker.stop().await;
    }
    let mails_now = sink.received();
    assert_eq!(mails_now.len(), held.len(), "{mails:#?}");
    for (id, n) in &held {
        let p = s.person(id);
        let theirs: Vec<_> = mails_now.iter().filter(|m| m.to() == p.email).collect();
        assert_eq!(theirs.len(), 1, "one follow-up to {}", p.email);
        let mail = theirs[0];
        assert!(mail.calendars.is_empty(), "a follow-up carries no calendar");
        // The link opens the registration with a token of its own.
        let link = mail
            .text
            .split_whitespace()
            .find(|w| w.contains(&format!("/r/{id}")))
            .unwrap_or_else(|| panic!("a link to the registration in {}", mail.text));
        let token = link.split("token=").nth(1).expect("a token in the link");
        assert!(token.starts_with("mr_"), "{link}");
        ok_json(&app, &format!("/api/v1/registrations/{id}"), token).await;
        // Each held meeting is listed: its partners' names appear as many times.
        let listed = mail.text.matches("- ").count();
        assert!(listed >= *n, "{n} meetings in {}", mail.text);
    }
    let english = mails_now
        .iter()
        .filter(|m| m.subject.contains("what came of your meetings"))
        .count();
    let french = mails_now.iter().filter(|m| m.subject.starts_with("Et après")).count();
    assert_eq!(
        english + french,
        held.len(),
        "{:?}",
        mails_now.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn two_sweeps_at_once_queue_the_follow_up_once() {
    let app = spawn_app_with(|_| {}).await;
    let s = day(&app, 1, 2).await;
    let meetings = timetable(&app, &s).await;
    for m in &meetings {
        mark(&app, &s, m["id"].as_str().unwrap(), json!({"status": "held"})).await;
    }
    let other = matinale_store::connect(&app.database_url).await.unwrap();
    // Far after the event and its 30 days.
    let later = "2100-06-01T00:00:00Z".parse().unwrap();
    let (a, b) = tokio::join!(
        matinale_store::outcomes::queue_due_follow_ups(&app.db, later),
        matinale_store::outcomes::queue_due_follow_ups(&other, later),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.events + b.events, 1, "{a:?} {b:?}");
    assert_eq!(a.mails + b.mails, 1 + meetings.len(), "one buyer, each structure met");
    let outbox = ok_json(
        &app,
        &format!("/api/v1/outbox?event={}&per_page=200", s.event),
        &s.organiser,
    )
    .await;
    let follow_ups = outbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "follow_up_request")
        .count();
    assert_eq!(follow_ups, 1 + meetings.len());
}

#[tokio::test]
async fn follow_up_days_default_to_30_and_stay_within_a_year() {
    let app = spawn_app().await;
    let organiser = app.organiser().await;
    let event = app.create_event(&organiser, &matinale()).await;
    assert_eq!(event["follow_up_days"], 30);
    for days in [json!(-1), json!(366)] {
        let mut body = matinale();
        body["follow_up_days"] = days;
        let r = app.post("/api/v1/events", Some(&organiser), &body).await;
        assert_eq!(
            fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
            ["follow_up_days"]
        );
    }
    let path = format!("/api/v1/events/{}", text(&event["id"]));
    let r = app.patch(&path, Some(&organiser), &json!({"follow_up_days": 0})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(ok_json(&app, &path, &organiser).await["follow_up_days"], 0);
    let r = app
        .patch(&path, Some(&organiser), &json!({"follow_up_days": 400}))
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["follow_up_days"]
    );
    let mut body = matinale();
    body["follow_up_days"] = json!(365);
    assert_eq!(app.create_event(&organiser, &body).await["follow_up_days"], 365);
}

#[tokio::test]
async fn a_persons_export_holds_their_outcomes_and_erasure_keeps_the_figures_not_their_words() {
    let app = spawn_app().await;
    let s = day(&app, 1, 1).await;
    let meetings = timetable(&app, &s).await;
    let m = &meetings[0];
    let id = text(&m["id"]);
    let supplier = s.person(m["supplier_registration_id"].as_str().unwrap()).clone();
    let buyer = s.person(m["buyer_registration_id"].as_str().unwrap()).clone();
    let words = "Rappeler Mme Durand au 06 12 34 56 78";
    mark(&app, &s, &id, json!({"status": "held"})).await;
    for (who, comment) in [(&supplier, words), (&buyer, "Côté acheteur")] {
        recorded(
            &app,
            &id,
            &who.token,
            json!({"outcome": "quote_requested", "amount_eur": 800, "comment": comment}),
        )
        .await;
    }

    // The export of the ESS side holds its own outcome, not the buyer's.
    let export = ok_json(
        &app,
        &format!("/api/v1/registrations/{}/export", supplier.id),
        &supplier.token,
    )
    .await;
    let exported = &export["meetings"][0];
    assert_eq!(exported["id"], id.as_str());
    assert_eq!(exported["side"], "supplier");
    let reported = exported["outcomes"].as_array().expect("outcomes");
    assert_eq!(reported.len(), 1, "only its side's: {exported}");
    assert_eq!(reported[0]["comment"], words);
    assert_eq!(reported[0]["amount_cents"], 80_000);

    // Erasure: the outcome and its amount stay for the reports; its words go; the buyer's stay.
    let r = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/registrations/{}/personal-data", supplier.id),
            Some(&supplier.token),
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "erasure: {}", r.status());
    let after = ok_json(&app, &format!("/api/v1/meetings/{id}/outcomes"), &s.organiser).await;
    let latest = after["latest"].as_array().expect("latest");
    let of = |side: &str| latest.iter().find(|o| o["side"] == side).cloned().expect(side);
    assert_eq!(of("supplier")["outcome"], "quote_requested");
    assert_eq!(of("supplier")["amount_cents"], 80_000);
    assert!(of("supplier")["comment"].is_null(), "{after}");
    assert_eq!(of("buyer")["comment"], "Côté acheteur");
    let history = serde_json::to_string(&after["history"]).unwrap();
    assert!(!history.contains("Durand"), "no copy left in the history: {history}");
}

#[tokio::test]
async fn outcomes_are_kept_twenty_per_side_answered_latest_first_and_paged() {
    let app = spawn_app().await;
    let s = day(&app, 1, 1).await;
    let id = text(&timetable(&app, &s).await[0]["id"]);
    mark(&app, &s, &id, json!({"status": "held"})).await;
    let long = "é".repeat(2000);
    let mut sizes = Vec::new();
    for n in 1..=25 {
        let r = outcome(
            &app,
            &id,
            &s.organiser,
            json!({"outcome": "quote_requested", "amount_eur": n, "comment": long, "side": "buyer"}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let body = r.bytes().await.expect("a body");
        sizes.push(body.len());
        let answer: Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(answer["latest"][0]["amount_cents"], n * 100, "{answer}");
    }
    // The answer holds the latest only: its size does not grow with the history.
    assert!(sizes.iter().all(|&n| n < 8_000), "{sizes:?}");
    assert!(sizes[24] < sizes[0] + 10, "{sizes:?}");

    let read = ok_json(
        &app,
        &format!("/api/v1/meetings/{id}/outcomes?per_page=7&page=3"),
        &s.organiser,
    )
    .await;
    assert_eq!(
        read["history"]["total"], 20,
        "the 20 latest of the side are kept: {read}"
    );
    assert_eq!(read["history"]["page"], 3);
    assert_eq!(read["history"]["per_page"], 7);
    let amounts: Vec<i64> = read["history"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["amount_cents"].as_i64().unwrap())
        .collect();
    // Newest first: page 3 of 7 holds the 15th to 20th newest, i.e. 11 to 6 euros.
    assert_eq!(amounts, [1100, 1000, 900, 800, 700, 600]);
    assert_eq!(read["latest"][0]["amount_cents"], 2500);
    let r = app
        .get(
            &format!("/api/v1/meetings/{id}/outcomes?per_page=500"),
            Some(&s.organiser),
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["per_page"]
    );
}

#[tokio::test]
async fn outcomes_written_with_a_manage_token_are_rate_limited() {
    let app = spawn_app().await;
    let s = day(&app, 1, 1).await;
    let m = &timetable(&app, &s).await[0];
    let id = text(&m["id"]);
    mark(&app, &s, &id, json!({"status": "held"})).await;
    let buyer = s.person(m["buyer_registration_id"].as_str().unwrap()).clone();
    let supplier = s.person(m["supplier_registration_id"].as_str().unwrap()).clone();
    for _ in 0..10 {
        recorded(&app, &id, &buyer.token, json!({"outcome": "none"})).await;
    }
    let r = outcome(&app, &id, &buyer.token, json!({"outcome": "none"})).await;
    let wait: u64 = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    problem(r, StatusCode::TOO_MANY_REQUESTS).await;
    // Per registration: the other side and the organisers are not held back.
    recorded(&app, &id, &supplier.token, json!({"outcome": "none"})).await;
    recorded(&app, &id, &s.organiser, json!({"outcome": "none", "side": "buyer"})).await;
}

#[tokio::test]
async fn a_meeting_that_did_not_take_place_takes_no_outcome() {
    let app = spawn_app().await;
    let s = day(&app, 2, 2).await;
    let meetings = timetable(&app, &s).await;
    let planned = text(&meetings[0]["id"]);
    let no_show = text(&meetings[1]["id"]);
    let cancelled = text(&meetings[2]["id"]);
    mark(&app, &s, &no_show, json!({"status": "no_show", "absent": "both"})).await;
    let r = app
        .post(
            &format!("/api/v1/meetings/{cancelled}/cancel"),
            Some(&s.organiser),
            &json!({"reason": "Salle fermée"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    for id in [&planned, &no_show, &cancelled] {
        for body in [
            json!({"outcome": "contract_signed", "amount_eur": 5000, "side": "buyer"}),
            json!({"outcome": "none", "side": "supplier"}),
        ] {
            let r = outcome(&app, id, &s.organiser, body).await;
            let p = problem(r, StatusCode::CONFLICT).await;
            assert!(p["detail"].as_str().unwrap().starts_with("meeting:"), "{p}");
        }
        let read = ok_json(&app, &format!("/api/v1/meetings/{id}/outcomes"), &s.organiser).await;
        assert_eq!(read["history"]["total"], 0, "nothing written: {read}");
    }
}
