use std::collections::HashMap;

use futures_util_shim::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{fields, matinale, problem, spawn_app, TestApp};

mod futures_util_shim {
    /// Awaits every task, panicking if one panicked.
    pub async fn join_all<T>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
        let mut out = Vec::with_capacity(tasks.len());
        for t in tasks {
            out.push(t.await.expect("task"));
        }
        out
    }
}

/// A published event open for registration now, with these capacity and quotas.
async fn open_event(app: &TestApp, token: &str, capacity: u32, quotas: Value) -> String {
    let mut body = matinale();
    body["status"] = json!("published");
    body["capacity"] = json!(capacity);
    body["quotas"] = quotas;
    body["starts_at"] = json!("2099-11-25T09:00:00+01:00");
    body["ends_at"] = json!("2099-11-25T12:30:00+01:00");
    body["registration_opens_at"] = json!("2020-01-01T00:00:00Z");
    body["registration_closes_at"] = json!("2099-11-24T18:00:00+01:00");
    let event = app.create_event(token, &body).await;
    event["id"].as_str().unwrap().to_owned()
}

/// Asserts that the time `v` is written with the offset of Europe/Paris (the tests' events'
/// zone) at that instant, not in UTC.
#[track_caller]
pub(crate) fn assert_paris(v: &Value) {
    let at = chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{v} is not an RFC 3339 time: {e}"));
    let paris = at.with_timezone(&chrono_tz::Europe::Paris).fixed_offset();
    assert_eq!(at.offset(), paris.offset(), "{v}");
    assert_ne!(at.offset().local_minus_utc(), 0, "{v} is in UTC");
}

fn person(category: &str, n: usize) -> Value {
    json!({
        "category": category,
        "person": {"first_name": "Éloïse", "last_name": format!("Martin {n}"), "email": format!("p{n}@example.org")},
        "locale": "fr",
        "consents": {"share_contact": true}
    })
}

async fn register(app: &TestApp, event: &str, body: &Value) -> (StatusCode, Value) {
    let r = app
        .post(&format!("/api/v1/events/{event}/registrations"), None, body)
        .await;
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn list(app: &TestApp, token: &str, event: &str, query: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/events/{event}/registrations?per_page=200{query}"),
            Some(token),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn beyond_its_quota_a_buyer_is_waitlisted_and_a_cancellation_promotes_the_first() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 3, json!({"buyer": 1})).await;
    let (s, first) = register(&app, &event, &person("buyer", 1)).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(first["status"], "confirmed");
    assert!(first["manage_token"].as_str().unwrap().starts_with("mr_"));
    let (_, second) = register(&app, &event, &person("buyer", 2)).await;
    assert_eq!(second["status"], "waitlisted");
    assert_eq!(second["waitlist_position"], 1);
    let (_, third) = register(&app, &event, &person("buyer", 3)).await;
    assert_eq!(third["waitlist_position"], 2);
    let (_, visitor) = register(&app, &event, &person("visitor", 4)).await;
    assert_eq!(visitor["status"], "confirmed", "the open pool takes visitors");

    let token = first["manage_token"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/v1/registrations/{}/cancel", first["id"].as_str().unwrap()),
            Some(token),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let cancelled: Value = r.json().await.unwrap();
    assert_eq!(cancelled["status"], "cancelled");

    let path = format!("/api/v1/registrations/{}", second["id"].as_str().unwrap());
    let promoted: Value = app
        .get(&path, second["manage_token"].as_str())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(promoted["status"], "confirmed");
    let history = promoted["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["actor"], "system");
    assert_eq!(history[1]["from_status"], "waitlisted");
    assert_eq!(history[1]["to_status"], "confirmed");
    // Record stamps are in the offset of the event's zone, the history's included.
    for v in [
        &promoted["created_at"],
        &promoted["updated_at"],
        &history[0]["at"],
        &history[1]["at"],
    ] {
        assert_paris(v);
    }
    let third_now: Value = app
        .get(
            &format!("/api/v1/registrations/{}", third["id"].as_str().unwrap()),
            Some(&org),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(third_now["waitlist_position"], 1, "positions stay gapless");

    let id: uuid::Uuid = second["id"].as_str().unwrap().parse().unwrap();
    let mails = matinale_store::outbox::for_registration(&app.db, id).await.unwrap();
    let kinds: Vec<_> = mails.iter().map(|m| m.kind.as_str()).collect();
    assert_eq!(kinds, ["registration_waitlisted", "registration_promoted"]);
    assert!(mails
        .iter()
        .all(|m| m.status == matinale_domain::mail::MailStatus::Queued && m.to_email == "p2@example.org"));
}

#[tokio::test]
async fn the_same_email_twice_is_a_conflict_and_the_link_is_queued_again() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 10, json!({})).await;
    let (s, first) = register(&app, &event, &person("visitor", 1)).await;
    assert_eq!(s, StatusCode::CREATED);
    let mut again = person("partner", 1);
    again["person"]["email"] = json!("  P1@Example.org ");
    let r = app
        .post(&format!("/api/v1/events/{event}/registrations"), None, &again)
        .await;
    problem(r, StatusCode::CONFLICT).await;
    let id: uuid::Uuid = first["id"].as_str().unwrap().parse().unwrap();
    let mails = matinale_store::outbox::for_registration(&app.db, id).await.unwrap();
    assert_eq!(mails.last().unwrap().kind, "registration_link");
    let new_token = mails.last().unwrap().payload["manage_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app.get(&format!("/api/v1/registrations/{id}"), Some(&new_token)).await;
    assert_eq!(r.status(), StatusCode::OK, "the new link opens the registration");
}

#[tokio::test]
async fn answers_that_carry_a_token_are_not_stored_by_caches() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 10, json!({})).await;
    let no_store =
        |r: &reqwest::Response| r.headers().get("cache-control").and_then(|v| v.to_str().ok()) == Some("no-store");
    let send = || {
        app.request(
            reqwest::Method::POST,
            &format!("/api/v1/events/{event}/registrations"),
            None,
        )
        .header("Idempotency-Key", "k-cache")
        .json(&person("visitor", 1))
        .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(no_store(&first), "{:?}", first.headers());
    let replay = send().await.unwrap();
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert!(no_store(&replay), "{:?}", replay.headers());
    let (id, _) = app.account(matinale_domain::user::Role::Organiser).await;
    let email = matinale_store::accounts::user_by_id(&app.db, id)
        .await
        .unwrap()
        .unwrap()
        .email;
    let token = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"email": email, "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(token.status(), StatusCode::OK);
    assert!(no_store(&token), "{:?}", token.headers());
}

#[tokio::test]
async fn an_idempotency_key_belongs_to_one_person() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 10, json!({})).await;
    let send = |body: Value| {
        app.request(
            reqwest::Method::POST,
            &format!("/api/v1/events/{event}/registrations"),
            None,
        )
        .header("Idempotency-Key", "1")
        .json(&body)
        .send()
    };
    // Two people whose clients both use the key "1": each registers, with their own token.
    let first = send(person("visitor", 1)).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let second = send(person("visitor", 2)).await.unwrap();
    assert_eq!(second.status(), StatusCode::CREATED);
    assert!(second.headers().get("idempotent-replayed").is_none());
    let second: Value = second.json().await.unwrap();
    assert_ne!(first["id"], second["id"]);
    assert_ne!(first["manage_token"], second["manage_token"]);
    // The same person and body replay; the same person with another body is refused.
    let again = send(person("visitor", 2)).await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap()["id"], second["id"]);
    let mut changed = person("visitor", 2);
    changed["person"]["last_name"] = json!("Autre");
    let body = problem(send(changed).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&body), ["Idempotency-Key"]);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 10, json!({})).await;
    let path = format!("/api/v1/events/{event}/registrations");
    let send = |body: Value| {
        app.request(reqwest::Method::POST, &path, None)
            .header("Idempotency-Key", "k-123")
            .json(&body)
            .send()
    };
    let r1 = send(person("visitor", 1)).await.unwrap();
    assert_eq!(r1.status(), StatusCode::CREATED);
    let b1: Value = r1.json().await.unwrap();
    let r2 = send(person("visitor", 1)).await.unwrap();
    assert_eq!(r2.status(), StatusCode::CREATED);
    let b2: Value = r2.json().await.unwrap();
    assert_eq!(b1, b2, "same status and body, manage token included");
    let mut other_body = person("visitor", 1);
    other_body["locale"] = json!("en");
    let body = problem(send(other_body).await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&body), ["Idempotency-Key"]);

    // Concurrent duplicates with one key create one row.
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let client = app.client.clone();
        let url = format!("{}{path}", app.address);
        tasks.push(tokio::spawn(async move {
            let r = client
                .post(url)
                .header("Idempotency-Key", "k-race")
                .json(&person("buyer", 7))
                .send()
                .await
                .unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap())
        }));
    }
    let answers = join_all(tasks).await;
    assert!(answers.iter().all(|(s, _)| *s == StatusCode::CREATED), "{answers:?}");
    assert!(answers.iter().all(|(_, b)| b["id"] == answers[0].1["id"]));
    assert_eq!(list(&app, &org, &event, "&category=buyer").await.len(), 1);

    // A day later the saved answers (which hold manage tokens) are purged; before, they stay.
    let now = chrono::Utc::now();
    assert_eq!(
        matinale_store::registrations::purge_idempotency(&app.db, now)
            .await
            .unwrap(),
        0
    );
    let tomorrow = now + chrono::Duration::hours(24) + chrono::Duration::minutes(1);
    assert_eq!(
        matinale_store::registrations::purge_idempotency(&app.db, tomorrow)
            .await
            .unwrap(),
        2,
        "k-123 and k-race"
    );
}

#[tokio::test]
async fn a_manage_token_opens_its_registration_only() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let other_org = app.organiser().await;
    let event = open_event(&app, &org, 10, json!({})).await;
    let (_, a) = register(&app, &event, &person("visitor", 1)).await;
    let (_, b) = register(&app, &event, &person("visitor", 2)).await;
    let a_token = a["manage_token"].as_str().unwrap();
    let b_path = format!("/api/v1/registrations/{}", b["id"].as_str().unwrap());
    let a_path = format!("/api/v1/registrations/{}", a["id"].as_str().unwrap());
    problem(app.get(&b_path, Some(a_token)).await, StatusCode::NOT_FOUND).await;
    problem(
        app.post(&format!("{b_path}/cancel"), Some(a_token), &json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.patch(&b_path, Some(a_token), &json!({"first_name": "X"})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(app.get(&b_path, None).await, StatusCode::UNAUTHORIZED).await;
    problem(app.get(&b_path, Some("mr_forged")).await, StatusCode::UNAUTHORIZED).await;
    problem(app.get(&b_path, Some(&other_org)).await, StatusCode::NOT_FOUND).await;
    problem(
        app.get(&format!("/api/v1/events/{event}/registrations"), Some(a_token))
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    let r = app
        .patch(&a_path, Some(a_token), &json!({"first_name": "Anaïs", "locale": "en"}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["person"]["first_name"], "Anaïs");
    assert_eq!(body["locale"], "en");
    let stale = app
        .request(reqwest::Method::PATCH, &a_path, Some(a_token))
        .header("If-Match", "\"v1\"")
        .json(&json!({"last_name": "Y"}))
        .send()
        .await
        .unwrap();
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let fresh = app
        .request(reqwest::Method::PATCH, &a_path, Some(&org))
        .header("If-Match", etag)
        .json(&json!({"last_name": "Y"}))
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), StatusCode::OK);
}

#[tokio::test]
async fn registrations_need_a_published_event_inside_its_window() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let draft = app.create_event(&org, &matinale()).await;
    let draft_id = draft["id"].as_str().unwrap();
    problem(
        app.post(
            &format!("/api/v1/events/{draft_id}/registrations"),
            None,
            &person("buyer", 1),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The matinale's window closed in 2026 (or has not opened): 422 naming the bound.
    let mut past = matinale();
    past["status"] = json!("published");
    past["starts_at"] = json!("2020-11-25T09:00:00+01:00");
    past["ends_at"] = json!("2020-11-25T12:30:00+01:00");
    past["registration_opens_at"] = json!("2020-10-01T09:00:00+02:00");
    past["registration_closes_at"] = json!("2020-11-24T18:00:00+01:00");
    let past = app.create_event(&org, &past).await;
    let body = problem(
        app.post(
            &format!("/api/v1/events/{}/registrations", past["id"].as_str().unwrap()),
            None,
            &person("buyer", 1),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["registration_closes_at"]);
    let mut future = matinale();
    future["status"] = json!("published");
    future["starts_at"] = json!("2099-11-25T09:00:00+01:00");
    future["ends_at"] = json!("2099-11-25T12:30:00+01:00");
    future["registration_opens_at"] = json!("2099-10-01T09:00:00+02:00");
    future["registration_closes_at"] = json!("2099-11-24T18:00:00+01:00");
    let future = app.create_event(&org, &future).await;
    let body = problem(
        app.post(
            &format!("/api/v1/events/{}/registrations", future["id"].as_str().unwrap()),
            None,
            &person("buyer", 1),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["registration_opens_at"]);

    let event = open_event(&app, &org, 10, json!({})).await;
    let r = app
        .post(&format!("/api/v1/events/{event}/cancel"), Some(&org), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    problem(
        app.post(
            &format!("/api/v1/events/{event}/registrations"),
            None,
            &person("buyer", 1),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let mut bad = person("guest", 1);
    bad["person"]["email"] = json!("nope");
    let body = problem(
        app.post(&format!("/api/v1/events/{event}/registrations"), None, &bad)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["category"]);
}

#[tokio::test]
async fn the_csv_export_opens_right_in_a_spreadsheet() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 1, json!({})).await;
    let mut evil = person("visitor", 1);
    evil["person"]["last_name"] = json!("=HYPERLINK(\"http://x\")");
    evil["accessibility_needs"] = json!("Fauteuil roulant, accès PMR");
    register(&app, &event, &evil).await;
    register(&app, &event, &person("buyer", 2)).await;
    let r = app
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/events/{event}/registrations"),
            Some(&org),
        )
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "UTF-8 BOM");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows: Vec<HashMap<String, String>> = reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["last_name"], "'=HYPERLINK(\"http://x\")");
    assert_eq!(rows[0]["first_name"], "Éloïse");
    assert_eq!(rows[0]["accessibility_needs"], "Fauteuil roulant, accès PMR");
    assert_eq!(rows[0]["status"], "confirmed");
    assert_eq!(rows[1]["status"], "waitlisted");
    assert_eq!(rows[1]["waitlist_position"], "1");

    let waitlisted = list(&app, &org, &event, "&status=waitlisted").await;
    assert_eq!(waitlisted.len(), 1);
    let other = app.organiser().await;
    problem(
        app.get(&format!("/api/v1/events/{event}/registrations"), Some(&other))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

#[tokio::test]
async fn an_organiser_checks_people_in() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 1, json!({})).await;
    let (_, a) = register(&app, &event, &person("visitor", 1)).await;
    let (_, b) = register(&app, &event, &person("visitor", 2)).await;
    let path = format!("/api/v1/events/{event}/check-ins");
    let r = app.post(&path, Some(&org), &json!({"registration_id": a["id"]})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "attended");
    // The check-in's time (its update and its history entry) in the event's offset.
    assert_paris(&body["updated_at"]);
    assert_paris(&body["history"].as_array().unwrap().last().unwrap()["at"]);
    let listed = list(&app, &org, &event, "").await;
    assert!(!listed.is_empty());
    for r in &listed {
        assert_paris(&r["created_at"]);
        assert_paris(&r["updated_at"]);
    }
    problem(
        app.post(&path, Some(&org), &json!({"registration_id": a["id"]})).await,
        StatusCode::CONFLICT,
    )
    .await;
    problem(
        app.post(&path, Some(&org), &json!({"registration_id": b["id"]})).await,
        StatusCode::CONFLICT,
    )
    .await;
    problem(
        app.post(&format!("/api/v1/events/{event}/no-shows"), Some(&org), &json!({}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
}

#[tokio::test]
async fn raising_a_quota_promotes_the_waiting_list() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 4, json!({"buyer": 1})).await;
    register(&app, &event, &person("buyer", 1)).await;
    let (_, w) = register(&app, &event, &person("buyer", 2)).await;
    assert_eq!(w["status"], "waitlisted");
    let r = app
        .patch(
            &format!("/api/v1/events/{event}"),
            Some(&org),
            &json!({"quotas": {"buyer": 2}}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let now: Value = app
        .get(
            &format!("/api/v1/registrations/{}", w["id"].as_str().unwrap()),
            Some(&org),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["status"], "confirmed");
    let r = app
        .patch(
            &format!("/api/v1/events/{event}"),
            Some(&org),
            &json!({"quotas": {"buyer": 1}}),
        )
        .await;
    problem(r, StatusCode::CONFLICT).await;
    // Buyers hold quota seats and visitors open ones: removing the buyer quota, or giving
    // visitors one, would miscount the seats they hold, so it is refused.
    register(&app, &event, &person("visitor", 3)).await;
    for quotas in [json!({}), json!({"buyer": 2, "visitor": 2})] {
        let r = app
            .patch(
                &format!("/api/v1/events/{event}"),
                Some(&org),
                &json!({"quotas": quotas}),
            )
            .await;
        problem(r, StatusCode::CONFLICT).await;
    }
}

/// 400 concurrent registrations for 50 seats in quotas, then 20 concurrent cancellations.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rush_never_overbooks_and_cancellations_promote_in_order() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let quotas = [
        ("buyer", 10usize),
        ("ess_structure", 20),
        ("partner", 10),
        ("visitor", 10),
    ];
    let event = open_event(
        &app,
        &org,
        50,
        json!({"buyer": 10, "ess_structure": 20, "partner": 10, "visitor": 10}),
    )
    .await;
    let url = format!("{}/api/v1/events/{event}/registrations", app.address);
    let mut tasks = Vec::new();
    for n in 0..400 {
        let client = app.client.clone();
        let url = url.clone();
        let category = quotas[n % 4].0;
        tasks.push(tokio::spawn(async move {
            let r = client.post(url).json(&person(category, n)).send().await.unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap())
        }));
    }
    let answers = join_all(tasks).await;
    for (status, body) in &answers {
        assert_eq!(*status, StatusCode::CREATED, "{body}");
    }
    let all = list(&app, &org, &event, "").await;
    assert_eq!(all.len(), 200);
    let all2 = {
        let r = app
            .get(
                &format!("/api/v1/events/{event}/registrations?per_page=200&page=2"),
                Some(&org),
            )
            .await;
        let body: Value = r.json().await.unwrap();
        body["items"].as_array().unwrap().clone()
    };
    let all: Vec<Value> = all.into_iter().chain(all2).collect();
    assert_eq!(all.len(), 400);
    for (category, quota) in quotas {
        let of: Vec<&Value> = all.iter().filter(|r| r["category"] == category).collect();
        let confirmed = of.iter().filter(|r| r["status"] == "confirmed").count();
        assert_eq!(confirmed, quota, "{category}");
        let mut positions: Vec<u64> = of
            .iter()
            .filter(|r| r["status"] == "waitlisted")
            .map(|r| r["waitlist_position"].as_u64().unwrap())
            .collect();
        positions.sort();
        assert_eq!(positions, (1..=(100 - quota) as u64).collect::<Vec<_>>(), "{category}");
    }

    // 20 concurrent cancellations of confirmed ESS structures: the first 20 waitlisted ones
    // of that category are promoted.
    let tokens: HashMap<String, String> = answers
        .iter()
        .map(|(_, b)| {
            (
                b["id"].as_str().unwrap().to_owned(),
                b["manage_token"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let ess: Vec<&Value> = all.iter().filter(|r| r["category"] == "ess_structure").collect();
    let mut queue: Vec<&Value> = ess.iter().copied().filter(|r| r["status"] == "waitlisted").collect();
    queue.sort_by_key(|r| r["waitlist_position"].as_u64());
    let expected: Vec<String> = queue[..20]
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    let mut tasks = Vec::new();
    for r in ess.iter().filter(|r| r["status"] == "confirmed") {
        let id = r["id"].as_str().unwrap().to_owned();
        let token = tokens[&id].clone();
        let url = format!("{}/api/v1/registrations/{id}/cancel", app.address);
        let client = app.client.clone();
        tasks.push(tokio::spawn(async move {
            client.post(url).bearer_auth(token).send().await.unwrap().status()
        }));
    }
    assert_eq!(tasks.len(), 20);
    for status in join_all(tasks).await {
        assert_eq!(status, StatusCode::OK);
    }
    let confirmed = list(&app, &org, &event, "&category=ess_structure&status=confirmed").await;
    let mut promoted: Vec<String> = confirmed.iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect();
    promoted.sort();
    let mut expected = expected;
    expected.sort();
    assert_eq!(promoted, expected, "exactly the first 20 of the waiting list");
    let waitlisted = list(&app, &org, &event, "&category=ess_structure&status=waitlisted").await;
    let mut positions: Vec<u64> = waitlisted
        .iter()
        .map(|r| r["waitlist_position"].as_u64().unwrap())
        .collect();
    positions.sort();
    assert_eq!(positions, (1..=60).collect::<Vec<_>>());
}

/// Registrants arriving together share one write transaction (SQLite) or race each other
/// (PostgreSQL): a duplicate e-mail among them is refused alone, and neither keeps a seat nor
/// takes one from the others.
#[tokio::test]
async fn a_duplicate_in_a_crowd_is_refused_alone() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 10, json!({})).await;
    let url = format!("{}/api/v1/events/{event}/registrations", app.address);
    let mut tasks = Vec::new();
    for n in 0..60 {
        let (client, url) = (app.client.clone(), url.clone());
        // Each of 30 e-mails twice, one after the other, while seats are still free.
        let body = person("visitor", n / 2);
        tasks.push(tokio::spawn(async move {
            let r = client.post(url).json(&body).send().await.unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap())
        }));
    }
    let answers = join_all(tasks).await;
    let created: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .map(|(_, b)| b)
        .collect();
    let refused = answers.iter().filter(|(s, _)| *s == StatusCode::CONFLICT).count();
    assert_eq!((created.len(), refused), (30, 30), "{answers:#?}");
    let confirmed = created.iter().filter(|b| b["status"] == "confirmed").count();
    assert_eq!(confirmed, 10, "every seat taken, none kept by a refused duplicate");
    for b in &created {
        assert_eq!(b["waitlist_position"].is_null(), b["status"] == "confirmed", "{b}");
    }
    let all = list(&app, &org, &event, "").await;
    assert_eq!(all.len(), 30);
    let mut positions: Vec<u64> = all
        .iter()
        .filter(|r| r["status"] == "waitlisted")
        .map(|r| r["waitlist_position"].as_u64().unwrap())
        .collect();
    positions.sort();
    assert_eq!(positions, (1..=20).collect::<Vec<_>>());
    // Each registration has its own first mail, saying what its answer said, and one link
    // mail for its refused twin.
    for b in &created {
        let id: uuid::Uuid = b["id"].as_str().unwrap().parse().unwrap();
        let mails = matinale_store::outbox::for_registration(&app.db, id).await.unwrap();
        let kinds: Vec<&str> = mails.iter().map(|m| m.kind.as_str()).collect();
        let first = if b["status"] == "confirmed" {
            "registration_confirmed"
        } else {
            "registration_waitlisted"
        };
        assert_eq!(kinds, [first, "registration_link"], "{b}");
        assert_eq!(mails[0].payload["waitlist_position"], b["waitlist_position"]);
        assert_eq!(mails[0].payload["registration_id"], b["id"]);
    }
}

/// A process remembers the event it registers people for; a change by the organiser is seen by
/// the very next registration all the same.
#[tokio::test]
async fn the_next_registration_sees_the_organisers_change() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 4, json!({"buyer": 1})).await;
    let (s, first) = register(&app, &event, &person("buyer", 1)).await;
    assert_eq!((s, first["status"].as_str()), (StatusCode::CREATED, Some("confirmed")));
    let patch = |body: Value| {
        let app = &app;
        let (org, event) = (org.clone(), event.clone());
        async move {
            let r = app.patch(&format!("/api/v1/events/{event}"), Some(&org), &body).await;
            assert_eq!(r.status(), StatusCode::OK, "{body}");
        }
    };
    // A second buyer seat: the next buyer takes it instead of waiting.
    patch(json!({"quotas": {"buyer": 2}})).await;
    let (_, second) = register(&app, &event, &person("buyer", 2)).await;
    assert_eq!(second["status"], "confirmed");
    // The window closed: refused, naming the bound.
    patch(json!({"registration_closes_at": "2021-01-01T00:00:00Z"})).await;
    let r = app
        .post(
            &format!("/api/v1/events/{event}/registrations"),
            None,
            &person("buyer", 3),
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["registration_closes_at"]
    );
    // Open again: taken, although this process last saw it closed.
    patch(json!({"registration_closes_at": "2099-11-24T18:00:00+01:00"})).await;
    let (s, third) = register(&app, &event, &person("buyer", 3)).await;
    assert_eq!((s, third["status"].as_str()), (StatusCode::CREATED, Some("waitlisted")));
    // Cancelled: refused.
    let r = app
        .post(&format!("/api/v1/events/{event}/cancel"), Some(&org), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post(
            &format!("/api/v1/events/{event}/registrations"),
            None,
            &person("visitor", 4),
        )
        .await;
    problem(r, StatusCode::CONFLICT).await;
}

/// A new registrant's place comes after those still waiting: people promoted or cancelled off
/// the waiting list no longer count.
#[tokio::test]
async fn a_new_registrants_place_counts_only_those_still_waiting() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 4, json!({"buyer": 1})).await;
    let mut answers = Vec::new();
    for n in 0..4 {
        let (s, body) = register(&app, &event, &person("buyer", n)).await;
        assert_eq!(s, StatusCode::CREATED);
        answers.push(body);
    }
    let places: Vec<&Value> = answers.iter().map(|b| &b["waitlist_position"]).collect();
    assert_eq!(places, [&Value::Null, &json!(1), &json!(2), &json!(3)]);
    // Another category waits in its own list.
    let (_, visitor) = register(&app, &event, &person("visitor", 10)).await;
    assert_eq!(visitor["status"], "confirmed");
    let cancel = |n: usize| {
        let (id, token) = (
            answers[n]["id"].as_str().unwrap().to_owned(),
            answers[n]["manage_token"].as_str().unwrap().to_owned(),
        );
        let app = &app;
        async move {
            let r = app
                .post(&format!("/api/v1/registrations/{id}/cancel"), Some(&token), &json!({}))
                .await;
            assert_eq!(r.status(), StatusCode::OK);
        }
    };
    cancel(2).await; // off the waiting list
    cancel(0).await; // frees the seat: the first waiting is promoted
    let (_, next) = register(&app, &event, &person("buyer", 4)).await;
    assert_eq!(
        (next["status"].as_str(), next["waitlist_position"].as_u64()),
        (Some("waitlisted"), Some(2))
    );
    let id: uuid::Uuid = next["id"].as_str().unwrap().parse().unwrap();
    let mails = matinale_store::outbox::for_registration(&app.db, id).await.unwrap();
    assert_eq!(mails[0].payload["waitlist_position"], json!(2));
    // The place read later agrees.
    let now: Value = app
        .get(&format!("/api/v1/registrations/{id}"), Some(&org))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["waitlist_position"], json!(2));
}

#[tokio::test]
async fn check_in_by_manage_token_or_qr_text() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 3, json!({})).await;
    let other = open_event(&app, &org, 3, json!({})).await;
    let (_, a) = register(&app, &event, &person("visitor", 1)).await;
    let (_, b) = register(&app, &event, &person("visitor", 2)).await;
    let (_, elsewhere) = register(&app, &other, &person("visitor", 3)).await;
    let qr = b["check_in_qr"].as_str().unwrap();
    assert_eq!(qr, format!("matinale:registration:{}", b["id"].as_str().unwrap()));
    let path = format!("/api/v1/events/{event}/check-ins");

    let r = app.post(&path, Some(&org), &json!({"token": a["manage_token"]})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["id"], a["id"]);
    assert_eq!(body["status"], "attended");

    let r = app.post(&path, Some(&org), &json!({"qr": qr})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["id"], b["id"]);
    assert_eq!(body["status"], "attended");

    // A person of another event, an unknown token: nobody here.
    problem(
        app.post(&path, Some(&org), &json!({"qr": elsewhere["check_in_qr"]}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.post(&path, Some(&org), &json!({"token": "mr_unknown"})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Malformed or ambiguous requests name the field.
    for (body, field) in [
        (json!({}), "registration_id"),
        (json!({"registration_id": a["id"], "qr": qr}), "registration_id"),
        (json!({"qr": "hello"}), "qr"),
        (json!({"token": "not-a-token"}), "token"),
    ] {
        let p = problem(
            app.post(&path, Some(&org), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(fields(&p).contains(&field.to_owned()), "{body} → {p}");
    }
    // The registrant's own token is no organiser credential.
    let r = app
        .post(&path, Some(a["manage_token"].as_str().unwrap()), &json!({"qr": qr}))
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn after_the_event_confirmed_people_who_did_not_come_are_no_shows() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 3, json!({})).await;
    let mut people = Vec::new();
    for n in 1..=4 {
        people.push(register(&app, &event, &person("visitor", n)).await.1);
    }
    assert_eq!(people[3]["status"], "waitlisted");
    let check_in = format!("/api/v1/events/{event}/check-ins");
    let r = app
        .post(&check_in, Some(&org), &json!({"registration_id": people[0]["id"]}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Cancelling promotes the waitlisted person, who then does not come either.
    let r = app
        .post(
            &format!("/api/v1/registrations/{}/cancel", people[1]["id"].as_str().unwrap()),
            Some(people[1]["manage_token"].as_str().unwrap()),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // The event took place yesterday.
    let past = json!({
        "starts_at": "2026-01-15T09:00:00+01:00",
        "ends_at": "2026-01-15T12:30:00+01:00",
        "registration_opens_at": "2026-01-01T00:00:00Z",
        "registration_closes_at": "2026-01-14T18:00:00+01:00"
    });
    let r = app.patch(&format!("/api/v1/events/{event}"), Some(&org), &past).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());

    let r = app
        .post(&format!("/api/v1/events/{event}/no-shows"), Some(&org), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["marked"], 2, "the third registrant and the promoted one");

    let statuses: Vec<(String, String)> = list(&app, &org, &event, "")
        .await
        .into_iter()
        .map(|r| {
            (
                r["person"]["email"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let status_of = |n: usize| {
        statuses
            .iter()
            .find(|(email, _)| email == &format!("p{n}@example.org"))
            .map(|(_, s)| s.clone())
            .unwrap()
    };
    assert_eq!(status_of(1), "attended");
    assert_eq!(status_of(2), "cancelled");
    assert_eq!(status_of(3), "no_show");
    assert_eq!(status_of(4), "no_show");
    // Marking again changes nothing; a late arrival is still checked in.
    let r = app
        .post(&format!("/api/v1/events/{event}/no-shows"), Some(&org), &json!({}))
        .await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["marked"], 0);
    let r = app
        .post(&check_in, Some(&org), &json!({"registration_id": people[2]["id"]}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

/// The store recognises a PostgreSQL deadlock as an error to run again (registrations and
/// cancellations retry on it). PostgreSQL only: SQLite has one writer and no deadlocks.
#[tokio::test]
async fn a_postgresql_deadlock_is_an_error_to_run_again() {
    use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};
    let app = spawn_app().await;
    if app.db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    app.db
        .execute_unprepared(
            "CREATE TABLE deadlock_probe (id int PRIMARY KEY); INSERT INTO deadlock_probe VALUES (1), (2)",
        )
        .await
        .unwrap();
    let a = app.db.connection().begin().await.unwrap();
    let b = app.db.connection().begin().await.unwrap();
    let lock = |id: i32| format!("SELECT id FROM deadlock_probe WHERE id = {id} FOR UPDATE");
    a.execute_unprepared(&lock(1)).await.unwrap();
    b.execute_unprepared(&lock(2)).await.unwrap();
    // Each now waits for the other: PostgreSQL aborts one of them.
    let (lock_1, lock_2) = (lock(1), lock(2));
    let (ra, rb) = tokio::join!(a.execute_unprepared(&lock_2), b.execute_unprepared(&lock_1));
    let failures: Vec<matinale_store::Error> = [ra.err(), rb.err()].into_iter().flatten().map(Into::into).collect();
    assert_eq!(failures.len(), 1, "exactly one side is aborted: {failures:?}");
    assert!(failures[0].is_retryable(), "{:?}", failures[0]);
    assert!(!matinale_store::Error::NotFound.is_retryable());
}

/// The manage tokens mailed in links to a registration, oldest first.
async fn mailed_links(app: &TestApp, id: &str) -> Vec<String> {
    let id: uuid::Uuid = id.parse().unwrap();
    matinale_store::outbox::for_registration(&app.db, id)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == "registration_link")
        .map(|m| m.payload["manage_token"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_link_sent_again_keeps_the_first_working_and_goes_at_most_once_in_ten_minutes() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 10, json!({})).await;
    let (_, first) = register(&app, &event, &person("visitor", 1)).await;
    let id = first["id"].as_str().unwrap().to_owned();
    let first_token = first["manage_token"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/registrations/{id}");

    // Posting someone's e-mail again mails them a new link; the one they had still works,
    // and the answer shows no token.
    let (status, answer) = register(&app, &event, &person("visitor", 1)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(!answer.to_string().contains("mr_"), "{answer}");
    let links = mailed_links(&app, &id).await;
    assert_eq!(links.len(), 1);
    for token in [&first_token, &links[0]] {
        assert_eq!(app.get(&path, Some(token)).await.status(), StatusCode::OK);
    }
    // Posting it again and again within ten minutes mails nothing more, with the same answer.
    for _ in 0..3 {
        let (status, again) = register(&app, &event, &person("visitor", 1)).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(again["detail"], answer["detail"]);
    }
    assert_eq!(mailed_links(&app, &id).await.len(), 1);

    // Ten minutes later, one more link; all three open the registration.
    use sea_orm::ConnectionTrait;
    let backend = app.db.get_database_backend();
    app.db
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            if backend == sea_orm::DbBackend::Postgres {
                "UPDATE registration_tokens SET created_at = $1"
            } else {
                "UPDATE registration_tokens SET created_at = ?"
            },
            [(chrono::Utc::now() - chrono::Duration::minutes(11)).into()],
        ))
        .await
        .unwrap();
    let (status, _) = register(&app, &event, &person("visitor", 1)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let links = mailed_links(&app, &id).await;
    assert_eq!(links.len(), 2);
    for token in [&first_token, &links[0], &links[1]] {
        assert_eq!(app.get(&path, Some(token)).await.status(), StatusCode::OK);
    }
    // Each of them is also good at the door.
    let r = app
        .post(
            &format!("/api/v1/events/{event}/check-ins"),
            Some(&org),
            &json!({"token": links[1]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn registrations_from_one_address_are_rate_limited() {
    let app = crate::support::spawn_app_with(|c| c.registration_rate_per_minute = 3).await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 10, json!({})).await;
    for n in 0..3 {
        let (status, body) = register(&app, &event, &person("visitor", n)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let r = app
        .post(
            &format!("/api/v1/events/{event}/registrations"),
            None,
            &person("visitor", 3),
        )
        .await;
    let wait: u64 = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    problem(r, StatusCode::TOO_MANY_REQUESTS).await;
    // Nothing was registered nor mailed for the refused one.
    assert_eq!(list(&app, &org, &event, "").await.len(), 3);
}

#[tokio::test]
async fn behind_a_trusted_proxy_registrations_are_limited_per_forwarded_client() {
    let app = crate::support::spawn_app_with(|c| {
        c.registration_rate_per_minute = 2;
        c.trusted_proxies = matinale_api::proxies::TrustedProxies::parse("127.0.0.0/8").0;
    })
    .await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 10, json!({})).await;
    let from = |client: &'static str, n: usize| {
        app.request(
            reqwest::Method::POST,
            &format!("/api/v1/events/{event}/registrations"),
            None,
        )
        .header("X-Forwarded-For", client)
        .json(&person("visitor", n))
        .send()
    };
    for n in 0..2 {
        assert_eq!(from("203.0.113.1", n).await.unwrap().status(), StatusCode::CREATED);
    }
    problem(from("203.0.113.1", 2).await.unwrap(), StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(from("203.0.113.2", 3).await.unwrap().status(), StatusCode::CREATED);
}

#[tokio::test]
async fn names_are_refused_with_line_breaks_or_control_characters() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 10, json!({})).await;
    for (first, last, field) in [
        ("Éloïse\r\nBcc: victim@example.org", "Martin", "person.first_name"),
        ("Éloïse", "Martin\u{7}", "person.last_name"),
        ("Éloïse", "Martin\nSubject: hello", "person.last_name"),
    ] {
        let mut body = person("visitor", 1);
        body["person"]["first_name"] = json!(first);
        body["person"]["last_name"] = json!(last);
        let r = app
            .post(&format!("/api/v1/events/{event}/registrations"), None, &body)
            .await;
        let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&p), [field], "{first:?} {last:?}");
    }
    // Nor through a change afterwards.
    let (_, created) = register(&app, &event, &person("visitor", 1)).await;
    let r = app
        .patch(
            &format!("/api/v1/registrations/{}", created["id"].as_str().unwrap()),
            created["manage_token"].as_str(),
            &json!({"last_name": "Martin\r\nX"}),
        )
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), ["person.last_name"]);
}

#[tokio::test]
async fn an_unknown_organisation_is_named_not_a_server_error() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, 10, json!({})).await;
    let mut body = person("ess_structure", 1);
    body["organisation_id"] = json!(uuid::Uuid::now_v7());
    let path = format!("/api/v1/events/{event}/registrations");
    let p = problem(app.post(&path, None, &body).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), ["organisation_id"]);
    // With an Idempotency-Key (another way to write), too.
    let r = app
        .request(reqwest::Method::POST, &path, None)
        .header("Idempotency-Key", "k-unknown-org")
        .json(&body)
        .send()
        .await
        .unwrap();
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), ["organisation_id"]);
    // The e-mail is still free, and a change to an unknown organisation is refused the same.
    let (status, created) = register(&app, &event, &person("ess_structure", 1)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let r = app
        .patch(
            &format!("/api/v1/registrations/{}", created["id"].as_str().unwrap()),
            created["manage_token"].as_str(),
            &json!({"organisation_id": uuid::Uuid::now_v7()}),
        )
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), ["organisation_id"]);
}

/// Shrinking a quota while registrations pour in never takes a seat from a confirmed person:
/// a shrink is refused (409) when the seats it would drop are taken meanwhile, and at the end
/// every confirmed registration holds a seat, within the quota.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shrinking_a_quota_during_a_rush_never_unseats_anyone() {
    use sea_orm::ConnectionTrait;

    let app = spawn_app().await;
    let count = |sql: &'static str| {
        let db = app.db.clone();
        async move {
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    let org = app.organiser().await;
    const RUSH: i64 = 1500;
    let event = open_event(&app, &org, 2000, json!({"buyer": RUSH})).await;
    let url = format!("{}/api/v1/events/{event}/registrations", app.address);
    // 16 registrants at a time, so that the organiser's changes get a connection meanwhile.
    let in_flight = std::sync::Arc::new(tokio::sync::Semaphore::new(16));
    let mut rush = Vec::new();
    for n in 0..RUSH as usize {
        let (client, url, in_flight) = (app.client.clone(), url.clone(), in_flight.clone());
        rush.push(tokio::spawn(async move {
            let _turn = in_flight.acquire_owned().await.unwrap();
            client
                .post(url)
                .json(&person("buyer", n))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    // Again and again: shrink the pool to just above the seats taken (dropping the free seats
    // registrants are claiming), then widen it again (promoting whoever waits).
    let event_url = format!("{}/api/v1/events/{event}", app.address);
    let set_quota = |quota: i64| {
        app.client
            .patch(&event_url)
            .bearer_auth(&org)
            .json(&json!({"quotas": {"buyer": quota}}))
            .send()
    };
    let (mut refused, mut shrinks) = (0, 0);
    while !rush.iter().all(|task| task.is_finished()) {
        shrinks += 1;
        let taken = count("SELECT COUNT(registration_id) FROM seats WHERE pool = 'buyer'").await;
        let margin = [4, 8, 12, 16, 24, 32][shrinks % 6];
        let status = set_quota(taken + margin).await.unwrap().status();
        assert!([StatusCode::OK, StatusCode::CONFLICT].contains(&status), "{status}");
        refused += usize::from(status == StatusCode::CONFLICT);
        // Promotions run one by one while the event is held: a few dozen at a time.
        let taken = count("SELECT COUNT(registration_id) FROM seats WHERE pool = 'buyer'").await;
        let status = set_quota((taken + 60).min(RUSH)).await.unwrap().status();
        assert!([StatusCode::OK, StatusCode::CONFLICT].contains(&status), "{status}");
    }
    // A registrant whose event changed under it three times in a row is told to try again.
    let mut registered = 0;
    for status in join_all(rush).await {
        assert!(
            [StatusCode::CREATED, StatusCode::CONFLICT].contains(&status),
            "{status}"
        );
        registered += i64::from(status == StatusCode::CREATED);
    }
    let taken = count("SELECT COUNT(registration_id) FROM seats WHERE pool = 'buyer'").await;
    let last = set_quota(taken + 1).await.unwrap();
    assert_eq!(last.status(), StatusCode::OK);
    let quota = taken + 1;
    let unseated = count(
        "SELECT COUNT(*) FROM registrations r WHERE r.status = 'confirmed' \
         AND NOT EXISTS (SELECT 1 FROM seats s WHERE s.registration_id = r.id)",
    )
    .await;
    assert_eq!(
        unseated, 0,
        "confirmed registrations without a seat ({refused} of {shrinks} shrinks refused)"
    );
    let confirmed = count("SELECT COUNT(*) FROM registrations WHERE status = 'confirmed' AND category = 'buyer'").await;
    assert!(
        confirmed <= quota,
        "{confirmed} confirmed buyers for a quota of {quota}"
    );
    assert_eq!(count("SELECT COUNT(*) FROM seats WHERE pool = 'buyer'").await, quota);
    let held_twice = count(
        "SELECT COUNT(*) FROM (SELECT registration_id FROM seats WHERE registration_id IS NOT NULL \
         GROUP BY registration_id HAVING COUNT(*) > 1) x",
    )
    .await;
    assert_eq!(held_twice, 0, "no registration holds two seats");
    let waitlisted = count("SELECT COUNT(*) FROM registrations WHERE status = 'waitlisted'").await;
    assert_eq!(confirmed + waitlisted, registered);
}
