//! Changes after publication, end to end on SQLite or PostgreSQL: an organiser moves, cancels
//! and adds meetings; a registration or the event that goes away takes its meetings with it;
//! the event's times cannot leave a meeting outside; the stewards' view of the day. Each change
//! is mailed to the people it touches and only to them (counted at a real SMTP server), every
//! `.ics` read by Python's icalendar.

use std::collections::{HashMap, HashSet};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::calendars::{parse_ics, value, vevents};
use crate::mail::{app_with_sink, Received};
use crate::meetings::assert_no_double_booking;
use crate::scene::{publish, register, run, timetable, wish, Person, Scene};
use crate::support::{created, fields, ok_json, problem, spawn_app, TestApp};

/// `PATCH /meetings/{id}` to slot `slot` and `table`.
async fn move_to(app: &TestApp, s: &Scene, meeting: &str, slot: &str, table: i64) -> reqwest::Response {
    app.patch(
        &format!("/api/v1/meetings/{meeting}"),
        Some(&s.organiser),
        &json!({"slot_id": slot, "table": table}),
    )
    .await
}

/// Adds the meeting `buyer` × `supplier` by hand in slot `slot` at `table`.
async fn add(app: &TestApp, s: &Scene, slot: usize, table: u32, buyer: &Person, supplier: &Person) -> Value {
    created(
        app,
        &format!("/api/v1/events/{}/meetings", s.event),
        Some(&s.organiser),
        json!({"slot_id": s.slots[slot], "table": table,
               "buyer_registration_id": buyer.id, "supplier_registration_id": supplier.id}),
    )
    .await
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// The meeting of `buyer` and `supplier` in the timetable.
fn meeting_of<'a>(all: &'a [Value], buyer: &Person, supplier: &Person) -> &'a Value {
    all.iter()
        .find(|m| m["buyer_registration_id"] == buyer.id && m["supplier_registration_id"] == supplier.id)
        .expect("the pair meets")
}

/// The kinds of mail queued for `person`, in order.
async fn queued(app: &TestApp, person: &Person) -> Vec<String> {
    let id = Uuid::parse_str(&person.id).expect("uuid");
    matinale_store::outbox::for_registration(&app.db, id)
        .await
        .expect("outbox")
        .into_iter()
        .map(|m| m.kind)
        .collect()
}

/// The mails to `email` among `mails`.
fn to<'a>(mails: &'a [Received], email: &str) -> Vec<&'a Received> {
    mails.iter().filter(|m| m.to() == email).collect()
}

/// (METHOD, UID, SEQUENCE) of each calendar of a mail, each parsed by Python's icalendar.
fn calendars(mail: &Received) -> Vec<(String, String, String)> {
    mail.calendars
        .iter()
        .filter_map(|(method, ics)| {
            assert!(ics.contains(&format!("METHOD:{method}\r\n")), "{ics}");
            let parsed = parse_ics(ics)?;
            let events = vevents(&parsed);
            assert_eq!(events.len(), 1, "one VEVENT per calendar: {ics}");
            Some((method.clone(), value(events[0], "UID"), value(events[0], "SEQUENCE")))
        })
        .collect()
}

fn uid(meeting: &str) -> String {
    format!("meeting-{meeting}@127.0.0.1")
}

/// "10:30" of a local RFC 3339 time, and its French form "10 h 30".
fn clock(at: &Value, locale: &str) -> String {
    let text = at.as_str().expect("a time");
    let (h, m) = (&text[11..13], &text[14..16]);
    let h = h.trim_start_matches('0');
    match locale {
        "fr" => format!("{h} h {m}"),
        _ => format!("{h}:{m}"),
    }
}

/// The first slot without any meeting.
fn free_slot(s: &Scene, all: &[Value]) -> usize {
    (0..s.slots.len())
        .find(|i| all.iter().all(|m| m["slot_id"] != s.slots[*i]))
        .expect("a free slot")
}

#[tokio::test]
async fn a_moved_meeting_keeps_its_uid_with_a_higher_sequence_and_only_its_two_people_are_told() {
    let Some((sink, app)) = app_with_sink().await else {
        return;
    };
    // Index 0 registers in French, index 1 in English.
    let s = Scene::with(2, 2).tables(3).build(&app).await;
    wish(&app, &s.event, &s.suppliers[0], &s.buyers[0], 3).await;
    wish(&app, &s.event, &s.suppliers[1], &s.buyers[1], 3).await;
    run(&app, &s).await;
    publish(&app, &s).await;
    // 4 confirmations, 4 agendas.
    sink.wait_for(8).await;

    let before = timetable(&app, &s).await;
    let mut sent = 8;
    for (n, locale) in [(0, "fr"), (1, "en")] {
        let (buyer, supplier) = (&s.buyers[n], &s.suppliers[n]);
        let old = meeting_of(&before, buyer, supplier).clone();
        let all = timetable(&app, &s).await;
        let target = free_slot(&s, &all);
        let r = move_to(&app, &s, &id(&old), &s.slots[target], 3).await;
        assert_eq!(r.status(), StatusCode::OK);
        let moved: Value = r.json().await.expect("JSON");
        assert_eq!(moved["id"], old["id"], "a move keeps the meeting's id");
        assert_eq!(moved["slot_id"], s.slots[target]);
        assert_eq!(moved["table"], 3);
        assert_eq!(moved["sequence"], 1);

        sent += 2;
        let mails = sink.wait_for(sent).await;
        let new = &mails[sent - 2..];
        for person in [buyer, supplier] {
            let theirs = to(new, &person.email);
            assert_eq!(theirs.len(), 1, "{} is told once", person.email);
            let mail = theirs[0];
            assert_eq!(mail.calendars.len(), 1);
            for (method, got_uid, sequence) in calendars(mail) {
                assert_eq!(method, "REQUEST");
                assert_eq!(got_uid, uid(&id(&old)));
                assert_eq!(sequence, "1");
            }
            // The structure did not consent to share its contact and names no organisation:
            // the buyer is told its category only.
            let partner = if person.id == buyer.id {
                match locale {
                    "fr" => "une structure de l'ESS".to_owned(),
                    _ => "an ESS structure".to_owned(),
                }
            } else {
                format!("Ville n°{n} (buyer N{n})")
            };
            let sentence = match locale {
                "fr" => format!(
                    "Votre rendez-vous avec {partner} passe de {} table {} à {} table 3",
                    clock(&old["slot_starts_at"], "fr"),
                    old["table"],
                    clock(&moved["slot_starts_at"], "fr")
                ),
                _ => format!(
                    "Your meeting with {partner} moves from {} table {} to {} table 3",
                    clock(&old["slot_starts_at"], "en"),
                    old["table"],
                    clock(&moved["slot_starts_at"], "en")
                ),
            };
            assert!(mail.text.contains(&sentence), "{sentence:?} in {}", mail.text);
        }

        // The agenda (JSON and .ics) shows the new place at once.
        let agenda = ok_json(
            &app,
            &format!("/api/v1/registrations/{}/agenda", supplier.id),
            &supplier.token,
        )
        .await;
        let mine = &agenda["meetings"][0];
        assert_eq!(mine["slot_id"], s.slots[target]);
        assert_eq!(mine["table"], 3);
        let ics = app
            .get(
                &format!("/api/v1/registrations/{}/agenda.ics", supplier.id),
                Some(&supplier.token),
            )
            .await
            .text()
            .await
            .expect("agenda.ics");
        if let Some(parsed) = parse_ics(&ics) {
            let entry = vevents(&parsed)
                .into_iter()
                .find(|e| value(e, "UID") == uid(&id(&old)))
                .expect("the meeting in the agenda");
            assert_eq!(value(entry, "SEQUENCE"), "1");
            assert!(value(entry, "LOCATION").contains("Table 3"), "{entry}");
        }
    }

    // Cancelling: both people get the METHOD:CANCEL, same UID, SEQUENCE 2, with the reason.
    let m0 = meeting_of(&timetable(&app, &s).await, &s.buyers[0], &s.suppliers[0]).clone();
    let path = format!("/api/v1/meetings/{}/cancel", id(&m0));
    let r = app
        .post(&path, Some(&s.organiser), &json!({"reason": "La salle 2 est fermée."}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let cancelled: Value = r.json().await.expect("JSON");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["sequence"], 2);
    sent += 2;
    let mails = sink.wait_for(sent).await;
    for person in [&s.buyers[0], &s.suppliers[0]] {
        let theirs = to(&mails[sent - 2..], &person.email);
        assert_eq!(theirs.len(), 1);
        assert!(theirs[0].text.contains("La salle 2 est fermée."), "{}", theirs[0].text);
        assert_eq!(theirs[0].calendars.len(), 1);
        for (method, got_uid, sequence) in calendars(theirs[0]) {
            assert_eq!((method.as_str(), sequence.as_str()), ("CANCEL", "2"));
            assert_eq!(got_uid, uid(&id(&m0)));
        }
    }
    // Twice: 409; a cancelled meeting does not move.
    let again = problem(
        app.post(&path, Some(&s.organiser), &json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(again["detail"].as_str().unwrap().starts_with("status"), "{again}");
    let moved = problem(move_to(&app, &s, &id(&m0), &s.slots[6], 1).await, StatusCode::CONFLICT).await;
    assert!(moved["detail"].as_str().unwrap().starts_with("status"), "{moved}");

    // Each person was told of their own meeting only: counted in the outbox, where every
    // mail is queued in the change's transaction.
    for (n, cancels) in [(0, 1), (1, 0)] {
        for person in [&s.buyers[n], &s.suppliers[n]] {
            let kinds = queued(&app, person).await;
            let count = |k: &str| kinds.iter().filter(|x| *x == k).count();
            assert_eq!(count("meeting_changed"), 1, "{kinds:?}");
            assert_eq!(count("meeting_cancelled"), cancels, "{kinds:?}");
        }
    }
    assert_eq!(sink.wait_for(sent).await.len(), sent);
}

#[tokio::test]
async fn bad_moves_and_additions_are_refused_naming_the_field_and_change_nothing() {
    let app = spawn_app().await;
    let s = Scene::with(2, 3).tables(2).build(&app).await;
    let (b0, b1) = (&s.buyers[0], &s.buyers[1]);
    let (s0, s1) = (&s.suppliers[0], &s.suppliers[1]);
    let m1 = add(&app, &s, 0, 1, b0, s0).await;
    add(&app, &s, 1, 2, b0, s1).await;
    add(&app, &s, 2, 1, b1, s0).await;
    assert_eq!(m1["sequence"], 0);
    // s0 cannot come in slot 3.
    s0.set_meetings(&app, json!({"unavailable_slot_ids": [s.slots[3]]}))
        .await;
    let before = timetable(&app, &s).await;
    let m1 = id(&m1);

    for (slot, table, field) in [
        (1, 2, "table"),    // b0 × s1 sits there
        (1, 1, "buyer"),    // b0 is at table 2 then
        (2, 2, "supplier"), // s0 is at table 1 then
        (3, 1, "slot_id"),  // s0 cannot come
    ] {
        let p = problem(
            move_to(&app, &s, &m1, &s.slots[slot], table).await,
            StatusCode::CONFLICT,
        )
        .await;
        let detail = p["detail"].as_str().unwrap();
        assert!(detail.starts_with(&format!("{field}:")), "{field}: {p}");
    }
    let other = app.organiser().await;
    let elsewhere = Scene::with(0, 0).tables(1).build(&app).await;
    for (body, field) in [
        (json!({"slot_id": Uuid::now_v7(), "table": 1}), "slot_id"),
        (json!({"slot_id": elsewhere.slots[0], "table": 1}), "slot_id"),
        (json!({"slot_id": s.slots[5], "table": 0}), "table"),
        (json!({"slot_id": s.slots[5], "table": 3}), "table"),
        (json!({"slot_id": s.slots[5], "table": -1}), "table"),
        (json!({"slot_id": s.slots[5]}), "table"),
        (json!({"slot_id": "soon", "table": 1}), "slot_id"),
        (json!({"slot_id": s.slots[5], "table": 1, "room": "B"}), "room"),
    ] {
        let r = app
            .patch(&format!("/api/v1/meetings/{m1}"), Some(&s.organiser), &body)
            .await;
        let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&p), [field], "{body}: {p}");
    }
    // Who may not: another organiser (403), a manage token (401), anonymous (401).
    let body = json!({"slot_id": s.slots[5], "table": 1});
    let path = format!("/api/v1/meetings/{m1}");
    problem(app.patch(&path, Some(&other), &body).await, StatusCode::FORBIDDEN).await;
    problem(app.patch(&path, Some(&s0.token), &body).await, StatusCode::UNAUTHORIZED).await;
    problem(app.patch(&path, None, &body).await, StatusCode::UNAUTHORIZED).await;
    problem(
        app.patch(
            &format!("/api/v1/meetings/{}", Uuid::now_v7()),
            Some(&s.organiser),
            &body,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Reading one meeting: its two people and its organisers; another registrant 404.
    assert_eq!(ok_json(&app, &path, &s0.token).await["id"], json!(m1));
    assert_eq!(ok_json(&app, &path, &b0.token).await["id"], json!(m1));
    assert_eq!(ok_json(&app, &path, &s.organiser).await["id"], json!(m1));
    problem(app.get(&path, Some(&s1.token)).await, StatusCode::NOT_FOUND).await;
    problem(app.get(&path, Some(&other)).await, StatusCode::NOT_FOUND).await;

    // Additions: the same checks, and the people must be the event's confirmed buyers and
    // structures on the right sides.
    let events_meetings = format!("/api/v1/events/{}/meetings", s.event);
    let s2 = &s.suppliers[2];
    let cancelled = register(&app, &s.event, "ess_structure", None, 9, false).await;
    cancelled.cancel(&app).await;
    let addition = |slot: usize, table: u32, buyer: &str, supplier: &str| {
        json!({"slot_id": s.slots[slot], "table": table,
               "buyer_registration_id": buyer, "supplier_registration_id": supplier})
    };
    let (taken, refused) = (StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY);
    let (buyer, supplier) = ("buyer_registration_id", "supplier_registration_id");
    for (body, status, field) in [
        (addition(0, 1, &b1.id, &s2.id), taken, "table"),
        (addition(1, 1, &b0.id, &s2.id), taken, buyer),
        (addition(0, 2, &b1.id, &s0.id), taken, supplier),
        (addition(4, 1, &b0.id, &s0.id), taken, supplier),
        (addition(4, 1, &s2.id, &s1.id), refused, buyer),
        (addition(4, 1, &b1.id, &b0.id), refused, supplier),
        (addition(4, 1, &b1.id, &cancelled.id), refused, supplier),
        (addition(4, 9, &b1.id, &s2.id), refused, "table"),
    ] {
        let r = app.post(&events_meetings, Some(&s.organiser), &body).await;
        let p = problem(r, status).await;
        if status == StatusCode::CONFLICT {
            let detail = p["detail"].as_str().unwrap();
            assert!(detail.starts_with(&format!("{field}:")), "{field}: {p}");
        } else {
            assert_eq!(fields(&p), [field], "{body}: {p}");
        }
    }
    problem(
        app.post(&events_meetings, Some(&other), &addition(4, 1, &b1.id, &s2.id))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // Nothing changed, nobody was told anything.
    assert_eq!(timetable(&app, &s).await, before);
    for person in [b0, b1, s0, s1, s2] {
        let kinds = queued(&app, person).await;
        assert!(!kinds.iter().any(|k| k == "meeting_cancelled"), "{kinds:?}");
    }
    assert_eq!(
        queued(&app, b0)
            .await
            .iter()
            .filter(|k| *k == "meeting_changed")
            .count(),
        2,
        "b0's two additions only"
    );
}

/// Where each live meeting is: id → (slot index, table, buyer, supplier, sequence).
type Model = HashMap<String, (usize, i64, String, String, i64)>;

fn model_of(s: &Scene, all: &[Value]) -> Model {
    all.iter()
        .filter(|m| m["status"] == "scheduled")
        .map(|m| {
            let slot = s
                .slots
                .iter()
                .position(|x| m["slot_id"] == *x)
                .expect("a slot of the event");
            (
                id(m),
                (
                    slot,
                    m["table"].as_i64().unwrap(),
                    m["buyer_registration_id"].as_str().unwrap().to_owned(),
                    m["supplier_registration_id"].as_str().unwrap().to_owned(),
                    m["sequence"].as_i64().unwrap(),
                ),
            )
        })
        .collect()
}

/// Adds `count` meetings by hand, each pair once, each where it first fits.
async fn fill(app: &TestApp, s: &Scene, tables: u32, count: usize) {
    let mut added = 0;
    for buyer in &s.buyers {
        for supplier in &s.suppliers {
            if added == count {
                return;
            }
            let places = (0..s.slots.len()).flat_map(|slot| (1..=tables).map(move |table| (slot, table)));
            for (slot, table) in places {
                let body = json!({"slot_id": s.slots[slot], "table": table,
                    "buyer_registration_id": buyer.id, "supplier_registration_id": supplier.id});
                let r = app
                    .post(
                        &format!("/api/v1/events/{}/meetings", s.event),
                        Some(&s.organiser),
                        &body,
                    )
                    .await;
                if r.status() == StatusCode::CREATED {
                    added += 1;
                    break;
                }
                assert_eq!(r.status(), StatusCode::CONFLICT);
            }
        }
    }
}

#[tokio::test]
async fn a_random_walk_of_moves_never_double_books_and_every_refusal_changes_nothing() {
    let app = spawn_app().await;
    let tables = 4u32;
    let s = Scene::with(4, 5).tables(tables).build(&app).await;
    fill(&app, &s, tables, 12).await;
    // The last structure cannot come in the last slot.
    let away = &s.suppliers[4];
    away.set_meetings(&app, json!({"unavailable_slot_ids": [s.slots[6]]}))
        .await;
    let mut model = model_of(&s, &timetable(&app, &s).await);
    assert_eq!(model.len(), 12);
    let mut ids: Vec<String> = model.keys().cloned().collect();
    ids.sort();
    let mut rng = StdRng::seed_from_u64(20261202);
    let mut tally: HashMap<&str, usize> = HashMap::new();
    for step in 0..200 {
        let meeting = &ids[rng.gen_range(0..ids.len())];
        // One index past the event's slots: a slot of no event.
        let slot = rng.gen_range(0..=s.slots.len());
        let table = i64::from(rng.gen_range(0..=tables + 1));
        let (here_slot, here_table, buyer, supplier, sequence) = model[meeting].clone();
        let others = || model.iter().filter(|(id, _)| *id != meeting).map(|(_, m)| m);
        let expected: (StatusCode, &str) = if slot == s.slots.len() {
            (StatusCode::UNPROCESSABLE_ENTITY, "slot_id")
        } else if !(1..=i64::from(tables)).contains(&table) {
            (StatusCode::UNPROCESSABLE_ENTITY, "table")
        } else if (slot, table) == (here_slot, here_table) {
            (StatusCode::OK, "unchanged")
        } else if others().any(|m| m.0 == slot && m.1 == table) {
            (StatusCode::CONFLICT, "table")
        } else if others().any(|m| m.0 == slot && m.2 == buyer) {
            (StatusCode::CONFLICT, "buyer")
        } else if others().any(|m| m.0 == slot && m.3 == supplier) {
            (StatusCode::CONFLICT, "supplier")
        } else if supplier == away.id && slot == 6 {
            (StatusCode::CONFLICT, "slot_id")
        } else {
            (StatusCode::OK, "moved")
        };
        let slot_id = s.slots.get(slot).cloned().unwrap_or_else(|| Uuid::now_v7().to_string());
        let r = move_to(&app, &s, meeting, &slot_id, table).await;
        let status = r.status();
        assert_eq!(
            status, expected.0,
            "step {step}: {meeting} to slot {slot} table {table}"
        );
        match status {
            StatusCode::OK => {
                if expected.1 == "moved" {
                    model.insert(meeting.clone(), (slot, table, buyer, supplier, sequence + 1));
                }
            }
            StatusCode::CONFLICT => {
                let p: Value = r.json().await.expect("problem");
                let detail = p["detail"].as_str().unwrap();
                assert!(detail.starts_with(&format!("{}:", expected.1)), "step {step}: {p}");
            }
            _ => {
                let p: Value = r.json().await.expect("problem");
                assert_eq!(fields(&p), [expected.1], "step {step}: {p}");
            }
        }
        *tally.entry(expected.1).or_default() += 1;
        let all = timetable(&app, &s).await;
        assert_no_double_booking(&all);
        assert_eq!(
            model_of(&s, &all),
            model,
            "step {step}: the rows are what the model says"
        );
    }
    println!("random walk of 200 moves: {tally:?}");
    for outcome in ["moved", "table", "buyer", "supplier", "slot_id"] {
        assert!(
            tally.get(outcome).copied().unwrap_or(0) > 0,
            "no step ended {outcome}: {tally:?}"
        );
    }
}

#[tokio::test]
async fn a_meeting_added_by_hand_invites_both_people() {
    let Some((sink, app)) = app_with_sink().await else {
        return;
    };
    let s = Scene::with(2, 2).tables(2).build(&app).await;
    sink.wait_for(4).await;
    let path = format!("/api/v1/events/{}/meetings", s.event);
    let body = json!({"slot_id": s.slots[2], "table": 2,
        "buyer_registration_id": s.buyers[1].id, "supplier_registration_id": s.suppliers[0].id});
    let r = app.post(&path, Some(&s.organiser), &body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let added: Value = r.json().await.expect("JSON");
    assert_eq!(location, format!("/api/v1/meetings/{}", id(&added)));
    assert_eq!(ok_json(&app, &location, &s.organiser).await["id"], added["id"]);
    assert_eq!(
        (added["status"].as_str(), added["sequence"].as_u64()),
        (Some("scheduled"), Some(0))
    );

    let mails = sink.wait_for(6).await;
    let new = &mails[4..];
    for (person, subject) in [(&s.buyers[1], "New meeting"), (&s.suppliers[0], "Nouveau rendez-vous")] {
        let theirs = to(new, &person.email);
        assert_eq!(theirs.len(), 1, "{}", person.email);
        assert!(theirs[0].subject.starts_with(subject), "{}", theirs[0].subject);
        assert_eq!(theirs[0].calendars.len(), 1);
        for (method, got_uid, sequence) in calendars(theirs[0]) {
            assert_eq!((method.as_str(), sequence.as_str()), ("REQUEST", "0"));
            assert_eq!(got_uid, uid(&id(&added)));
        }
    }
    for person in [&s.buyers[0], &s.suppliers[1]] {
        assert_eq!(queued(&app, person).await, ["registration_confirmed"]);
    }
}

#[tokio::test]
async fn a_cancelled_registration_cancels_its_future_meetings_tells_each_partner_and_a_rerun_refills() {
    let Some((sink, app)) = app_with_sink().await else {
        return;
    };
    let s = Scene::with(2, 2).tables(1).build(&app).await;
    s.structures_wish_every_buyer(&app, 2).await;
    s.run_and_publish(&app).await;
    sink.wait_for(8).await;
    let published = timetable(&app, &s).await;
    assert_eq!(published.len(), 4);
    let leaver = &s.buyers[0];
    let lost: Vec<&Value> = s
        .suppliers
        .iter()
        .map(|sup| meeting_of(&published, leaver, sup))
        .collect();

    leaver.cancel(&app).await;
    let mails = sink.wait_for(11).await;
    let new = &mails[8..];
    assert_eq!(
        to(new, &leaver.email).len(),
        1,
        "the leaver gets their own cancellation"
    );
    assert!(to(new, &leaver.email)[0].calendars.is_empty());
    for (supplier, meeting) in s.suppliers.iter().zip(&lost) {
        let theirs = to(new, &supplier.email);
        assert_eq!(theirs.len(), 1, "each partner is told once");
        for (method, got_uid, sequence) in calendars(theirs[0]) {
            assert_eq!((method.as_str(), sequence.as_str()), ("CANCEL", "1"));
            assert_eq!(got_uid, uid(&id(meeting)));
        }
    }
    assert_eq!(
        queued(&app, &s.buyers[1]).await,
        ["registration_confirmed", "agenda_published"],
        "the other buyer is not told"
    );
    let now = timetable(&app, &s).await;
    for meeting in &lost {
        let m = now.iter().find(|m| m["id"] == meeting["id"]).unwrap();
        assert_eq!(
            (m["status"].as_str(), m["sequence"].as_u64()),
            (Some("cancelled"), Some(1))
        );
    }

    // A newcomer who can only come in the freed slots takes them at the next run; the
    // published meetings stay where they were.
    let newcomer = register(&app, &s.event, "buyer", None, 7, true).await;
    let freed: Vec<String> = lost.iter().map(|m| m["slot_id"].as_str().unwrap().to_owned()).collect();
    let busy: Vec<&String> = s.slots.iter().filter(|x| !freed.contains(x)).collect();
    newcomer.set_meetings(&app, json!({"unavailable_slot_ids": busy})).await;
    for sup in &s.suppliers {
        wish(&app, &s.event, sup, &newcomer, 3).await;
    }
    let draft = run(&app, &s).await;
    let meetings = draft["meetings"].as_array().unwrap();
    let kept: Vec<&Value> = meetings.iter().filter(|m| m["status"] == "scheduled").collect();
    assert_eq!(kept.len(), 2, "{draft}");
    let refilled: HashSet<&str> = meetings
        .iter()
        .filter(|m| m["buyer_registration_id"] == newcomer.id)
        .map(|m| m["slot_id"].as_str().unwrap())
        .collect();
    assert_eq!(refilled, freed.iter().map(String::as_str).collect(), "{draft}");
    let published = publish(&app, &s).await;
    assert_eq!(published["added"], 2);
    assert_no_double_booking(&timetable(&app, &s).await);
}

#[tokio::test]
async fn the_events_times_cannot_leave_a_published_meeting_outside() {
    let app = spawn_app().await;
    let s = Scene::with(1, 1).tables(2).build(&app).await;
    // 10:30-10:40 and 11:42-11:52 (Paris).
    let first = add(&app, &s, 0, 1, &s.buyers[0], &s.suppliers[0]).await;
    let path = format!("/api/v1/events/{}", s.event);
    for (body, field) in [
        (json!({"starts_at": "2099-11-25T10:31:00+01:00"}), "starts_at"),
        (json!({"ends_at": "2099-11-25T10:35:00+01:00"}), "ends_at"),
    ] {
        let p = problem(app.patch(&path, Some(&s.organiser), &body).await, StatusCode::CONFLICT).await;
        assert!(p["detail"].as_str().unwrap().starts_with(&format!("{field}:")), "{p}");
    }
    let event = ok_json(&app, &path, &s.organiser).await;
    assert_eq!(event["starts_at"], "2099-11-25T09:00:00+01:00");
    // Times that keep it inside are fine; once it is cancelled, it holds nothing back.
    let r = app
        .patch(
            &path,
            Some(&s.organiser),
            &json!({"starts_at": "2099-11-25T08:30:00+01:00"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post(
            &format!("/api/v1/meetings/{}/cancel", id(&first)),
            Some(&s.organiser),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .patch(
            &path,
            Some(&s.organiser),
            &json!({"ends_at": "2099-11-25T10:35:00+01:00"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn cancelling_the_event_cancels_every_meeting_in_one_mail_per_person() {
    let Some((sink, app)) = app_with_sink().await else {
        return;
    };
    let s = Scene::with(2, 2).tables(2).build(&app).await;
    s.structures_wish_every_buyer(&app, 2).await;
    s.run_and_publish(&app).await;
    sink.wait_for(8).await;
    let published = timetable(&app, &s).await;
    assert_eq!(published.len(), 4);

    let r = app
        .post(
            &format!("/api/v1/events/{}/cancel", s.event),
            Some(&s.organiser),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let mails = sink.wait_for(12).await;
    let new = &mails[8..];
    for person in s.buyers.iter().chain(&s.suppliers) {
        let theirs = to(new, &person.email);
        assert_eq!(theirs.len(), 1, "one mail for {}", person.email);
        let found = calendars(theirs[0]);
        assert_eq!(theirs[0].calendars.len(), 3, "the event and two meetings");
        assert!(theirs[0].calendars.iter().all(|(method, _)| method == "CANCEL"));
        let expected: HashSet<String> = published
            .iter()
            .filter(|m| m["buyer_registration_id"] == person.id || m["supplier_registration_id"] == person.id)
            .map(|m| uid(&id(m)))
            .collect();
        let meeting_uids: HashSet<String> = found
            .iter()
            .filter(|(_, u, _)| u.starts_with("meeting-"))
            .map(|(_, u, seq)| {
                assert_eq!(seq, "1");
                u.clone()
            })
            .collect();
        if !found.is_empty() {
            assert_eq!(meeting_uids, expected);
        }
    }
    let after = timetable(&app, &s).await;
    assert!(
        after.iter().all(|m| m["status"] == "cancelled" && m["sequence"] == 1),
        "{after:?}"
    );
    // A cancelled event's meetings no longer move.
    let p = problem(
        move_to(&app, &s, &id(&after[0]), &s.slots[6], 1).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().starts_with("status"), "{p}");
}

#[tokio::test]
async fn the_steward_view_gives_the_current_and_next_slot_table_by_table_with_check_ins() {
    let app = spawn_app().await;
    let s = Scene::with(2, 2).tables(2).build(&app).await;
    let (b0, b1, s0, s1) = (&s.buyers[0], &s.buyers[1], &s.suppliers[0], &s.suppliers[1]);
    add(&app, &s, 0, 2, b1, s1).await;
    add(&app, &s, 0, 1, b0, s0).await;
    add(&app, &s, 1, 1, b0, s1).await;
    add(&app, &s, 1, 2, b1, s0).await;
    let r = app
        .post(
            &format!("/api/v1/events/{}/check-ins", s.event),
            Some(&s.organiser),
            &json!({"registration_id": b0.id}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let now = |at: &str| format!("/api/v1/events/{}/meetings/now?at={at}", s.event);
    let slot_ids = |v: &Value| v["slot_id"].as_str().map(str::to_owned);

    // Before the block (9:00 Paris): nothing under way, the first slot next.
    let view = ok_json(&app, &now("2099-11-25T08:00:00Z"), &s.organiser).await;
    assert!(view["current"].is_null(), "{view}");
    assert_eq!(slot_ids(&view["next"]), Some(s.slots[0].clone()));
    let tables = view["next"]["tables"].as_array().unwrap();
    let order: Vec<u64> = tables.iter().map(|t| t["table"].as_u64().unwrap()).collect();
    assert_eq!(order, [1, 2]);
    assert_eq!(tables[0]["table_label"], "Table 1");
    assert_eq!(tables[0]["buyer"]["registration_id"], json!(b0.id));
    assert_eq!(tables[0]["buyer"]["checked_in"], true);
    assert_eq!(tables[0]["supplier"]["checked_in"], false);
    assert_eq!(tables[0]["buyer"]["organisation"], "Ville n°0");
    assert_eq!(tables[1]["buyer"]["checked_in"], false);

    // During the first slot (10:35 Paris): it, then the second.
    let view = ok_json(&app, &now("2099-11-25T09:35:00Z"), &s.organiser).await;
    assert_eq!(slot_ids(&view["current"]), Some(s.slots[0].clone()));
    assert_eq!(slot_ids(&view["next"]), Some(s.slots[1].clone()));
    assert_eq!(view["at"], "2099-11-25T10:35:00+01:00");
    // In the break (10:41): none under way, the second next.
    let view = ok_json(&app, &now("2099-11-25T09:41:00Z"), &s.organiser).await;
    assert!(view["current"].is_null());
    assert_eq!(slot_ids(&view["next"]), Some(s.slots[1].clone()));
    assert_eq!(view["next"]["tables"][0]["supplier"]["registration_id"], json!(s1.id));
    // After the last slot: nothing.
    let view = ok_json(&app, &now("2099-11-25T12:00:00Z"), &s.organiser).await;
    assert!(view["current"].is_null() && view["next"].is_null(), "{view}");

    let p = problem(
        app.get(&now("tomorrow"), Some(&s.organiser)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["at"]);
    let other = app.organiser().await;
    problem(
        app.get(&now("2099-11-25T09:35:00Z"), Some(&other)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.request(Method::GET, &now("2099-11-25T09:35:00Z"), Some(&s0.token))
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
}
