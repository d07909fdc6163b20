use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::meeting_blocks::{count, id_of, open_event, register, speed_matinale, token_of};
use crate::support::{cancel_own, fields, problem, spawn_app, TestApp};

/// POSTs a wish to `event` with `token`; the answer.
async fn wish(
    app: &TestApp,
    event: &str,
    token: Option<&str>,
    from: &str,
    to: &str,
    priority: i64,
) -> reqwest::Response {
    app.post(
        &format!("/api/v1/events/{event}/wishes"),
        token,
        &json!({"from_registration_id": from, "to_registration_id": to, "priority": priority}),
    )
    .await
}

async fn made(app: &TestApp, event: &str, token: &str, from: &str, to: &str, priority: i64) -> Value {
    let r = wish(app, event, Some(token), from, to, priority).await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn wishes_of(app: &TestApp, registration: &str, token: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/registrations/{registration}/wishes"), Some(token))
        .await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn delete(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    app.request(Method::DELETE, path, token).send().await.expect("DELETE")
}

async fn decline(app: &TestApp, wish: &str, token: Option<&str>) -> reqwest::Response {
    app.post(&format!("/api/v1/wishes/{wish}/decline"), token, &json!({}))
        .await
}

#[tokio::test]
async fn buyers_and_ess_structures_wish_to_meet_each_other_either_way() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org).await;
    let buyer = register(&app, &event, "buyer", None).await;
    let ess = register(&app, &event, "ess_structure", None).await;
    let ess2 = register(&app, &event, "ess_structure", None).await;
    let (b, e, e2) = (id_of(&buyer), id_of(&ess), id_of(&ess2));

    let w = made(&app, &event, token_of(&ess), e, b, 3).await;
    assert!(w["id"].is_string());
    assert_eq!(w["event_id"], event.as_str());
    assert_eq!(w["from_registration_id"], e);
    assert_eq!(w["to_registration_id"], b);
    assert_eq!(w["priority"], 3);
    assert_eq!(w["source"], "wish");
    assert_eq!(w["need_id"], Value::Null);
    assert_eq!(w["declined"], false);
    // In the offset of the event's zone (Europe/Paris), here and in the lists.
    crate::registrations::assert_paris(&w["created_at"]);
    let back = made(&app, &event, token_of(&buyer), b, e, 1).await;
    // An organiser makes one for a registrant.
    let for_them = made(&app, &event, &org, b, e2, 2).await;
    assert_eq!(for_them["from_registration_id"], b);

    let mine = wishes_of(&app, b, token_of(&buyer)).await;
    let ids = |list: &Value| -> Vec<Value> { list.as_array().unwrap().iter().map(|w| w["id"].clone()).collect() };
    assert_eq!(ids(&mine["made"]), [back["id"].clone(), for_them["id"].clone()]);
    assert_eq!(ids(&mine["received"]), [w["id"].clone()]);
    assert_eq!(mine["received"][0], w);
    let theirs = wishes_of(&app, e, &org).await;
    assert_eq!(ids(&theirs["made"]), [w["id"].clone()]);
    assert_eq!(ids(&theirs["received"]), [back["id"].clone()]);
    for listed in mine["made"]
        .as_array()
        .unwrap()
        .iter()
        .chain(theirs["received"].as_array().unwrap())
    {
        crate::registrations::assert_paris(&listed["created_at"]);
    }

    // The same wish twice is a conflict, whoever makes it.
    problem(
        wish(&app, &event, Some(token_of(&ess)), e, b, 2).await,
        StatusCode::CONFLICT,
    )
    .await;
    problem(wish(&app, &event, Some(&org), b, e, 2).await, StatusCode::CONFLICT).await;
    let stored = count(
        &app,
        "SELECT COUNT(*) AS n FROM wishes WHERE from_registration_id = $1",
        vec![Uuid::parse_str(b).unwrap().into()],
    )
    .await;
    assert_eq!(stored, 2);
}

#[tokio::test]
async fn wishes_that_break_a_rule_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    // Two buyer seats: the third buyer waits.
    let mut body = speed_matinale("published");
    body["quotas"] = json!({"buyer": 2, "ess_structure": 10});
    let event = app.create_event(&org, &body).await;
    let event = id_of(&event).to_owned();
    let other_event = open_event(&app, &org).await;
    let buyer = register(&app, &event, "buyer", None).await;
    let other_buyer = register(&app, &event, "buyer", None).await;
    let waiting = register(&app, &event, "buyer", None).await;
    assert_eq!(waiting["status"], "waitlisted");
    let ess = register(&app, &event, "ess_structure", None).await;
    let partner = register(&app, &event, "partner", None).await;
    let visitor = register(&app, &event, "visitor", None).await;
    let cancelled = register(&app, &event, "ess_structure", None).await;
    cancel_own(&app, &cancelled).await;
    let abroad = register(&app, &other_event, "ess_structure", None).await;
    let other_ess = register(&app, &event, "ess_structure", None).await;
    let (b, e) = (id_of(&buyer), id_of(&ess));
    let unknown = Uuid::now_v7().to_string();

    let cases: Vec<(&str, &str, &str, i64, &str, &str)> = vec![
        // (token of, from, to, priority, field, code)
        (token_of(&ess), e, e, 2, "to_registration_id", "invalid"),
        (
            token_of(&buyer),
            b,
            id_of(&other_buyer),
            2,
            "to_registration_id",
            "same_side",
        ),
        (
            token_of(&ess),
            e,
            id_of(&other_ess),
            2,
            "to_registration_id",
            "same_side",
        ),
        (
            token_of(&buyer),
            b,
            id_of(&waiting),
            2,
            "to_registration_id",
            "not_confirmed",
        ),
        (
            token_of(&waiting),
            id_of(&waiting),
            e,
            2,
            "from_registration_id",
            "not_confirmed",
        ),
        (
            token_of(&ess),
            e,
            id_of(&cancelled),
            2,
            "to_registration_id",
            "not_confirmed",
        ),
        (
            token_of(&cancelled),
            id_of(&cancelled),
            b,
            2,
            "from_registration_id",
            "not_confirmed",
        ),
        (
            token_of(&buyer),
            b,
            id_of(&partner),
            2,
            "to_registration_id",
            "no_meetings",
        ),
        (
            token_of(&visitor),
            id_of(&visitor),
            b,
            2,
            "from_registration_id",
            "no_meetings",
        ),
        (
            token_of(&partner),
            id_of(&partner),
            e,
            2,
            "from_registration_id",
            "no_meetings",
        ),
        (
            token_of(&buyer),
            b,
            id_of(&abroad),
            2,
            "to_registration_id",
            "other_event",
        ),
        (
            token_of(&abroad),
            id_of(&abroad),
            b,
            2,
            "from_registration_id",
            "other_event",
        ),
        (token_of(&buyer), b, &unknown, 2, "to_registration_id", "unknown"),
        (token_of(&ess), e, b, 0, "priority", "out_of_range"),
        (token_of(&ess), e, b, 4, "priority", "out_of_range"),
        (&org, &unknown, e, 2, "from_registration_id", "unknown"),
    ];
    for (token, from, to, priority, field, code) in cases {
        let p = problem(
            wish(&app, &event, Some(token), from, to, priority).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&p), [field], "{from} → {to}: {p}");
        assert_eq!(p["errors"][0]["code"], code, "{p}");
    }
    // Malformed bodies: the field is named too.
    let path = format!("/api/v1/events/{event}/wishes");
    let bodies = [
        (json!({"from_registration_id": e, "to_registration_id": b}), "priority"),
        (
            json!({"from_registration_id": e, "to_registration_id": b, "priority": 2, "note": "x"}),
            "note",
        ),
        (
            json!({"from_registration_id": e, "to_registration_id": "nobody", "priority": 2}),
            "to_registration_id",
        ),
        (
            json!({"from_registration_id": e, "to_registration_id": b, "priority": "high"}),
            "priority",
        ),
    ];
    for (body, field) in bodies {
        let p = problem(
            app.post(&path, Some(token_of(&ess)), &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&p), [field], "{body}");
    }
    let stored = count(&app, "SELECT COUNT(*) AS n FROM wishes", vec![]).await;
    assert_eq!(stored, 0, "no refused wish was stored");
}

#[tokio::test]
async fn a_person_makes_at_most_thirty_wishes_even_all_at_once() {
    let app = Arc::new(spawn_app().await);
    let org = app.organiser().await;
    let mut body = speed_matinale("published");
    body["capacity"] = json!(80);
    body["quotas"] = json!({"buyer": 5, "ess_structure": 60});
    let event = app.create_event(&org, &body).await;
    let event = id_of(&event).to_owned();
    let buyer = register(&app, &event, "buyer", None).await;
    let mut structures = Vec::new();
    for _ in 0..36 {
        structures.push(id_of(&register(&app, &event, "ess_structure", None).await).to_owned());
    }
    // 36 wishes at once from the same buyer: 30 are made, the others refused.
    let mut tasks = Vec::new();
    for to in structures.clone() {
        let (app, event, token, from) = (
            app.clone(),
            event.clone(),
            token_of(&buyer).to_owned(),
            id_of(&buyer).to_owned(),
        );
        tasks.push(tokio::spawn(async move {
            let r = wish(&app, &event, Some(&token), &from, &to, 2).await;
            let status = r.status();
            (status, r.json::<Value>().await.unwrap())
        }));
    }
    let mut created = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::UNPROCESSABLE_ENTITY => {
                assert_eq!(fields(&body), ["from_registration_id"]);
                assert_eq!(body["errors"][0]["code"], "too_many");
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(created, 30);
    let mine = wishes_of(&app, id_of(&buyer), token_of(&buyer)).await;
    assert_eq!(mine["made"].as_array().unwrap().len(), 30);
    // An organiser cannot pass the limit either; withdrawing one makes room.
    let wished: Vec<&str> = mine["made"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["to_registration_id"].as_str().unwrap())
        .collect();
    let left_out = structures.iter().find(|s| !wished.contains(&s.as_str())).unwrap();
    let p = problem(
        wish(&app, &event, Some(&org), id_of(&buyer), left_out, 1).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "too_many");
    let first = mine["made"][0]["id"].as_str().unwrap();
    let r = delete(&app, &format!("/api/v1/wishes/{first}"), Some(token_of(&buyer))).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let to = mine["made"][0]["to_registration_id"].as_str().unwrap();
    made(&app, &event, token_of(&buyer), id_of(&buyer), to, 3).await;
    // Wishes received do not count: an ESS structure still makes its own.
    made(&app, &event, &org, &structures[0], id_of(&buyer), 1).await;
}

#[tokio::test]
async fn a_manage_token_opens_only_its_own_wishes() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let stranger_org = app.organiser().await;
    let event = open_event(&app, &org).await;
    let buyer = register(&app, &event, "buyer", None).await;
    let ess = register(&app, &event, "ess_structure", None).await;
    let third = register(&app, &event, "ess_structure", None).await;
    let (b, e) = (id_of(&buyer), id_of(&ess));
    let w = made(&app, &event, token_of(&ess), e, b, 2).await;
    let wish_path = format!("/api/v1/wishes/{}", id_of(&w));

    // Making one for someone else: 404.
    problem(
        wish(&app, &event, Some(token_of(&third)), e, b, 2).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        wish(&app, &event, Some(token_of(&buyer)), e, b, 2).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Anonymous: 401; an organiser of another event: 403 (published) — 404 for unknown events.
    problem(wish(&app, &event, None, b, e, 2).await, StatusCode::UNAUTHORIZED).await;
    problem(
        wish(&app, &event, Some(&stranger_org), b, e, 2).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let nowhere = Uuid::now_v7().to_string();
    problem(wish(&app, &nowhere, Some(&org), b, e, 2).await, StatusCode::NOT_FOUND).await;
    problem(
        wish(&app, &nowhere, Some(token_of(&buyer)), b, e, 2).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // Reading someone else's wishes: 404.
    for (who, token) in [(b, token_of(&third)), (e, token_of(&buyer)), (e, &stranger_org)] {
        problem(
            app.get(&format!("/api/v1/registrations/{who}/wishes"), Some(token))
                .await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    problem(
        app.get(&format!("/api/v1/registrations/{b}/wishes"), None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // Withdrawing: only its maker (or an organiser); the other side and strangers get 404.
    problem(
        delete(&app, &wish_path, Some(token_of(&buyer))).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        delete(&app, &wish_path, Some(token_of(&third))).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        delete(&app, &wish_path, Some(&stranger_org)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(delete(&app, &wish_path, None).await, StatusCode::UNAUTHORIZED).await;
    // Declining: only the side it is made to (or an organiser).
    problem(
        decline(&app, id_of(&w), Some(token_of(&ess))).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        decline(&app, id_of(&w), Some(token_of(&third))).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        decline(&app, id_of(&w), Some(&stranger_org)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(decline(&app, id_of(&w), None).await, StatusCode::UNAUTHORIZED).await;
    problem(
        decline(&app, &Uuid::now_v7().to_string(), Some(&org)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let theirs = wishes_of(&app, e, token_of(&ess)).await;
    assert_eq!(theirs["made"][0]["declined"], false, "nothing was declined");

    // An organiser of the event may withdraw it.
    let r = delete(&app, &wish_path, Some(&org)).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    problem(delete(&app, &wish_path, Some(&org)).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn a_wish_is_withdrawn_by_its_maker_and_declined_by_the_other_side_for_good() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org).await;
    let buyer = register(&app, &event, "buyer", None).await;
    let ess = register(&app, &event, "ess_structure", None).await;
    let (b, e) = (id_of(&buyer), id_of(&ess));

    let w = made(&app, &event, token_of(&ess), e, b, 2).await;
    let r = delete(&app, &format!("/api/v1/wishes/{}", id_of(&w)), Some(token_of(&ess))).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(wishes_of(&app, e, token_of(&ess)).await["made"], json!([]));
    problem(
        decline(&app, id_of(&w), Some(token_of(&buyer))).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let w = made(&app, &event, token_of(&ess), e, b, 3).await;
    let r = decline(&app, id_of(&w), Some(token_of(&buyer))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let declined: Value = r.json().await.unwrap();
    assert_eq!(declined["declined"], true);
    assert_eq!(declined["id"], w["id"]);
    assert_eq!(declined["priority"], 3);
    // Twice, or by an organiser: the same answer.
    let again: Value = decline(&app, id_of(&w), Some(token_of(&buyer)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, declined);
    let r = decline(&app, id_of(&w), Some(&org)).await;
    assert_eq!(r.status(), StatusCode::OK);

    // The pair is declined for both, whoever wished it, and stored as (buyer, supplier).
    assert_eq!(wishes_of(&app, e, token_of(&ess)).await["made"][0]["declined"], true);
    assert_eq!(
        wishes_of(&app, b, token_of(&buyer)).await["received"][0]["declined"],
        true
    );
    let back = made(&app, &event, token_of(&buyer), b, e, 1).await;
    assert_eq!(back["declined"], true);
    let rows = count(
        &app,
        "SELECT COUNT(*) AS n FROM wish_declines WHERE buyer_registration_id = $1 \
         AND supplier_registration_id = $2 AND declined_by_registration_id = $1 AND event_id = $3",
        vec![
            Uuid::parse_str(b).unwrap().into(),
            Uuid::parse_str(e).unwrap().into(),
            Uuid::parse_str(&event).unwrap().into(),
        ],
    )
    .await;
    assert_eq!(rows, 1);
    // An organiser declines for the `to` side, here the ESS structure.
    let r = decline(&app, id_of(&back), Some(&org)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let rows = count(&app, "SELECT COUNT(*) AS n FROM wish_declines", vec![]).await;
    assert_eq!(rows, 1, "one pair, one row");
}

#[tokio::test]
async fn interests_on_needs_count_as_wishes_that_the_buyer_may_decline() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org).await;
    let organisation = |body: Value| {
        let app = &app;
        let org = org.clone();
        async move {
            let r = app.post("/api/v1/organisations", Some(&org), &body).await;
            let status = r.status();
            let json: Value = r.json().await.unwrap();
            assert_eq!(status, StatusCode::CREATED, "{json}");
            id_of(&json).to_owned()
        }
    };
    let town = organisation(json!({"kind": "public_buyer", "name": "Ville d'Orly", "cities": ["Orly"]})).await;
    let coop = organisation(
        json!({"kind": "ess_structure", "name": "Adopte un Bureau", "ess_kinds": ["esus"],
        "sectors": ["mobilier"], "cities": ["Orly"]}),
    )
    .await;
    let buyer = register(&app, &event, "buyer", Some(&town)).await;
    let ess = register(&app, &event, "ess_structure", Some(&coop)).await;
    // Both claims to their organisations are confirmed by the organiser: an interest speaks
    // for the structure, and the buyer's registration stands for the town.
    for r in [&buyer, &ess] {
        let path = format!("/api/v1/registrations/{}/organisation/approve", id_of(r));
        assert_eq!(app.post(&path, Some(&org), &json!({})).await.status(), StatusCode::OK);
    }
    let need = json!({
        "organisation_id": town, "event_id": event, "title": "Mobilier de bureau en réemploi",
        "description": "Bureaux et chaises.", "category": "mobilier_reemploi", "cpv_codes": ["39130000-2"],
        "amount_min_eur": 20000, "amount_max_eur": 60000, "expected_tender_on": "2027-03-01",
        "reserved_market": "none", "social_clause": true, "environmental_criterion": true,
        "cities": ["Orly"], "status": "open"
    });
    let r = app.post("/api/v1/needs", Some(&org), &need).await;
    let status = r.status();
    let need: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{need}");
    let r = app
        .post(
            &format!("/api/v1/needs/{}/interests", id_of(&need)),
            Some(token_of(&ess)),
            &json!({"registration_id": id_of(&ess), "message": "Nous reconditionnons du mobilier."}),
        )
        .await;
    let status = r.status();
    let interest: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{interest}");

    let (b, e) = (id_of(&buyer), id_of(&ess));
    let theirs = wishes_of(&app, e, token_of(&ess)).await;
    let implied = &theirs["made"][0];
    assert_eq!(implied["id"], interest["id"]);
    assert_eq!(implied["source"], "interest");
    assert_eq!(implied["need_id"], need["id"]);
    assert_eq!(implied["priority"], 2);
    assert_eq!(implied["from_registration_id"], e);
    assert_eq!(implied["to_registration_id"], b);
    assert_eq!(implied["event_id"], event.as_str());
    assert_eq!(implied["declined"], false);
    let mine = wishes_of(&app, b, token_of(&buyer)).await;
    assert_eq!(mine["received"], json!([implied.clone()]));
    // A wish made as well is listed beside it.
    let direct = made(&app, &event, token_of(&ess), e, b, 3).await;
    let theirs = wishes_of(&app, e, &org).await;
    assert_eq!(theirs["made"].as_array().unwrap().len(), 2);
    assert_eq!(theirs["made"][0]["id"], direct["id"]);

    // Not withdrawn here (withdraw the interest), and not declined by its maker.
    let interest_id = id_of(&interest);
    for token in [token_of(&ess), org.as_str()] {
        problem(
            delete(&app, &format!("/api/v1/wishes/{interest_id}"), Some(token)).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    problem(
        decline(&app, interest_id, Some(token_of(&ess))).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The buyer declines it.
    let r = decline(&app, interest_id, Some(token_of(&buyer))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let declined: Value = r.json().await.unwrap();
    assert_eq!(declined["source"], "interest");
    assert_eq!(declined["declined"], true);
    assert_eq!(declined["need_id"], need["id"]);
    let theirs = wishes_of(&app, e, token_of(&ess)).await;
    assert!(theirs["made"].as_array().unwrap().iter().all(|w| w["declined"] == true));
    let rows = count(
        &app,
        "SELECT COUNT(*) AS n FROM wish_declines WHERE buyer_registration_id = $1 AND supplier_registration_id = $2",
        vec![Uuid::parse_str(b).unwrap().into(), Uuid::parse_str(e).unwrap().into()],
    )
    .await;
    assert_eq!(rows, 1);
}
