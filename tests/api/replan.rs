//! On the day: presence (check-ins, an organiser's mark, a person's arrival) and the re-plan
//! of the rest of a block — meetings of people there kept, those with an absent side
//! cancelled, newly wished pairs added, everyone whose agenda changed mailed (to a real SMTP
//! server, each .ics read by Python's icalendar) — with check-ins going on meanwhile and one
//! re-plan at a time, on SQLite or PostgreSQL, with the clock set on the day.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::calendars::{parse_ics, value, vevents};
use crate::mail::app_with_sink;
use crate::meetings::{assert_no_double_booking, sql};
use crate::scene::{publish, run, timetable, wish, Person, Scene};
use crate::support::{fields, problem, spawn_app, TestApp};

/// 10:50 in Paris on the day: the block's third slot (10:54) is the next to start.
fn on_the_day() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2099-11-25T10:50:00+01:00")
        .expect("a time")
        .with_timezone(&Utc)
}

/// Sets the clock on the day, and signs the scene's organiser in again (the token of the days
/// before has expired).
async fn move_to_the_day(app: &TestApp, s: &mut Scene) {
    app.move_clock_to(on_the_day(), &mut [&mut s.organiser]).await;
}

async fn check_in(app: &TestApp, s: &Scene, who: &Person) {
    let r = app
        .post(
            &format!("/api/v1/events/{}/check-ins", s.event),
            Some(&s.organiser),
            &json!({"registration_id": who.id}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());
}

async fn presence(app: &TestApp, who: &Person, token: &str, body: Value) -> reqwest::Response {
    app.post(
        &format!("/api/v1/registrations/{}/presence", who.id),
        Some(token),
        &body,
    )
    .await
}

async fn replan(app: &TestApp, s: &Scene, body: &Value) -> Value {
    let r = app
        .post(
            &format!("/api/v1/events/{}/schedule/replan", s.event),
            Some(&s.organiser),
            body,
        )
        .await;
    let status = r.status();
    let body: Value = r.json().await.expect("JSON");
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn ids(list: &Value) -> HashSet<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().expect("an id").to_owned())
        .collect()
}

fn involves(m: &Value, p: &Person) -> bool {
    m["buyer_registration_id"] == p.id || m["supplier_registration_id"] == p.id
}

#[tokio::test]
async fn presence_is_said_by_organisers_and_by_the_person_for_slots_of_the_event() {
    let app = spawn_app().await;
    let s = Scene::with(1, 1).tables(1).build(&app).await;
    let b = &s.buyers[0];
    // The person says when they arrive and leave.
    let r = presence(
        &app,
        b,
        &b.token,
        json!({"from_slot_id": s.slots[2], "until_slot_id": s.slots[5]}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["from_slot_id"], s.slots[2]);
    assert_eq!(body["until_slot_id"], s.slots[5]);
    assert_eq!(body["checked_in"], false);
    assert_eq!(body["marked_present"], Value::Null);
    // …but only an organiser marks them present or absent.
    let r = presence(&app, b, &b.token, json!({"present": false})).await;
    problem(r, StatusCode::FORBIDDEN).await;
    let r = presence(&app, b, &s.organiser, json!({"present": false})).await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["marked_present"], false);
    assert_eq!(body["from_slot_id"], s.slots[2], "what was said stays");
    // Slots of another event, or leaving before arriving: 422 naming the field.
    let other = Scene::with(1, 1).tables(1).build(&app).await;
    let r = presence(&app, b, &b.token, json!({"from_slot_id": other.slots[0]})).await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["from_slot_id"]
    );
    let r = presence(&app, b, &b.token, json!({"until_slot_id": s.slots[1]})).await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["until_slot_id"]
    );
    let r = presence(&app, b, &b.token, json!({"until_slot_id": "soon"})).await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["until_slot_id"]
    );
    // Another registrant's token names nobody.
    let r = presence(&app, b, &s.suppliers[0].token, json!({"from_slot_id": null})).await;
    problem(r, StatusCode::NOT_FOUND).await;
    // A re-plan is for organisers, from a slot of the event.
    let path = format!("/api/v1/events/{}/schedule/replan", s.event);
    let r = app.post(&path, Some(&b.token), &json!({})).await;
    assert!(
        r.status() == StatusCode::UNAUTHORIZED || r.status() == StatusCode::NOT_FOUND,
        "{}",
        r.status()
    );
    let r = app
        .post(&path, Some(&s.organiser), &json!({"from_slot_id": other.slots[0]}))
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["from_slot_id"]
    );
}

#[tokio::test]
async fn a_replan_keeps_who_came_cancels_the_absent_and_adds_new_wishes_with_mails() {
    let Some((sink, app)) = app_with_sink().await else {
        return;
    };
    let mut s = Scene::with(3, 4).tables(2).build(&app).await;
    let (buyers, suppliers) = (s.buyers.clone(), s.suppliers.clone());
    let (b0, b1, b2) = (&buyers[0], &buyers[1], &buyers[2]);
    let (s0, s1, s2, s3) = (&suppliers[0], &suppliers[1], &suppliers[2], &suppliers[3]);
    // The absent-to-be (b2, s2) and the latecomer (s3) can only meet from the third slot on,
    // so that their meetings are all still to come when the re-plan runs.
    b2.set_meetings(&app, json!({"unavailable_slot_ids": s.slots[..2]}))
        .await;
    s2.set_meetings(&app, json!({"unavailable_slot_ids": s.slots[..2]}))
        .await;
    s3.set_meetings(&app, json!({"unavailable_slot_ids": s.slots[..4]}))
        .await;
    for (from, to) in [(s0, b0), (s1, b0), (s2, b1), (s0, b2), (s3, b1)] {
        wish(&app, &s.event, from, to, 2).await;
    }
    run(&app, &s).await;
    let published = publish(&app, &s).await;
    assert_eq!(published["added"], 5, "{published}");
    // 7 confirmations, 7 agendas.
    sink.wait_for(14).await;
    let before = timetable(&app, &s).await;
    // A new wish after publication: s3 would like to meet b0 too.
    wish(&app, &s.event, s3, b0, 3).await;

    move_to_the_day(&app, &mut s).await;
    for p in [b0, b1, s0, s1] {
        check_in(&app, &s, p).await;
    }
    // b2 phoned in: absent; s2 simply did not come; s3 arrives for the fifth slot.
    presence(&app, b2, &s.organiser, json!({"present": false})).await;
    let r = presence(&app, s3, &s3.token, json!({"from_slot_id": s.slots[4]})).await;
    assert_eq!(r.status(), StatusCode::OK);

    let answer = replan(&app, &s, &json!({})).await;
    assert_eq!(answer["from_slot_id"], s.slots[2], "the next slot to start");
    assert!(answer["millis"].is_u64(), "{answer}");
    let slot_index: HashMap<&str, usize> = s.slots.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let index_of = |m: &Value| slot_index[m["slot_id"].as_str().expect("slot")];
    let absent = [b2, s2];
    let to_come: Vec<&Value> = before.iter().filter(|m| index_of(m) >= 2).collect();
    let expected_cancelled: HashSet<String> = to_come
        .iter()
        .filter(|m| absent.iter().any(|p| involves(m, p)))
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    let expected_kept: HashSet<String> = to_come
        .iter()
        .filter(|m| !absent.iter().any(|p| involves(m, p)))
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(expected_cancelled.len(), 2, "b2–s0 and b1–s2 were to come");
    assert_eq!(ids(&answer["cancelled"]), expected_cancelled, "{answer}");
    assert_eq!(ids(&answer["kept"]), expected_kept, "{answer}");
    let added = ids(&answer["added"]);
    assert_eq!(added.len(), 1, "the new wish s3 → b0: {answer}");
    assert_eq!(answer["open_to_any_meetings"], 0, "nobody is open to anyone: {answer}");

    let after = timetable(&app, &s).await;
    assert_no_double_booking(&after);
    let by_id: HashMap<&str, &Value> = after.iter().map(|m| (m["id"].as_str().unwrap(), m)).collect();
    for m in &before {
        let now = by_id[m["id"].as_str().unwrap()];
        let id = m["id"].as_str().unwrap().to_owned();
        if expected_cancelled.contains(&id) {
            assert_eq!(now["status"], "cancelled");
            assert_eq!(now["sequence"], 1, "{now}");
        } else {
            // The past and the meetings of people there stay exactly as they were.
            assert_eq!(now["status"], "scheduled");
            assert_eq!(
                (&now["slot_id"], &now["table"], &now["sequence"]),
                (&m["slot_id"], &m["table"], &m["sequence"])
            );
        }
    }
    let new = by_id[added.iter().next().unwrap().as_str()];
    assert!(involves(new, b0) && involves(new, s3), "{new}");
    assert!(index_of(new) >= 4, "s3 is there from the fifth slot: {new}");
    assert_eq!(new["status"], "scheduled");
    assert_eq!(
        answer["notified"], 6,
        "b2, s0, b1, s2 lose one; b0 and s3 gain one: {answer}"
    );

    // 4 cancellations (both sides of each), 2 agendas.
    let mails = sink.wait_for(20).await;
    let changes = &mails[14..];
    let mut cancels: HashMap<String, usize> = HashMap::new();
    let mut agendas = HashSet::new();
    for mail in changes {
        for (method, ics) in &mail.calendars {
            let Some(parsed) = parse_ics(ics) else { return };
            let events = vevents(&parsed);
            match method.as_str() {
                "CANCEL" => {
                    assert_eq!(events.len(), 1);
                    let uid = value(events[0], "UID");
                    assert_eq!(value(events[0], "SEQUENCE"), "1", "{ics}");
                    *cancels.entry(uid).or_default() += 1;
                }
                "REQUEST" => {
                    for e in events {
                        if value(e, "UID").contains(new["id"].as_str().unwrap()) {
                            agendas.insert(mail.to().to_owned());
                        }
                    }
                }
                other => panic!("unexpected method {other}"),
            }
        }
    }
    let expected_uids: HashMap<String, usize> = expected_cancelled
        .iter()
        .map(|id| (format!("meeting-{id}@127.0.0.1"), 2))
        .collect();
    assert_eq!(cancels, expected_uids);
    assert_eq!(agendas, HashSet::from([b0.email.clone(), s3.email.clone()]));
    assert_eq!(changes.len(), 6);

    // Nothing changed since: a second re-plan keeps everything and mails nobody.
    let again = replan(&app, &s, &json!({"from_slot_id": s.slots[2]})).await;
    assert!(
        ids(&again["cancelled"]).is_empty() && ids(&again["added"]).is_empty(),
        "{again}"
    );
    assert_eq!(again["notified"], 0);
}

#[tokio::test]
async fn check_ins_go_on_during_a_replan_and_one_replan_runs_at_a_time() {
    let app = spawn_app().await;
    let mut s = Scene::with(4, 8).tables(4).build(&app).await;
    s.buyers_wish_every_structure(&app).await;
    s.run_and_publish(&app).await;
    move_to_the_day(&app, &mut s).await;
    for p in s.buyers.iter().take(3).chain(s.suppliers.iter().take(4)) {
        check_in(&app, &s, p).await;
    }
    // Another process re-plans (a fresh claim): 409.
    let event = Uuid::parse_str(&s.event).unwrap();
    sql(
        &app,
        "UPDATE schedule_drafts SET run_token = $1, running_since = $2 WHERE event_id = $3",
        vec![Uuid::now_v7().into(), on_the_day().into(), event.into()],
    )
    .await;
    let path = format!("/api/v1/events/{}/schedule/replan", s.event);
    let r = app.post(&path, Some(&s.organiser), &json!({})).await;
    problem(r, StatusCode::CONFLICT).await;
    sql(
        &app,
        "UPDATE schedule_drafts SET run_token = NULL, running_since = NULL WHERE event_id = $1",
        vec![event.into()],
    )
    .await;

    // Two re-plans at once, and the latecomers checking in meanwhile: every check-in goes
    // through; each re-plan succeeds or is told another one runs, at least one succeeds.
    let other = app.another_instance().await;
    let mut replans = Vec::new();
    for instance in [&app, &other] {
        let request = instance
            .request(reqwest::Method::POST, &path, Some(&s.organiser))
            .json(&json!({}));
        replans.push(tokio::spawn(
            async move { request.send().await.expect("POST").status() },
        ));
    }
    let mut check_ins = Vec::new();
    for p in s.buyers.iter().skip(3).chain(s.suppliers.iter().skip(4)) {
        let request = app
            .request(
                reqwest::Method::POST,
                &format!("/api/v1/events/{}/check-ins", s.event),
                Some(&s.organiser),
            )
            .json(&json!({"registration_id": p.id}));
        check_ins.push(tokio::spawn(
            async move { request.send().await.expect("POST").status() },
        ));
    }
    for c in check_ins {
        assert_eq!(c.await.expect("check-in task"), StatusCode::OK);
    }
    let statuses: Vec<StatusCode> = futures_join(replans).await;
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT),
        "{statuses:?}"
    );
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
    assert_no_double_booking(&timetable(&app, &s).await);
    // The claim is released: a re-plan after them runs.
    replan(&app, &s, &json!({})).await;
}

async fn futures_join(handles: Vec<tokio::task::JoinHandle<StatusCode>>) -> Vec<StatusCode> {
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("request task"));
    }
    out
}

fn pair(m: &Value) -> (String, String) {
    (
        m["buyer_registration_id"].as_str().expect("buyer").to_owned(),
        m["supplier_registration_id"].as_str().expect("supplier").to_owned(),
    )
}

#[tokio::test]
async fn people_open_to_anyone_fill_idle_tables_below_every_wish() {
    let app = spawn_app().await;
    let mut s = Scene::with(2, 2)
        .tables(2)
        .structures_in_organisations()
        .build(&app)
        .await;
    let (buyers, suppliers) = (s.buyers.clone(), s.suppliers.clone());
    let (b0, b1, s0, s1) = (&buyers[0], &buyers[1], &suppliers[0], &suppliers[1]);
    wish(&app, &s.event, s0, b0, 2).await;
    for p in [b0, b1, s1] {
        p.set_meetings(&app, json!({"open_to_any": true})).await;
    }
    let r = app
        .get(&format!("/api/v1/registrations/{}", b1.id), Some(&b1.token))
        .await;
    assert_eq!(r.json::<Value>().await.unwrap()["meetings"]["open_to_any"], true);
    let open: HashSet<(String, String)> =
        HashSet::from([(b0.id.clone(), s1.id.clone()), (b1.id.clone(), s1.id.clone())]);

    // A draft with fill_idle: the wish as before, and the open pairs where both are idle.
    let plain = run(&app, &s).await;
    let r = app
        .post(
            &format!("/api/v1/events/{}/schedule", s.event),
            Some(&s.organiser),
            &json!({"fill_idle": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let filled: Value = r.json().await.unwrap();
    assert_eq!(
        filled["stats"]["wishes_by_priority"],
        plain["stats"]["wishes_by_priority"]
    );
    // The figures count the open pairs apart: the wish pass's objective stays, the meetings
    // and the people met grow.
    assert_eq!(plain["stats"]["open_to_any_meetings"], 0, "{plain}");
    assert_eq!(filled["stats"]["open_to_any_meetings"], 2, "{filled}");
    assert_eq!(filled["stats"]["objective"], plain["stats"]["objective"]);
    assert_eq!(
        filled["stats"]["meetings"].as_u64(),
        plain["stats"]["meetings"].as_u64().map(|n| n + 2)
    );
    assert_eq!(filled["stats"]["participants_met"], 4, "{filled}");
    let used = |draft: &Value| -> u64 {
        draft["stats"]["tables_used"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["used"].as_u64().unwrap())
            .sum()
    };
    assert_eq!(used(&filled), used(&plain) + 2);
    let pairs: HashSet<(String, String)> = filled["meetings"].as_array().unwrap().iter().map(pair).collect();
    let mut expected = open.clone();
    expected.insert((b0.id.clone(), s0.id.clone()));
    assert_eq!(pairs, expected, "{filled}");
    assert_no_double_booking(filled["meetings"].as_array().unwrap());
    let r = app
        .post(
            &format!("/api/v1/events/{}/schedule", s.event),
            Some(&s.organiser),
            &json!({"fill_idle": 1}),
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["fill_idle"]
    );

    // Published without them; on the day everyone came: the re-plan seats the open pairs.
    run(&app, &s).await;
    publish(&app, &s).await;
    move_to_the_day(&app, &mut s).await;
    for p in [b0, b1, s0, s1] {
        check_in(&app, &s, p).await;
    }
    let answer = replan(&app, &s, &json!({})).await;
    assert!(ids(&answer["cancelled"]).is_empty(), "{answer}");
    assert_eq!(answer["open_to_any_meetings"], 2, "{answer}");
    let after = timetable(&app, &s).await;
    assert_no_double_booking(&after);
    let added: HashSet<(String, String)> = after
        .iter()
        .filter(|m| ids(&answer["added"]).contains(m["id"].as_str().unwrap()))
        .map(pair)
        .collect();
    assert_eq!(added, open, "{answer}");
}
