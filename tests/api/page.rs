//! The pages the mails link to, in a real browser: the `matinale` binary serves a fresh
//! database (SQLite or PostgreSQL, as the other HTTP tests) and mails through a real SMTP
//! server; headless Chromium, driven by `tests/support/page_browser.py` (Selenium and Debian's
//! chromedriver), opens the links of the mails received.
//!
//! Without python3, Selenium, chromium or chromedriver the test skips loudly; with `CI` set it
//! fails. `UPDATE_SCREENSHOTS=1` saves the screenshots of the run in `docs/screenshots/`.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::browser::{browser_available, run_browser, screenshots, Server};
use crate::mail::{Received, SmtpSink};

const ADMIN_EMAIL: &str = "admin@page.test";
const ADMIN_PASSWORD: &str = "correct horse battery";

/// A JSON client of the server.
struct Api {
    client: reqwest::Client,
    address: String,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// POSTs `body` and expects a 2xx answer.
    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Value {
        let (status, json) = self.call(reqwest::Method::POST, path, token, Some(body)).await;
        assert!(status.is_success(), "POST {path}: {status} {json}");
        json
    }

    async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, token, None).await
    }
}

/// The mail to `to` whose subject starts with `subject`, waiting for it.
async fn mail_to(sink: &SmtpSink, to: &str, subject: &str) -> Received {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(mail) = sink
            .received()
            .into_iter()
            .find(|m| m.to() == to && m.subject.starts_with(subject))
        {
            return mail;
        }
        assert!(
            Instant::now() < deadline,
            "no mail «{subject}…» to {to}; received: {:?}",
            sink.received()
                .iter()
                .map(|m| (m.to().to_owned(), m.subject.clone()))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The first `…/r/…` link of a mail's text.
fn page_link(mail: &Received, address: &str) -> String {
    let start = mail
        .text
        .find(&format!("{address}/r/"))
        .unwrap_or_else(|| panic!("no link to the page in:\n{}", mail.text));
    mail.text[start..].split_whitespace().next().expect("a link").to_owned()
}

/// The e-mail verification secret of a confirmation mail's `link`, which starts with `page`.
fn verification_secret(link: &str, page: &str) -> String {
    let rest = link
        .strip_prefix(page)
        .and_then(|rest| rest.strip_prefix("&verify="))
        .unwrap_or_else(|| panic!("{link} is not {page}&verify=…"));
    let secret = rest.split('#').next().unwrap_or_default().to_owned();
    assert!(secret.starts_with("mv_") && secret.len() > 20, "{link}");
    secret
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} in {v}"))
}

#[tokio::test]
async fn a_participant_manages_their_registration_from_the_mails_link_in_a_browser() {
    if !browser_available("page_browser.py") {
        return;
    }
    let Some(sink) = SmtpSink::start() else { return };
    let server = Server::start((ADMIN_EMAIL, ADMIN_PASSWORD), Some(&sink.url())).await;
    let address = server.address.clone();
    let api = Api {
        client: reqwest::Client::new(),
        address: address.clone(),
    };
    let admin = str_of(
        &api.post(
            "/api/v1/auth/token",
            None,
            json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
        )
        .await,
        "token",
    )
    .to_owned();
    let admin = Some(admin.as_str());

    // A matinale in a month, in Vitry: one seat for an ESS structure, two for buyers, one left
    // for the others; a programme, an inverted stand with a need, a speed-meeting block.
    let paris = chrono_tz::Europe::Paris;
    let day = (Utc::now() + chrono::Duration::days(30))
        .with_timezone(&paris)
        .date_naive();
    let at = |h: u32, m: u32| {
        paris
            .from_local_datetime(&day.and_hms_opt(h, m, 0).expect("a time"))
            .single()
            .expect("an unambiguous time")
            .to_rfc3339()
    };
    let buyer_org = api
        .post(
            "/api/v1/organisations",
            admin,
            json!({"kind": "public_buyer", "name": "Ville de Vitry-sur-Seine", "cities": ["Vitry-sur-Seine"]}),
        )
        .await;
    let ess_org = api
        .post(
            "/api/v1/organisations",
            admin,
            json!({"kind": "ess_structure", "name": "Adopte un Bureau", "ess_kinds": ["esus"],
                   "sectors": ["mobilier"], "cities": ["Vitry-sur-Seine"]}),
        )
        .await;
    let title = "Matinale des achats responsables — 5e édition";
    let event = api
        .post(
            "/api/v1/events",
            admin,
            json!({
                "kind": "matinale", "title": title, "status": "published",
                "description": "Quiz, point juridique, stands inversés et speed meetings entre acheteurs publics et structures de l'ESS.",
                "starts_at": at(9, 0), "ends_at": at(12, 30),
                "venue": {"name": "Hôtel de ville", "address": "2 avenue Youri-Gagarine", "postcode": "94400", "city": "Vitry-sur-Seine"},
                "capacity": 4, "quotas": {"ess_structure": 1, "buyer": 2},
                "registration_opens_at": "2020-01-01T00:00:00Z",
                "registration_closes_at": at(8, 0),
            }),
        )
        .await;
    let event_id = str_of(&event, "id").to_owned();
    for (from, to, what, kind) in [
        ((9, 0), (9, 30), "Accueil café", "break"),
        ((9, 30), (10, 0), "Quiz des achats responsables", "quiz"),
        ((10, 0), (10, 30), "Le critère environnemental en 2026", "talk"),
        ((10, 30), (11, 0), "Speed meetings", "speed_meetings"),
    ] {
        api.post(
            &format!("/api/v1/events/{event_id}/programme"),
            admin,
            json!({"starts_at": at(from.0, from.1), "ends_at": at(to.0, to.1), "title": what, "kind": kind,
                   "speakers": if kind == "talk" { vec!["Maître Anne Leroy"] } else { vec![] }}),
        )
        .await;
    }
    let stand = api
        .post(
            &format!("/api/v1/events/{event_id}/stands"),
            admin,
            json!({"kind": "inverted", "organisation_id": buyer_org["id"], "title": "Achats de la Ville", "location": "Salle des fêtes, stand 2"}),
        )
        .await;
    let need_title = "Mobilier de bureau en réemploi";
    let need = api
        .post(
            "/api/v1/needs",
            admin,
            json!({"organisation_id": buyer_org["id"], "event_id": event_id, "stand_id": stand["id"],
                   "title": need_title, "description": "Bureaux, chaises et armoires pour trois services municipaux.",
                   "category": "mobilier_reemploi", "amount_min_eur": 20000, "amount_max_eur": 60000,
                   "expected_tender_on": "2027-03-01", "reserved_market": "l2113_13", "social_clause": true,
                   "environmental_criterion": true, "cities": ["Vitry-sur-Seine"], "status": "open"}),
        )
        .await;
    api.post(
        &format!("/api/v1/events/{event_id}/meeting-blocks"),
        admin,
        json!({"starts_at": at(10, 30), "ends_at": at(11, 0), "slot_minutes": 10, "break_minutes": 0, "tables": 2}),
    )
    .await;

    // Claire (buyer) and Karim (ESS) get seats, Awa (ESS, in English) waits; both claims to
    // their organisations are approved, Karim wishes to meet Claire, the timetable is out.
    let register = |category: &str, first: &str, last: &str, email: &str, locale: &str, org: &Value| {
        json!({"category": category, "locale": locale, "organisation_id": org,
               "person": {"first_name": first, "last_name": last, "email": email},
               "consents": {"share_contact": true}})
    };
    let registrations = format!("/api/v1/events/{event_id}/registrations");
    let claire = api
        .post(
            &registrations,
            None,
            register(
                "buyer",
                "Claire",
                "Dubois",
                "claire.dubois@vitry.example",
                "fr",
                &buyer_org["id"],
            ),
        )
        .await;
    let karim = api
        .post(
            &registrations,
            None,
            register(
                "ess_structure",
                "Karim",
                "Benali",
                "karim@adopte-un-bureau.example",
                "fr",
                &ess_org["id"],
            ),
        )
        .await;
    let awa = api
        .post(
            &registrations,
            None,
            register(
                "ess_structure",
                "Awa",
                "Diallo",
                "awa@rejoue.example",
                "en",
                &Value::Null,
            ),
        )
        .await;
    assert_eq!(karim["status"], "confirmed");
    assert_eq!(awa["status"], "waitlisted");
    let (claire_id, karim_id, awa_id) = (str_of(&claire, "id"), str_of(&karim, "id"), str_of(&awa, "id"));
    let karim_token = str_of(&karim, "manage_token");
    for id in [claire_id, karim_id] {
        api.post(
            &format!("/api/v1/registrations/{id}/organisation/approve"),
            admin,
            json!({}),
        )
        .await;
    }
    api.post(
        &format!("/api/v1/events/{event_id}/wishes"),
        Some(karim_token),
        json!({"from_registration_id": karim_id, "to_registration_id": claire_id, "priority": 3}),
    )
    .await;
    api.post(&format!("/api/v1/events/{event_id}/schedule"), admin, json!({}))
        .await;
    api.post(&format!("/api/v1/events/{event_id}/schedule/publish"), admin, json!({}))
        .await;

    // The links of the mails: the page, the token in the fragment only.
    let confirmed = mail_to(&sink, "karim@adopte-un-bureau.example", "Votre inscription").await;
    let confirmed_link = page_link(&confirmed, &address);
    // Besides the manage token, the link carries a secret of its own that proves the mailbox
    // (issue #21): the page sends it, then drops both from the address bar.
    let karim_verify = verification_secret(&confirmed_link, &format!("{address}/r/{karim_id}?e={event_id}"));
    assert!(
        confirmed_link.ends_with(&format!("#token={karim_token}")),
        "{confirmed_link}"
    );
    assert!(
        confirmed.text.contains(&format!("{address}/e/{event_id}")),
        "{}",
        confirmed.text
    );
    let waitlisted = mail_to(&sink, "awa@rejoue.example", "Waiting list").await;
    let waitlisted_link = page_link(&waitlisted, &address);
    let awa_verify = verification_secret(&waitlisted_link, &format!("{address}/r/{awa_id}?e={event_id}"));
    assert!(
        waitlisted_link.ends_with(&format!("#token={}", str_of(&awa, "manage_token"))),
        "{waitlisted_link}"
    );

    let screenshots = screenshots("matinale-screenshots");
    let bogus = "mr_this-link-was-replaced";
    let scenario = json!({
        "event_url": format!("{address}/e/{event_id}"),
        "event_title": title,
        "programme_item": "Quiz des achats responsables",
        "need_title": need_title,
        "need_id": need["id"],
        "visitor_email": "lina.moreau@example.org",
        "confirmed_link": confirmed_link,
        "confirmed_name": "Karim Benali",
        "partner_name": "Claire Dubois",
        "waitlisted_link": waitlisted_link,
        "buyer_link": format!("{address}/r/{claire_id}?e={event_id}#token={}", str_of(&claire, "manage_token")),
        "buyer_organisation": "Ville de Vitry-sur-Seine",
        "buyer_name": "Claire Dubois",
        "pick_query": "diallo",
        "pick_id": awa_id,
        "pick_name": "Awa Diallo",
        "bad_link": format!("{address}/r/{claire_id}?e={event_id}#token={bogus}"),
        "bare_link": format!("{address}/r/{claire_id}"),
        "resend": {"category": "buyer", "first_name": "Claire", "last_name": "Dubois", "email": "claire.dubois@vitry.example"},
        "tokens": [karim_token, awa["manage_token"], claire["manage_token"], bogus],
        "screenshots": screenshots,
    });
    let report = run_browser("page_browser.py", &scenario, || server.log_text()).await;
    assert!(report["authorised_requests"].as_u64() > Some(5), "{report}");

    // What the browser did, seen from the server.
    let (_, awa_now) = api
        .get(&format!("/api/v1/registrations/{awa_id}"), awa["manage_token"].as_str())
        .await;
    assert_eq!(awa_now["status"], "confirmed", "the cancellation promoted Awa");
    // Opening their mails' links proved both mailboxes; Claire's link (the 201's token, no
    // verification secret) proved nothing.
    assert_eq!(awa_now["email_verified"], true, "{awa_now}");
    let promoted = mail_to(&sink, "awa@rejoue.example", "A seat").await;
    assert_eq!(
        page_link(&promoted, &address),
        format!("{address}/r/{awa_id}?e={event_id}"),
        "mails without a token link to the page, which offers a new link"
    );
    let (_, karim_now) = api
        .get(&format!("/api/v1/registrations/{karim_id}"), Some(karim_token))
        .await;
    assert_eq!(karim_now["status"], "cancelled");
    assert_eq!(karim_now["email_verified"], true, "{karim_now}");
    let (_, claire_now) = api
        .get(
            &format!("/api/v1/registrations/{claire_id}"),
            claire["manage_token"].as_str(),
        )
        .await;
    assert_eq!(claire_now["email_verified"], false, "{claire_now}");
    assert_eq!(karim_now["accessibility_needs"], "Accès en fauteuil roulant");
    let (_, wishes) = api
        .get(&format!("/api/v1/registrations/{karim_id}/wishes"), Some(karim_token))
        .await;
    assert!(
        wishes["made"]
            .as_array()
            .is_some_and(|made| made.iter().any(|w| w["source"] == "interest")),
        "the interest is a wish: {wishes}"
    );
    // Claire picked Awa from the participants; Awa wants two meetings at most.
    let (_, claire_wishes) = api
        .get(
            &format!("/api/v1/registrations/{claire_id}/wishes"),
            claire["manage_token"].as_str(),
        )
        .await;
    assert!(
        claire_wishes["made"].as_array().is_some_and(|made| made
            .iter()
            .any(|w| w["to_registration_id"] == awa_id && w["priority"] == 3)),
        "{claire_wishes}"
    );
    assert_eq!(awa_now["meetings"]["max_meetings"], 2, "{awa_now}");
    // Claire said, on her page, that she would meet anyone and arrives for the second slot.
    assert_eq!(claire_now["meetings"]["open_to_any"], true, "{claire_now}");
    let (_, claire_presence) = api
        .get(&format!("/api/v1/registrations/{claire_id}/presence"), admin)
        .await;
    assert_eq!(
        claire_presence["from_slot_id"], report["arrival_slot"],
        "{claire_presence}"
    );
    assert_eq!(
        claire_presence["slots"][1]["id"], report["arrival_slot"],
        "the second slot, shown at {}",
        report["arrival_time"]
    );
    assert_eq!(report["arrival_time"], "10:40");
    mail_to(&sink, "lina.moreau@example.org", "Votre inscription").await;
    // The bad link's form mailed Claire a new link, which works.
    let resent = mail_to(&sink, "claire.dubois@vitry.example", "Votre lien").await;
    let new_link = page_link(&resent, &address);
    let (_, new_token) = new_link.split_once("#token=").expect("a token in the new link");
    assert_ne!(new_token, str_of(&claire, "manage_token"));
    let (status, _) = api
        .get(&format!("/api/v1/registrations/{claire_id}"), Some(new_token))
        .await;
    assert_eq!(status, StatusCode::OK);

    // The access log shows the pages and the API calls, never a token.
    let log = server.log_text();
    assert!(log.contains(&format!("GET /r/{karim_id}?e={event_id}")), "{log}");
    assert!(
        log.contains(&format!("GET /api/v1/registrations/{karim_id}/agenda.ics")),
        "{log}"
    );
    for token in [
        karim_token,
        str_of(&awa, "manage_token"),
        str_of(&claire, "manage_token"),
        bogus,
        new_token,
    ] {
        assert!(!log.contains(token), "a manage token is in the server's log:\n{log}");
    }
    for secret in [&karim_verify, &awa_verify] {
        assert!(
            !log.contains(secret.as_str()),
            "a verification secret is in the server's log:\n{log}"
        );
    }
    assert!(log.contains("verify=[redacted]"), "{log}");
}

#[tokio::test]
async fn the_pages_and_their_assets_are_served_outside_the_api() {
    let app = crate::support::spawn_app().await;
    let id = uuid::Uuid::now_v7();
    for path in [format!("/r/{id}"), format!("/e/{id}")] {
        let page = app.get(&path, None).await;
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        let header = |name: &str| page.headers()[name].to_str().unwrap().to_owned();
        assert_eq!(header("content-type"), "text/html; charset=utf-8");
        assert_eq!(header("cache-control"), "no-cache");
        assert_eq!(header("referrer-policy"), "no-referrer");
        assert!(header("content-security-policy").contains("script-src 'self'"));
        let html = page.text().await.unwrap();
        assert!(html.starts_with("<!doctype html>\n<html lang=\"fr\">"), "{html}");
        let script = html
            .split("src=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the script's URL");
        assert!(script.starts_with("/assets/page.js?v="), "{script}");
        let asset = app.get(script, None).await;
        assert_eq!(asset.status(), StatusCode::OK);
        assert_eq!(asset.headers()["cache-control"], "public, max-age=31536000, immutable");
        let script = asset.text().await.unwrap();
        // The API client it imports is the console's, served to the pages too.
        assert!(script.contains("import {request} from '/console/api.js'"), "{script}");
    }
    let client = app.get("/console/api.js", None).await;
    assert_eq!(client.status(), StatusCode::OK);
    assert!(client.text().await.unwrap().contains("Authorization"));
    let css = app.get("/assets/page.css", None).await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    // Anything else is the API's 404.
    for path in [
        "/r/not-an-id",
        "/e/42",
        "/assets/other.js",
        "/registrations/x",
        "/nothing",
    ] {
        crate::support::problem(app.get(path, None).await, StatusCode::NOT_FOUND).await;
    }
    // The pages are not API.
    let doc = matinale_api::openapi_yaml();
    assert!(!doc.contains("/r/{id}") && !doc.contains("/assets/"));
}
