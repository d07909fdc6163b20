use matinale_domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{fields, matinale, problem, spawn_app, TestApp};

/// A published matinale, a buyer and two ESS structures (all created by the organiser, who is
/// thus their member), a buyer member and an ESS member with accounts of role `member`.
struct Scene {
    organiser: String,
    event: String,
    buyer: String,
    buyer_member: String,
    ess: String,
    ess_member: String,
}

/// POSTs and expects 201; an empty `token` posts anonymously.
async fn created(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let r = app.post(path, Some(token).filter(|t| !t.is_empty()), &body).await;
    let status = r.status();
    let json: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{path}: {json}");
    json
}

async fn member_of(app: &TestApp, org: &str, by: &str) -> String {
    let (id, token) = app.account(Role::Member).await;
    let r = app
        .post(
            &format!("/api/v1/organisations/{org}/members"),
            Some(by),
            &json!({"user_id": id}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    token
}

async fn scene(app: &TestApp) -> Scene {
    let organiser = app.organiser().await;
    let event = app.create_event(&organiser, &open_matinale()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let buyer = created(
        app,
        "/api/v1/organisations",
        &organiser,
        json!({"kind": "public_buyer", "name": "Ville d'Orly", "cities": ["Orly"]}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ess = created(
        app,
        "/api/v1/organisations",
        &organiser,
        json!({"kind": "ess_structure", "name": "Adopte un Bureau", "ess_kinds": ["esus"],
               "sectors": ["mobilier", "réemploi"], "cities": ["Orly", "Rungis"]}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let buyer_member = member_of(app, &buyer, &organiser).await;
    let ess_member = member_of(app, &ess, &organiser).await;
    Scene {
        organiser,
        event,
        buyer,
        buyer_member,
        ess,
        ess_member,
    }
}

/// A published matinale whose registrations are open now (and for decades).
fn open_matinale() -> Value {
    let mut event = matinale();
    event["status"] = json!("published");
    event["starts_at"] = json!("2099-11-25T09:00:00+01:00");
    event["ends_at"] = json!("2099-11-25T12:30:00+01:00");
    event["registration_opens_at"] = json!("2020-01-01T00:00:00Z");
    event["registration_closes_at"] = json!("2099-11-24T18:00:00+01:00");
    event
}

/// Registers someone for `event` in `category`, for `organisation` if any; the 201 body.
async fn register(app: &TestApp, event: &str, category: &str, organisation: Option<&str>) -> Value {
    let body = json!({
        "category": category,
        "person": {"first_name": "Awa", "last_name": "Diallo",
                   "email": format!("{}@example.org", Uuid::now_v7().simple())},
        "organisation_id": organisation,
        "locale": "fr",
    });
    created(app, &format!("/api/v1/events/{event}/registrations"), "", body).await
}

/// The buyer's member posts `body` for the scene's event and the event's organiser accepts it
/// there (a buyer only proposes a need for an event: issue #21); the accepted need.
async fn placed(app: &TestApp, s: &Scene, body: Value) -> Value {
    let proposed = created(app, "/api/v1/needs", &s.buyer_member, body).await;
    assert_eq!(proposed["event_accepted"], false, "{proposed}");
    let id = proposed["id"].as_str().unwrap();
    let r = app
        .post(&format!("/api/v1/needs/{id}/accept"), Some(&s.organiser), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let accepted: Value = r.json().await.unwrap();
    assert_eq!(accepted["event_accepted"], true, "{accepted}");
    accepted
}

async fn total(app: &TestApp, query: &str) -> u64 {
    let r = app.get(&format!("/api/v1/needs{query}"), None).await;
    assert_eq!(r.status(), StatusCode::OK, "{query}");
    let body: Value = r.json().await.unwrap();
    body["total"].as_u64().unwrap()
}

fn need(s: &Scene) -> Value {
    json!({
        "organisation_id": s.buyer,
        "event_id": s.event,
        "title": "Mobilier de bureau en réemploi",
        "description": "Bureaux, chaises et armoires pour trois services municipaux.",
        "category": "mobilier_reemploi",
        "cpv_codes": ["39130000-2"],
        "amount_min_eur": 20000,
        "amount_max_eur": 60000,
        "expected_tender_on": "2027-03-01",
        "reserved_market": "none",
        "social_clause": true,
        "environmental_criterion": true,
        "cities": ["Orly"],
        "status": "open"
    })
}

#[tokio::test]
async fn cpv_codes_amounts_and_reserved_markets_are_validated() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let ok = created(&app, "/api/v1/needs", &s.buyer_member, need(&s)).await;
    assert_eq!(ok["cpv_codes"], json!(["39130000-2"]));
    assert_eq!(ok["category_label"], "Mobilier en réemploi");
    assert_eq!(ok["status"], "open");
    // A need of an event answers its times in the event's offset (Europe/Paris), listed too;
    // a need of no event in UTC.
    crate::registrations::assert_paris(&ok["created_at"]);
    crate::registrations::assert_paris(&ok["updated_at"]);
    let mut loose = need(&s);
    loose["event_id"] = Value::Null;
    let loose = created(&app, "/api/v1/needs", &s.buyer_member, loose).await;
    for stamp in ["created_at", "updated_at"] {
        let at = chrono::DateTime::parse_from_rfc3339(loose[stamp].as_str().unwrap()).unwrap();
        assert_eq!(at.offset().local_minus_utc(), 0, "{loose}");
    }
    let listed: Value = app.get("/api/v1/needs", None).await.json().await.unwrap();
    let listed = listed["items"].as_array().unwrap();
    let of = |id: &Value| listed.iter().find(|n| n["id"] == *id).unwrap().clone();
    crate::registrations::assert_paris(&of(&ok["id"])["created_at"]);
    assert_eq!(of(&loose["id"])["created_at"], loose["created_at"]);

    let cases = [
        (json!({"cpv_codes": ["39130000-3"]}), "cpv_codes[0]", "checksum"),
        (json!({"cpv_codes": ["3913000-2"]}), "cpv_codes[0]", "invalid"),
        (json!({"cpv_codes": ["391300002"]}), "cpv_codes[0]", "invalid"),
        (json!({"amount_min_eur": -5}), "amount_min_eur", "out_of_range"),
        (json!({"amount_min_eur": 70000}), "amount_max_eur", "order"),
        (
            json!({"reserved_market": "l2113_14"}),
            "reserved_market",
            "invalid_choice",
        ),
        (json!({"category": "licornes"}), "category", "invalid_choice"),
        (json!({"title": " "}), "title", "required"),
        (
            json!({"expected_tender_on": "2027-02-30"}),
            "expected_tender_on",
            "invalid",
        ),
        (json!({"colour": "blue"}), "colour", "unknown_field"),
    ];
    for (change, field, code) in cases {
        let mut body = need(&s);
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let p = problem(
            app.post("/api/v1/needs", Some(&s.buyer_member), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&p), [field], "{change}");
        assert_eq!(p["errors"][0]["code"], code, "{change}");
    }
    for market in ["none", "l2113_12", "l2113_13"] {
        let mut body = need(&s);
        body["reserved_market"] = json!(market);
        created(&app, "/api/v1/needs", &s.buyer_member, body).await;
    }
    // A need belongs to a public buyer.
    let mut body = need(&s);
    body["organisation_id"] = json!(s.ess);
    let p = problem(
        app.post("/api/v1/needs", Some(&s.organiser), &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["organisation_id"]);
    let categories: Value = app.get("/api/v1/needs/categories", None).await.json().await.unwrap();
    assert!(categories.as_array().unwrap().len() >= 12);
    assert!(categories
        .as_array()
        .unwrap()
        .contains(&json!({"code": "collecte_biodechets", "label": "Collecte des biodéchets"})));
}

#[tokio::test]
async fn only_buyer_members_and_event_organisers_publish_and_edit_needs() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let stranger = app.organiser().await;
    // Anonymous: 401; an organiser of nothing here and an ESS member: 403.
    problem(
        app.post("/api/v1/needs", None, &need(&s)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    problem(
        app.post("/api/v1/needs", Some(&stranger), &need(&s)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.post("/api/v1/needs", Some(&s.ess_member), &need(&s)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // The event's organiser (not a member of the buyer once the buyer is someone else's).
    let other_buyer = created(
        &app,
        "/api/v1/organisations",
        &stranger,
        json!({"kind": "public_buyer", "name": "Ville de Vitry-sur-Seine"}),
    )
    .await;
    let mut body = need(&s);
    body["organisation_id"] = other_buyer["id"].clone();
    created(&app, "/api/v1/needs", &s.organiser, body.clone()).await;
    // Without an event, only the buyer's members may publish for it.
    body["event_id"] = Value::Null;
    problem(
        app.post("/api/v1/needs", Some(&s.organiser), &body).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    let draft = {
        let mut b = need(&s);
        b["status"] = json!("draft");
        created(&app, "/api/v1/needs", &s.buyer_member, b).await
    };
    let path = format!("/api/v1/needs/{}", draft["id"].as_str().unwrap());
    // A draft: 404 to the public and to strangers, even on writes.
    problem(app.get(&path, None).await, StatusCode::NOT_FOUND).await;
    problem(app.get(&path, Some(&stranger)).await, StatusCode::NOT_FOUND).await;
    problem(
        app.patch(&path, Some(&stranger), &json!({"title": "x"})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(app.get(&path, Some(&s.organiser)).await.status(), StatusCode::OK);
    let list: Value = app.get("/api/v1/needs", None).await.json().await.unwrap();
    assert_eq!(list["total"], 1, "drafts are not listed");

    // Opened: public to read, 403 to writes by others, 401 anonymous, 412 when stale.
    let read = app.get(&path, Some(&s.buyer_member)).await;
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let open = app
        .request(Method::PATCH, &path, Some(&s.buyer_member))
        .header("If-Match", &etag)
        .json(&json!({"status": "open", "amount_max_eur": 80000}))
        .send()
        .await
        .unwrap();
    assert_eq!(open.status(), StatusCode::OK);
    let body: Value = open.json().await.unwrap();
    assert_eq!(body["amount_max_eur"], 80000);
    assert_eq!(body["cpv_codes"], json!(["39130000-2"]), "absent fields are kept");
    assert_eq!(app.get(&path, None).await.status(), StatusCode::OK);
    for token in [&stranger, &s.ess_member] {
        problem(
            app.patch(&path, Some(token), &json!({"title": "x"})).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    problem(
        app.patch(&path, None, &json!({"title": "x"})).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let stale = app
        .request(Method::PATCH, &path, Some(&s.buyer_member))
        .header("If-Match", &etag)
        .json(&json!({"title": "Autre"}))
        .send()
        .await
        .unwrap();
    problem(stale, StatusCode::PRECONDITION_FAILED).await;
    problem(
        app.patch(&path, Some(&s.organiser), &json!({"status": "draft"})).await,
        StatusCode::CONFLICT,
    )
    .await;
    let awarded = app
        .patch(&path, Some(&s.organiser), &json!({"status": "awarded"}))
        .await;
    assert_eq!(awarded.status(), StatusCode::OK);
    // Moving the need to a buyer the caller does not belong to is refused.
    problem(
        app.patch(
            &path,
            Some(&s.buyer_member),
            &json!({"organisation_id": other_buyer["id"], "event_id": null}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // Members are not organisers: no events, no series.
    problem(
        app.post("/api/v1/events", Some(&s.buyer_member), &matinale()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

#[tokio::test]
async fn organisation_members_are_added_by_members_or_admins() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let (newcomer, newcomer_token) = app.account(Role::Member).await;
    let (_, admin) = app.account(Role::Admin).await;
    let stranger = app.organiser().await;
    let path = format!("/api/v1/organisations/{}/members", s.buyer);
    problem(
        app.post(&path, None, &json!({"user_id": newcomer})).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    problem(
        app.post(&path, Some(&stranger), &json!({"user_id": newcomer})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.post(&path, Some(&s.ess_member), &json!({"user_id": newcomer}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let p = problem(
        app.post(&path, Some(&admin), &json!({"user_id": Uuid::now_v7()})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["user_id"]);
    problem(
        app.post(
            &format!("/api/v1/organisations/{}/members", Uuid::now_v7()),
            Some(&admin),
            &json!({"user_id": newcomer}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Before: the newcomer may not edit the buyer's profile; after being added by a member, it may.
    let org = format!("/api/v1/organisations/{}", s.buyer);
    problem(
        app.patch(&org, Some(&newcomer_token), &json!({"description": "x"}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let r = app
        .post(&path, Some(&s.buyer_member), &json!({"user_id": newcomer}))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let again = app.post(&path, Some(&admin), &json!({"user_id": newcomer})).await;
    assert_eq!(again.status(), StatusCode::NO_CONTENT, "adding twice changes nothing");
    let r = app
        .patch(
            &org,
            Some(&newcomer_token),
            &json!({"description": "Achats de la ville"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    created(&app, "/api/v1/needs", &newcomer_token, need(&s)).await;
    // Admins create member accounts over HTTP.
    let r = app
        .post(
            "/api/v1/users",
            Some(&admin),
            &json!({"email": "acheteuse@ville-orly.test", "password": "correct horse battery",
                    "role": "member", "name": "Acheteuse"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn search_ignores_accents_and_case_on_needs_and_organisations() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    placed(&app, &s, need(&s)).await;
    let mut other = need(&s);
    other["title"] = json!("Collecte des biodéchets des cantines");
    other["category"] = json!("collecte_biodechets");
    other["cpv_codes"] = json!(["90500000-2"]);
    other["cities"] = json!(["L'Haÿ-les-Roses", "Orly"]);
    other["reserved_market"] = json!("l2113_13");
    placed(&app, &s, other).await;
    assert_eq!(total(&app, "").await, 2);
    assert_eq!(total(&app, "?q=reemploi").await, 1);
    assert_eq!(total(&app, "?q=R%C3%89EMPLOI").await, 1);
    assert_eq!(total(&app, "?q=BIODECHETS").await, 1);
    assert_eq!(total(&app, "?q=90500000").await, 1, "CPV codes are searched");
    assert_eq!(total(&app, "?q=50%25").await, 0, "LIKE wildcards are literal");
    assert_eq!(total(&app, "?city=l'hay-les-roses").await, 1);
    assert_eq!(total(&app, "?city=ORLY").await, 2);
    assert_eq!(total(&app, "?city=orl").await, 0, "a city matches whole");
    assert_eq!(total(&app, "?category=collecte_biodechets").await, 1);
    assert_eq!(total(&app, "?reserved_market=l2113_13").await, 1);
    assert_eq!(total(&app, "?reserved_market=l2113_12").await, 0);
    assert_eq!(total(&app, &format!("?event={}", s.event)).await, 2);
    problem(
        app.get("/api/v1/needs?reserved_market=maybe", None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let orgs: Value = app
        .get("/api/v1/organisations?q=REEMPLOI", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(orgs["total"], 1);
    assert_eq!(orgs["items"][0]["name"], "Adopte un Bureau");
}

#[tokio::test]
async fn suggestions_rank_structures_with_their_reasons() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    for body in [
        json!({"kind": "ess_structure", "name": "Emmaüs Liberté", "ess_kinds": ["siae", "association"],
               "sectors": ["Réemploi"], "cities": ["Ivry-sur-Seine"]}),
        json!({"kind": "ess_structure", "name": "ESAT du Val", "ess_kinds": ["esat"],
               "sectors": ["menuiserie"], "cities": ["Orly"]}),
        json!({"kind": "ess_structure", "name": "Cyclofficine", "ess_kinds": ["association"],
               "sectors": ["vélo"], "cities": ["Ivry-sur-Seine"]}),
    ] {
        created(&app, "/api/v1/organisations", &s.organiser, body).await;
    }
    let open = created(&app, "/api/v1/needs", &s.buyer_member, need(&s)).await;
    let ranked: Value = app
        .get(
            &format!("/api/v1/needs/{}/suggestions", open["id"].as_str().unwrap()),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = ranked["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Adopte un Bureau", "ESAT du Val", "Emmaüs Liberté"]);
    let best = &ranked["items"][0];
    assert_eq!(best["score"], 5);
    let codes: Vec<&str> = best["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["sector", "perimeter"]);
    assert!(best["reasons"][1]["message"].as_str().unwrap().contains("Orly"));

    for (market, expected, kind) in [
        ("l2113_12", vec!["ESAT du Val"], "EA et ESAT"),
        ("l2113_13", vec!["Emmaüs Liberté"], "SIAE"),
    ] {
        let mut body = need(&s);
        body["reserved_market"] = json!(market);
        let reserved = created(&app, "/api/v1/needs", &s.buyer_member, body).await;
        let ranked: Value = app
            .get(
                &format!("/api/v1/needs/{}/suggestions", reserved["id"].as_str().unwrap()),
                None,
            )
            .await
            .json()
            .await
            .unwrap();
        let names: Vec<&str> = ranked["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, expected, "{market}");
        let last = ranked["items"][0]["reasons"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(last["code"], "reserved_market");
        assert!(last["message"].as_str().unwrap().contains(kind));
    }
    problem(
        app.get(&format!("/api/v1/needs/{}/suggestions", Uuid::now_v7()), None)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn suggestions_are_the_best_fifty() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    // 55 structures in the sector, 5 of which also serve Orly; others match nothing.
    for n in 0..55 {
        let cities = if n % 11 == 0 { json!(["Orly"]) } else { json!(["Lyon"]) };
        created(
            &app,
            "/api/v1/organisations",
            &s.organiser,
            json!({"kind": "ess_structure", "name": format!("Ressourcerie {n:02}"),
                   "sectors": ["Réemploi"], "cities": cities}),
        )
        .await;
    }
    for n in 0..5 {
        created(
            &app,
            "/api/v1/organisations",
            &s.organiser,
            json!({"kind": "ess_structure", "name": format!("Traiteur {n}"),
                   "sectors": ["traiteur"], "cities": ["Lyon"]}),
        )
        .await;
    }
    let open = created(&app, "/api/v1/needs", &s.buyer_member, need(&s)).await;
    let r = app
        .get(&format!("/api/v1/needs/{}/suggestions", id_of(&open)), None)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let ranked: Value = r.json().await.unwrap();
    let items = ranked["items"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    let names: Vec<&str> = items.iter().map(|i| i["name"].as_str().unwrap()).collect();
    // Sector and perimeter (5) first, ties by name; the scene's structure is one of them.
    assert_eq!(
        names[..6],
        [
            "Adopte un Bureau",
            "Ressourcerie 00",
            "Ressourcerie 11",
            "Ressourcerie 22",
            "Ressourcerie 33",
            "Ressourcerie 44"
        ]
    );
    assert!(items[..6].iter().all(|i| i["score"] == 5));
    assert!(items[6..].iter().all(|i| i["score"] == 3));
    assert_eq!(names[6], "Ressourcerie 01");
    assert!(names.iter().all(|n| !n.starts_with("Traiteur")));
}

#[tokio::test]
async fn an_ess_member_expresses_interest_once_and_the_buyer_lists_it() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let open = placed(&app, &s, need(&s)).await;
    let id = open["id"].as_str().unwrap();
    let path = format!("/api/v1/needs/{id}/interests");
    let body = json!({"organisation_id": s.ess, "message": "Nous livrons du mobilier reconditionné."});
    problem(app.post(&path, None, &body).await, StatusCode::UNAUTHORIZED).await;
    let stranger = app.organiser().await;
    problem(app.post(&path, Some(&stranger), &body).await, StatusCode::FORBIDDEN).await;
    let p = problem(
        app.post(&path, Some(&s.buyer_member), &json!({"organisation_id": s.buyer}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["organisation_id"]);
    let interest = created(&app, &path, &s.ess_member, body.clone()).await;
    assert_eq!(interest["organisation_name"], "Adopte un Bureau");
    assert!(interest["registration_id"].is_null());
    // In the offset of the zone of the need's event (Europe/Paris), as every other time.
    crate::registrations::assert_paris(&interest["created_at"]);
    let twice = problem(app.post(&path, Some(&s.ess_member), &body).await, StatusCode::CONFLICT).await;
    assert!(twice["detail"].as_str().unwrap().contains("already"));
    // The organiser is also a member of the ESS structure here: still one per structure.
    problem(app.post(&path, Some(&s.organiser), &body).await, StatusCode::CONFLICT).await;

    // The buyer side lists them; the ESS side and strangers may not.
    let list = app.get(&path, Some(&s.buyer_member)).await;
    assert_eq!(list.status(), StatusCode::OK);
    let list: Value = list.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["message"], "Nous livrons du mobilier reconditionné.");
    crate::registrations::assert_paris(&list[0]["created_at"]);
    problem(app.get(&path, Some(&s.ess_member)).await, StatusCode::FORBIDDEN).await;
    problem(app.get(&path, None).await, StatusCode::UNAUTHORIZED).await;

    // Each interest is a wish from the structure to the buyer, priority 2.
    let event = Uuid::parse_str(&s.event).unwrap();
    let wishes = matinale_store::needs::wishes_for_event(&app.db, event).await.unwrap();
    assert_eq!(wishes.len(), 1);
    assert_eq!(wishes[0].from_organisation_id.to_string(), s.ess);
    assert_eq!(wishes[0].to_organisation_id.to_string(), s.buyer);
    assert_eq!(wishes[0].priority, 2);

    // A closed need takes no more interests; a draft is not found.
    let need_path = format!("/api/v1/needs/{id}");
    let r = app
        .patch(&need_path, Some(&s.buyer_member), &json!({"status": "closed"}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let other = created(
        &app,
        "/api/v1/organisations",
        &s.organiser,
        json!({"kind": "ess_structure", "name": "La Mine", "sectors": ["réemploi"]}),
    )
    .await;
    problem(
        app.post(&path, Some(&s.organiser), &json!({"organisation_id": other["id"]}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    let mut draft = need(&s);
    draft["status"] = json!("draft");
    let draft = created(&app, "/api/v1/needs", &s.buyer_member, draft).await;
    problem(
        app.post(
            &format!("/api/v1/needs/{}/interests", draft["id"].as_str().unwrap()),
            Some(&s.ess_member),
            &body,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn classic_and_inverted_stands_are_listed_publicly() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let path = format!("/api/v1/events/{}/stands", s.event);
    let inverted = created(
        &app,
        &path,
        &s.organiser,
        json!({"kind": "inverted", "organisation_id": s.buyer, "title": "Ville d'Orly : nos achats 2027", "location": "Salle A, stand 1"}),
    )
    .await;
    created(
        &app,
        &path,
        &s.organiser,
        json!({"kind": "classic", "organisation_id": s.ess, "title": "Adopte un Bureau", "location": "Salle B, stand 7"}),
    )
    .await;
    let p = problem(
        app.post(
            &path,
            Some(&s.organiser),
            &json!({"kind": "classic", "organisation_id": s.buyer, "title": "x"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["organisation_id"]);
    let p = problem(
        app.post(
            &path,
            Some(&s.organiser),
            &json!({"kind": "inverted", "organisation_id": s.ess, "title": "x"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["organisation_id"]);
    problem(
        app.post(
            &path,
            Some(&s.buyer_member),
            &json!({"kind": "inverted", "organisation_id": s.buyer, "title": "x"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.post(
            &path,
            None,
            &json!({"kind": "inverted", "organisation_id": s.buyer, "title": "x"}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let list: Value = app.get(&path, None).await.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["kind"], "inverted");
    assert_eq!(list[0]["organisation_name"], "Ville d'Orly");
    assert_eq!(list[1]["location"], "Salle B, stand 7");
    // In the offset of the event's zone (Europe/Paris), on creation and listed.
    crate::registrations::assert_paris(&inverted["created_at"]);
    crate::registrations::assert_paris(&list[0]["created_at"]);
    crate::registrations::assert_paris(&list[1]["created_at"]);

    // A need on the inverted stand; the classic stand or another event's stand will not do.
    let mut body = need(&s);
    body["stand_id"] = inverted["id"].clone();
    created(&app, "/api/v1/needs", &s.buyer_member, body.clone()).await;
    body["event_id"] = Value::Null;
    let p = problem(
        app.post("/api/v1/needs", Some(&s.buyer_member), &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["stand_id"]);

    // Stands of a draft event are hidden.
    let draft = app.create_event(&s.organiser, &matinale()).await;
    let hidden = format!("/api/v1/events/{}/stands", draft["id"].as_str().unwrap());
    problem(app.get(&hidden, None).await, StatusCode::NOT_FOUND).await;
    assert_eq!(app.get(&hidden, Some(&s.organiser)).await.status(), StatusCode::OK);
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn token_of(v: &Value) -> String {
    v["manage_token"].as_str().unwrap().to_owned()
}

/// Approves that `registration` speaks for its organisation, as `by`; the registration as
/// answered.
async fn approve(app: &TestApp, by: &str, registration: &Value) -> Value {
    let r = app
        .post(
            &format!("/api/v1/registrations/{}/organisation/approve", id_of(registration)),
            Some(by),
            &json!({}),
        )
        .await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["organisation_confirmed"], true);
    body
}

#[tokio::test]
async fn an_ess_registrant_expresses_interest_with_its_manage_token() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let open = created(&app, "/api/v1/needs", &s.buyer_member, need(&s)).await;
    let path = format!("/api/v1/needs/{}/interests", id_of(&open));
    let la_mine = id_of(
        &created(
            &app,
            "/api/v1/organisations",
            &s.organiser,
            json!({"kind": "ess_structure", "name": "La Mine", "sectors": ["réemploi"]}),
        )
        .await,
    );
    let ours = register(&app, &s.event, "ess_structure", Some(&s.ess)).await;
    approve(&app, &s.organiser, &ours).await;
    let theirs = register(&app, &s.event, "ess_structure", Some(&la_mine)).await;
    let buyer = register(&app, &s.event, "buyer", Some(&s.buyer)).await;
    let alone = register(&app, &s.event, "ess_structure", None).await;
    let elsewhere_event = id_of(&app.create_event(&s.organiser, &open_matinale()).await);
    let elsewhere = register(&app, &elsewhere_event, "ess_structure", Some(&s.ess)).await;
    let message = "Nous livrons du mobilier reconditionné.";
    let own = |r: &Value| json!({"registration_id": r["id"], "message": message});

    // Credentials: none or a forged one is 401; another registration's token, another
    // organiser or a member account get 404 for a registration that is not theirs.
    problem(app.post(&path, None, &own(&ours)).await, StatusCode::UNAUTHORIZED).await;
    problem(
        app.post(&path, Some("mr_forged"), &own(&ours)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    problem(
        app.post(&path, Some(&token_of(&theirs)), &own(&ours)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let stranger = app.organiser().await;
    problem(
        app.post(&path, Some(&stranger), &own(&ours)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.post(&path, Some(&s.ess_member), &own(&ours)).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // The body: exactly one of organisation_id and registration_id, each named when wrong.
    let t = token_of(&ours);
    let cases = [
        (
            json!({"message": message}),
            vec!["organisation_id", "registration_id"],
            "required",
        ),
        (
            json!({"registration_id": ours["id"], "organisation_id": s.ess}),
            vec!["registration_id"],
            "exclusive",
        ),
        (
            json!({"organisation_id": s.ess}),
            vec!["organisation_id"],
            "not_allowed",
        ),
        (
            json!({"registration_id": ours["id"], "colour": "blue"}),
            vec!["colour"],
            "unknown_field",
        ),
        (
            json!({"registration_id": "not-a-uuid"}),
            vec!["registration_id"],
            "invalid",
        ),
        (
            json!({"registration_id": ours["id"], "message": "x".repeat(5001)}),
            vec!["message"],
            "too_long",
        ),
    ];
    for (body, expected, code) in cases {
        let p = problem(app.post(&path, Some(&t), &body).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&p), expected, "{body}");
        assert_eq!(p["errors"][0]["code"], code, "{body}");
    }
    // The registration must fit: an ESS structure's, of the need's event, naming its structure.
    for (registration, code) in [
        (&buyer, "category"),
        (&alone, "no_organisation"),
        (&elsewhere, "other_event"),
    ] {
        let p = problem(
            app.post(&path, Some(&token_of(registration)), &own(registration)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&p), ["registration_id"]);
        assert_eq!(p["errors"][0]["code"], code);
    }

    let interest = created(&app, &path, &t, own(&ours)).await;
    assert_eq!(interest["registration_id"], ours["id"]);
    assert_eq!(interest["organisation_id"], json!(s.ess));
    assert_eq!(interest["organisation_name"], "Adopte un Bureau");
    assert_eq!(interest["message"], message);

    // One per structure and need, whichever way it comes: again by token, then by a member.
    let twice = problem(app.post(&path, Some(&t), &own(&ours)).await, StatusCode::CONFLICT).await;
    assert!(twice["detail"].as_str().unwrap().contains("already"));
    problem(
        app.post(&path, Some(&s.ess_member), &json!({"organisation_id": s.ess}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;

    // A cancelled registration may no longer express interest: 409 naming the field.
    let their_path = format!("/api/v1/registrations/{}", id_of(&theirs));
    let r = app
        .post(&format!("{their_path}/cancel"), Some(&token_of(&theirs)), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let p = problem(
        app.post(&path, Some(&token_of(&theirs)), &own(&theirs)).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("registration_id"), "{p}");

    // An organiser of the event may act for a registration of it.
    let la_mine_again = register(&app, &s.event, "ess_structure", Some(&la_mine)).await;
    approve(&app, &s.organiser, &la_mine_again).await;
    let by_organiser = created(&app, &path, &s.organiser, own(&la_mine_again)).await;
    assert_eq!(by_organiser["organisation_id"], json!(la_mine));

    // The buyer side lists both, with the registration each came through.
    let list: Value = app.get(&path, Some(&s.buyer_member)).await.json().await.unwrap();
    let listed: Vec<(&str, &Value)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["organisation_name"].as_str().unwrap(), &i["registration_id"]))
        .collect();
    assert_eq!(
        listed,
        [("Adopte un Bureau", &ours["id"]), ("La Mine", &la_mine_again["id"])]
    );

    // A registrant's token does not open drafts.
    let mut draft = need(&s);
    draft["status"] = json!("draft");
    let draft = created(&app, "/api/v1/needs", &s.buyer_member, draft).await;
    problem(
        app.post(
            &format!("/api/v1/needs/{}/interests", id_of(&draft)),
            Some(&t),
            &own(&ours),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn a_member_then_a_registrant_of_one_structure_is_one_interest_and_one_wish_each_way() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let first = placed(&app, &s, need(&s)).await;
    let mut body = need(&s);
    body["title"] = json!("Impressions durables des supports de communication");
    body["category"] = json!("impressions_durables");
    body["cpv_codes"] = json!([]);
    let second = placed(&app, &s, body).await;
    let registration = register(&app, &s.event, "ess_structure", Some(&s.ess)).await;
    approve(&app, &s.ess_member, &registration).await;
    let t = token_of(&registration);
    let on = |need: &Value| format!("/api/v1/needs/{}/interests", id_of(need));

    // First need: the member first, then the registrant of the same structure: 409.
    created(&app, &on(&first), &s.ess_member, json!({"organisation_id": s.ess})).await;
    let p = problem(
        app.post(&on(&first), Some(&t), &json!({"registration_id": registration["id"]}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("already"));
    // Second need: the registrant first, then the member: 409.
    created(&app, &on(&second), &t, json!({"registration_id": registration["id"]})).await;
    problem(
        app.post(&on(&second), Some(&s.ess_member), &json!({"organisation_id": s.ess}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;

    // Each interest is a priority-2 wish from the structure to the buyer, with the
    // registration when it came through one.
    let event = Uuid::parse_str(&s.event).unwrap();
    let mut wishes = matinale_store::needs::wishes_for_event(&app.db, event).await.unwrap();
    wishes.sort_by_key(|w| w.need_id);
    let registration_id = Uuid::parse_str(registration["id"].as_str().unwrap()).unwrap();
    let got: Vec<(String, String, String, Option<Uuid>, u8)> = wishes
        .iter()
        .map(|w| {
            (
                w.need_id.to_string(),
                w.from_organisation_id.to_string(),
                w.to_organisation_id.to_string(),
                w.from_registration_id,
                w.priority,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (id_of(&first), s.ess.clone(), s.buyer.clone(), None, 2),
            (id_of(&second), s.ess.clone(), s.buyer.clone(), Some(registration_id), 2),
        ]
    );
    // Needs of another event bring no wish here.
    let other = Uuid::parse_str(&id_of(&app.create_event(&s.organiser, &open_matinale()).await)).unwrap();
    assert!(matinale_store::needs::wishes_for_event(&app.db, other)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn drafts_are_listed_to_their_editors_only() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let stranger = app.organiser().await;
    let nobody = app.organiser().await;
    let (_, admin) = app.account(Role::Admin).await;
    let vitry = id_of(
        &created(
            &app,
            "/api/v1/organisations",
            &stranger,
            json!({"kind": "public_buyer", "name": "Ville de Vitry-sur-Seine"}),
        )
        .await,
    );
    created(&app, "/api/v1/needs", &s.buyer_member, need(&s)).await;
    let draft = |org: &str, event: Option<&str>, title: &str| {
        let mut b = need(&s);
        b["organisation_id"] = json!(org);
        b["event_id"] = json!(event);
        b["title"] = json!(title);
        b["status"] = json!("draft");
        b
    };
    // Orly's draft at the event; Vitry's drafts (by its member, the stranger) with and
    // without the event.
    created(
        &app,
        "/api/v1/needs",
        &s.buyer_member,
        draft(&s.buyer, Some(&s.event), "Brouillon d'Orly"),
    )
    .await;
    created(
        &app,
        "/api/v1/needs",
        &stranger,
        draft(&vitry, None, "Brouillon de Vitry hors événement"),
    )
    .await;
    created(
        &app,
        "/api/v1/needs",
        &stranger,
        draft(&vitry, Some(&s.event), "Brouillon de Vitry à la matinale"),
    )
    .await;

    async fn titles(app: &TestApp, token: Option<&str>, query: &str) -> Vec<String> {
        let r = app.get(&format!("/api/v1/needs{query}"), token).await;
        assert_eq!(r.status(), StatusCode::OK, "{query}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(
            body["total"].as_u64().unwrap() as usize,
            body["items"].as_array().unwrap().len()
        );
        let mut t: Vec<String> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["title"].as_str().unwrap().to_owned())
            .collect();
        t.sort();
        t
    }
    let open = "Mobilier de bureau en réemploi";
    let orly = "Brouillon d'Orly";
    let vitry_out = "Brouillon de Vitry hors événement";
    let vitry_in = "Brouillon de Vitry à la matinale";
    // Anonymous callers never see drafts, and may not ask for them.
    assert_eq!(titles(&app, None, "").await, [open]);
    let p = problem(
        app.get("/api/v1/needs?status=draft", None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["status"]);
    problem(
        app.get("/api/v1/needs", Some("mt_forged")).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // Buyer members see their buyer's drafts; event organisers those at their event (the
    // organiser also created Orly, so is its member); admins all.
    assert_eq!(titles(&app, Some(&s.buyer_member), "").await, [orly, open]);
    assert_eq!(titles(&app, Some(&s.buyer_member), "?status=draft").await, [orly]);
    assert_eq!(
        titles(&app, Some(&s.organiser), "?status=draft").await,
        [orly, vitry_in]
    );
    assert_eq!(titles(&app, Some(&stranger), "").await, [vitry_out, vitry_in, open]);
    assert_eq!(
        titles(&app, Some(&admin), "?status=draft").await,
        [orly, vitry_out, vitry_in]
    );
    assert_eq!(titles(&app, Some(&admin), "").await.len(), 4);
    // Others see none.
    assert_eq!(titles(&app, Some(&nobody), "").await, [open]);
    assert!(titles(&app, Some(&nobody), "?status=draft").await.is_empty());
    assert!(titles(&app, Some(&s.ess_member), "?status=draft").await.is_empty());
    // Filters still apply to drafts (Vitry's member only proposed its draft for the event:
    // it is listed with the proposals, not at the event).
    assert_eq!(
        titles(
            &app,
            Some(&stranger),
            &format!("?status=draft&event={}&proposed=true", s.event)
        )
        .await,
        [vitry_in]
    );
    assert!(
        titles(&app, Some(&stranger), &format!("?status=draft&event={}", s.event))
            .await
            .is_empty()
    );
    assert_eq!(
        titles(&app, Some(&s.organiser), "?q=brouillon&city=orly").await,
        [orly, vitry_in]
    );
    assert_eq!(titles(&app, Some(&s.organiser), "?status=open").await, [open]);
}

/// The login e-mails of an organisation's members, as an organiser sees them.
async fn member_emails(app: &TestApp, org: &str, by: &str) -> Vec<String> {
    let r = app.get(&format!("/api/v1/organisations/{org}/members"), Some(by)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let items = body.get("items").unwrap_or(&body).as_array().unwrap().clone();
    items.iter().map(|m| m["email"].as_str().unwrap().to_owned()).collect()
}

async fn register_as(app: &TestApp, event: &str, email: &str, organisation: &str) -> Value {
    let body = json!({
        "category": "ess_structure",
        "person": {"first_name": "Paul", "last_name": "Martin", "email": email},
        "organisation_id": organisation,
        "locale": "fr",
    });
    created(app, &format!("/api/v1/events/{event}/registrations"), "", body).await
}

async fn registration_seen_by(app: &TestApp, registration: &Value, token: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/registrations/{}", id_of(registration)), Some(token))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_registration_speaks_for_its_organisation_only_once_the_claim_is_confirmed() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let open = placed(&app, &s, need(&s)).await;
    let path = format!("/api/v1/needs/{}/interests", id_of(&open));

    // Anyone may type the structure's id: the claim is not confirmed, and the interest is
    // refused (naming registration_id) instead of being recorded in the structure's name.
    let impostor = register(&app, &s.event, "ess_structure", Some(&s.ess)).await;
    let seen = registration_seen_by(&app, &impostor, &token_of(&impostor)).await;
    assert_eq!(seen["organisation_id"], json!(s.ess));
    assert_eq!(seen["organisation_confirmed"], false);
    let p = problem(
        app.post(
            &path,
            Some(&token_of(&impostor)),
            &json!({"registration_id": impostor["id"]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["registration_id"]);
    assert_eq!(p["errors"][0]["code"], "organisation_unconfirmed");
    // So the real members are not blocked, and the scheduler sees their interest alone.
    let theirs = created(&app, &path, &s.ess_member, json!({"organisation_id": s.ess})).await;
    assert!(theirs["registration_id"].is_null());
    let event = Uuid::parse_str(&s.event).unwrap();
    let wishes = matinale_store::needs::wishes_for_event(&app.db, event).await.unwrap();
    assert_eq!(wishes.len(), 1);
    assert_eq!(wishes[0].from_registration_id, None);

    // Approving: an organiser of another event, a member of another organisation, the
    // registrant itself cannot.
    let approve_path = format!("/api/v1/registrations/{}/organisation/approve", id_of(&impostor));
    let stranger = app.organiser().await;
    for who in [&stranger, &s.buyer_member] {
        problem(
            app.post(&approve_path, Some(who), &json!({})).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    problem(
        app.post(&approve_path, Some(&token_of(&impostor)), &json!({})).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let still = registration_seen_by(&app, &impostor, &s.organiser).await;
    assert_eq!(still["organisation_confirmed"], false);

    // A member's own address confirms it.
    let emails = member_emails(&app, &s.ess, &s.organiser).await;
    let member_address = emails
        .iter()
        .find(|e| e.ends_with("@test.matinale"))
        .unwrap()
        .to_uppercase();
    let member_registration = register_as(&app, &s.event, &member_address, &s.ess).await;
    // …once the mailbox is proven (issue #21): typing the address proves nothing.
    let seen = registration_seen_by(&app, &member_registration, &token_of(&member_registration)).await;
    assert_eq!(seen["organisation_confirmed"], false);
    crate::mailbox::prove_mailbox(&app, &member_registration).await;
    let seen = registration_seen_by(&app, &member_registration, &token_of(&member_registration)).await;
    assert_eq!(seen["organisation_confirmed"], true);

    // So does a domain the structure verified (members set them).
    let r = app
        .patch(
            &format!("/api/v1/organisations/{}", s.ess),
            Some(&s.ess_member),
            &json!({"verified_domains": ["Adopte-un-Bureau.fr"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let org: Value = r.json().await.unwrap();
    assert_eq!(org["verified_domains"], json!(["adopte-un-bureau.fr"]));
    let p = problem(
        app.patch(
            &format!("/api/v1/organisations/{}", s.ess),
            Some(&s.ess_member),
            &json!({"verified_domains": ["not a domain"]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["verified_domains[0]"]);
    let colleague = register_as(&app, &s.event, "paul@adopte-un-bureau.fr", &s.ess).await;
    let lookalike = register_as(&app, &s.event, "paul@adopte-un-bureau.fr.example.org", &s.ess).await;
    let seen = registration_seen_by(&app, &colleague, &token_of(&colleague)).await;
    assert_eq!(
        seen["organisation_confirmed"], false,
        "not before the mailbox is proven"
    );
    crate::mailbox::prove_mailbox(&app, &colleague).await;
    crate::mailbox::prove_mailbox(&app, &lookalike).await;
    let seen = registration_seen_by(&app, &colleague, &token_of(&colleague)).await;
    assert_eq!(seen["organisation_confirmed"], true);
    let seen = registration_seen_by(&app, &lookalike, &token_of(&lookalike)).await;
    assert_eq!(seen["organisation_confirmed"], false);

    // Or an approval, by a member (or an organiser of the event), kept in the history.
    let claire = register(&app, &s.event, "ess_structure", Some(&s.ess)).await;
    let approved = approve(&app, &s.ess_member, &claire).await;
    let last = approved["history"].as_array().unwrap().last().unwrap().clone();
    assert!(last["reason"].as_str().unwrap().contains("approved"), "{last}");
    let again = approve(&app, &s.organiser, &claire).await;
    assert_eq!(
        again["history"].as_array().unwrap().len(),
        approved["history"].as_array().unwrap().len()
    );
    let mut second = need(&s);
    second["title"] = json!("Impressions durables");
    second["category"] = json!("impressions_durables");
    second["cpv_codes"] = json!([]);
    let second = placed(&app, &s, second).await;
    let interest = created(
        &app,
        &format!("/api/v1/needs/{}/interests", id_of(&second)),
        &token_of(&claire),
        json!({"registration_id": claire["id"]}),
    )
    .await;
    assert_eq!(interest["organisation_id"], json!(s.ess));
    let wishes = matinale_store::needs::wishes_for_event(&app.db, event).await.unwrap();
    let claire_id = Uuid::parse_str(&id_of(&claire)).unwrap();
    assert!(wishes.iter().any(|w| w.from_registration_id == Some(claire_id)));

    // The organiser's list shows each claim; naming another organisation drops the approval.
    let r = app
        .get(
            &format!("/api/v1/events/{}/registrations?per_page=200", s.event),
            Some(&s.organiser),
        )
        .await;
    let list: Value = r.json().await.unwrap();
    let confirmed: Vec<(String, bool)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (id_of(r), r["organisation_confirmed"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        confirmed,
        [
            (id_of(&impostor), false),
            (id_of(&member_registration), true),
            (id_of(&colleague), true),
            (id_of(&lookalike), false),
            (id_of(&claire), true),
        ]
    );
    let r = app
        .patch(
            &format!("/api/v1/registrations/{}", id_of(&claire)),
            Some(&token_of(&claire)),
            &json!({"organisation_id": s.buyer}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let moved: Value = r.json().await.unwrap();
    assert_eq!(moved["organisation_confirmed"], false);
}

#[tokio::test]
async fn an_interest_is_withdrawn_by_its_author_a_member_or_an_organiser() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let open = created(&app, "/api/v1/needs", &s.buyer_member, need(&s)).await;
    let other_need = created(&app, "/api/v1/needs", &s.buyer_member, need(&s)).await;
    let path = format!("/api/v1/needs/{}/interests", id_of(&open));
    let registration = register(&app, &s.event, "ess_structure", Some(&s.ess)).await;
    approve(&app, &s.organiser, &registration).await;
    let someone_else = register(&app, &s.event, "ess_structure", Some(&s.ess)).await;
    let t = token_of(&registration);
    let delete = |interest: &Value, token: Option<&str>| {
        app.request(Method::DELETE, &format!("{path}/{}", id_of(interest)), token)
            .send()
    };

    let interest = created(&app, &path, &t, json!({"registration_id": registration["id"]})).await;
    problem(delete(&interest, None).await.unwrap(), StatusCode::UNAUTHORIZED).await;
    let stranger = app.organiser().await;
    for who in [stranger.as_str(), &s.buyer_member, &token_of(&someone_else)] {
        problem(delete(&interest, Some(who)).await.unwrap(), StatusCode::NOT_FOUND).await;
    }
    // Under another need, it is not found either.
    let r = app
        .request(
            Method::DELETE,
            &format!("/api/v1/needs/{}/interests/{}", id_of(&other_need), id_of(&interest)),
            Some(&t),
        )
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::NOT_FOUND).await;
    // Its author withdraws it; then it is gone, and so is the wish.
    assert_eq!(
        delete(&interest, Some(&t)).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    problem(delete(&interest, Some(&t)).await.unwrap(), StatusCode::NOT_FOUND).await;
    let event = Uuid::parse_str(&s.event).unwrap();
    assert!(matinale_store::needs::wishes_for_event(&app.db, event)
        .await
        .unwrap()
        .is_empty());

    // A member of the structure, or an organiser of the event, withdraws one too.
    for who in [&s.ess_member, &s.organiser] {
        let interest = created(&app, &path, &t, json!({"registration_id": registration["id"]})).await;
        assert_eq!(
            delete(&interest, Some(who)).await.unwrap().status(),
            StatusCode::NO_CONTENT
        );
    }
    let by_member = created(&app, &path, &s.ess_member, json!({"organisation_id": s.ess})).await;
    problem(delete(&by_member, Some(&t)).await.unwrap(), StatusCode::NOT_FOUND).await;
    assert_eq!(
        delete(&by_member, Some(&s.ess_member)).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let list: Value = app.get(&path, Some(&s.buyer_member)).await.json().await.unwrap();
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn registrant_interests_under_a_rush_of_other_writes_never_fail() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let open = created(&app, "/api/v1/needs", &s.buyer_member, need(&s)).await;
    let path = format!("/api/v1/needs/{}/interests", id_of(&open));
    let mut registrants = Vec::new();
    for n in 0..12 {
        let org = id_of(
            &created(
                &app,
                "/api/v1/organisations",
                &s.organiser,
                json!({"kind": "ess_structure", "name": format!("Structure {n}")}),
            )
            .await,
        );
        let r = register(&app, &s.event, "ess_structure", Some(&org)).await;
        approve(&app, &s.organiser, &r).await;
        registrants.push(r);
    }
    // Each interest reads, then writes, while registrations write at the same time.
    let mut interests = Vec::new();
    let mut others = Vec::new();
    for r in &registrants {
        let request = app
            .request(Method::POST, &path, Some(&token_of(r)))
            .json(&json!({"registration_id": r["id"], "message": "Intéressés"}));
        interests.push(tokio::spawn(async move { request.send().await.unwrap().status() }));
        for _ in 0..2 {
            let request = app
                .request(Method::POST, &format!("/api/v1/events/{}/registrations", s.event), None)
                .json(&json!({
                    "category": "visitor",
                    "person": {"first_name": "Awa", "last_name": "Diallo",
                               "email": format!("{}@example.org", Uuid::now_v7().simple())},
                    "locale": "fr",
                }));
            others.push(tokio::spawn(async move { request.send().await.unwrap().status() }));
        }
    }
    for task in interests {
        assert_eq!(task.await.unwrap(), StatusCode::CREATED);
    }
    for task in others {
        assert_eq!(task.await.unwrap(), StatusCode::CREATED);
    }
}

#[tokio::test]
async fn the_buyer_sees_the_contact_of_an_interest_only_with_consent_and_a_confirmed_claim() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let open = created(&app, "/api/v1/needs", &s.buyer_member, need(&s)).await;
    let path = format!("/api/v1/needs/{}/interests", id_of(&open));
    let la_mine = id_of(
        &created(
            &app,
            "/api/v1/organisations",
            &s.organiser,
            json!({"kind": "ess_structure", "name": "La Mine"}),
        )
        .await,
    );
    let register_with = |organisation: String, consent: bool| {
        let body = json!({
            "category": "ess_structure",
            "person": {"first_name": "Awa", "last_name": "Diallo", "phone": "+33 1 23 45 67 89",
                       "email": format!("{}@example.org", Uuid::now_v7().simple())},
            "organisation_id": organisation,
            "locale": "fr",
            "consents": {"share_contact": consent},
        });
        let path = format!("/api/v1/events/{}/registrations", s.event);
        let app = &app;
        async move { created(app, &path, "", body).await }
    };
    let consenting = register_with(s.ess.clone(), true).await;
    approve(&app, &s.organiser, &consenting).await;
    let silent = register_with(la_mine.clone(), false).await;
    approve(&app, &s.organiser, &silent).await;
    for r in [&consenting, &silent] {
        let body = json!({"registration_id": r["id"], "message": "Intéressés."});
        created(&app, &path, &token_of(r), body).await;
    }

    let list: Value = app.get(&path, Some(&s.buyer_member)).await.json().await.unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["registration_id"], consenting["id"]);
    let contact = &list[0]["contact"];
    assert_eq!(contact["name"], "Awa Diallo");
    assert!(
        contact["email"].as_str().unwrap().ends_with("@example.org"),
        "{contact}"
    );
    assert_eq!(contact["phone"], "+33 1 23 45 67 89");
    // No consent: no contact, only the confirmed structure.
    assert_eq!(list[1]["registration_id"], silent["id"]);
    assert_eq!(list[1]["organisation_name"], "La Mine");
    assert_eq!(list[1]["contact"], Value::Null);
}
