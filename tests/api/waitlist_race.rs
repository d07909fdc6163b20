//! Waiting-list places under a rush: no two waitlisted registrations of one event and category
//! are told the same place, the mail says what the answer says, and promotion follows the
//! order told — with the registrations spread over two instances of the application (two
//! pools, as two processes) on one database. On PostgreSQL they race for real; on SQLite (one
//! writer) the same checks hold.

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{open_matinale, spawn_app, TestApp};

const REGISTRANTS: usize = 64;
const QUOTA: usize = 4;

/// A buyer registration.
fn buyer(n: usize) -> Value {
    json!({
        "category": "buyer",
        "person": {"first_name": "Éloïse", "last_name": format!("Course {n}"), "email": format!("course{n}@example.org")},
        "locale": "fr"
    })
}

/// The registration `id` as its holder of `token` reads it.
async fn read(app: &TestApp, id: &str, token: &str) -> Value {
    let r = app.get(&format!("/api/v1/registrations/{id}"), Some(token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("registration JSON")
}

/// Cancels the registration `id` with its own token, through `app`.
async fn cancel(app: &TestApp, id: &str, token: &str) {
    let r = app
        .post(&format!("/api/v1/registrations/{id}/cancel"), Some(token), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "cancel {id}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rush_over_two_instances_tells_distinct_places_and_promotes_in_their_order() {
    let app = spawn_app().await;
    let other = app.another_instance().await;
    let org = app.organiser().await;
    let mut body = open_matinale();
    body["capacity"] = json!(QUOTA);
    body["quotas"] = json!({"buyer": QUOTA});
    let event = app.create_event(&org, &body).await["id"].as_str().unwrap().to_owned();

    // 64 buyers at once, half through each instance.
    let mut tasks = Vec::new();
    for n in 0..REGISTRANTS {
        let address = if n % 2 == 0 { &app.address } else { &other.address };
        let url = format!("{address}/api/v1/events/{event}/registrations");
        let client = app.client.clone();
        tasks.push(tokio::spawn(async move {
            let r = client.post(url).json(&buyer(n)).send().await.expect("POST");
            let status = r.status();
            (status, r.json::<Value>().await.expect("JSON"))
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        let (status, body) = task.await.expect("task");
        assert_eq!(status, StatusCode::CREATED, "{body}");
        answers.push(body);
    }
    let confirmed: Vec<&Value> = answers.iter().filter(|b| b["status"] == "confirmed").collect();
    assert_eq!(confirmed.len(), QUOTA);
    let mut waitlisted: Vec<&Value> = answers.iter().filter(|b| b["status"] == "waitlisted").collect();
    let mut places: Vec<u64> = waitlisted
        .iter()
        .map(|b| b["waitlist_position"].as_u64().expect("a place"))
        .collect();
    places.sort_unstable();
    let waiting = (REGISTRANTS - QUOTA) as u64;
    assert_eq!(
        places,
        (1..=waiting).collect::<Vec<_>>(),
        "places told are distinct and gapless"
    );
    waitlisted.sort_by_key(|b| b["waitlist_position"].as_u64());

    // The mail says what the answer said, and so does every read before anyone leaves.
    for b in &waitlisted {
        let id: uuid::Uuid = b["id"].as_str().unwrap().parse().unwrap();
        let mails = matinale_store::outbox::for_registration(&app.db, id).await.unwrap();
        assert_eq!(mails[0].kind.as_str(), "registration_waitlisted");
        assert_eq!(mails[0].payload["waitlist_position"], b["waitlist_position"], "{b}");
        let now = read(&other, b["id"].as_str().unwrap(), b["manage_token"].as_str().unwrap()).await;
        assert_eq!(now["waitlist_position"], b["waitlist_position"], "{b}");
    }

    // One cancellation at a time, alternating instances: each promotes the next place told.
    let token = |b: &Value| b["manage_token"].as_str().unwrap().to_owned();
    let mut seated: Vec<(String, String)> = confirmed
        .iter()
        .map(|b| (b["id"].as_str().unwrap().to_owned(), token(b)))
        .collect();
    for (k, next) in waitlisted.iter().take(12).enumerate() {
        let (id, t) = seated.remove(0);
        cancel(if k % 2 == 0 { &app } else { &other }, &id, &t).await;
        let promoted = read(&app, next["id"].as_str().unwrap(), &token(next)).await;
        assert_eq!(
            promoted["status"],
            "confirmed",
            "cancellation {} promotes the registrant told place {}",
            k + 1,
            next["waitlist_position"]
        );
        seated.push((next["id"].as_str().unwrap().to_owned(), token(next)));
    }

    // Four cancellations at once, over both instances: the next four places are promoted.
    let mut tasks = Vec::new();
    for (k, (id, t)) in seated.drain(..).enumerate() {
        let address = if k % 2 == 0 { &app.address } else { &other.address };
        let url = format!("{address}/api/v1/registrations/{id}/cancel");
        let client = app.client.clone();
        tasks.push(tokio::spawn(async move {
            client.post(url).bearer_auth(t).send().await.expect("cancel").status()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.expect("task"), StatusCode::OK);
    }
    let mut now = HashMap::new();
    for b in &waitlisted[12..] {
        let r = read(&other, b["id"].as_str().unwrap(), &token(b)).await;
        now.insert(b["waitlist_position"].as_u64().unwrap(), r);
    }
    for place in 13..=waiting {
        let r = &now[&place];
        if place <= 16 {
            assert_eq!(r["status"], "confirmed", "place {place} is promoted");
        } else {
            assert_eq!(r["status"], "waitlisted", "place {place} still waits");
            assert_eq!(r["waitlist_position"], json!(place - 16), "places stay gapless");
        }
    }
}
