use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{fields, problem, spawn_app, TestApp};

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app.post("/api/v1/organisations", Some(token), &body).await;
    let status = r.status();
    let json: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{json}");
    json
}

async fn total(app: &TestApp, query: &str) -> u64 {
    let r = app.get(&format!("/api/v1/organisations{query}"), None).await;
    assert_eq!(r.status(), StatusCode::OK, "{query}");
    let body: Value = r.json().await.unwrap();
    body["total"].as_u64().unwrap()
}

#[tokio::test]
async fn a_siret_is_checked_and_its_siren_derived() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let org = create(
        &app,
        &token,
        json!({"kind": "ess_structure", "name": "Rejoué", "siret": "732 829 320 00074", "ess_kinds": ["siae", "aci"]}),
    )
    .await;
    assert_eq!(org["siret"], "73282932000074");
    assert_eq!(org["siren"], "732829320");
    let bad = json!({"kind": "ess_structure", "name": "X", "siret": "73282932000075"});
    let body = problem(
        app.post("/api/v1/organisations", Some(&token), &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["siret"]);
    assert_eq!(body["errors"][0]["code"], "checksum");
    let la_poste = json!({"kind": "company", "name": "La Poste", "siret": "35600000000001"});
    assert_eq!(
        app.post("/api/v1/organisations", Some(&token), &la_poste)
            .await
            .status(),
        StatusCode::CREATED
    );
    let buyer = json!({"kind": "public_buyer", "name": "Ville d'Orly", "ess_kinds": ["ea"], "website": "ftp://x"});
    let body = problem(
        app.post("/api/v1/organisations", Some(&token), &buyer).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["ess_kinds", "website"]);
    let kind = json!({"kind": "ess_structure", "name": "X", "ess_kinds": ["licorne"]});
    let body = problem(
        app.post("/api/v1/organisations", Some(&token), &kind).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["ess_kinds[0]"]);
}

#[tokio::test]
async fn the_directory_filters_by_kind_sector_city_and_accentless_text() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    create(
        &app,
        &token,
        json!({"kind": "ess_structure", "name": "Adopte un Bureau", "sectors": ["Mobilier", "réemploi"],
        "cities": ["Orly", "Rungis"], "description": "Mobilier de bureau de seconde main"}),
    )
    .await;
    create(
        &app,
        &token,
        json!({"kind": "ess_structure", "name": "La Recyclerie des Portes de l'Essonne",
        "sectors": ["réemploi"], "cities": ["Athis-Mons"]}),
    )
    .await;
    create(
        &app,
        &token,
        json!({"kind": "public_buyer", "name": "Ville de L'Haÿ-les-Roses", "cities": ["L'Haÿ-les-Roses"]}),
    )
    .await;
    assert_eq!(total(&app, "").await, 3);
    assert_eq!(total(&app, "?kind=ess_structure").await, 2);
    assert_eq!(total(&app, "?sector=reemploi").await, 2);
    assert_eq!(total(&app, "?sector=MOBILIER").await, 1);
    assert_eq!(total(&app, "?city=rungis").await, 1);
    assert_eq!(total(&app, "?city=l'hay-les-roses").await, 1);
    assert_eq!(total(&app, "?q=SECONDE%20main").await, 1);
    assert_eq!(total(&app, "?q=recyclerie").await, 1);
    assert_eq!(total(&app, "?q=haÿ").await, 1);
    assert_eq!(total(&app, "?q=100%25").await, 0, "LIKE wildcards are literal");
    let list: Value = app
        .get("/api/v1/organisations?kind=ess_structure", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["name"], "Adopte un Bureau");
    assert_eq!(
        list["items"][0]["sectors"],
        json!(["Mobilier", "réemploi"]),
        "order kept"
    );
    problem(
        app.get("/api/v1/organisations?kind=castle", None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

#[tokio::test]
async fn only_members_edit_an_organisation_and_if_match_is_honoured() {
    let app = spawn_app().await;
    let member = app.organiser().await;
    let stranger = app.organiser().await;
    let (_, admin) = app.account(matinale_domain::user::Role::Admin).await;
    let org = create(
        &app,
        &member,
        json!({"kind": "ess_structure", "name": "Cyclofficine", "sectors": ["vélo"]}),
    )
    .await;
    let path = format!("/api/v1/organisations/{}", org["id"].as_str().unwrap());
    problem(
        app.patch(&path, Some(&stranger), &json!({"name": "Pirate"})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.patch(&path, None, &json!({"name": "Pirate"})).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let read = app.get(&path, None).await;
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let ok = app
        .request(Method::PATCH, &path, Some(&member))
        .header("If-Match", &etag)
        .json(&json!({"cities": ["Ivry-sur-Seine"], "website": "https://cyclofficine.example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let body: Value = ok.json().await.unwrap();
    assert_eq!(body["cities"], json!(["Ivry-sur-Seine"]));
    assert_eq!(body["sectors"], json!(["vélo"]), "absent fields are kept");
    let stale = app
        .request(Method::PATCH, &path, Some(&member))
        .header("If-Match", &etag)
        .json(&json!({"name": "Autre"}))
        .send()
        .await
        .unwrap();
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let by_admin = app.patch(&path, Some(&admin), &json!({"website": null})).await;
    assert_eq!(by_admin.status(), StatusCode::OK);
    let body: Value = by_admin.json().await.unwrap();
    assert!(body["website"].is_null());
    let body = problem(
        app.patch(&path, Some(&member), &json!({"siret": "123"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["siret"]);
}
