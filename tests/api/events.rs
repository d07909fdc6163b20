use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{fields, matinale, problem, spawn_app, TestApp};

async fn total(app: &TestApp, query: &str) -> u64 {
    let r = app.get(&format!("/api/v1/events{query}"), None).await;
    assert_eq!(r.status(), StatusCode::OK, "{query}");
    let body: Value = r.json().await.unwrap();
    body["total"].as_u64().unwrap()
}

async fn published(app: &TestApp, token: &str, mut body: Value) -> Value {
    body["status"] = json!("published");
    app.create_event(token, &body).await
}

#[tokio::test]
async fn an_organiser_creates_a_draft_that_only_it_can_see() {
    let app = spawn_app().await;
    let owner = app.organiser().await;
    let other = app.organiser().await;
    let event = app.create_event(&owner, &matinale()).await;
    assert_eq!(event["status"], "draft");
    assert_eq!(event["timezone"], "Europe/Paris");
    assert_eq!(event["starts_at"], "2026-11-25T09:00:00+01:00");
    // Every time of the answer has the offset of the event's zone, record stamps included.
    for stamp in ["created_at", "updated_at"] {
        let at = chrono::DateTime::parse_from_rfc3339(event[stamp].as_str().unwrap()).unwrap();
        let paris = at.with_timezone(&chrono_tz::Europe::Paris).fixed_offset();
        assert_eq!(at.offset(), paris.offset(), "{stamp}: {}", event[stamp]);
    }
    assert_eq!(event["quotas"]["buyer"], 20);
    assert!(event["quotas"]["partner"].is_null());
    let path = format!("/api/v1/events/{}", event["id"].as_str().unwrap());

    assert_eq!(app.get(&path, Some(&owner)).await.status(), StatusCode::OK);
    problem(app.get(&path, None).await, StatusCode::NOT_FOUND).await;
    problem(app.get(&path, Some(&other)).await, StatusCode::NOT_FOUND).await;
    problem(
        app.patch(&path, Some(&other), &json!({"title": "x"})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.patch(&path, None, &json!({"title": "x"})).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let list: Value = app.get("/api/v1/events", None).await.json().await.unwrap();
    assert_eq!(list["total"], 0, "drafts are not listed");
}

#[tokio::test]
async fn a_published_event_is_public_but_only_its_organisers_edit_it() {
    let app = spawn_app().await;
    let owner = app.organiser().await;
    let (co_id, co) = app.account(matinale_domain::user::Role::Organiser).await;
    let other = app.organiser().await;
    let event = app.create_event(&owner, &matinale()).await;
    let path = format!("/api/v1/events/{}", event["id"].as_str().unwrap());
    let r = app.post(&format!("{path}/publish"), Some(&owner), &json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);

    let public: Value = app.get(&path, None).await.json().await.unwrap();
    assert_eq!(public["status"], "published");
    assert!(public.get("co_organisers").is_none(), "no account ids in public reads");
    problem(
        app.patch(&path, Some(&other), &json!({"title": "x"})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.post(&format!("{path}/cancel"), Some(&other), &json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    let r = app.patch(&path, Some(&owner), &json!({"co_organisers": [co_id]})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.patch(&path, Some(&co), &json!({"title": "Matinale d'Orly"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["title"], "Matinale d'Orly");
    assert_eq!(body["co_organisers"], json!([co_id]));
}

#[tokio::test]
async fn an_event_that_has_already_ended_is_refused_unless_it_records_a_past_edition() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let mut ended = matinale();
    ended.as_object_mut().unwrap().remove("past");
    let body = problem(
        app.post("/api/v1/events", Some(&token), &ended).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["ends_at"]);
    assert_eq!(body["errors"][0]["code"], "in_the_past");

    ended["past"] = json!(false);
    let r = app.post("/api/v1/events", Some(&token), &ended).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    ended["past"] = json!(true);
    let recorded = app.create_event(&token, &ended).await;
    assert_eq!(recorded["ends_at"], "2026-11-25T12:30:00+01:00");

    // An event still to come needs no flag.
    let mut coming = ended.clone();
    coming.as_object_mut().unwrap().remove("past");
    coming["starts_at"] = json!("2099-11-25T09:00:00+01:00");
    coming["ends_at"] = json!("2099-11-25T12:30:00+01:00");
    coming["registration_closes_at"] = json!("2099-11-24T18:00:00+01:00");
    app.create_event(&token, &coming).await;
}

#[tokio::test]
async fn each_invalid_event_field_is_named() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let mut bad = matinale();
    bad["title"] = json!("  ");
    bad["ends_at"] = json!("2026-11-25T08:00:00+01:00");
    bad["timezone"] = json!("Europe/Atlantis");
    bad["capacity"] = json!(0);
    bad["quotas"] = json!({"buyer": -1});
    bad["venue"]["postcode"] = json!("9431");
    bad["online_url"] = json!("javascript:alert(1)");
    let body = problem(
        app.post("/api/v1/events", Some(&token), &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let named = fields(&body);
    for field in [
        "title",
        "ends_at",
        "timezone",
        "capacity",
        "quotas.buyer",
        "venue.postcode",
        "online_url",
    ] {
        assert!(named.contains(&field.to_owned()), "{field} not in {named:?}");
    }
    let mut over = matinale();
    over["quotas"]["ess_structure"] = json!(81);
    let body = problem(
        app.post("/api/v1/events", Some(&token), &over).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["quotas.ess_structure"]);
    let mut window = matinale();
    window["registration_closes_at"] = json!("2026-09-01T00:00:00+02:00");
    let body = problem(
        app.post("/api/v1/events", Some(&token), &window).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["registration_closes_at"]);
    let mut nowhere = matinale();
    nowhere.as_object_mut().unwrap().remove("venue");
    let body = problem(
        app.post("/api/v1/events", Some(&token), &nowhere).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["venue"]);
    let mut unknown_series = matinale();
    unknown_series["series_id"] = json!("01900000-0000-7000-8000-000000000000");
    let body = problem(
        app.post("/api/v1/events", Some(&token), &unknown_series).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["series_id"]);
}

#[tokio::test]
async fn bad_json_types_and_enums_are_named() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let mut kind = matinale();
    kind["kind"] = json!("party");
    let body = problem(
        app.post("/api/v1/events", Some(&token), &kind).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["kind"]);
    let mut time = matinale();
    time["starts_at"] = json!("25/11/2026 9h");
    let body = problem(
        app.post("/api/v1/events", Some(&token), &time).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["starts_at"]);
    let mut missing = matinale();
    missing.as_object_mut().unwrap().remove("title");
    let body = problem(
        app.post("/api/v1/events", Some(&token), &missing).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["title"]);
    assert_eq!(body["errors"][0]["code"], "required");
}

#[tokio::test]
async fn malformed_json_is_400_and_unknown_fields_422() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let malformed = app
        .request(Method::POST, "/api/v1/events", Some(&token))
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    problem(malformed, StatusCode::BAD_REQUEST).await;
    let mut unknown = matinale();
    unknown["colour"] = json!("green");
    let body = problem(
        app.post("/api/v1/events", Some(&token), &unknown).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["colour"]);
    assert_eq!(body["errors"][0]["code"], "unknown_field");
    let mut nested = matinale();
    nested["venue"]["floor"] = json!(2);
    let body = problem(
        app.post("/api/v1/events", Some(&token), &nested).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["venue.floor"]);
    let text = app
        .request(Method::POST, "/api/v1/events", Some(&token))
        .header("content-type", "text/plain")
        .body(matinale().to_string())
        .send()
        .await
        .unwrap();
    problem(text, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let mut huge = matinale();
    huge["description"] = json!("x".repeat(300 * 1024));
    problem(
        app.post("/api/v1/events", Some(&token), &huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    let list: Value = app.get("/api/v1/events", None).await.json().await.unwrap();
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn a_stale_if_match_is_412_and_nothing_changes() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let event = app.create_event(&token, &matinale()).await;
    let path = format!("/api/v1/events/{}", event["id"].as_str().unwrap());
    let first = app.get(&path, Some(&token)).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let ok = app
        .request(Method::PATCH, &path, Some(&token))
        .header("If-Match", &etag)
        .json(&json!({"capacity": 90}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let new_etag = ok.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(new_etag, etag);
    let stale = app
        .request(Method::PATCH, &path, Some(&token))
        .header("If-Match", &etag)
        .json(&json!({"capacity": 10}))
        .send()
        .await
        .unwrap();
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let now: Value = app.get(&path, Some(&token)).await.json().await.unwrap();
    assert_eq!(now["capacity"], 90);
}

#[tokio::test]
async fn a_patch_is_checked_against_the_whole_event() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let event = app.create_event(&token, &matinale()).await;
    let path = format!("/api/v1/events/{}", event["id"].as_str().unwrap());
    let body = problem(
        app.patch(&path, Some(&token), &json!({"capacity": 10})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["quotas.buyer", "quotas.ess_structure"]);
    let r = app
        .patch(
            &path,
            Some(&token),
            &json!({"registration_opens_at": null, "quotas": {}}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert!(body["registration_opens_at"].is_null());
    assert!(body["quotas"]["buyer"].is_null());
}

#[tokio::test]
async fn status_changes_follow_the_life_cycle() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let event = app.create_event(&token, &matinale()).await;
    let path = format!("/api/v1/events/{}", event["id"].as_str().unwrap());
    problem(
        app.patch(&path, Some(&token), &json!({"status": "closed"})).await,
        StatusCode::CONFLICT,
    )
    .await;
    let body = problem(
        app.patch(&path, Some(&token), &json!({"status": "cancelled"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["status"]);
    assert_eq!(
        app.post(&format!("{path}/publish"), Some(&token), &json!({}))
            .await
            .status(),
        StatusCode::OK
    );
    let closed = app.patch(&path, Some(&token), &json!({"status": "closed"})).await;
    assert_eq!(closed.status(), StatusCode::OK);
    assert_eq!(
        app.post(&format!("{path}/cancel"), Some(&token), &json!({}))
            .await
            .status(),
        StatusCode::OK
    );
    problem(
        app.post(&format!("{path}/cancel"), Some(&token), &json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    problem(
        app.post(&format!("{path}/publish"), Some(&token), &json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    let public: Value = app.get(&path, None).await.json().await.unwrap();
    assert_eq!(public["status"], "cancelled");
}

#[tokio::test]
async fn the_public_list_filters_by_city_kind_series_dates_and_text() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let series = app.create_series(&token).await;
    let mut orly = matinale();
    orly["series_id"] = series["id"].clone();
    published(&app, &token, orly).await;
    let mut ivry = matinale();
    ivry["kind"] = json!("forum");
    ivry["title"] = json!("Forum du réemploi");
    ivry["venue"]["city"] = json!("Ivry-sur-Seine");
    ivry["starts_at"] = json!("2026-11-12T14:00:00+01:00");
    ivry["ends_at"] = json!("2026-11-12T17:00:00+01:00");
    ivry["registration_closes_at"] = json!("2026-11-11T18:00:00+01:00");
    published(&app, &token, ivry).await;
    app.create_event(&token, &matinale()).await; // a draft, never listed

    assert_eq!(total(&app, "").await, 2);
    assert_eq!(total(&app, "?city=orly").await, 1);
    assert_eq!(total(&app, "?city=IVRY-SUR-SEINE").await, 1);
    assert_eq!(total(&app, "?kind=forum").await, 1);
    assert_eq!(total(&app, "?q=reemploi").await, 1, "accents are ignored");
    assert_eq!(total(&app, "?q=MATINALE").await, 1);
    assert_eq!(total(&app, "?from=2026-11-20T00:00:00%2B01:00").await, 1);
    assert_eq!(total(&app, "?to=2026-11-20T00:00:00Z").await, 1);
    assert_eq!(
        total(&app, &format!("?series={}", series["id"].as_str().unwrap())).await,
        1
    );
    let body = problem(
        app.get("/api/v1/events?kind=party", None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["kind"]);
    let body = problem(
        app.get("/api/v1/events?from=yesterday", None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["from"]);
    let list: Value = app.get("/api/v1/events", None).await.json().await.unwrap();
    assert_eq!(list["items"][0]["title"], "Forum du réemploi", "soonest first");
}

#[tokio::test]
async fn lists_are_paginated_with_limits_and_links() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    for i in 0..5 {
        let mut e = matinale();
        e["title"] = json!(format!("Matinale {i}"));
        published(&app, &token, e).await;
    }
    let r = app.get("/api/v1/events?per_page=2&page=2&city=Orly", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let link = r.headers()["link"].to_str().unwrap().to_owned();
    assert!(link.contains("page=3>; rel=\"next\""), "{link}");
    assert!(link.contains("page=1>; rel=\"prev\""), "{link}");
    assert!(link.contains("city=Orly"), "filters are kept in links: {link}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        (body["page"].as_u64(), body["per_page"].as_u64(), body["total"].as_u64()),
        (Some(2), Some(2), Some(5))
    );
    let last: Value = app
        .get("/api/v1/events?per_page=2&page=3", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(last["items"].as_array().unwrap().len(), 1);
    let body = problem(
        app.get("/api/v1/events?per_page=201", None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["per_page"]);
    let body = problem(
        app.get("/api/v1/events?page=0", None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["page"]);
    let body = problem(
        app.get("/api/v1/events?per_page=abc", None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["per_page"]);
    let full: Value = app.get("/api/v1/events?per_page=200", None).await.json().await.unwrap();
    assert_eq!(full["items"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn the_programme_stays_within_the_event_and_in_order() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let other = app.organiser().await;
    let event = app.create_event(&token, &matinale()).await;
    let path = format!("/api/v1/events/{}/programme", event["id"].as_str().unwrap());
    let talk = json!({"starts_at": "2026-11-25T09:30:00+01:00", "ends_at": "2026-11-25T10:00:00+01:00",
        "title": "Le critère environnemental en 2026", "kind": "talk", "speakers": ["Juriste"]});
    let quiz = json!({"starts_at": "2026-11-25T09:00:00+01:00", "ends_at": "2026-11-25T09:30:00+01:00",
        "title": "Quiz", "kind": "quiz"});
    assert_eq!(app.post(&path, Some(&token), &talk).await.status(), StatusCode::CREATED);
    assert_eq!(app.post(&path, Some(&token), &quiz).await.status(), StatusCode::CREATED);
    let late = json!({"starts_at": "2026-11-25T12:00:00+01:00", "ends_at": "2026-11-25T13:00:00+01:00",
        "title": "Trop tard", "kind": "break"});
    let body = problem(
        app.post(&path, Some(&token), &late).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["ends_at"]);
    let bad_kind = json!({"starts_at": "2026-11-25T09:00:00+01:00", "ends_at": "2026-11-25T09:30:00+01:00",
        "title": "?", "kind": "concert"});
    problem(
        app.post(&path, Some(&token), &bad_kind).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    problem(app.post(&path, Some(&other), &quiz).await, StatusCode::NOT_FOUND).await;
    problem(app.get(&path, None).await, StatusCode::NOT_FOUND).await;

    let items: Value = app.get(&path, Some(&token)).await.json().await.unwrap();
    let titles: Vec<_> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Quiz", "Le critère environnemental en 2026"]);
    assert_eq!(items[1]["speakers"], json!(["Juriste"]));
    assert_eq!(items[0]["starts_at"], "2026-11-25T09:00:00+01:00");
}

#[tokio::test]
async fn the_home_page_lists_coming_public_events_with_links_to_their_pages() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let mut coming = crate::support::open_matinale();
    coming["title"] = json!("Matinale <de> l'ESS & co");
    let coming = app.create_event(&token, &coming).await;
    let past = published(&app, &token, matinale()).await;
    let mut draft = crate::support::open_matinale();
    draft["status"] = json!("draft");
    let draft = app.create_event(&token, &draft).await;
    let draft_id = draft["id"].as_str().unwrap();

    let r = app.get("/", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = r.text().await.unwrap();
    let id = coming["id"].as_str().unwrap();
    assert!(
        html.contains(&format!(
            "<a href=\"/e/{id}\">Matinale &lt;de&gt; l&#39;ESS &amp; co</a>"
        )),
        "{html}"
    );
    assert!(html.contains("25/11/2099 09:00"), "{html}");
    assert!(
        !html.contains(past["id"].as_str().unwrap()),
        "a past event is not listed"
    );
    assert!(!html.contains(draft_id), "a draft is not listed");
    assert!(html.contains("href=\"/docs/\""));
}
