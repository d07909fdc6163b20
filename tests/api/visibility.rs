//! What one participant may see of another (`matinale_domain::partner`), looked for in every
//! view on SQLite or PostgreSQL: a name travels only with consent (`consents.share_contact`);
//! an organisation is shown only once the registration's claim to it is confirmed, and an
//! unconfirmed claim brings no needs and no figures in that organisation's name. Organisers
//! still see the names.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::calendars::{parse_ics, value, vevents};
use crate::mail::app_with_sink;
use crate::outcomes::recorded;
use crate::scene::{approve, register, Person};
use crate::support::{created, ok_json, open_matinale, spawn_app, TestApp};

/// The buyer's last name: it consented to nothing.
const BUYER_SECRET: &str = "Secretbuyer";
/// The structure's last name: it consented to nothing.
const SUPPLIER_SECRET: &str = "Hiddensupplier";
/// The organisation the structure claims without confirmation.
const CLAIMED: &str = "Fausse Structure Orly";
/// The buyer's organisation, confirmed by the organiser.
const CONFIRMED: &str = "Ville Confirmée";

fn text(v: &Value) -> String {
    v.as_str().expect("a string").to_owned()
}

/// Registers `last_name` in `category` for `event`, naming `organisation`, in `locale`,
/// sharing nothing.
async fn private_registrant(
    app: &TestApp,
    event: &str,
    category: &str,
    last_name: &str,
    organisation: &str,
    locale: &str,
) -> Person {
    let email = format!(
        "{}-{}@example.org",
        last_name.to_lowercase(),
        uuid::Uuid::now_v7().simple()
    );
    let body = json!({
        "category": category,
        "person": {"first_name": "Camille", "last_name": last_name, "email": email},
        "organisation_id": organisation,
        "locale": locale,
        "consents": {"share_contact": false},
    });
    let r = created(app, &format!("/api/v1/events/{event}/registrations"), None, body).await;
    Person {
        id: text(&r["id"]),
        token: text(&r["manage_token"]),
        email,
    }
}

/// An event with one table: a buyer of [`CONFIRMED`] (approved) and a structure claiming
/// [`CLAIMED`] (not approved, of ESS kind `ea`), neither sharing contact, who meet once.
struct Pair {
    organiser: String,
    event: String,
    buyer: Person,
    supplier: Person,
    meeting: String,
}

async fn pair(app: &TestApp) -> Pair {
    let organiser = app.organiser().await;
    let event = text(&app.create_event(&organiser, &open_matinale()).await["id"]);
    created(
        app,
        &format!("/api/v1/events/{event}/meeting-blocks"),
        Some(&organiser),
        json!({"starts_at": "2099-11-25T10:30:00+01:00", "ends_at": "2099-11-25T11:00:00+01:00",
               "slot_minutes": 10, "break_minutes": 0, "tables": 1}),
    )
    .await;
    let ville = created(
        app,
        "/api/v1/organisations",
        Some(&organiser),
        json!({"kind": "public_buyer", "name": CONFIRMED, "cities": ["Orly"]}),
    )
    .await;
    let claimed = created(
        app,
        "/api/v1/organisations",
        Some(&organiser),
        json!({"kind": "ess_structure", "name": CLAIMED, "ess_kinds": ["ea"]}),
    )
    .await;
    let buyer = private_registrant(app, &event, "buyer", BUYER_SECRET, &text(&ville["id"]), "fr").await;
    approve(app, &organiser, &buyer).await;
    let supplier = private_registrant(
        app,
        &event,
        "ess_structure",
        SUPPLIER_SECRET,
        &text(&claimed["id"]),
        "en",
    )
    .await;
    created(
        app,
        &format!("/api/v1/events/{event}/wishes"),
        Some(&buyer.token),
        json!({"from_registration_id": buyer.id, "to_registration_id": supplier.id, "priority": 3}),
    )
    .await;
    created(
        app,
        &format!("/api/v1/events/{event}/schedule"),
        Some(&organiser),
        json!({}),
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/events/{event}/schedule/publish"),
            Some(&organiser),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let meetings = ok_json(app, &format!("/api/v1/events/{event}/meetings"), &organiser).await;
    assert_eq!(meetings["total"], 1, "{meetings}");
    let meeting = text(&meetings["items"][0]["id"]);
    Pair {
        organiser,
        event,
        buyer,
        supplier,
        meeting,
    }
}

/// `view` (named `what`) holds none of `hidden`.
fn holds_none(what: &str, view: &str, hidden: &[&str]) {
    // Unfolded, so that a value cut by calendar line folding is still found.
    let view = view.replace("\r\n ", "");
    for h in hidden {
        assert!(!view.contains(h), "{what} shows {h:?}:\n{view}");
    }
}

async fn body_of(app: &TestApp, path: &str, token: &str) -> String {
    let r = app.get(path, Some(token)).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.expect("a body")
}

#[tokio::test]
async fn names_without_consent_and_unconfirmed_claims_appear_in_no_view() {
    let Some((sink, app)) = app_with_sink().await else {
        return;
    };
    let p = pair(&app).await;
    let hidden_from_buyer = [SUPPLIER_SECRET, CLAIMED, p.supplier.email.as_str()];
    let hidden_from_supplier = [BUYER_SECRET, p.buyer.email.as_str()];

    // The agenda JSON: the partner by confirmed organisation, or by category.
    let buyer_agenda = ok_json(
        &app,
        &format!("/api/v1/registrations/{}/agenda", p.buyer.id),
        &p.buyer.token,
    )
    .await;
    let partner = &buyer_agenda["meetings"][0]["partner"];
    assert_eq!(partner["name"], Value::Null, "{partner}");
    assert_eq!(partner["organisation"], Value::Null, "{partner}");
    assert_eq!(partner["email"], Value::Null, "{partner}");
    assert_eq!(partner["label"], "une structure de l'ESS", "{partner}");
    holds_none("the buyer's agenda", &buyer_agenda.to_string(), &hidden_from_buyer);
    let supplier_agenda = ok_json(
        &app,
        &format!("/api/v1/registrations/{}/agenda", p.supplier.id),
        &p.supplier.token,
    )
    .await;
    let partner = &supplier_agenda["meetings"][0]["partner"];
    assert_eq!(partner["name"], Value::Null, "{partner}");
    assert_eq!(partner["organisation"], CONFIRMED, "{partner}");
    assert_eq!(partner["label"], CONFIRMED, "{partner}");
    holds_none(
        "the structure's agenda",
        &supplier_agenda.to_string(),
        &hidden_from_supplier,
    );

    // GET /meetings/{id}: each side as the other may see it; organisers see the names, but
    // never the unconfirmed claim.
    let path = format!("/api/v1/meetings/{}", p.meeting);
    let seen = ok_json(&app, &path, &p.buyer.token).await;
    assert_eq!(seen["supplier_name"], Value::Null, "{seen}");
    assert_eq!(seen["buyer_organisation"], CONFIRMED, "{seen}");
    holds_none("GET /meetings/{id} by the buyer", &seen.to_string(), &hidden_from_buyer);
    let seen = ok_json(&app, &path, &p.supplier.token).await;
    assert_eq!(seen["buyer_name"], Value::Null, "{seen}");
    assert!(
        text(&seen["supplier_name"]).contains(SUPPLIER_SECRET),
        "its own name: {seen}"
    );
    holds_none(
        "GET /meetings/{id} by the structure",
        &seen.to_string(),
        &hidden_from_supplier,
    );
    let seen = ok_json(&app, &path, &p.organiser).await;
    assert!(text(&seen["supplier_name"]).contains(SUPPLIER_SECRET), "{seen}");
    assert!(text(&seen["buyer_name"]).contains(BUYER_SECRET), "{seen}");
    assert_eq!(seen["supplier_organisation"], Value::Null, "{seen}");
    holds_none("GET /meetings/{id} by an organiser", &seen.to_string(), &[CLAIMED]);

    // The .ics, parsed: SUMMARY, DESCRIPTION and ATTENDEE (CN and mailto).
    let ics = body_of(
        &app,
        &format!("/api/v1/registrations/{}/agenda.ics", p.buyer.id),
        &p.buyer.token,
    )
    .await;
    holds_none("the buyer's agenda.ics", &ics, &hidden_from_buyer);
    if let Some(parsed) = parse_ics(&ics) {
        let meeting = vevents(&parsed)
            .into_iter()
            .find(|v| value(v, "UID").starts_with("meeting-"))
            .expect("the meeting's VEVENT");
        assert!(
            value(meeting, "SUMMARY").contains("une structure de l'ESS"),
            "{meeting}"
        );
        assert!(
            value(meeting, "DESCRIPTION").contains("une structure de l'ESS"),
            "{meeting}"
        );
        let attendees = meeting["properties"]
            .as_array()
            .expect("properties")
            .iter()
            .filter(|p| p["name"] == "ATTENDEE")
            .count();
        assert_eq!(attendees, 1, "only the buyer: {meeting}");
    }
    let ics = body_of(
        &app,
        &format!("/api/v1/registrations/{}/agenda.ics", p.supplier.id),
        &p.supplier.token,
    )
    .await;
    holds_none("the structure's agenda.ics", &ics, &hidden_from_supplier);
    assert!(ics.contains(CONFIRMED), "{ics}");

    // The mails received at the SMTP server: two confirmations, two agendas.
    let mails = sink.wait_for(4).await;
    let agenda_to = |email: &str| {
        mails
            .iter()
            .find(|m| m.to() == email && m.calendars.iter().any(|(method, _)| method == "REQUEST"))
            .unwrap_or_else(|| panic!("an agenda mail to {email}"))
            .clone()
    };
    let to_buyer = agenda_to(&p.buyer.email);
    let whole = format!("{}\n{}\n{:?}", to_buyer.subject, to_buyer.text, to_buyer.calendars);
    holds_none("the buyer's agenda mail", &whole, &hidden_from_buyer);
    assert!(to_buyer.text.contains("une structure de l'ESS"), "{}", to_buyer.text);
    let to_supplier = agenda_to(&p.supplier.email);
    let whole = format!(
        "{}\n{}\n{:?}",
        to_supplier.subject, to_supplier.text, to_supplier.calendars
    );
    holds_none("the structure's agenda mail", &whole, &hidden_from_supplier);
    assert!(to_supplier.text.contains(CONFIRMED), "{}", to_supplier.text);
    // A meeting moved: both get the change, naming the partner as they may see them.
    let r = app
        .patch(&format!("/api/v1/meetings/{}", p.meeting), Some(&p.organiser), &json!({"table": 1, "slot_id": ok_json(&app, &format!("/api/v1/events/{}/meeting-blocks", p.event), &p.organiser).await["items"][0]["slots"][2]["id"]}))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());
    let mails = sink.wait_for(6).await;
    let changed_to = |email: &str| {
        mails
            .iter()
            .rev()
            .find(|m| m.to() == email)
            .unwrap_or_else(|| panic!("a change mail to {email}"))
            .clone()
    };
    let to_buyer = changed_to(&p.buyer.email);
    holds_none(
        "the buyer's change mail",
        &format!("{}\n{}\n{:?}", to_buyer.subject, to_buyer.text, to_buyer.calendars),
        &hidden_from_buyer,
    );
    assert!(to_buyer.text.contains("une structure de l'ESS"), "{}", to_buyer.text);
    let to_supplier = changed_to(&p.supplier.email);
    holds_none(
        "the structure's change mail",
        &format!(
            "{}\n{}\n{:?}",
            to_supplier.subject, to_supplier.text, to_supplier.calendars
        ),
        &hidden_from_supplier,
    );

    // The participants list, as the buyer reads it: no name, no claimed organisation.
    let listed = ok_json(
        &app,
        &format!("/api/v1/events/{}/participants?category=ess_structure", p.event),
        &p.buyer.token,
    )
    .await;
    assert_eq!(listed["items"][0]["organisation"], Value::Null, "{listed}");
    assert_eq!(listed["items"][0]["organisation_id"], Value::Null, "{listed}");
    holds_none("the participants list", &listed.to_string(), &hidden_from_buyer);

    // The stewards' CSV (organisers: names, but the claim only as not confirmed).
    let r = app
        .get_accepting(
            &format!("/api/v1/events/{}/meetings", p.event),
            Some(&p.organiser),
            "text/csv",
        )
        .await;
    let csv = r.text().await.expect("CSV");
    holds_none("the timetable CSV", &csv, &[CLAIMED]);
    assert!(
        csv.contains("organisation non confirmée") && csv.contains(SUPPLIER_SECRET),
        "{csv}"
    );

    // The report: the structure's declared contract is not counted as its claimed
    // organisation's (kind `ea`), and the claim's name appears nowhere.
    let r = app
        .post(
            &format!("/api/v1/meetings/{}/attendance", p.meeting),
            Some(&p.organiser),
            &json!({"status": "held"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    recorded(
        &app,
        &p.meeting,
        &p.supplier.token,
        json!({"outcome": "reserved_market_awarded", "amount_eur": 5000}),
    )
    .await;
    let report = ok_json(&app, &format!("/api/v1/events/{}/report", p.event), &p.organiser).await;
    let kinds: Vec<String> = report["by_ess_kind"]
        .as_array()
        .expect("by_ess_kind")
        .iter()
        .map(|g| text(&g["name"]))
        .collect();
    assert_eq!(kinds, ["unspecified"], "{report}");
    assert_eq!(report["outcomes"]["reserved_markets"]["l2113_12_cents"], 0, "{report}");
    assert_eq!(report["by_buyer"][0]["name"], CONFIRMED, "{report}");
    holds_none("the report", &report.to_string(), &[CLAIMED]);
    let csv = app
        .get_accepting(
            &format!("/api/v1/events/{}/report", p.event),
            Some(&p.organiser),
            "text/csv",
        )
        .await
        .text()
        .await
        .expect("CSV");
    holds_none("the report CSV", &csv, &[CLAIMED]);
}

#[tokio::test]
async fn once_confirmed_a_claim_shows_its_organisation_and_with_consent_the_name_travels() {
    let app = spawn_app().await;
    let p = pair(&app).await;
    approve(&app, &p.organiser, &p.supplier).await;
    let agenda = ok_json(
        &app,
        &format!("/api/v1/registrations/{}/agenda", p.buyer.id),
        &p.buyer.token,
    )
    .await;
    let partner = &agenda["meetings"][0]["partner"];
    assert_eq!(partner["organisation"], CLAIMED, "{partner}");
    assert_eq!(partner["label"], CLAIMED, "{partner}");
    assert_eq!(partner["name"], Value::Null, "{partner}");

    // Once the person consents (their own change), the name travels.
    let path = format!("/api/v1/registrations/{}", p.supplier.id);
    let r = app
        .patch(
            &path,
            Some(&p.supplier.token),
            &json!({"consents": {"share_contact": true}}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());
    let agenda = ok_json(
        &app,
        &format!("/api/v1/registrations/{}/agenda", p.buyer.id),
        &p.buyer.token,
    )
    .await;
    let partner = &agenda["meetings"][0]["partner"];
    assert!(text(&partner["name"]).contains(SUPPLIER_SECRET), "{partner}");
    assert_eq!(partner["email"], p.supplier.email.as_str(), "{partner}");
    assert_eq!(
        partner["label"],
        format!("{CLAIMED} (Camille {SUPPLIER_SECRET})"),
        "{partner}"
    );
    let ics = body_of(
        &app,
        &format!("/api/v1/registrations/{}/agenda.ics", p.buyer.id),
        &p.buyer.token,
    )
    .await;
    let unfolded = ics.replace("\r\n ", "");
    assert!(
        unfolded.contains(&format!("mailto:{}", p.supplier.email)),
        "the partner is an ATTENDEE now: {ics}"
    );
}

#[tokio::test]
async fn an_unconfirmed_buyer_is_listed_without_the_organisations_name_or_needs() {
    let app = spawn_app().await;
    let organiser = app.organiser().await;
    let event = text(&app.create_event(&organiser, &open_matinale()).await["id"]);
    let ville = text(
        &created(
            &app,
            "/api/v1/organisations",
            Some(&organiser),
            json!({"kind": "public_buyer", "name": "Ville d'Orly", "cities": ["Orly"]}),
        )
        .await["id"],
    );
    created(
        &app,
        "/api/v1/needs",
        Some(&organiser),
        json!({
            "organisation_id": ville, "event_id": event,
            "title": "Mobilier de bureau en réemploi",
            "description": "Bureaux et chaises pour trois services municipaux.",
            "category": "mobilier_reemploi", "cpv_codes": ["39130000-2"],
            "reserved_market": "none", "cities": ["Orly"], "status": "open"
        }),
    )
    .await;
    let impostor = register(&app, &event, "buyer", Some(&ville), 0, true).await;
    let structure = register(&app, &event, "ess_structure", None, 1, true).await;
    let path = format!("/api/v1/events/{event}/participants?category=buyer");
    for token in [&structure.token, &organiser] {
        let listed = ok_json(&app, &path, token).await;
        let item = &listed["items"][0];
        assert_eq!(item["registration_id"], impostor.id.as_str(), "{listed}");
        assert_eq!(item["organisation"], Value::Null, "{listed}");
        assert_eq!(item["organisation_id"], Value::Null, "{listed}");
        assert_eq!(item["needs"], json!([]), "{listed}");
        assert!(!listed.to_string().contains("Orly"), "{listed}");
    }
    // The organiser confirms: the organisation and its open needs come with it.
    approve(&app, &organiser, &impostor).await;
    let listed = ok_json(&app, &path, &structure.token).await;
    assert_eq!(listed["items"][0]["organisation"], "Ville d'Orly", "{listed}");
    assert_eq!(
        listed["items"][0]["needs"][0]["title"], "Mobilier de bureau en réemploi",
        "{listed}"
    );
}
