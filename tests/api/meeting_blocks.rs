use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value as SqlValue};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{created, fields, matinale, ok_json, problem, spawn_app, TestApp};

/// When the events of these tests start: in 30 days, at 08:00 UTC; they last four hours.
pub fn event_start() -> DateTime<Utc> {
    let day = (Utc::now() + Duration::days(30)).date_naive();
    day.and_hms_opt(8, 0, 0).expect("a valid time").and_utc()
}

pub fn at(minutes_after_start: i64) -> String {
    (event_start() + Duration::minutes(minutes_after_start)).to_rfc3339()
}

/// A matinale of four hours in 30 days, open for registration since yesterday.
pub fn speed_matinale(status: &str) -> Value {
    let mut event = matinale();
    event["status"] = json!(status);
    event["starts_at"] = json!(at(0));
    event["ends_at"] = json!(at(240));
    event["registration_opens_at"] = json!((Utc::now() - Duration::days(1)).to_rfc3339());
    event["registration_closes_at"] = json!(at(-24 * 60));
    event
}

/// Creates a published speed matinale; its id.
pub async fn open_event(app: &TestApp, organiser: &str) -> String {
    app.create_event(organiser, &speed_matinale("published")).await["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

/// Registers someone in `category` for `event`, for `organisation` if any; the 201 body (with
/// `manage_token`).
pub async fn register(app: &TestApp, event: &str, category: &str, organisation: Option<&str>) -> Value {
    let body = json!({
        "category": category,
        "person": {"first_name": "Awa", "last_name": "Diallo",
                   "email": format!("{}@example.org", Uuid::now_v7().simple())},
        "organisation_id": organisation,
        "locale": "fr",
    });
    created(app, &format!("/api/v1/events/{event}/registrations"), None, body).await
}

pub fn id_of(v: &Value) -> &str {
    v["id"].as_str().expect("an id")
}

pub fn token_of(v: &Value) -> &str {
    v["manage_token"].as_str().expect("a manage token")
}

/// One statement written with `$n` parameters, for the test's database (`?` on SQLite).
pub fn statement(app: &TestApp, text: &str, values: Vec<SqlValue>) -> Statement {
    let backend = app.db.get_database_backend();
    let text = if backend == DbBackend::Sqlite {
        text.replace('$', "?")
    } else {
        text.to_owned()
    };
    Statement::from_sql_and_values(backend, text, values)
}

/// Runs one SQL statement written with `$n` parameters on the test's database.
pub async fn sql(app: &TestApp, text: &str, values: Vec<SqlValue>) -> u64 {
    app.db
        .execute_raw(statement(app, text, values))
        .await
        .expect("SQL")
        .rows_affected()
}

/// Counts the rows a `SELECT COUNT(*) AS n …` finds.
pub async fn count(app: &TestApp, text: &str, values: Vec<SqlValue>) -> i64 {
    let row = app
        .db
        .query_one_raw(statement(app, text, values))
        .await
        .expect("SQL")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}

fn block(start: i64, end: i64) -> Value {
    json!({"starts_at": at(start), "ends_at": at(end), "slot_minutes": 10, "break_minutes": 2, "tables": 3})
}

async fn create_block(app: &TestApp, token: &str, event: &str, body: &Value) -> Value {
    created(
        app,
        &format!("/api/v1/events/{event}/meeting-blocks"),
        Some(token),
        body.clone(),
    )
    .await
}

/// How many slots of `block` (its JSON) the database holds, under `condition` (`" AND …"`).
async fn slot_count(app: &TestApp, block: &Value, condition: &str) -> i64 {
    let text = format!("SELECT COUNT(*) AS n FROM meeting_slots WHERE block_id = $1{condition}");
    count(
        app,
        &text,
        vec![Uuid::parse_str(id_of(block)).expect("a block id").into()],
    )
    .await
}

/// A fresh app, an organiser's token and their published speed matinale.
async fn organised() -> (TestApp, String, String) {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org).await;
    (app, org, event)
}

async fn delete(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    app.request(Method::DELETE, path, token).send().await.expect("DELETE")
}

#[tokio::test]
async fn a_block_is_cut_into_slots_and_the_blocks_are_listed_in_time_order() {
    let (app, org, event) = organised().await;

    // 10:00–11:30 with 10-minute slots and 2-minute breaks: seven slots.
    let late = create_block(&app, &org, &event, &block(120, 210)).await;
    assert_eq!(late["event_id"], event.as_str());
    assert_eq!(late["tables"], 3);
    assert_eq!(late["slot_minutes"], 10);
    assert_eq!(late["break_minutes"], 2);
    assert_eq!(late["table_labels"], Value::Null);
    let slots = late["slots"].as_array().unwrap();
    assert_eq!(slots.len(), 7);
    let time = |v: &Value| DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert_eq!(time(&slots[0]["starts_at"]), time(&json!(at(120))));
    assert_eq!(time(&slots[1]["starts_at"]), time(&json!(at(132))));
    assert_eq!(time(&slots[6]["ends_at"]), time(&json!(at(202))));
    assert!(slots.iter().all(|s| s["id"].is_string()));
    // Every time is shown with the offset of the event's zone (Europe/Paris), like the meetings.
    let paris = |v: &Value| time(v).with_timezone(&chrono_tz::Europe::Paris).fixed_offset();
    for v in [
        &late["starts_at"],
        &late["ends_at"],
        &slots[0]["starts_at"],
        &slots[6]["ends_at"],
    ] {
        assert_eq!(time(v).offset(), paris(v).offset(), "{v}");
        assert_ne!(time(v).offset().local_minus_utc(), 0, "{v}");
    }

    let mut labelled = block(30, 60);
    labelled["tables"] = json!(2);
    labelled["table_labels"] = json!(["Ville d'Orly", "Département"]);
    let early = create_block(&app, &org, &event, &labelled).await;
    assert_eq!(early["table_labels"], json!(["Ville d'Orly", "Département"]));
    assert_eq!(early["slots"].as_array().unwrap().len(), 2);

    // Touching blocks do not overlap.
    create_block(&app, &org, &event, &block(210, 240)).await;

    let r = app
        .get(&format!("/api/v1/events/{event}/meeting-blocks"), Some(&org))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().contains_key("link"));
    let list: Value = r.json().await.unwrap();
    assert_eq!(list["total"], 3);
    assert_eq!(list["page"], 1);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items[0]["id"], early["id"]);
    assert_eq!(items[1]["id"], late["id"]);
    assert_eq!(items[1]["slots"], late["slots"]);
    assert_eq!(items[2]["slots"].as_array().unwrap().len(), 2);

    let r = app
        .get(
            &format!("/api/v1/events/{event}/meeting-blocks?per_page=1&page=2"),
            Some(&org),
        )
        .await;
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["id"], late["id"]);
    assert_eq!(slot_count(&app, &late, " AND position BETWEEN 0 AND 6").await, 7);
}

#[tokio::test]
async fn blocks_outside_the_event_over_another_or_with_bad_slots_are_refused_by_field() {
    let (app, org, event) = organised().await;
    create_block(&app, &org, &event, &block(100, 130)).await;
    let path = format!("/api/v1/events/{event}/meeting-blocks");

    let with = |change: Value| {
        let mut body = block(150, 200);
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (with(json!({"starts_at": at(-30), "ends_at": at(60)})), "starts_at"),
        (with(json!({"ends_at": at(300)})), "ends_at"),
        (with(json!({"ends_at": at(100)})), "ends_at"),
        (with(json!({"starts_at": at(90)})), "starts_at"),
        (with(json!({"slot_minutes": 4})), "slot_minutes"),
        (with(json!({"slot_minutes": 241})), "slot_minutes"),
        (with(json!({"break_minutes": -1})), "break_minutes"),
        (with(json!({"tables": 0})), "tables"),
        (with(json!({"table_labels": ["A", "B"]})), "table_labels"),
        (with(json!({"table_labels": ["A", "", "C"]})), "table_labels[1]"),
        (with(json!({"room": "Salle 2"})), "room"),
        (with(json!({"tables": "three"})), "tables"),
        (with(json!({"starts_at": "tomorrow"})), "starts_at"),
    ];
    for (body, field) in cases {
        let p = problem(
            app.post(&path, Some(&org), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&p), [field], "{body}: {p}");
    }
    // Not one slot fits.
    let p = problem(
        app.post(&path, Some(&org), &with(json!({"ends_at": at(155)}))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["slot_minutes"]);
    let listed: Value = app.get(&path, Some(&org)).await.json().await.unwrap();
    assert_eq!(listed["total"], 1, "no refused block was stored");
}

#[tokio::test]
async fn only_the_organisers_of_the_event_manage_its_blocks() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let other = app.organiser().await;
    let event = open_event(&app, &org).await;
    let draft = app.create_event(&org, &speed_matinale("draft")).await;
    let draft = id_of(&draft);
    let b = create_block(&app, &org, &event, &block(60, 120)).await;
    let person = register(&app, &event, "buyer", None).await;
    let path = format!("/api/v1/events/{event}/meeting-blocks");
    let block_path = format!("/api/v1/meeting-blocks/{}", id_of(&b));

    // Anonymous, or a manage token: 401.
    problem(app.post(&path, None, &block(150, 200)).await, StatusCode::UNAUTHORIZED).await;
    problem(app.get(&path, None).await, StatusCode::UNAUTHORIZED).await;
    problem(delete(&app, &block_path, None).await, StatusCode::UNAUTHORIZED).await;
    problem(app.get(&path, Some(token_of(&person))).await, StatusCode::UNAUTHORIZED).await;
    // Another organiser: 403 on a published event, 404 on a draft.
    problem(
        app.post(&path, Some(&other), &block(150, 200)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(app.get(&path, Some(&other)).await, StatusCode::FORBIDDEN).await;
    problem(delete(&app, &block_path, Some(&other)).await, StatusCode::FORBIDDEN).await;
    let draft_path = format!("/api/v1/events/{draft}/meeting-blocks");
    create_block(&app, &org, draft, &block(60, 120)).await;
    problem(
        app.post(&draft_path, Some(&other), &block(150, 200)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(app.get(&draft_path, Some(&other)).await, StatusCode::NOT_FOUND).await;
    // Unknown ids: 404.
    let unknown = Uuid::now_v7();
    problem(
        app.post(
            &format!("/api/v1/events/{unknown}/meeting-blocks"),
            Some(&org),
            &block(150, 200),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        delete(&app, &format!("/api/v1/meeting-blocks/{unknown}"), Some(&org)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let listed: Value = app.get(&path, Some(&org)).await.json().await.unwrap();
    assert_eq!(listed["total"], 1);
}

#[tokio::test]
async fn deleting_a_block_deletes_its_slots_and_clears_the_draft_schedule() {
    let (app, org, event) = organised().await;
    let keep = create_block(&app, &org, &event, &block(30, 60)).await;
    let gone = create_block(&app, &org, &event, &block(60, 120)).await;
    let event_id = Uuid::parse_str(&event).unwrap();
    sql(
        &app,
        "INSERT INTO schedule_drafts (event_id, draft_id, result, created_at) VALUES ($1, $2, $3, $4)",
        vec![
            event_id.into(),
            Uuid::now_v7().into(),
            json!({"meetings": []}).into(),
            Utc::now().into(),
        ],
    )
    .await;

    let r = delete(&app, &format!("/api/v1/meeting-blocks/{}", id_of(&gone)), Some(&org)).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let listed = ok_json(&app, &format!("/api/v1/events/{event}/meeting-blocks"), &org).await;
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["id"], keep["id"]);
    assert_eq!(slot_count(&app, &gone, "").await, 0);
    let drafts = count(
        &app,
        "SELECT COUNT(*) AS n FROM schedule_drafts WHERE event_id = $1 AND draft_id IS NULL AND result IS NULL \
         AND created_at IS NULL AND published_at IS NULL",
        vec![event_id.into()],
    )
    .await;
    assert_eq!(drafts, 1, "the draft, which named the deleted slots, is dropped");
    problem(
        delete(&app, &format!("/api/v1/meeting-blocks/{}", id_of(&gone)), Some(&org)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn a_block_with_a_published_meeting_cannot_be_deleted() {
    let (app, org, event) = organised().await;
    let b = create_block(&app, &org, &event, &block(60, 120)).await;
    let buyer = register(&app, &event, "buyer", None).await;
    let ess = register(&app, &event, "ess_structure", None).await;
    let uuid = |s: &str| SqlValue::from(Uuid::parse_str(s).unwrap());
    // A cancelled meeting is still a published one.
    sql(
        &app,
        "INSERT INTO meetings (id, event_id, slot_id, table_no, buyer_registration_id, supplier_registration_id, \
         status, sequence, score, cancel_reason, created_at, updated_at) \
         VALUES ($1, $2, $3, 1, $4, $5, 'cancelled', 1, 3, NULL, $6, $6)",
        vec![
            Uuid::now_v7().into(),
            uuid(&event),
            uuid(b["slots"][2]["id"].as_str().unwrap()),
            uuid(id_of(&buyer)),
            uuid(id_of(&ess)),
            Utc::now().into(),
        ],
    )
    .await;
    let p = problem(
        delete(&app, &format!("/api/v1/meeting-blocks/{}", id_of(&b)), Some(&org)).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("published"), "{p}");
    let listed = ok_json(&app, &format!("/api/v1/events/{event}/meeting-blocks"), &org).await;
    assert_eq!(listed["items"][0]["slots"], b["slots"]);
}

#[tokio::test]
async fn a_registrant_says_whether_how_much_and_when_it_takes_part_in_speed_meetings() {
    let (app, org, event) = organised().await;
    let b = create_block(&app, &org, &event, &block(60, 120)).await;
    let slot = |i: usize| b["slots"][i]["id"].as_str().unwrap().to_owned();
    let me = register(&app, &event, "ess_structure", None).await;
    let token = token_of(&me);
    let path = format!("/api/v1/registrations/{}", id_of(&me));

    let r = app.get(&path, Some(token)).await;
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["meetings"],
        json!({"opt_in": true, "max_meetings": null, "unavailable_slot_ids": [], "open_to_any": false})
    );

    // Only `meetings`, with If-Match: the version moves on.
    let r = app
        .request(Method::PATCH, &path, Some(token))
        .header("If-Match", etag.clone())
        .json(&json!({"meetings": {"max_meetings": 3, "unavailable_slot_ids": [slot(0), slot(2), slot(0)]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let next = r.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(next, etag);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["meetings"],
        json!({"opt_in": true, "max_meetings": 3, "unavailable_slot_ids": [slot(0), slot(2)], "open_to_any": false})
    );
    // The old ETag is stale now.
    let stale = app
        .request(Method::PATCH, &path, Some(token))
        .header("If-Match", etag)
        .json(&json!({"meetings": {"opt_in": false}}))
        .send()
        .await
        .unwrap();
    problem(stale, StatusCode::PRECONDITION_FAILED).await;

    // Missing keys keep their value; an organiser may change them too, with other details.
    let r = app
        .patch(
            &path,
            Some(&org),
            &json!({"first_name": "Inès", "meetings": {"opt_in": false}}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["person"]["first_name"], "Inès");
    assert_eq!(
        body["meetings"],
        json!({"opt_in": false, "max_meetings": 3, "unavailable_slot_ids": [slot(0), slot(2)], "open_to_any": false})
    );
    let r = app
        .patch(
            &path,
            Some(token),
            &json!({"meetings": {"opt_in": true, "max_meetings": null, "unavailable_slot_ids": []}}),
        )
        .await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["meetings"],
        json!({"opt_in": true, "max_meetings": null, "unavailable_slot_ids": [], "open_to_any": false})
    );
    let r = app
        .patch(
            &path,
            Some(token),
            &json!({"meetings": {"unavailable_slot_ids": [slot(1)]}}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // The organiser's list and the single read show them; others keep the defaults.
    let other = register(&app, &event, "buyer", None).await;
    let list = ok_json(&app, &format!("/api/v1/events/{event}/registrations"), &org).await;
    let of = |id: &str| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["meetings"]
            .clone()
    };
    assert_eq!(
        of(id_of(&me)),
        json!({"opt_in": true, "max_meetings": null, "unavailable_slot_ids": [slot(1)], "open_to_any": false})
    );
    assert_eq!(
        of(id_of(&other)),
        json!({"opt_in": true, "max_meetings": null, "unavailable_slot_ids": [], "open_to_any": false})
    );
    let body: Value = app.get(&path, Some(&org)).await.json().await.unwrap();
    assert_eq!(body["meetings"]["unavailable_slot_ids"], json!([slot(1)]));
    let stored = count(
        &app,
        "SELECT COUNT(*) AS n FROM meeting_preferences WHERE registration_id = $1 AND opt_in = $2",
        vec![Uuid::parse_str(id_of(&me)).unwrap().into(), true.into()],
    )
    .await;
    assert_eq!(stored, 1);

    // Slots of a deleted block are no longer shown, nor held against the next change.
    let r = delete(&app, &format!("/api/v1/meeting-blocks/{}", id_of(&b)), Some(&org)).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let body: Value = app.get(&path, Some(token)).await.json().await.unwrap();
    assert_eq!(body["meetings"]["unavailable_slot_ids"], json!([]));
    let r = app
        .patch(&path, Some(token), &json!({"meetings": {"max_meetings": 2}}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn bad_meeting_preferences_are_refused_by_field_and_change_nothing() {
    let (app, org, event) = organised().await;
    let other_event = open_event(&app, &org).await;
    create_block(&app, &org, &event, &block(60, 120)).await;
    let elsewhere = create_block(&app, &org, &other_event, &block(60, 120)).await;
    let me = register(&app, &event, "buyer", None).await;
    let someone = register(&app, &event, "ess_structure", None).await;
    let token = token_of(&me);
    let path = format!("/api/v1/registrations/{}", id_of(&me));

    let cases = [
        (json!({"meetings": {"max_meetings": 0}}), vec!["meetings.max_meetings"]),
        (
            json!({"meetings": {"max_meetings": 201}}),
            vec!["meetings.max_meetings"],
        ),
        (
            json!({"meetings": {"unavailable_slot_ids": [elsewhere["slots"][0]["id"]]}}),
            vec!["meetings.unavailable_slot_ids[0]"],
        ),
        (
            json!({"meetings": {"max_meetings": -1, "unavailable_slot_ids": [Uuid::now_v7()]}}),
            vec!["meetings.max_meetings", "meetings.unavailable_slot_ids[0]"],
        ),
        (
            json!({"meetings": {"unavailable_slot_ids": ["not-a-uuid"]}}),
            vec!["meetings.unavailable_slot_ids[0]"],
        ),
        (json!({"meetings": {"tables": 2}}), vec!["meetings.tables"]),
        (json!({"meetings": {"opt_in": "yes"}}), vec!["meetings.opt_in"]),
        (
            json!({"first_name": "Inès", "meetings": {"max_meetings": 0}}),
            vec!["meetings.max_meetings"],
        ),
    ];
    for (body, expected) in cases {
        let p = problem(
            app.patch(&path, Some(token), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&p), expected, "{body}");
    }
    let body: Value = app.get(&path, Some(token)).await.json().await.unwrap();
    assert_eq!(body["person"]["first_name"], "Awa", "a refused PATCH changes nothing");
    assert_eq!(
        body["meetings"],
        json!({"opt_in": true, "max_meetings": null, "unavailable_slot_ids": [], "open_to_any": false})
    );
    // Another registrant's token: 404; no token: 401.
    problem(
        app.patch(&path, Some(token_of(&someone)), &json!({"meetings": {"opt_in": false}}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.patch(&path, None, &json!({"meetings": {"opt_in": false}})).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}
