use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{fields, matinale, problem, spawn_app};

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

#[tokio::test]
async fn only_the_series_creator_or_an_admin_puts_events_in_it() {
    let app = spawn_app().await;
    let owner = app.organiser().await;
    let (co_id, co) = app.account(matinale_domain::user::Role::Organiser).await;
    let other = app.organiser().await;
    let (_, admin) = app.account(matinale_domain::user::Role::Admin).await;
    let series = app.create_series(&owner).await["id"].clone();
    let in_series = |mut event: Value| {
        event["series_id"] = series.clone();
        event
    };

    // Another organiser can neither create an event in it nor move one of theirs into it.
    problem(
        app.post("/api/v1/events", Some(&other), &in_series(matinale())).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let theirs = app.create_event(&other, &matinale()).await;
    let path = format!("/api/v1/events/{}", theirs["id"].as_str().unwrap());
    problem(
        app.patch(&path, Some(&other), &json!({"series_id": series})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // An unknown series is still 422 on the field.
    let body = problem(
        app.patch(&path, Some(&other), &json!({"series_id": uuid::Uuid::now_v7()}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["series_id"]);

    // Its creator and an admin can; a co-organiser of an event already in it edits the event.
    let mut ours = in_series(matinale());
    ours["co_organisers"] = json!([co_id]);
    let ours = app.create_event(&owner, &ours).await;
    assert_eq!(ours["series_id"], series);
    app.create_event(&admin, &in_series(matinale())).await;
    let r = app
        .patch(
            &format!("/api/v1/events/{}", ours["id"].as_str().unwrap()),
            Some(&co),
            &json!({"title": "Matinale du réemploi"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.patch(&path, Some(&admin), &json!({"series_id": series})).await;
    assert_eq!(r.status(), StatusCode::OK);
}
