//! `GET /events/{id}/participants`: whom a registrant may wish to meet.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::meeting_blocks::{id_of, open_event, token_of};
use crate::support::{fields, problem, spawn_app, TestApp};

async fn organisation(app: &TestApp, token: &str, kind: &str, name: &str) -> String {
    let r = app
        .post(
            "/api/v1/organisations",
            Some(token),
            &json!({"kind": kind, "name": name}),
        )
        .await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    id_of(&body).to_owned()
}

/// Registers `first last` in `category`, sharing contact details or not; the 201 body.
async fn person(
    app: &TestApp,
    event: &str,
    category: &str,
    (first, last): (&str, &str),
    organisation: Option<&str>,
    share_contact: bool,
) -> Value {
    let body = json!({
        "category": category, "locale": "fr", "organisation_id": organisation,
        "person": {"first_name": first, "last_name": last,
                   "email": format!("{}@example.org", uuid::Uuid::now_v7().simple())},
        "consents": {"share_contact": share_contact},
    });
    let r = app
        .post(&format!("/api/v1/events/{event}/registrations"), None, &body)
        .await;
    let status = r.status();
    let json: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{json}");
    json
}

/// An organiser of the event confirms the registration's claim to its organisation.
async fn approve(app: &TestApp, organiser: &str, registration: &Value) {
    let path = format!("/api/v1/registrations/{}/organisation/approve", id_of(registration));
    let r = app.post(&path, Some(organiser), &json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn participants(app: &TestApp, event: &str, query: &str, token: Option<&str>) -> reqwest::Response {
    app.get(&format!("/api/v1/events/{event}/participants{query}"), token)
        .await
}

async fn listed(app: &TestApp, event: &str, query: &str, token: &str) -> Value {
    let r = participants(app, event, query, Some(token)).await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["registration_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn opt_out(app: &TestApp, registration: &Value) {
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/v1/registrations/{}", id_of(registration)),
            Some(token_of(registration)),
        )
        .json(&json!({"meetings": {"opt_in": false}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_registrant_sees_who_takes_part_with_names_only_where_consented() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org).await;
    let vitry = organisation(&app, &org, "public_buyer", "Ville de Vitry-sur-Seine").await;
    let orly = organisation(&app, &org, "public_buyer", "Établissement public d'Orly").await;
    let bureau = organisation(&app, &org, "ess_structure", "Adopte un Bureau").await;
    let need = app
        .post(
            "/api/v1/needs",
            Some(&org),
            &json!({"organisation_id": vitry, "event_id": event, "title": "Mobilier en réemploi",
                    "description": "Bureaux", "category": "mobilier_reemploi", "status": "open"}),
        )
        .await;
    assert_eq!(need.status(), StatusCode::CREATED);
    let need: Value = need.json().await.unwrap();
    // A draft need is not shown.
    let draft = app
        .post(
            "/api/v1/needs",
            Some(&org),
            &json!({"organisation_id": vitry, "event_id": event, "title": "Pas encore publié",
                    "description": "…", "category": "mobilier_reemploi", "status": "draft"}),
        )
        .await;
    assert_eq!(draft.status(), StatusCode::CREATED);

    let claire = person(&app, &event, "buyer", ("Claire", "Dubois"), Some(&vitry), true).await;
    let hidden = person(&app, &event, "buyer", ("Paul", "Secret"), Some(&orly), false).await;
    let away = person(&app, &event, "buyer", ("Léa", "Absente"), None, true).await;
    opt_out(&app, &away).await;
    let karim = person(&app, &event, "ess_structure", ("Karim", "Benali"), Some(&bureau), true).await;
    for confirmed in [&claire, &hidden, &karim] {
        approve(&app, &org, confirmed).await;
    }
    let awa = person(&app, &event, "ess_structure", ("Awa", "Diallo"), None, true).await;
    let partner = person(&app, &event, "partner", ("Pat", "Partenaire"), None, true).await;
    person(&app, &event, "visitor", ("Vic", "Visiteur"), None, true).await;
    let cancelled = person(&app, &event, "buyer", ("Can", "Celled"), None, true).await;
    let r = app
        .post(
            &format!("/api/v1/registrations/{}/cancel", id_of(&cancelled)),
            Some(token_of(&cancelled)),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // Karim (ESS) lists the buyers: by organisation, names only with consent, the open needs;
    // neither the opted-out nor the cancelled, never an e-mail.
    let buyers = listed(&app, &event, "?category=buyer", token_of(&karim)).await;
    assert_eq!(buyers["total"], 2);
    assert_eq!(buyers["page"], 1);
    assert_eq!(buyers["per_page"], 50);
    assert_eq!(
        buyers["items"][0],
        json!({"registration_id": id_of(&hidden), "category": "buyer", "organisation": "Établissement public d'Orly",
               "organisation_id": orly, "name": null, "takes_part": true, "needs": []})
    );
    assert_eq!(
        buyers["items"][1],
        json!({"registration_id": id_of(&claire), "category": "buyer", "organisation": "Ville de Vitry-sur-Seine",
               "organisation_id": vitry, "name": "Claire Dubois", "takes_part": true,
               "needs": [{"id": need["id"], "title": "Mobilier en réemploi"}]})
    );
    assert!(!buyers.to_string().contains("@example.org"));

    // Claire (buyer) lists the ESS structures; without a category, both sides.
    let ess = listed(&app, &event, "?category=ess_structure", token_of(&claire)).await;
    assert_eq!(ids(&ess), [id_of(&karim), id_of(&awa)]);
    assert_eq!(ess["items"][0]["organisation"], "Adopte un Bureau");
    assert_eq!(ess["items"][1]["organisation"], Value::Null);
    assert_eq!(ess["items"][1]["name"], "Awa Diallo");
    assert_eq!(ess["items"][1]["needs"], json!([]));
    let everyone = listed(&app, &event, "", token_of(&claire)).await;
    assert_eq!(everyone["total"], 4);

    // Organisers see everyone who may take part, the opted-out too.
    let all = listed(&app, &event, "?category=buyer", &org).await;
    assert_eq!(all["total"], 3);
    let away_row = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["registration_id"] == id_of(&away))
        .expect("the opted-out buyer");
    assert_eq!(away_row["takes_part"], false);
    assert_eq!(away_row["name"], "Léa Absente");
    assert!(!all.to_string().contains(id_of(&partner)));

    // The one who opted out still sees the others (to change their mind).
    let theirs = listed(&app, &event, "?category=ess_structure", token_of(&away)).await;
    assert_eq!(theirs["total"], 2);
}

#[tokio::test]
async fn participants_are_searched_without_accents_and_paged() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org).await;
    let orly = organisation(&app, &org, "public_buyer", "Établissement public d'Orly").await;
    let buyer = person(&app, &event, "buyer", ("Claire", "Dubois"), Some(&orly), true).await;
    approve(&app, &org, &buyer).await;
    let mut structures = Vec::new();
    for (first, last) in [
        ("Zoé", "Martin"),
        ("Élodie", "Bernard"),
        ("Hugo", "Petit"),
        ("Inès", "Roux"),
    ] {
        structures.push(person(&app, &event, "ess_structure", (first, last), None, true).await);
    }
    // A name not shared is not searchable.
    person(&app, &event, "ess_structure", ("Elodie", "Cachée"), None, false).await;
    let token = token_of(&buyer);

    let found = listed(&app, &event, "?category=ess_structure&q=ELODIE", token).await;
    assert_eq!(ids(&found), [id_of(&structures[1])]);
    let found = listed(&app, &event, "?q=etablissement%20PUBLIC", token_of(&structures[0])).await;
    assert_eq!(ids(&found), [id_of(&buyer)]);
    assert_eq!(listed(&app, &event, "?q=cachee", token).await["total"], 0);

    // By name when there is no organisation; the unnamed last.
    let page1 = participants(&app, &event, "?category=ess_structure&per_page=2", Some(token)).await;
    let link = page1.headers()["link"].to_str().unwrap().to_owned();
    assert!(
        link.contains("rel=\"next\"") && link.contains("category=ess_structure"),
        "{link}"
    );
    let page1: Value = page1.json().await.unwrap();
    assert_eq!(page1["total"], 5);
    assert_eq!(ids(&page1), [id_of(&structures[1]), id_of(&structures[2])]);
    let page3 = listed(&app, &event, "?category=ess_structure&per_page=2&page=3", token).await;
    assert_eq!(page3["items"].as_array().unwrap().len(), 1);
    assert_eq!(page3["items"][0]["name"], Value::Null);

    for query in ["?category=partner", "?category=nobody", "?per_page=500"] {
        let p = problem(
            participants(&app, &event, query, Some(token)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&p).len(), 1, "{query}: {p}");
    }
    let p = problem(
        participants(&app, &event, "?category=visitor", Some(token)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["category"]);
}

#[tokio::test]
async fn only_the_events_live_registrants_and_organisers_may_list() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let mut body = crate::meeting_blocks::speed_matinale("published");
    body["quotas"] = json!({"buyer": 1, "ess_structure": 10});
    let event = id_of(&app.create_event(&org, &body).await).to_owned();
    let other_event = open_event(&app, &org).await;
    let buyer = person(&app, &event, "buyer", ("Claire", "Dubois"), None, true).await;
    let waiting = person(&app, &event, "buyer", ("Wait", "Ing"), None, true).await;
    assert_eq!(waiting["status"], "waitlisted");
    let visitor = person(&app, &event, "visitor", ("Vic", "Visiteur"), None, true).await;
    let abroad = person(&app, &other_event, "ess_structure", ("Awa", "Diallo"), None, true).await;
    let gone = person(&app, &event, "ess_structure", ("Gone", "Away"), None, true).await;
    let r = app
        .post(
            &format!("/api/v1/registrations/{}/cancel", id_of(&gone)),
            Some(token_of(&gone)),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    problem(participants(&app, &event, "", None).await, StatusCode::UNAUTHORIZED).await;
    problem(
        participants(&app, &event, "", Some("mr_not-a-token")).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    problem(
        participants(&app, &event, "", Some(token_of(&abroad))).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let unknown = uuid::Uuid::now_v7().to_string();
    problem(
        participants(&app, &unknown, "", Some(token_of(&buyer))).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    for who in [&waiting, &visitor, &gone] {
        problem(
            participants(&app, &event, "", Some(token_of(who))).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    // Another organiser: the event is public, theirs to read but not to organise.
    let stranger = app.organiser().await;
    problem(
        participants(&app, &event, "", Some(&stranger)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        participants(&app, &unknown, "", Some(&org)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(listed(&app, &event, "", token_of(&buyer)).await["total"], 1);
}
