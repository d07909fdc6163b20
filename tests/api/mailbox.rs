//! Issue #21, the holes that are not about what views show: a mailbox proven before an address
//! speaks for an organisation (item 1), erasure that cancels (7), needs at an event only with
//! its organisers' consent (9), `no-store` with a credential (10), one-line fields (12), the
//! reference's CSP, `HEAD` on the pages and 405 whatever the credentials (13).

use matinale_domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::meeting_blocks::{at, speed_matinale};
use crate::support::{created, fields, ok_json, open_matinale, problem, spawn_app, TestApp};

fn id(v: &Value) -> &str {
    v["id"].as_str().expect("an id")
}

fn token(v: &Value) -> &str {
    v["manage_token"].as_str().expect("a manage token")
}

/// The e-mail verification secret that the latest mail of `registration` carrying one holds
/// (read from the outbox, as the mail worker would).
pub async fn verification_secret(app: &TestApp, registration: &Value) -> String {
    let registration_id = Uuid::parse_str(id(registration)).expect("a uuid");
    let mails = matinale_store::outbox::for_registration(&app.db, registration_id)
        .await
        .expect("the outbox");
    mails
        .iter()
        .rev()
        .find_map(|m| m.payload["verification_token"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("no verification secret in {mails:?}"))
}

/// Uses the confirmation mail's verification link of `registration`, as its page does.
pub async fn prove_mailbox(app: &TestApp, registration: &Value) {
    let secret = verification_secret(app, registration).await;
    let r = app
        .post(
            &format!("/api/v1/registrations/{}/email-verification", id(registration)),
            None,
            &json!({"token": secret}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

async fn register(app: &TestApp, event: &str, email: &str, category: &str, organisation: Option<&str>) -> Value {
    created(
        app,
        &format!("/api/v1/events/{event}/registrations"),
        None,
        json!({"category": category, "person": {"first_name": "Paul", "last_name": "Martin", "email": email},
               "organisation_id": organisation, "locale": "fr"}),
    )
    .await
}

/// An organiser, its open event, an ESS structure it created (so it is a member) with the
/// verified domain `rejoue.example`, a buyer, and a need of the buyer placed at the event.
struct World {
    organiser: String,
    event: String,
    ess: String,
    need: String,
}

async fn world(app: &TestApp) -> World {
    let organiser = app.organiser().await;
    let event = id(&app.create_event(&organiser, &open_matinale()).await).to_owned();
    let ess = created(
        app,
        "/api/v1/organisations",
        Some(&organiser),
        json!({"kind": "ess_structure", "name": "Rejoué", "ess_kinds": ["esus"]}),
    )
    .await;
    let ess = id(&ess).to_owned();
    let r = app
        .patch(
            &format!("/api/v1/organisations/{ess}"),
            Some(&organiser),
            &json!({"verified_domains": ["rejoue.example"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let buyer = created(
        app,
        "/api/v1/organisations",
        Some(&organiser),
        json!({"kind": "public_buyer", "name": "Ville d'Orly"}),
    )
    .await;
    let need = created(
        app,
        "/api/v1/needs",
        Some(&organiser),
        json!({"organisation_id": id(&buyer), "event_id": event, "title": "Mobilier de bureau",
               "category": "mobilier_reemploi", "status": "open"}),
    )
    .await;
    World {
        organiser,
        event,
        ess,
        need: id(&need).to_owned(),
    }
}

#[tokio::test]
async fn a_verified_domain_speaks_for_the_structure_only_once_the_mailbox_is_proven() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // Anyone may type an address of the verified domain: the 201's token proves nothing.
    let claimant = register(&app, &w.event, "anything@rejoue.example", "ess_structure", Some(&w.ess)).await;
    assert_eq!(claimant["email_verified"], false, "{claimant}");
    let path = format!("/api/v1/registrations/{}", id(&claimant));
    let seen = ok_json(&app, &path, token(&claimant)).await;
    assert_eq!(seen["organisation_confirmed"], false, "{seen}");
    assert_eq!(seen["email_verified"], false, "{seen}");
    let interest_path = format!("/api/v1/needs/{}/interests", w.need);
    let interest = json!({"registration_id": id(&claimant)});
    let p = problem(
        app.post(&interest_path, Some(token(&claimant)), &interest).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "organisation_unconfirmed", "{p}");

    // Neither the manage token nor a made-up secret is the confirmation mail's link.
    let verification = format!("{path}/email-verification");
    for wrong in [token(&claimant).to_owned(), "mv_made-up".to_owned()] {
        problem(
            app.post(&verification, None, &json!({"token": wrong})).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    // Another registration's secret opens nothing here.
    let other = register(&app, &w.event, "other@rejoue.example", "ess_structure", Some(&w.ess)).await;
    let others_secret = verification_secret(&app, &other).await;
    problem(
        app.post(&verification, None, &json!({"token": others_secret})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let p = problem(
        app.post(&verification, None, &json!({"token": 42})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["token"]);
    assert_eq!(
        ok_json(&app, &path, token(&claimant)).await["organisation_confirmed"],
        false
    );

    // The link only ever sent to that address proves it; using it twice changes nothing.
    prove_mailbox(&app, &claimant).await;
    prove_mailbox(&app, &claimant).await;
    let seen = ok_json(&app, &path, token(&claimant)).await;
    assert_eq!(seen["email_verified"], true, "{seen}");
    assert_eq!(seen["organisation_confirmed"], true, "{seen}");
    let verified_lines = seen["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["reason"].as_str().unwrap_or_default().contains("e-mail verified"))
        .count();
    assert_eq!(verified_lines, 1, "{seen}");
    // The 201's token still does all a registrant may: here, express interest.
    created(&app, &interest_path, Some(token(&claimant)), interest).await;

    // The organisers' list and CSV say which addresses are proven.
    let list = ok_json(&app, &format!("/api/v1/events/{}/registrations", w.event), &w.organiser).await;
    let proven: Vec<(String, bool)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (id(r).to_owned(), r["email_verified"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        proven,
        [(id(&claimant).to_owned(), true), (id(&other).to_owned(), false)]
    );
    let csv = app
        .get_accepting(
            &format!("/api/v1/events/{}/registrations", w.event),
            Some(&w.organiser),
            "text/csv",
        )
        .await
        .text()
        .await
        .unwrap();
    let header = csv.trim_start_matches('\u{feff}').lines().next().unwrap().to_owned();
    assert!(header.ends_with(",organisation_confirmed,email_verified"), "{header}");
    assert!(
        csv.lines()
            .any(|l| l.starts_with(id(&claimant)) && l.ends_with(",true,true")),
        "{csv}"
    );
    assert!(
        csv.lines()
            .any(|l| l.starts_with(id(&other)) && l.ends_with(",false,false")),
        "{csv}"
    );

    // Registering the same address again mails a new link, which proves the mailbox too (the
    // first link's secret no longer does).
    let first_secret = verification_secret(&app, &other).await;
    let again = app
        .post(
            &format!("/api/v1/events/{}/registrations", w.event),
            None,
            &json!({"category": "ess_structure", "organisation_id": w.ess,
                    "person": {"first_name": "Paul", "last_name": "Martin", "email": "other@rejoue.example"}}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let second_secret = verification_secret(&app, &other).await;
    assert_ne!(first_secret, second_secret);
    let other_verification = format!("/api/v1/registrations/{}/email-verification", id(&other));
    problem(
        app.post(&other_verification, None, &json!({"token": first_secret}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    prove_mailbox(&app, &other).await;
    let seen = ok_json(&app, &format!("/api/v1/registrations/{}", id(&other)), token(&other)).await;
    assert_eq!(seen["organisation_confirmed"], true, "{seen}");
}

#[tokio::test]
async fn a_members_login_address_counts_once_proven_or_when_the_member_registers_signed_in() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (member_id, member_token) = app.account(Role::Member).await;
    let r = app
        .post(
            &format!("/api/v1/organisations/{}/members", w.ess),
            Some(&w.organiser),
            &json!({"user_id": member_id}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let member_email = matinale_store::accounts::user_by_id(&app.db, member_id)
        .await
        .unwrap()
        .unwrap()
        .email;

    // Typed by anyone, the member's address is no proof.
    let typed = register(&app, &w.event, &member_email, "ess_structure", Some(&w.ess)).await;
    assert_eq!(typed["email_verified"], false);
    let path = format!("/api/v1/registrations/{}", id(&typed));
    assert_eq!(
        ok_json(&app, &path, token(&typed)).await["organisation_confirmed"],
        false
    );
    prove_mailbox(&app, &typed).await;
    assert_eq!(
        ok_json(&app, &path, token(&typed)).await["organisation_confirmed"],
        true
    );

    // Signed in as that member, registering for its organisation with its own address proves it.
    let other_event = id(&app.create_event(&w.organiser, &open_matinale()).await).to_owned();
    let body = json!({"category": "ess_structure", "organisation_id": w.ess, "locale": "fr",
                      "person": {"first_name": "Awa", "last_name": "Diallo", "email": member_email}});
    let signed_in = created(
        &app,
        &format!("/api/v1/events/{other_event}/registrations"),
        Some(&member_token),
        body.clone(),
    )
    .await;
    assert_eq!(signed_in["email_verified"], true, "{signed_in}");
    let seen = ok_json(
        &app,
        &format!("/api/v1/registrations/{}", id(&signed_in)),
        token(&signed_in),
    )
    .await;
    assert_eq!(seen["organisation_confirmed"], true, "{seen}");

    // Signed in as someone else (the organiser, a member too), or for another address, no.
    let third_event = id(&app.create_event(&w.organiser, &open_matinale()).await).to_owned();
    let by_organiser = created(
        &app,
        &format!("/api/v1/events/{third_event}/registrations"),
        Some(&w.organiser),
        body,
    )
    .await;
    assert_eq!(by_organiser["email_verified"], false);
    let someone_else = created(
        &app,
        &format!("/api/v1/events/{third_event}/registrations"),
        Some(&member_token),
        json!({"category": "ess_structure", "organisation_id": w.ess,
               "person": {"first_name": "Léa", "last_name": "Roux", "email": "lea@rejoue.example"}}),
    )
    .await;
    assert_eq!(someone_else["email_verified"], false);
    // A manage token sent along is not an account: ignored; a forged account token is a 401.
    let with_manage_token = created(
        &app,
        &format!("/api/v1/events/{third_event}/registrations"),
        Some(token(&typed)),
        json!({"category": "visitor",
               "person": {"first_name": "Léo", "last_name": "Roux", "email": "leo@example.org"}}),
    )
    .await;
    assert_eq!(with_manage_token["email_verified"], false);
    problem(
        app.post(
            &format!("/api/v1/events/{third_event}/registrations"),
            Some("mt_forged"),
            &json!({"category": "visitor",
                    "person": {"first_name": "Léo", "last_name": "Roux", "email": "leo2@example.org"}}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn erasing_a_registration_cancels_it_frees_its_seat_and_leaves_every_list() {
    let app = spawn_app().await;
    let organiser = app.organiser().await;
    let admin = app.account(Role::Admin).await.1;
    let mut body = open_matinale();
    body["capacity"] = json!(1);
    let event = id(&app.create_event(&organiser, &body).await).to_owned();
    let first = register(&app, &event, "first@example.org", "visitor", None).await;
    let second = register(&app, &event, "second@example.org", "visitor", None).await;
    let third = register(&app, &event, "third@example.org", "visitor", None).await;
    assert_eq!(first["status"], "confirmed");
    assert_eq!(second["status"], "waitlisted");

    let r = app
        .request(
            Method::DELETE,
            &format!("/api/v1/registrations/{}/personal-data", id(&first)),
            Some(token(&first)),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // The seat went to the first one waiting.
    let promoted = ok_json(&app, &format!("/api/v1/registrations/{}", id(&second)), token(&second)).await;
    assert_eq!(promoted["status"], "confirmed", "{promoted}");
    let erased = ok_json(&app, &format!("/api/v1/registrations/{}", id(&first)), &organiser).await;
    assert_eq!(erased["status"], "cancelled", "{erased}");

    // An admin erasing an address cancels that person's registration too.
    let r = app
        .request(Method::DELETE, "/api/v1/people?email=second@example.org", Some(&admin))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let promoted = ok_json(&app, &format!("/api/v1/registrations/{}", id(&third)), token(&third)).await;
    assert_eq!(promoted["status"], "confirmed", "{promoted}");

    // Neither erased row is listed any more, in JSON or CSV.
    let list = ok_json(&app, &format!("/api/v1/events/{event}/registrations"), &organiser).await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["id"], third["id"]);
    let csv = app
        .get_accepting(
            &format!("/api/v1/events/{event}/registrations"),
            Some(&organiser),
            "text/csv",
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(!csv.contains(id(&first)) && !csv.contains(id(&second)), "{csv}");
}

#[tokio::test]
async fn a_need_shows_at_an_event_only_with_its_organisers_consent() {
    let app = spawn_app().await;
    let organiser = app.organiser().await;
    let other_organiser = app.organiser().await;
    let event = id(&app.create_event(&organiser, &open_matinale()).await).to_owned();
    let other_event = id(&app.create_event(&other_organiser, &open_matinale()).await).to_owned();
    // A buyer created by the other organiser (its member), with a member of its own.
    let buyer = created(
        &app,
        "/api/v1/organisations",
        Some(&other_organiser),
        json!({"kind": "public_buyer", "name": "Ville de Vitry"}),
    )
    .await;
    let (member_id, member) = app.account(Role::Member).await;
    let r = app
        .post(
            &format!("/api/v1/organisations/{}/members", id(&buyer)),
            Some(&other_organiser),
            &json!({"user_id": member_id}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let listed = |event: String| {
        let app = &app;
        async move {
            let page: Value = app
                .get(&format!("/api/v1/needs?event={event}"), None)
                .await
                .json()
                .await
                .unwrap();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["title"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };

    // The buyer's member attaches its need to the first organiser's event: only a proposal.
    let need = created(
        &app,
        "/api/v1/needs",
        Some(&member),
        json!({"organisation_id": id(&buyer), "event_id": event, "title": "Mobilier",
               "category": "mobilier_reemploi", "status": "open"}),
    )
    .await;
    assert_eq!(need["event_accepted"], false, "{need}");
    assert_eq!(need["posted_by"], "buyer");
    assert!(listed(event.clone()).await.is_empty());
    let proposals: Value = app
        .get(&format!("/api/v1/needs?event={event}&proposed=true"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(proposals["total"], 1, "{proposals}");
    let event_id = Uuid::parse_str(&event).unwrap();
    assert!(matinale_store::needs::wishes_for_event(&app.db, event_id)
        .await
        .unwrap()
        .is_empty());

    // Neither the member, nor another event's organiser, may accept it; the event's may.
    let accept = format!("/api/v1/needs/{}/accept", id(&need));
    for who in [&member, &other_organiser] {
        problem(app.post(&accept, Some(who), &json!({})).await, StatusCode::FORBIDDEN).await;
    }
    problem(app.post(&accept, None, &json!({})).await, StatusCode::UNAUTHORIZED).await;
    let accepted = ok_status(app.post(&accept, Some(&organiser), &json!({})).await).await;
    assert_eq!(accepted["event_accepted"], true, "{accepted}");
    assert_eq!(listed(event.clone()).await, ["Mobilier"]);

    // Moving it onto another organiser's event proposes it there again.
    let r = app
        .patch(
            &format!("/api/v1/needs/{}", id(&need)),
            Some(&member),
            &json!({"event_id": other_event}),
        )
        .await;
    let moved: Value = r.json().await.unwrap();
    assert_eq!(moved["event_accepted"], false, "{moved}");
    assert!(listed(other_event.clone()).await.is_empty());
    assert!(listed(event.clone()).await.is_empty());

    // An organiser posting for a buyer it is not a member of: shown at once, as its own word.
    let by_organiser = created(
        &app,
        "/api/v1/needs",
        Some(&organiser),
        json!({"organisation_id": id(&buyer), "event_id": event, "title": "Traiteur",
               "category": "restauration_traiteur", "status": "open"}),
    )
    .await;
    assert_eq!(by_organiser["event_accepted"], true, "{by_organiser}");
    assert_eq!(by_organiser["posted_by"], "organiser");
    assert_eq!(listed(event.clone()).await, ["Traiteur"]);
    // A need without an event has nothing to accept.
    let nowhere = created(
        &app,
        "/api/v1/needs",
        Some(&member),
        json!({"organisation_id": id(&buyer), "title": "Papier", "category": "autre", "status": "open"}),
    )
    .await;
    let p = problem(
        app.post(
            &format!("/api/v1/needs/{}/accept", id(&nowhere)),
            Some(&organiser),
            &json!({}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(p["detail"].is_string());
    let p = problem(
        app.post(
            &format!("/api/v1/needs/{}/accept", id(&nowhere)),
            Some(&member),
            &json!({}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["event_id"]);
}

async fn ok_status(r: reqwest::Response) -> Value {
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn every_answer_read_with_a_credential_is_no_store() {
    let app = spawn_app().await;
    let organiser = app.organiser().await;
    let event = id(&app.create_event(&organiser, &open_matinale()).await).to_owned();
    let registration = register(&app, &event, "awa@example.org", "visitor", None).await;
    let cache = |r: &reqwest::Response| {
        r.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    for (path, credential) in [
        (format!("/api/v1/events/{event}"), organiser.as_str()),
        (format!("/api/v1/events/{event}/programme"), organiser.as_str()),
        (
            format!("/api/v1/registrations/{}", id(&registration)),
            token(&registration),
        ),
        (
            format!("/api/v1/registrations/{}/agenda", id(&registration)),
            token(&registration),
        ),
        (format!("/api/v1/events/{event}/calendar.ics"), token(&registration)),
        ("/api/v1/needs".to_owned(), "mt_forged"),
    ] {
        let r = app.get(&path, Some(credential)).await;
        assert_eq!(cache(&r), "no-store", "{path}");
    }
    // Public reads without one keep their own caching.
    let r = app.get(&format!("/api/v1/events/{event}/calendar.ics"), None).await;
    assert_ne!(cache(&r), "no-store");
}

#[tokio::test]
async fn one_line_fields_refuse_control_characters_and_long_texts_keep_line_breaks_only() {
    let app = spawn_app().await;
    let organiser = app.organiser().await;
    let refused = |path: String, body: Value, field: &'static str| {
        let app = &app;
        let organiser = organiser.clone();
        async move {
            let p = problem(
                app.post(&path, Some(&organiser), &body).await,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
            assert_eq!(fields(&p), [field], "{path}: {body}");
        }
    };
    for (field, bad) in [
        ("title", "Matinale\tdes achats"),
        ("title", "Matinale\ndes achats"),
        ("venue.name", "Centre\rculturel"),
        ("venue.address", "1 place\ndu Fer-à-Cheval"),
        ("venue.city", "Or\u{2028}ly"),
        ("description", "Acheteurs\tpublics"),
    ] {
        let mut body = open_matinale();
        match field.split_once('.') {
            Some((outer, inner)) => body[outer][inner] = json!(bad),
            None => body[field] = json!(bad),
        }
        refused("/api/v1/events".to_owned(), body, field).await;
    }
    // A long text keeps its line breaks.
    let mut body = speed_matinale("published");
    body["description"] = json!("Acheteurs publics\r\net ESS");
    let event = app.create_event(&organiser, &body).await;
    assert_eq!(event["description"], "Acheteurs publics\r\net ESS");
    let event = id(&event).to_owned();

    refused(
        "/api/v1/organisations".to_owned(),
        json!({"kind": "public_buyer", "name": "Ville\td'Orly"}),
        "name",
    )
    .await;
    refused(
        "/api/v1/series".to_owned(),
        json!({"slug": "mois-ess", "title": "Mois\nde l'ESS", "starts_on": "2026-11-01", "ends_on": "2026-11-30"}),
        "title",
    )
    .await;
    let buyer = created(
        &app,
        "/api/v1/organisations",
        Some(&organiser),
        json!({"kind": "public_buyer", "name": "Ville d'Orly"}),
    )
    .await;
    for (field, body) in [
        (
            "title",
            json!({"kind": "inverted", "organisation_id": id(&buyer), "title": "Stand\tOrly"}),
        ),
        (
            "location",
            json!({"kind": "inverted", "organisation_id": id(&buyer), "title": "Stand", "location": "Salle\n2"}),
        ),
    ] {
        refused(format!("/api/v1/events/{event}/stands"), body, field).await;
    }
    refused(
        "/api/v1/needs".to_owned(),
        json!({"organisation_id": id(&buyer), "title": "Mobilier\r\nBcc: x", "category": "mobilier_reemploi"}),
        "title",
    )
    .await;
    refused(
        format!("/api/v1/events/{event}/meeting-blocks"),
        json!({"starts_at": at(30), "ends_at": at(60), "slot_minutes": 10, "break_minutes": 2, "tables": 2,
               "table_labels": ["Table\t1", "Table 2"]}),
        "table_labels[0]",
    )
    .await;
    refused(
        format!("/api/v1/events/{event}/registrations"),
        json!({"category": "visitor", "person": {"first_name": "Awa", "last_name": "Diallo",
               "email": "awa@example.org", "phone": "01\t02"}}),
        "person.phone",
    )
    .await;
    // The document declares the same rule: the title's pattern refuses a tab.
    let doc = serde_json::to_value(matinale_api::openapi()).unwrap();
    let pattern = doc["components"]["schemas"]["CreateEventRequest"]["properties"]["title"]["pattern"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(pattern.starts_with(r"^[^\x00-\x1F"), "{pattern}");
}

#[tokio::test]
async fn a_wrong_method_is_405_whatever_the_credentials_and_the_pages_answer_head() {
    let app = spawn_app().await;
    let organiser = app.organiser().await;
    let bearer = format!("Bearer {organiser}");
    for credential in [
        None,
        Some("Bearer mt_forged"),
        Some("Bearer mr_forged"),
        Some("Basic bWU6cGFzcw=="),
        Some(bearer.as_str()),
    ] {
        for (method, path, allow) in [
            (Method::PATCH, "/api/v1/needs/categories", "GET"),
            (Method::POST, "/api/v1/needs/categories", "GET"),
            (Method::PUT, "/api/v1/events", "GET, POST"),
            (
                Method::DELETE,
                "/api/v1/registrations/01900000-0000-7000-8000-000000000000",
                "GET, PATCH",
            ),
        ] {
            let mut request = app
                .request(method.clone(), path, None)
                .header("Content-Type", "text/plain")
                .body("x");
            if let Some(value) = credential {
                request = request.header("Authorization", value);
            }
            let r = request.send().await.unwrap();
            assert_eq!(
                r.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} with {credential:?}"
            );
            assert_eq!(r.headers()["allow"], allow, "{method} {path}");
        }
    }
    // The participant's and the event's pages answer HEAD, without a body.
    let id = Uuid::now_v7();
    for path in [format!("/r/{id}"), format!("/e/{id}")] {
        let r = app.request(Method::HEAD, &path, None).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
        assert!(r.bytes().await.unwrap().is_empty());
    }
    // The API's reference is never framed, and runs only its own scripts.
    let r = app.get("/docs/", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
}
