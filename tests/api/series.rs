use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{fields, problem, spawn_app};

#[tokio::test]
async fn a_series_is_created_listed_and_read() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let body = json!({"slug": "mois-ess-2026", "title": "Mois de l'ESS 2026", "starts_on": "2026-11-01",
        "ends_on": "2026-11-30", "description": "Tout le mois de novembre"});
    let created = app.post("/api/v1/series", Some(&token), &body).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let series: Value = created.json().await.unwrap();
    let read: Value = app
        .get(&format!("/api/v1/series/{}", series["id"].as_str().unwrap()), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["slug"], "mois-ess-2026");
    assert_eq!(read["ends_on"], "2026-11-30");
    let list: Value = app.get("/api/v1/series", None).await.json().await.unwrap();
    assert_eq!(list["total"], 1);
    problem(
        app.post("/api/v1/series", Some(&token), &body).await,
        StatusCode::CONFLICT,
    )
    .await;
    problem(app.post("/api/v1/series", None, &body).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn a_bad_series_names_its_fields() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let bad = json!({"slug": "Mois ESS", "title": "", "starts_on": "2026-11-30", "ends_on": "2026-11-01"});
    let body = problem(
        app.post("/api/v1/series", Some(&token), &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["slug", "title", "ends_on"]);
    let date = json!({"slug": "s-1", "title": "T", "starts_on": "2026-02-30", "ends_on": "2026-03-01"});
    let body = problem(
        app.post("/api/v1/series", Some(&token), &date).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["starts_on"]);
}
