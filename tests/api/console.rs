//! The console at `/console/`: its shell and modules are served like the pages; the API it
//! needs beyond the contract (`GET /me`, `GET /me/events` with counts, `?q=` on the
//! registrations) answers; and headless Chromium (`tests/support/console_browser.py`, Selenium
//! and Debian's chromedriver) runs a whole matinale through it, with axe-core on every screen.
//!
//! Without python3, Selenium, chromium or chromedriver the browser test skips loudly; with
//! `CI` set it fails. `UPDATE_SCREENSHOTS=1` saves the screenshots in `docs/screenshots/`.

use matinale_domain::user::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::browser::{browser_available, run_browser, screenshots, Server};
use crate::mail::notify_common::support_script;
use crate::support::{created, ok_json, open_matinale, problem, spawn_app};

#[tokio::test]
async fn the_console_and_its_modules_are_served_with_the_pages_headers() {
    let app = spawn_app().await;
    let shell = app.get("/console/", None).await;
    assert_eq!(shell.status(), StatusCode::OK);
    let header = |r: &reqwest::Response, name: &str| r.headers()[name].to_str().unwrap().to_owned();
    assert_eq!(header(&shell, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&shell, "referrer-policy"), "no-referrer");
    assert_eq!(header(&shell, "x-content-type-options"), "nosniff");
    let csp = header(&shell, "content-security-policy");
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    let html = shell.text().await.unwrap();
    assert!(html.starts_with("<!doctype html>\n<html lang=\"fr\">"), "{html}");
    assert!(html.contains("<script type=\"module\" src=\"/console/app.js\"></script>"));
    for module in ["app.js", "api.js", "registrations.js", "timetable.js", "room.js"] {
        let js = app.get(&format!("/console/{module}"), None).await;
        assert_eq!(js.status(), StatusCode::OK, "{module}");
        assert_eq!(header(&js, "content-type"), "text/javascript; charset=utf-8");
        assert_eq!(header(&js, "cache-control"), "no-cache");
    }
    let api = app.get("/console/api.js", None).await.text().await.unwrap();
    assert!(api.contains("sessionStorage") && api.contains("Authorization"));
    let css = app.get("/console/console.css", None).await;
    assert_eq!(header(&css, "content-type"), "text/css; charset=utf-8");
    let bare = app.get("/console", None).await; // redirected
    assert_eq!((bare.status(), bare.url().path()), (StatusCode::OK, "/console/"));
    for path in ["/console/nothing.js", "/console/../Cargo.toml", "/console/index.html"] {
        problem(app.get(path, None).await, StatusCode::NOT_FOUND).await;
    }
    assert!(!matinale_api::openapi_yaml().contains("/console"));
}

#[tokio::test]
async fn me_names_the_account_and_the_organisations_it_is_a_member_of() {
    let app = spawn_app().await;
    let (admin_id, admin) = app.account(Role::Admin).await;
    let me = ok_json(&app, "/api/v1/me", &admin).await;
    assert_eq!(me["id"], admin_id.to_string());
    assert_eq!(me["role"], "admin");
    assert_eq!(me["organisations"], json!([]));
    let buyer = created(
        &app,
        "/api/v1/organisations",
        Some(&admin),
        json!({"kind": "public_buyer", "name": "Ville d'Orly"}),
    )
    .await;
    let (member_id, member) = app.account(Role::Member).await;
    let added = app
        .post(
            &format!("/api/v1/organisations/{}/members", buyer["id"].as_str().unwrap()),
            Some(&admin),
            &json!({"user_id": member_id}),
        )
        .await;
    assert!(added.status().is_success(), "{}", added.status());
    let me = ok_json(&app, "/api/v1/me", &member).await;
    assert_eq!(me["role"], "member");
    assert_eq!(
        me["organisations"],
        json!([{"organisation_id": buyer["id"], "name": "Ville d'Orly", "kind": "public_buyer"}])
    );
    let answer = app.get("/api/v1/me", None).await;
    problem(answer, StatusCode::UNAUTHORIZED).await;
    problem(
        app.get("/api/v1/me", Some("not-a-token")).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // A member organises nothing.
    problem(app.get("/api/v1/me/events", Some(&member)).await, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn my_events_lists_drafts_too_with_registrations_counted_by_category_and_status() {
    let app = spawn_app().await;
    let organiser = app.organiser().await;
    let other = app.organiser().await;
    let mut body = open_matinale();
    body["quotas"] = json!({"buyer": 1});
    let event = app.create_event(&organiser, &body).await;
    let mut draft = open_matinale();
    draft["status"] = json!("draft");
    draft["title"] = json!("Brouillon");
    draft["starts_at"] = json!("2099-11-26T09:00:00+01:00");
    draft["ends_at"] = json!("2099-11-26T12:00:00+01:00");
    app.create_event(&organiser, &draft).await;
    app.create_event(&other, &open_matinale()).await;
    let id = event["id"].as_str().unwrap();
    let register = |category: &str, email: &str| json!({"category": category, "person": {"first_name": "Ana", "last_name": email, "email": format!("{email}@x.example")}});
    let path = format!("/api/v1/events/{id}/registrations");
    created(&app, &path, None, register("buyer", "a")).await;
    created(&app, &path, None, register("buyer", "b")).await; // waits: one buyer seat
    let visitor = created(&app, &path, None, register("visitor", "c")).await;
    crate::support::cancel_own(&app, &visitor).await;

    let mine = ok_json(&app, "/api/v1/me/events", &organiser).await;
    assert_eq!(mine["total"], 2, "the other organiser's event is not mine: {mine}");
    let titles: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["event"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Brouillon", "4e matinale des achats responsables"],
        "latest first, drafts included"
    );
    assert_eq!(mine["items"][0]["event"]["status"], "draft");
    assert_eq!(mine["items"][0]["registrations"], json!({}));
    assert_eq!(
        mine["items"][1]["registrations"],
        json!({"buyer": {"confirmed": 1, "waitlisted": 1}, "visitor": {"cancelled": 1}})
    );
    let page = ok_json(&app, "/api/v1/me/events?per_page=1&page=2", &organiser).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let bad = problem(
        app.get("/api/v1/me/events?per_page=0", Some(&organiser)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(crate::support::fields(&bad), ["per_page"]);
    let (_, admin) = app.account(Role::Admin).await;
    assert_eq!(ok_json(&app, "/api/v1/me/events", &admin).await["total"], 3);
}

#[tokio::test]
async fn the_registrations_are_searched_by_name_or_e_mail() {
    let app = spawn_app().await;
    let organiser = app.organiser().await;
    let event = app.create_event(&organiser, &open_matinale()).await;
    let path = format!("/api/v1/events/{}/registrations", event["id"].as_str().unwrap());
    for (first, last, email) in [
        ("Claire", "Dubois", "claire@vitry.example"),
        ("Karim", "Benali", "karim@adopte.example"),
        ("Awa", "Diallo", "awa_50%@rejoue.example"),
    ] {
        created(
            &app,
            &path,
            None,
            json!({"category": "visitor",
            "person": {"first_name": first, "last_name": last, "email": email}}),
        )
        .await;
    }
    let names = |list: &Value| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["person"]["last_name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&ok_json(&app, &format!("{path}?q=BENALI"), &organiser).await),
        ["Benali"]
    );
    assert_eq!(
        names(&ok_json(&app, &format!("{path}?q=claire"), &organiser).await),
        ["Dubois"]
    );
    assert_eq!(
        names(&ok_json(&app, &format!("{path}?q=rejoue.example"), &organiser).await),
        ["Diallo"]
    );
    assert_eq!(
        names(&ok_json(&app, &format!("{path}?q=50%25"), &organiser).await),
        ["Diallo"],
        "% is literal"
    );
    assert_eq!(
        names(&ok_json(&app, &format!("{path}?q=_"), &organiser).await),
        ["Diallo"],
        "_ is literal"
    );
    assert_eq!(
        ok_json(&app, &format!("{path}?q=a&per_page=2"), &organiser).await["total"],
        3
    );
    let csv = app
        .get_accepting(&format!("{path}?q=karim"), Some(&organiser), "text/csv")
        .await;
    let text = csv.text().await.unwrap();
    assert!(text.contains("Benali") && !text.contains("Dubois"), "{text}");
}

/// The console's meetings screen and the participant's page read what was said of presence:
/// the person's own (with the slots to choose from), and the event's for its organisers.
#[tokio::test]
async fn presence_is_read_back_by_the_person_with_the_slots_and_by_the_organisers_for_the_event() {
    use crate::meeting_blocks::{at, id_of, open_event, register, token_of};
    let app = spawn_app().await;
    let organiser = app.organiser().await;
    let event = open_event(&app, &organiser).await;
    let block = created(
        &app,
        &format!("/api/v1/events/{event}/meeting-blocks"),
        Some(&organiser),
        json!({"starts_at": at(60), "ends_at": at(90), "slot_minutes": 10, "break_minutes": 0, "tables": 2}),
    )
    .await;
    let slots: Vec<&str> = block["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let buyer = register(&app, &event, "buyer", None).await;
    let supplier = register(&app, &event, "ess_structure", None).await;
    let (buyer_id, buyer_token) = (id_of(&buyer), token_of(&buyer));

    let path = format!("/api/v1/registrations/{buyer_id}/presence");
    let mine = ok_json(&app, &path, buyer_token).await;
    assert_eq!(mine["registration_id"], buyer_id);
    assert_eq!(
        (&mine["checked_in"], &mine["marked_present"], &mine["from_slot_id"]),
        (&json!(false), &Value::Null, &Value::Null),
        "nothing said yet: {mine}"
    );
    assert_eq!(mine["slots"].as_array().map(Vec::len), Some(3), "{mine}");
    assert_eq!(mine["slots"][0]["id"], slots[0]);
    let starts = mine["slots"][0]["starts_at"].as_str().unwrap();
    assert!(
        starts.ends_with("+01:00") || starts.ends_with("+02:00"),
        "in the event's zone (Paris): {mine}"
    );
    let said = app
        .post(
            &path,
            Some(buyer_token),
            &json!({"from_slot_id": slots[1], "until_slot_id": slots[2]}),
        )
        .await;
    assert_eq!(said.status(), StatusCode::OK);
    let mine = ok_json(&app, &path, buyer_token).await;
    assert_eq!(
        (&mine["from_slot_id"], &mine["until_slot_id"]),
        (&json!(slots[1]), &json!(slots[2]))
    );
    // Another registrant's token, or none: not theirs to read.
    problem(app.get(&path, Some(token_of(&supplier))).await, StatusCode::NOT_FOUND).await;
    problem(app.get(&path, None).await, StatusCode::UNAUTHORIZED).await;

    let marked = app
        .post(
            &format!("/api/v1/registrations/{}/presence", id_of(&supplier)),
            Some(&organiser),
            &json!({"present": false}),
        )
        .await;
    assert_eq!(marked.status(), StatusCode::OK);
    let all = ok_json(&app, &format!("/api/v1/events/{event}/presences"), &organiser).await;
    assert_eq!(all["total"], 2, "{all}");
    let of = |id: &str| {
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["registration_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} in {all}"))
    };
    assert_eq!(of(buyer_id)["from_slot_id"], slots[1]);
    assert_eq!(of(id_of(&supplier))["marked_present"], false);
    let other = app.organiser().await;
    problem(
        app.get(&format!("/api/v1/events/{event}/presences"), Some(&other))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

// ---- The browser run ----------------------------------------------------------------------

const ADMIN_EMAIL: &str = "admin@console.test";
const ADMIN_PASSWORD: &str = "correct horse battery";
const MEMBER_EMAIL: &str = "achats@vitry.example";
const MEMBER_PASSWORD: &str = "staple battery horse";

async fn call(address: &str, method: reqwest::Method, path: &str, token: Option<&str>, body: Option<Value>) -> Value {
    let mut request = reqwest::Client::new().request(method.clone(), format!("{address}/api/v1{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let json = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{method} {path}: {status} {json}");
    json
}

#[tokio::test]
async fn organisers_run_a_matinale_and_a_buyer_publishes_a_need_through_the_console_in_a_browser() {
    if !browser_available("console_browser.py") {
        return;
    }
    let server = Server::start((ADMIN_EMAIL, ADMIN_PASSWORD), None).await;
    let address = server.address.clone();
    let admin = call(
        &address,
        reqwest::Method::POST,
        "/auth/token",
        None,
        Some(json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})),
    )
    .await;
    let admin = admin["token"].as_str().expect("a token").to_owned();
    let post = |path: &'static str, body: Value| call(&address, reqwest::Method::POST, path, Some(&admin), Some(body));
    let buyer_org = post(
        "/organisations",
        json!({"kind": "public_buyer", "name": "Ville de Vitry-sur-Seine", "cities": ["Vitry-sur-Seine"]}),
    )
    .await;
    let ess_org = post("/organisations", json!({"kind": "ess_structure", "name": "Adopte un Bureau", "ess_kinds": ["esus"], "cities": ["Vitry-sur-Seine"]})).await;
    // A series around the event the browser creates (in 30 days).
    let today = chrono::Utc::now().date_naive();
    let series = post(
        "/series",
        json!({"slug": "mois-ess-2026", "title": "Mois de l'ESS 2026",
               "starts_on": today.to_string(), "ends_on": (today + chrono::Duration::days(90)).to_string()}),
    )
    .await;
    let member = post("/users", json!({"email": MEMBER_EMAIL, "password": MEMBER_PASSWORD, "role": "member", "name": "Service achats de Vitry"})).await;
    let buyer_org_id = buyer_org["id"].as_str().expect("an id").to_owned();
    let added = reqwest::Client::new()
        .post(format!("{address}/api/v1/organisations/{buyer_org_id}/members"))
        .bearer_auth(&admin)
        .json(&json!({"user_id": member["id"]}))
        .send()
        .await
        .expect("the server answers");
    assert!(added.status().is_success());

    let colleague = post(
        "/users",
        json!({"email": "achats2@vitry.example", "password": MEMBER_PASSWORD, "role": "member", "name": "Inès Martin"}),
    )
    .await;

    let screenshots = screenshots("matinale-console");
    let scenario = json!({
        "address": address,
        "admin": {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        "member": {"email": MEMBER_EMAIL, "password": MEMBER_PASSWORD},
        "colleague": {"email": "achats2@vitry.example", "name": "Inès Martin"},
        "buyer_org": buyer_org_id,
        "ess_org": ess_org["id"],
        "series": series["id"],
        "axe": support_script("vendor/axe-4.14.1.min.js"),
        "screenshots": screenshots,
    });
    let report = run_browser("console_browser.py", &scenario, || server.log_text()).await;

    // What the browser did, read back through the API.
    let get = |path: String| {
        let (address, admin) = (address.clone(), admin.clone());
        async move { call(&address, reqwest::Method::GET, &path, Some(&admin), None).await }
    };
    let event_id = report["event_id"].as_str().expect("the event the browser created");
    let event = get(format!("/events/{event_id}")).await;
    assert_eq!(event["status"], "published", "{event}");
    assert_eq!(event["timezone"], "Europe/Paris");
    assert_eq!(event["series_id"], series["id"], "chosen in the form: {event}");
    assert!(
        event["starts_at"].as_str().unwrap().ends_with("T09:00:00+01:00"),
        "typed in Paris time: {event}"
    );
    let programme = get(format!("/events/{event_id}/programme")).await;
    assert_eq!(programme.as_array().map(Vec::len), Some(2), "{programme}");
    let claire = get(format!("/registrations/{}", report["claire"].as_str().unwrap())).await;
    assert_eq!(
        claire["organisation_confirmed"], true,
        "approved in the browser: {claire}"
    );
    let karim = get(format!("/registrations/{}", report["karim"].as_str().unwrap())).await;
    assert_eq!(karim["status"], "attended", "checked in by the QR text: {karim}");
    let moved = get(format!("/meetings/{}", report["moved_meeting"].as_str().unwrap())).await;
    assert_eq!(
        (&moved["slot_id"], &moved["table"]),
        (&report["moved_to"]["slot_id"], &report["moved_to"]["table"]),
        "moved where the browser chose: {moved}"
    );
    assert_ne!(report["moved_to"], report["moved_from"]);
    assert_eq!(moved["status"], "held", "attendance marked: {moved}");
    let need = get(format!("/needs/{}", report["need_id"].as_str().unwrap())).await;
    assert_eq!(need["event_id"], event_id, "{need}");
    assert_eq!(need["status"], "open", "{need}");
    assert_eq!(need["organisation_id"], buyer_org_id.as_str());
    // The colleague the browser added by e-mail, then removed: no longer a member.
    assert_eq!(report["colleague_removed"], "achats2@vitry.example");
    let members = get(format!("/organisations/{buyer_org_id}/members")).await;
    let ids: Vec<&Value> = members.as_array().unwrap().iter().map(|m| &m["user_id"]).collect();
    assert!(
        ids.contains(&&member["id"]) && !ids.contains(&&colleague["id"]),
        "{members}"
    );
    // The need the buyer proposed, accepted in the browser.
    let accepted = get(format!("/needs/{}", report["accepted_need"].as_str().unwrap())).await;
    assert_eq!(accepted["event_accepted"], true, "{accepted}");
    // The re-plan: Awa, marked absent, lost her meeting; Claire meets Sami instead.
    let meetings = get(format!("/events/{event_id}/meetings?per_page=200")).await;
    let meetings = meetings["items"].as_array().expect("meetings");
    let between = |a: &Value, b: &Value| {
        meetings
            .iter()
            .filter(|m| {
                let sides = [&m["buyer_registration_id"], &m["supplier_registration_id"]];
                sides.contains(&a) && sides.contains(&b)
            })
            .map(|m| m["status"].as_str().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        between(&report["claire"], &report["awa"]),
        ["cancelled"],
        "{meetings:?}"
    );
    assert_eq!(
        between(&report["claire"], &report["sami"]),
        ["scheduled"],
        "{meetings:?}"
    );
    let awa = get(format!("/registrations/{}/presence", report["awa"].as_str().unwrap())).await;
    assert_eq!(awa["marked_present"], false, "{awa}");
    // The invitation list sent from the console, and the organisation it imported.
    assert_eq!(report["invited"], "invitee@ville.example");
    let invitations = get(format!("/events/{event_id}/invitations")).await;
    assert_eq!(invitations["total"], 1, "{invitations}");
    assert_eq!(invitations["items"][0]["email"], "invitee@ville.example");
    assert_eq!(
        invitations["counts"]["by_category"][0]["category"], "buyer",
        "{invitations}"
    );
    let imported = get("/organisations?q=Ressourcerie".to_owned()).await;
    assert_eq!(imported["total"], 1, "imported in the browser: {imported}");
    let axe = report["axe"].as_object().expect("axe ran");
    assert!(axe.len() >= 16, "axe ran on every screen: {axe:?}");
    for screen in ["invitations-dry-run", "invitations", "import-dry-run", "import"] {
        assert!(axe.contains_key(screen), "axe ran on the {screen} screen: {axe:?}");
    }
    // No bearer token in any URL the browser requested.
    assert_eq!(report["tokens_in_urls"], 0);
}
