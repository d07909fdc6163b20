//! RGPD: a person's data exported and erased, by their manage token or an admin; after an
//! erasure no table holds their e-mail, and counts stay.

use matinale_domain::user::Role;
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{json, Value};

use crate::support::{fields, matinale, problem, spawn_app, TestApp};

async fn created(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> Value {
    let r = app.post(path, token, &body).await;
    let status = r.status();
    let json: Value = r.json().await.expect("JSON");
    assert!(status.is_success(), "{path}: {status} {json}");
    json
}

/// The tables of the test's database whose rows, read as text, contain `needle`.
async fn tables_containing(app: &TestApp, needle: &str) -> Vec<String> {
    let backend = app.db.get_database_backend();
    let list = if backend == DbBackend::Postgres {
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table'"
    };
    let tables: Vec<String> = app
        .db
        .query_all_raw(Statement::from_string(backend, list))
        .await
        .expect("tables")
        .iter()
        .map(|row| row.try_get::<String>("", "name").expect("a name"))
        .collect();
    assert!(tables.iter().any(|t| t == "registrations"), "{tables:?}");
    let pattern = format!("%{}%", needle.to_lowercase());
    let mut found = Vec::new();
    for table in tables {
        let sql = if backend == DbBackend::Postgres {
            format!("SELECT COUNT(*) AS n FROM \"{table}\" AS t WHERE lower(t::text) LIKE $1")
        } else {
            let columns: Vec<String> = app
                .db
                .query_all_raw(Statement::from_string(
                    backend,
                    format!("PRAGMA table_info(\"{table}\")"),
                ))
                .await
                .expect("columns")
                .iter()
                .map(|row| row.try_get::<String>("", "name").expect("a column"))
                .collect();
            let any = columns
                .iter()
                .map(|c| format!("lower(CAST(\"{c}\" AS TEXT)) LIKE ?1"))
                .collect::<Vec<_>>()
                .join(" OR ");
            format!("SELECT COUNT(*) AS n FROM \"{table}\" WHERE {any}")
        };
        let n: i64 = app
            .db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                vec![pattern.clone().into()],
            ))
            .await
            .expect("count")
            .expect("a row")
            .try_get("", "n")
            .expect("n");
        if n > 0 {
            found.push(table);
        }
    }
    found
}

/// A published matinale open for registration, with a meeting block; its id.
async fn open_matinale(app: &TestApp, organiser: &str) -> String {
    let mut body = matinale();
    body["status"] = json!("published");
    body["quotas"] = json!({});
    body["starts_at"] = json!("2099-11-25T09:00:00+01:00");
    body["ends_at"] = json!("2099-11-25T12:30:00+01:00");
    body["registration_opens_at"] = json!("2020-01-01T00:00:00Z");
    body["registration_closes_at"] = json!("2099-11-24T18:00:00+01:00");
    let event = app.create_event(organiser, &body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    created(
        app,
        &format!("/api/v1/events/{event}/meeting-blocks"),
        Some(organiser),
        json!({"starts_at": "2099-11-25T10:30:00+01:00", "ends_at": "2099-11-25T11:30:00+01:00",
               "slot_minutes": 10, "break_minutes": 2, "tables": 2}),
    )
    .await;
    event
}

/// Registers `email`; its last name is the address's first part before a dot or `@`.
async fn register(app: &TestApp, event: &str, category: &str, email: &str, organisation: Option<&str>) -> Value {
    let last_name = email.split(['@', '.']).nth(1).unwrap_or("Martin");
    let body = json!({
        "category": category,
        "person": {"first_name": "Awa", "last_name": last_name, "email": email, "phone": "+33 6 12 34 56 78"},
        "organisation_id": organisation,
        "locale": "fr",
        "accessibility_needs": "Fauteuil roulant",
        "consents": {"share_contact": true},
    });
    let r = app
        .request(Method::POST, &format!("/api/v1/events/{event}/registrations"), None)
        .header("Idempotency-Key", format!("key-{email}"))
        .json(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.expect("JSON")
}

fn id(v: &Value) -> &str {
    v["id"].as_str().expect("id")
}

#[tokio::test]
async fn a_person_exports_then_erases_their_data_and_no_table_keeps_their_address() {
    let app = spawn_app().await;
    let organiser = app.organiser().await;
    let event = open_matinale(&app, &organiser).await;
    let coop = created(
        &app,
        "/api/v1/organisations",
        Some(&organiser),
        json!({"kind": "ess_structure", "name": "Adopte un Bureau", "cities": ["Orly"]}),
    )
    .await;
    let town = created(
        &app,
        "/api/v1/organisations",
        Some(&organiser),
        json!({"kind": "public_buyer", "name": "Ville d'Orly", "cities": ["Orly"]}),
    )
    .await;
    let email = "awa.zyxwvuts@adopte-un-bureau.example";
    let me = register(&app, &event, "ess_structure", email, Some(id(&coop))).await;
    let buyer = register(&app, &event, "buyer", "achats.lefebvre@orly.example", Some(id(&town))).await;
    let token = me["manage_token"].as_str().unwrap().to_owned();
    for r in [&me, &buyer] {
        let path = format!("/api/v1/registrations/{}/organisation/approve", id(r));
        assert_eq!(
            app.post(&path, Some(&organiser), &json!({})).await.status(),
            StatusCode::OK
        );
    }
    let need = created(
        &app,
        "/api/v1/needs",
        Some(&organiser),
        json!({"organisation_id": id(&town), "event_id": event, "title": "Mobilier de bureau en réemploi",
               "description": "Bureaux et chaises.", "category": "mobilier_reemploi", "cpv_codes": ["39130000-2"],
               "reserved_market": "none", "social_clause": true, "environmental_criterion": true,
               "cities": ["Orly"], "status": "open"}),
    )
    .await;
    created(
        &app,
        &format!("/api/v1/needs/{}/interests", id(&need)),
        Some(&token),
        json!({"registration_id": id(&me), "message": "Écrivez-moi à awa.zyxwvuts@adopte-un-bureau.example"}),
    )
    .await;
    created(
        &app,
        &format!("/api/v1/events/{event}/wishes"),
        Some(&token),
        json!({"from_registration_id": id(&me), "to_registration_id": id(&buyer), "priority": 3}),
    )
    .await;
    created(
        &app,
        &format!("/api/v1/events/{event}/schedule"),
        Some(&organiser),
        json!({}),
    )
    .await;
    created(
        &app,
        &format!("/api/v1/events/{event}/schedule/publish"),
        Some(&organiser),
        json!({}),
    )
    .await;
    created(
        &app,
        &format!("/api/v1/registrations/{}/calendar-feed", id(&me)),
        Some(&token),
        json!({}),
    )
    .await;

    let export_path = format!("/api/v1/registrations/{}/export", id(&me));
    let r = app.get(&export_path, Some(&token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let export: Value = r.json().await.unwrap();
    assert_eq!(export["registration"]["email"], email);
    assert_eq!(export["registration"]["phone"], "+33 6 12 34 56 78");
    assert_eq!(export["registration"]["accessibility_needs"], "Fauteuil roulant");
    let before_row: Value = app
        .get(&format!("/api/v1/registrations/{}", id(&me)), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(before_row["person"]["phone"], "+33 6 12 34 56 78", "{before_row}");
    assert_eq!(export["wishes"].as_array().unwrap().len(), 1);
    assert_eq!(export["meetings"].as_array().unwrap().len(), 1);
    assert_eq!(export["interests"].as_array().unwrap().len(), 1);
    assert!(!export["mails"].as_array().unwrap().is_empty());
    assert!(!export.to_string().contains("mr_"), "no token in an export: {export}");
    assert!(
        !export.to_string().contains("achats.lefebvre@orly.example"),
        "the partner's data is theirs"
    );
    assert!(tables_containing(&app, "zyxwvuts")
        .await
        .contains(&"registrations".to_owned()));

    let before = app
        .get(&format!("/api/v1/events/{event}/registrations"), Some(&organiser))
        .await
        .json::<Value>()
        .await
        .unwrap()["total"]
        .clone();
    let r = app
        .request(
            Method::DELETE,
            &format!("/api/v1/registrations/{}/personal-data", id(&me)),
            Some(&token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let erased: Value = r.json().await.unwrap();
    assert_eq!(erased["registrations"], 1);

    for needle in [email, "zyxwvuts"] {
        assert_eq!(tables_containing(&app, needle).await, Vec::<String>::new(), "{needle}");
    }
    let row: Value = app
        .get(&format!("/api/v1/registrations/{}", id(&me)), Some(&organiser))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(row["person"]["last_name"], "—", "{row}");
    assert!(
        row["person"]["phone"].is_null() && row["accessibility_needs"].is_null(),
        "{row}"
    );
    // Erasing cancels (issue #21, item 7): the seat is freed and the meetings to come go.
    assert_eq!(row["status"], "cancelled", "{row}");
    // The token and the feed are gone; the anonymous row, the wish and the meeting stay, but
    // the organisers' list no longer shows the row.
    problem(app.get(&export_path, Some(&token)).await, StatusCode::UNAUTHORIZED).await;
    let after: Value = app
        .get(&format!("/api/v1/events/{event}/registrations"), Some(&organiser))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["total"].as_u64(), before.as_u64().map(|b| b - 1), "{after}");
    assert!(
        !after["items"].as_array().unwrap().iter().any(|r| r["id"] == me["id"]),
        "{after}"
    );
    let meetings: Value = app
        .get(&format!("/api/v1/events/{event}/meetings"), Some(&organiser))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(meetings["total"], 1);
    assert_eq!(meetings["items"][0]["status"], "cancelled", "{meetings}");
}

#[tokio::test]
async fn only_the_person_or_an_admin_exports_or_erases() {
    let app = spawn_app().await;
    let organiser = app.organiser().await;
    let (_, admin) = app.account(Role::Admin).await;
    let event = open_matinale(&app, &organiser).await;
    let email = "nadia.qwertyuiop@example.org";
    let me = register(&app, &event, "visitor", email, None).await;
    let other = register(&app, &event, "visitor", "some.one@example.org", None).await;
    let export_path = format!("/api/v1/registrations/{}/export", id(&me));
    let erase_path = format!("/api/v1/registrations/{}/personal-data", id(&me));
    let other_token = other["manage_token"].as_str().unwrap();
    for (method, path) in [(Method::GET, &export_path), (Method::DELETE, &erase_path)] {
        let call = |token: Option<&str>| app.request(method.clone(), path, token).send();
        problem(call(None).await.unwrap(), StatusCode::UNAUTHORIZED).await;
        problem(call(Some(other_token)).await.unwrap(), StatusCode::NOT_FOUND).await;
        problem(call(Some(&organiser)).await.unwrap(), StatusCode::FORBIDDEN).await;
    }
    assert_eq!(app.get(&export_path, Some(&admin)).await.status(), StatusCode::OK);

    // By address: admins only; the address is required and checked.
    let person = |m: Method, q: &str, token: &str| {
        let path = if m == Method::GET {
            format!("/api/v1/people/export{q}")
        } else {
            format!("/api/v1/people{q}")
        };
        app.request(m, &path, Some(token)).send()
    };
    for m in [Method::GET, Method::DELETE] {
        problem(
            person(m.clone(), &format!("?email={email}"), &organiser).await.unwrap(),
            StatusCode::FORBIDDEN,
        )
        .await;
        let p = problem(
            person(m.clone(), "", &admin).await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&p), ["email"]);
        let p = problem(
            person(m.clone(), "?email=not-an-address", &admin).await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&p), ["email"]);
    }
    // A second event: the address registered twice; one call erases both.
    let second = open_matinale(&app, &organiser).await;
    register(&app, &second, "visitor", email, None).await;
    let export: Value = person(Method::GET, &format!("?email={}", email.to_uppercase()), &admin)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(export["registrations"].as_array().unwrap().len(), 2, "{export}");
    let erased: Value = person(Method::DELETE, &format!("?email={email}"), &admin)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(erased["registrations"], 2);
    assert_eq!(tables_containing(&app, "qwertyuiop").await, Vec::<String>::new());
    assert!(
        !tables_containing(&app, "some.one@example.org").await.is_empty(),
        "others are untouched"
    );
}
