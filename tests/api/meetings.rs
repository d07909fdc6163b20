//! Speed meetings end to end: a block, who takes part, wishes, a draft, publication with
//! invitations (to a real SMTP server, each .ics read by Python's icalendar), the timetable
//! and agendas, on SQLite or PostgreSQL.

use std::collections::{BTreeMap, HashMap, HashSet};

use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::calendars::{parse_ics, value, vevents};
use crate::mail::app_with_sink;
use crate::meeting_blocks::statement;
use crate::scene::{publish, register, run, timetable, wish, Person, Scene};
use crate::support::{created, fields, ok_json, problem, spawn_app, TestApp};

/// Nobody and no table twice in a slot, and no pair twice.
pub(crate) fn assert_no_double_booking(meetings: &[Value]) {
    let mut taken = HashSet::new();
    let mut pairs = HashSet::new();
    for m in meetings.iter().filter(|m| m["status"] != "cancelled") {
        let slot = m["slot_id"].as_str().expect("slot");
        for key in [
            format!("table {}", m["table"]),
            format!("buyer {}", m["buyer_registration_id"]),
            format!("supplier {}", m["supplier_registration_id"]),
        ] {
            assert!(
                taken.insert((slot.to_owned(), key.clone())),
                "{key} twice in slot {slot}"
            );
        }
        assert!(
            pairs.insert((
                m["buyer_registration_id"].clone().to_string(),
                m["supplier_registration_id"].to_string()
            )),
            "a pair meets twice: {m}"
        );
    }
}

fn pair_of(m: &Value) -> (String, String) {
    (
        m["buyer_registration_id"].as_str().expect("buyer").to_owned(),
        m["supplier_registration_id"].as_str().expect("supplier").to_owned(),
    )
}

#[tokio::test]
async fn a_draft_meets_every_wish_and_publication_invites_each_person_once() {
    let Some((sink, app)) = app_with_sink().await else {
        return;
    };
    let s = Scene::with(3, 5).tables(3).build(&app).await;
    // Every structure wishes two buyers; buyer 0 also wishes structure 4 (the same pair as
    // one of structure 4's own wishes, so the pair scores 2 + 3).
    let mut wished = HashSet::new();
    for (n, supplier) in s.suppliers.iter().enumerate() {
        for b in [n % 3, (n + 1) % 3] {
            wish(&app, &s.event, supplier, &s.buyers[b], 2).await;
            wished.insert((s.buyers[b].id.clone(), supplier.id.clone()));
        }
    }
    wish(&app, &s.event, &s.buyers[0], &s.suppliers[4], 3).await;
    wished.insert((s.buyers[0].id.clone(), s.suppliers[4].id.clone()));

    let draft = run(&app, &s).await;
    let meetings = draft["meetings"].as_array().expect("meetings");
    assert_eq!(meetings.len(), wished.len(), "{draft}");
    assert_no_double_booking(meetings);
    let met: HashSet<(String, String)> = meetings.iter().map(pair_of).collect();
    assert_eq!(met, wished);
    assert!(
        meetings.iter().all(|m| m["status"].is_null()),
        "nothing is published yet"
    );
    let stats = &draft["stats"];
    assert_eq!(stats["participants"], 8);
    assert_eq!(stats["participants_met"], 8);
    assert_eq!(stats["asking_met"], 8);
    assert_eq!(stats["meetings"], wished.len());
    let by_priority: Vec<(u64, u64, u64)> = stats["wishes_by_priority"]
        .as_array()
        .expect("tallies")
        .iter()
        .map(|t| {
            (
                t["priority"].as_u64().unwrap(),
                t["wished"].as_u64().unwrap(),
                t["met"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(by_priority, [(1, 0, 0), (2, 10, 10), (3, 1, 1)]);
    assert!(stats["ratio"].as_f64().unwrap() > 0.99 && stats["ratio"].as_f64().unwrap() <= 1.0 + 1e-9);
    assert_eq!(stats["tables_used"].as_array().unwrap().len(), 7);
    assert_eq!(
        ok_json(&app, &format!("/api/v1/events/{}/schedule", s.event), &s.organiser).await["id"],
        draft["id"]
    );
    assert!(timetable(&app, &s).await.is_empty(), "a draft publishes nothing");

    let published = publish(&app, &s).await;
    assert_eq!(published["added"], wished.len());
    assert_eq!(published["notified"], 8);
    assert_eq!(published["already_published"], false);

    // 8 confirmations, then 8 agendas.
    let mails = sink.wait_for(16).await;
    let agendas: Vec<_> = mails
        .iter()
        .filter(|m| m.calendars.iter().any(|(method, _)| method == "REQUEST"))
        .collect();
    assert_eq!(agendas.len(), 8, "one agenda mail per person");
    let published_meetings = timetable(&app, &s).await;
    assert_eq!(published_meetings.len(), wished.len());
    assert_no_double_booking(&published_meetings);
    let everyone: Vec<&Person> = s.buyers.iter().chain(&s.suppliers).collect();
    for person in &everyone {
        let mine: Vec<&Value> = published_meetings
            .iter()
            .filter(|m| m["buyer_registration_id"] == person.id || m["supplier_registration_id"] == person.id)
            .collect();
        let mail: Vec<_> = agendas.iter().filter(|m| m.to() == person.email).collect();
        assert_eq!(mail.len(), 1, "{} gets one agenda", person.email);
        let mail = mail[0];
        assert_eq!(mail.calendars.len(), mine.len(), "one invitation per meeting");
        let mut uids = HashSet::new();
        for (method, ics) in &mail.calendars {
            assert_eq!(method, "REQUEST");
            assert!(ics.contains("METHOD:REQUEST\r\n"));
            let Some(parsed) = parse_ics(ics) else { return };
            let events = vevents(&parsed);
            assert_eq!(events.len(), 1);
            let event = events[0];
            uids.insert(value(event, "UID"));
            assert!(value(event, "ORGANIZER").starts_with("mailto:"), "{event}");
            assert!(value(event, "LOCATION").contains("Table"), "{event}");
            let attendees: Vec<String> = event["properties"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["name"] == "ATTENDEE")
                .map(|p| p["value"].as_str().unwrap_or_default().to_lowercase())
                .collect();
            assert!(attendees.contains(&format!("mailto:{}", person.email)), "{attendees:?}");
            // Buyers consented to share their contact, structures did not.
            let shown_partners = attendees.len() - 1;
            let is_buyer = s.buyers.iter().any(|b| b.id == person.id);
            assert_eq!(shown_partners, usize::from(!is_buyer), "{attendees:?}");
        }
        let expected: HashSet<String> = mine
            .iter()
            .map(|m| format!("meeting-{}@127.0.0.1", m["id"].as_str().unwrap()))
            .collect();
        assert_eq!(uids, expected);
    }

    // Publishing the same draft again mails nobody.
    let again = publish(&app, &s).await;
    assert_eq!(again["already_published"], true);
    assert_eq!(again["notified"], 0);
    // Every mail queued is out, none of them new: nothing more can arrive.
    assert_eq!(crate::mail::outbox_at_rest(&app).await, 16);
    assert_eq!(sink.received().len(), 16);
}

/// Agenda mails queued for the event so far, per registration.
async fn agenda_mails(app: &TestApp, people: &[&Person]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for p in people {
        let id = Uuid::parse_str(&p.id).unwrap();
        let rows = matinale_store::outbox::for_registration(&app.db, id).await.unwrap();
        counts.insert(
            p.id.clone(),
            rows.iter().filter(|m| m.kind == "agenda_published").count(),
        );
    }
    counts
}

#[tokio::test]
async fn a_rerun_keeps_published_meetings_exactly_and_mails_only_changed_agendas() {
    let app = spawn_app().await;
    let s = Scene::with(3, 4).tables(2).build(&app).await;
    for (n, supplier) in s.suppliers.iter().enumerate() {
        wish(&app, &s.event, supplier, &s.buyers[n % 3], 3).await;
    }
    run(&app, &s).await;
    publish(&app, &s).await;
    let before = timetable(&app, &s).await;
    assert_eq!(before.len(), 4);

    // A late structure and a late wish.
    let late = register(&app, &s.event, "ess_structure", None, 9, false).await;
    wish(&app, &s.event, &late, &s.buyers[2], 1).await;
    let draft = run(&app, &s).await;
    assert_eq!(draft["stats"]["kept"], 4);
    assert_eq!(draft["meetings"].as_array().unwrap().len(), 5);
    let published_in_draft = draft["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "scheduled")
        .count();
    assert_eq!(published_in_draft, 4);

    let everyone: Vec<&Person> = s.buyers.iter().chain(&s.suppliers).chain([&late]).collect();
    let mails_before = agenda_mails(&app, &everyone).await;
    let published = publish(&app, &s).await;
    assert_eq!(
        (published["added"].as_u64(), published["kept"].as_u64()),
        (Some(1), Some(4))
    );
    assert_eq!(published["notified"], 2, "only the late structure and buyer 2");
    let after = timetable(&app, &s).await;
    assert_no_double_booking(&after);
    let after_by_id: BTreeMap<String, &Value> = after
        .iter()
        .map(|m| (m["id"].as_str().unwrap().to_owned(), m))
        .collect();
    for m in &before {
        assert_eq!(after_by_id[m["id"].as_str().unwrap()], m, "a published meeting changed");
    }
    let mails_after = agenda_mails(&app, &everyone).await;
    for p in &everyone {
        let more = mails_after[&p.id] - mails_before[&p.id];
        let changed = p.id == late.id || p.id == s.buyers[2].id;
        assert_eq!(more, usize::from(changed), "{}", p.email);
    }
}

#[tokio::test]
async fn the_draft_objective_equals_the_offline_scheduler_on_the_same_instance() {
    let app = spawn_app().await;
    let s = Scene::with(3, 6).tables(2).build(&app).await;
    for (n, supplier) in s.suppliers.iter().enumerate() {
        for b in 0..3 {
            if (n + b) % 2 == 0 {
                wish(&app, &s.event, supplier, &s.buyers[b], ((n + b) % 3 + 1) as u8).await;
            }
        }
    }
    // A structure that cannot come to the first three slots and wants at most one meeting.
    s.suppliers[0]
        .set_meetings(
            &app,
            json!({"opt_in": true, "max_meetings": 1, "unavailable_slot_ids": &s.slots[..3]}),
        )
        .await;
    let instance = ok_json(
        &app,
        &format!("/api/v1/events/{}/schedule/instance", s.event),
        &s.organiser,
    )
    .await;
    assert_eq!(instance["slots"].as_array().unwrap().len(), 7);
    assert_eq!(instance["participants"].as_array().unwrap().len(), 9);
    let draft = run(&app, &s).await;

    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("instance.json");
    let output = dir.path().join("schedule.json");
    std::fs::write(&input, serde_json::to_vec(&instance).unwrap()).unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_matinale"))
        .args(["schedule", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .status()
        .expect("matinale schedule runs");
    assert!(status.success());
    let offline: Value = serde_json::from_slice(&std::fs::read(&output).unwrap()).unwrap();
    assert_eq!(offline["objective"], draft["stats"]["objective"]);
    assert_eq!(
        offline["meetings"].as_array().unwrap().len(),
        draft["meetings"].as_array().unwrap().len()
    );

    // The availability and the limit hold.
    let theirs: Vec<&Value> = draft["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["supplier_registration_id"] == s.suppliers[0].id)
        .collect();
    assert!(theirs.len() <= 1);
    assert!(theirs
        .iter()
        .all(|m| !s.slots[..3].contains(&m["slot_id"].as_str().unwrap().to_owned())));
}

/// Runs `sql` (with `$n` parameters) on the test's database.
pub(crate) async fn sql(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) -> Option<sea_orm::QueryResult> {
    app.db
        .query_one_raw(statement(app, sql, values))
        .await
        .expect("SQL runs")
}

#[tokio::test]
async fn one_run_at_a_time_never_two_drafts() {
    let app = spawn_app().await;
    let s = Scene::with(2, 3).tables(2).build(&app).await;
    for (n, supplier) in s.suppliers.iter().enumerate() {
        wish(&app, &s.event, supplier, &s.buyers[n % 2], 2).await;
    }
    // Another process is computing the schedule (a fresh claim): 409.
    let event = Uuid::parse_str(&s.event).unwrap();
    sql(
        &app,
        "INSERT INTO schedule_drafts (event_id, run_token, running_since) VALUES ($1, $2, $3)",
        vec![event.into(), Uuid::now_v7().into(), chrono::Utc::now().into()],
    )
    .await;
    let path = format!("/api/v1/events/{}/schedule", s.event);
    let r = app.post(&path, Some(&s.organiser), &json!({})).await;
    problem(r, StatusCode::CONFLICT).await;
    // Its process died eleven minutes ago: the claim is taken over.
    sql(
        &app,
        "UPDATE schedule_drafts SET running_since = $1 WHERE event_id = $2",
        vec![
            (chrono::Utc::now() - chrono::Duration::minutes(11)).into(),
            event.into(),
        ],
    )
    .await;
    run(&app, &s).await;

    // Concurrent runs: each wins or is told another is under way; one draft stays.
    let mut handles = Vec::new();
    for _ in 0..4 {
        let request = app
            .request(reqwest::Method::POST, &path, Some(&s.organiser))
            .json(&json!({}));
        handles.push(tokio::spawn(
            async move { request.send().await.expect("POST").status() },
        ));
    }
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.expect("request task"));
    }
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT),
        "{statuses:?}"
    );
    assert!(statuses.contains(&StatusCode::CREATED), "{statuses:?}");
    let count: i64 = sql(
        &app,
        "SELECT COUNT(*) AS n FROM schedule_drafts WHERE event_id = $1",
        vec![event.into()],
    )
    .await
    .expect("a count")
    .try_get("", "n")
    .unwrap();
    assert_eq!(count, 1);
    let draft = ok_json(&app, &path, &s.organiser).await;
    assert_eq!(draft["meetings"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn agendas_show_a_persons_meetings_and_tokens_read_only_their_own() {
    let app = spawn_app().await;
    let s = Scene::with(2, 2).tables(2).build(&app).await;
    s.structures_wish_every_buyer(&app, 2).await;
    s.run_and_publish(&app).await;
    let b0 = &s.buyers[0];
    let path = format!("/api/v1/registrations/{}/agenda", b0.id);
    let agenda = ok_json(&app, &path, &b0.token).await;
    assert_eq!(agenda["registration_id"], b0.id);
    assert_eq!(agenda["event"]["id"], s.event);
    let meetings = agenda["meetings"].as_array().unwrap();
    assert_eq!(meetings.len(), 2);
    assert!(
        meetings[0]["starts_at"].as_str() < meetings[1]["starts_at"].as_str(),
        "time order"
    );
    for m in meetings {
        assert_eq!(m["side"], "buyer");
        assert!(m["partner"]["email"].is_null(), "structures did not consent to share");
        assert!(s.suppliers.iter().any(|p| m["partner"]["registration_id"] == p.id));
    }
    let theirs = ok_json(
        &app,
        &format!("/api/v1/registrations/{}/agenda", s.suppliers[0].id),
        &s.suppliers[0].token,
    )
    .await;
    assert!(theirs["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["partner"]["email"].is_string()));
    // Another registrant's token: not found, for the agenda, its calendar and the wishes.
    for other in [
        path.clone(),
        format!("{path}.ics"),
        format!("/api/v1/registrations/{}/wishes", b0.id),
    ] {
        let r = app.get(&other, Some(&s.suppliers[0].token)).await;
        problem(r, StatusCode::NOT_FOUND).await;
    }
    assert_eq!(app.get(&path, Some(&s.organiser)).await.status(), StatusCode::OK);
    assert_eq!(app.get(&path, None).await.status(), StatusCode::UNAUTHORIZED);

    // The .ics agenda and the subscription feed: the event, then one VEVENT per meeting.
    let ics = app
        .get(&format!("{path}.ics"), Some(&b0.token))
        .await
        .text()
        .await
        .unwrap();
    let feed = created(
        &app,
        &format!("/api/v1/registrations/{}/calendar-feed", b0.id),
        Some(&b0.token),
        json!({}),
    )
    .await;
    let feed_ics = app
        .get(feed["url"].as_str().unwrap().trim_start_matches(&app.address), None)
        .await
        .text()
        .await
        .unwrap();
    for calendar in [ics, feed_ics] {
        let Some(parsed) = parse_ics(&calendar) else { return };
        let uids: HashSet<String> = vevents(&parsed).iter().map(|e| value(e, "UID")).collect();
        let expected: HashSet<String> = std::iter::once(format!("event-{}@127.0.0.1", s.event))
            .chain(
                meetings
                    .iter()
                    .map(|m| format!("meeting-{}@127.0.0.1", m["id"].as_str().unwrap())),
            )
            .collect();
        assert_eq!(uids, expected);
    }
}

#[tokio::test]
async fn the_timetable_filters_and_gives_the_stewards_sheet_as_csv() {
    let app = spawn_app().await;
    let s = Scene::with(2, 3).tables(2).build(&app).await;
    s.structures_wish_every_buyer(&app, 1).await;
    s.run_and_publish(&app).await;
    let all = timetable(&app, &s).await;
    assert_eq!(all.len(), 6);
    assert_no_double_booking(&all);
    assert!(all
        .windows(2)
        .all(|w| (w[0]["slot_starts_at"].as_str(), w[0]["table"].as_u64())
            <= (w[1]["slot_starts_at"].as_str(), w[1]["table"].as_u64())));
    let base = format!("/api/v1/events/{}/meetings", s.event);
    let count = |body: Value| body["total"].as_u64().unwrap();
    let mine = ok_json(&app, &format!("{base}?registration={}", s.buyers[0].id), &s.organiser).await;
    assert_eq!(count(mine), 3);
    let slot = all[0]["slot_id"].as_str().unwrap();
    let in_slot = all.iter().filter(|m| m["slot_id"] == slot).count() as u64;
    assert_eq!(
        count(ok_json(&app, &format!("{base}?slot={slot}"), &s.organiser).await),
        in_slot
    );
    let at_one = all.iter().filter(|m| m["table"] == 1).count() as u64;
    assert_eq!(
        count(ok_json(&app, &format!("{base}?table=1"), &s.organiser).await),
        at_one
    );
    assert_eq!(
        count(ok_json(&app, &format!("{base}?status=scheduled"), &s.organiser).await),
        6
    );
    assert_eq!(
        count(ok_json(&app, &format!("{base}?status=cancelled"), &s.organiser).await),
        0
    );
    let paged = app.get(&format!("{base}?per_page=4&page=2"), Some(&s.organiser)).await;
    assert!(paged.headers()["link"].to_str().unwrap().contains("rel=\"first\""));
    let paged: Value = paged.json().await.unwrap();
    assert_eq!(paged["items"].as_array().unwrap().len(), 2);
    for bad in ["table=one", "status=maybe", "slot=nope", "per_page=500"] {
        let r = app.get(&format!("{base}?{bad}"), Some(&s.organiser)).await;
        let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(!fields(&p).is_empty(), "{bad}: {p}");
    }

    let r = app
        .request(reqwest::Method::GET, &base, Some(&s.organiser))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let body = r.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        header[..6],
        ["date", "starts_at", "ends_at", "table", "table_label", "buyer_name"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| &r[1] >= "10:30" && &r[2] <= "12:00"), "local times");
    assert!(
        rows.iter().any(|r| r[6].starts_with("Ville n°")),
        "the buyer's organisation"
    );
}

#[tokio::test]
async fn only_confirmed_opted_in_people_are_scheduled_and_declined_pairs_never() {
    let app = spawn_app().await;
    let s = Scene::with(2, 5).tables(3).build(&app).await;
    s.structures_wish_every_buyer(&app, 2).await;
    // Structure 0 cancels, structure 1 opts out, buyer 1 declines structure 2.
    s.suppliers[0].cancel(&app).await;
    s.suppliers[1].set_meetings(&app, json!({"opt_in": false})).await;
    let received = ok_json(
        &app,
        &format!("/api/v1/registrations/{}/wishes", s.buyers[1].id),
        &s.buyers[1].token,
    )
    .await;
    let from_2 = received["received"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["from_registration_id"] == s.suppliers[2].id)
        .expect("structure 2's wish")
        .clone();
    let r = app
        .post(
            &format!("/api/v1/wishes/{}/decline", from_2["id"].as_str().unwrap()),
            Some(&s.buyers[1].token),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // A partner and a visitor registered too; they never meet anyone.
    register(&app, &s.event, "partner", None, 1, false).await;
    register(&app, &s.event, "visitor", None, 2, false).await;

    let draft = run(&app, &s).await;
    let meetings = draft["meetings"].as_array().unwrap();
    assert_no_double_booking(meetings);
    let pairs: HashSet<(String, String)> = meetings.iter().map(pair_of).collect();
    let mut expected = HashSet::new();
    for supplier in &s.suppliers[2..] {
        for buyer in &s.buyers {
            expected.insert((buyer.id.clone(), supplier.id.clone()));
        }
    }
    expected.remove(&(s.buyers[1].id.clone(), s.suppliers[2].id.clone()));
    assert_eq!(pairs, expected);
    assert_eq!(draft["stats"]["participants"], 5);
}

#[tokio::test]
async fn an_interest_in_a_need_counts_as_a_wish() {
    let app = spawn_app().await;
    let s = Scene::with(1, 0).tables(1).claims_unconfirmed().build(&app).await;
    let ess_org = created(
        &app,
        "/api/v1/organisations",
        Some(&s.organiser),
        json!({"kind": "ess_structure", "name": "Les Cuisines Solidaires", "cities": ["Orly"]}),
    )
    .await;
    let supplier = register(&app, &s.event, "ess_structure", ess_org["id"].as_str(), 0, false).await;
    let buyer_org = ok_json(
        &app,
        &format!("/api/v1/registrations/{}", s.buyers[0].id),
        &s.buyers[0].token,
    )
    .await["organisation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let need = created(
        &app,
        "/api/v1/needs",
        Some(&s.organiser),
        json!({"organisation_id": buyer_org, "event_id": s.event, "title": "Mobilier de bureau en réemploi",
               "description": "Bureaux et chaises pour trois services.", "category": "mobilier_reemploi",
               "cpv_codes": ["39130000-2"], "amount_min_eur": 20000, "amount_max_eur": 60000,
               "expected_tender_on": "2027-03-01", "reserved_market": "none", "social_clause": true,
               "environmental_criterion": true, "cities": ["Orly"], "status": "open"}),
    )
    .await;
    // The structure's claim to its organisation is approved by the organiser, so its interest
    // counts; the buyer's registration merely names Ville n°0 so far.
    let approve = |id: &str| format!("/api/v1/registrations/{id}/organisation/approve");
    let r = app.post(&approve(&supplier.id), Some(&s.organiser), &json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let interest = app
        .post(
            &format!("/api/v1/needs/{}/interests", need["id"].as_str().unwrap()),
            Some(&supplier.token),
            &json!({"registration_id": supplier.id, "message": "Nous livrons du mobilier reconditionné."}),
        )
        .await;
    let status = interest.status();
    let body: Value = interest.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let draft = run(&app, &s).await;
    assert!(
        draft["meetings"].as_array().unwrap().is_empty(),
        "an unconfirmed claim does not stand for the buyer: {draft}"
    );
    let r = app
        .post(&approve(&s.buyers[0].id), Some(&s.organiser), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let wishes = ok_json(
        &app,
        &format!("/api/v1/registrations/{}/wishes", supplier.id),
        &supplier.token,
    )
    .await;
    assert_eq!(wishes["made"][0]["source"], "interest", "{wishes}");
    let draft = run(&app, &s).await;
    let meetings = draft["meetings"].as_array().unwrap();
    assert_eq!(meetings.len(), 1, "{draft}");
    assert_eq!(meetings[0]["score"], 2);
}

#[tokio::test]
async fn schedules_are_for_the_events_organisers_only() {
    let app = spawn_app().await;
    let s = Scene::with(1, 1).tables(1).build(&app).await;
    let path = format!("/api/v1/events/{}/schedule", s.event);
    problem(app.get(&path, Some(&s.organiser)).await, StatusCode::NOT_FOUND).await;
    problem(
        app.post(&format!("{path}/publish"), Some(&s.organiser), &json!({}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    problem(app.post(&path, None, &json!({})).await, StatusCode::UNAUTHORIZED).await;
    problem(
        app.post(&path, Some(&s.buyers[0].token), &json!({})).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let stranger = app.organiser().await;
    for (method, target) in [
        (reqwest::Method::POST, path.clone()),
        (reqwest::Method::POST, format!("{path}/publish")),
        (reqwest::Method::GET, format!("{path}/instance")),
        (reqwest::Method::GET, format!("/api/v1/events/{}/meetings", s.event)),
    ] {
        let r = app
            .request(method.clone(), &target, Some(&stranger))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        problem(r, StatusCode::FORBIDDEN).await;
    }
    let unknown = format!("/api/v1/events/{}/schedule", Uuid::now_v7());
    problem(
        app.post(&unknown, Some(&s.organiser), &json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // An empty run is a draft with no meeting, and publishing it mails nobody.
    let draft = run(&app, &s).await;
    assert!(draft["meetings"].as_array().unwrap().is_empty());
    assert_eq!(publish(&app, &s).await["notified"], 0);
}

#[tokio::test]
async fn people_who_leave_after_the_draft_are_not_booked_when_it_is_published() {
    let app = spawn_app().await;
    let s = Scene::with(2, 3).tables(2).build(&app).await;
    for supplier in &s.suppliers {
        wish(&app, &s.event, supplier, &s.buyers[0], 2).await;
    }
    wish(&app, &s.event, &s.suppliers[2], &s.buyers[1], 1).await;
    let draft = run(&app, &s).await;
    assert_eq!(draft["meetings"].as_array().unwrap().len(), 4);
    // Structure 0 cancels and structure 1 opts out before the organiser publishes.
    s.suppliers[0].cancel(&app).await;
    s.suppliers[1].set_meetings(&app, json!({"opt_in": false})).await;
    let published = publish(&app, &s).await;
    assert_eq!(
        (published["added"].as_u64(), published["skipped"].as_u64()),
        (Some(2), Some(2)),
        "{published}"
    );
    assert_eq!(
        published["notified"], 3,
        "buyer 0, buyer 1 and structure 2: {published}"
    );
    let booked: HashSet<(String, String)> = timetable(&app, &s).await.iter().map(pair_of).collect();
    let expected: HashSet<(String, String)> = [
        (s.buyers[0].id.clone(), s.suppliers[2].id.clone()),
        (s.buyers[1].id.clone(), s.suppliers[2].id.clone()),
    ]
    .into();
    assert_eq!(booked, expected);
    for gone in &s.suppliers[..2] {
        let rows = matinale_store::outbox::for_registration(&app.db, Uuid::parse_str(&gone.id).unwrap())
            .await
            .unwrap();
        assert!(
            rows.iter().all(|m| m.kind != "agenda_published"),
            "{} is not invited",
            gone.email
        );
    }
}

/// The buyer of an inverted stand sits at the table whose label names its organisation, in every
/// slot, and nobody else sits there; a buyer without a stand shares the other tables.
#[tokio::test]
async fn the_buyer_of_an_inverted_stand_keeps_the_table_named_after_it() {
    let app = spawn_app().await;
    let s = Scene::with(3, 5).build(&app).await;
    let blocks = ok_json(
        &app,
        &format!("/api/v1/events/{}/meeting-blocks", s.event),
        &s.organiser,
    )
    .await;
    let block = blocks["items"][0]["id"].as_str().expect("a block").to_owned();
    let r = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/meeting-blocks/{block}"),
            Some(&s.organiser),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    created(
        &app,
        &format!("/api/v1/events/{}/meeting-blocks", s.event),
        Some(&s.organiser),
        json!({"starts_at": "2099-11-25T10:30:00+01:00", "ends_at": "2099-11-25T12:00:00+01:00",
               "slot_minutes": 10, "break_minutes": 2, "tables": 3,
               "table_labels": ["Table 1 – Ville n°2", "Table 2 – au fond", "Table 3 – Ville n°1"]}),
    )
    .await;
    for b in [1, 2] {
        created(
            &app,
            &format!("/api/v1/events/{}/stands", s.event),
            Some(&s.organiser),
            json!({"kind": "inverted", "organisation_id": s.buyer_orgs[b], "title": format!("Les besoins de la ville n°{b}")}),
        )
        .await;
    }
    for buyer in &s.buyers {
        let r = app
            .post(
                &format!("/api/v1/registrations/{}/organisation/approve", buyer.id),
                Some(&s.organiser),
                &json!({}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());
    }
    s.structures_wish_every_buyer(&app, 2).await;

    let draft = run(&app, &s).await;
    let meetings = draft["meetings"].as_array().expect("meetings");
    assert_eq!(meetings.len(), 15, "every wish fits: {draft}");
    assert_no_double_booking(meetings);
    let expected = [(0, 2), (1, 3), (2, 1)];
    for (b, table) in expected {
        let at: HashSet<u64> = meetings
            .iter()
            .filter(|m| m["buyer_registration_id"] == s.buyers[b].id.as_str())
            .map(|m| m["table"].as_u64().unwrap())
            .collect();
        assert_eq!(at, HashSet::from([table]), "buyer {b}: {draft}");
    }
    let instance = ok_json(
        &app,
        &format!("/api/v1/events/{}/schedule/instance", s.event),
        &s.organiser,
    )
    .await;
    let tables: BTreeMap<String, Value> = instance["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap().to_owned(), p["table"].clone()))
        .collect();
    assert_eq!(tables[&s.buyers[0].id], Value::Null);
    assert_eq!(tables[&s.buyers[1].id], json!(3));
    assert_eq!(tables[&s.buyers[2].id], json!(1));
}
