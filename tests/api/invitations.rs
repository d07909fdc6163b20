//! Invitations (issue 25): an organiser's CSV list, one mail each through the outbox with its
//! one-click unsubscribe headers, the unsubscribe kept across events and through erasure, the
//! list with statuses and counts, and a registration through the invitation link.

use std::time::{Duration, Instant};

use matinale_domain::mail::MailKind;
use matinale_domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::import::siret;
use crate::mail::app_with_sink;
use crate::support::{created, fields, open_matinale, problem, spawn_app, TestApp};

/// A published event open for registration, of the organiser `token`.
async fn open_event(app: &TestApp, token: &str, title: &str) -> String {
    let mut body = open_matinale();
    body["title"] = json!(title);
    app.create_event(token, &body).await["id"]
        .as_str()
        .expect("event id")
        .to_owned()
}

/// `POST /events/{event}/invitations{query}` with `csv` (as `text/csv`, or `content_type`).
async fn send(
    app: &TestApp,
    token: &str,
    event: &str,
    query: &str,
    content_type: &str,
    csv: Vec<u8>,
) -> reqwest::Response {
    app.request(
        Method::POST,
        &format!("/api/v1/events/{event}/invitations{query}"),
        Some(token),
    )
    .header("Content-Type", content_type)
    .body(csv)
    .send()
    .await
    .expect("POST invitations")
}

/// The report of sending `csv`, which must be a 200.
pub async fn invite(app: &TestApp, token: &str, event: &str, query: &str, csv: &str) -> Value {
    let r = send(app, token, event, query, "text/csv", csv.as_bytes().to_vec()).await;
    let status = r.status();
    let body: Value = r.json().await.expect("a JSON report");
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// `GET /events/{event}/invitations`.
async fn list(app: &TestApp, token: &str, event: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/events/{event}/invitations?per_page=200"), Some(token))
        .await;
    let status = r.status();
    let body: Value = r.json().await.expect("a JSON list");
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The status of `email`'s invitation in `list`.
fn status_of<'a>(list: &'a Value, email: &str) -> &'a str {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["email"] == email)
        .and_then(|i| i["status"].as_str())
        .unwrap_or_else(|| panic!("no invitation of {email} in {list}"))
}

/// The two secrets of the latest invitation queued to `email` (link, unsubscribe), read from
/// its outbox row before the worker sends it (tests without a worker).
pub async fn secrets(app: &TestApp, email: &str) -> (String, String) {
    let mails = matinale_store::outbox::to_address(&app.db, email, MailKind::Invitation)
        .await
        .expect("the outbox");
    let last = mails.last().unwrap_or_else(|| panic!("no invitation to {email}"));
    let get = |key: &str| {
        last.payload[key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in {}", last.payload))
            .to_owned()
    };
    (get("invitation_token"), get("unsubscribe_token"))
}

/// One-click unsubscribe, as a mail client does it (RFC 8058).
async fn unsubscribe(app: &TestApp, secret: &str) -> reqwest::Response {
    app.request(Method::POST, &format!("/unsubscribe/{secret}"), None)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("POST unsubscribe")
}

/// The skipped lines as (line, reason).
fn skipped(report: &Value) -> Vec<(u64, String)> {
    report["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            (
                s["line"].as_u64().unwrap_or(0),
                s["reason"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// The part of `text` from `prefix` to the next white space.
fn link_after<'a>(text: &'a str, prefix: &str) -> &'a str {
    let start = text.find(prefix).unwrap_or_else(|| panic!("no {prefix} in {text}"));
    let rest = &text[start..];
    &rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())]
}

#[tokio::test]
async fn invitations_reach_the_smtp_server_each_with_its_one_click_unsubscribe() {
    let Some((sink, app)) = app_with_sink().await else {
        return;
    };
    let org = app.organiser().await;
    let event = open_event(&app, &org, "Matinale des achats responsables").await;
    let csv = "email;first_name;last_name;category;locale\n\
               awa@rejoue.example;Awa;Diallo;ess_structure;\n\
               Paul@Ville.example;Paul;Martin;buyer;en\n\
               lea@asso.example;;;;\n";
    let report = invite(&app, &org, &event, "", csv).await;
    assert_eq!(report["queued"], 3, "{report}");
    assert_eq!(report["skipped"], json!([]));

    let mails = sink.wait_for(3).await;
    assert_eq!(mails.len(), 3);
    for mail in &mails {
        let header = mail.list_unsubscribe.as_deref().expect("List-Unsubscribe");
        let url = format!("<{}/unsubscribe/mu_", app.address);
        assert!(header.starts_with(&url), "{header}");
        assert_eq!(
            mail.list_unsubscribe_post.as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
        // The same link in the body, and the link to the event page with the invitation.
        let body_link = link_after(&mail.text, &format!("{}/unsubscribe/", app.address));
        assert_eq!(format!("<{body_link}>"), header);
        link_after(&mail.text, &format!("{}/e/{event}?invitation=mi_", app.address));
        assert!(mail.html.contains("unsubscribe&#x2f;mu_"), "{}", mail.html);
    }
    let paul = mails
        .iter()
        .find(|m| m.to() == "paul@ville.example")
        .expect("Paul's mail");
    assert!(paul.subject.starts_with("Invitation: "), "{}", paul.subject);
    assert!(paul.text.contains("Hello Paul Martin"), "{}", paul.text);
    let awa = mails
        .iter()
        .find(|m| m.to() == "awa@rejoue.example")
        .expect("Awa's mail");
    assert!(awa.subject.starts_with("Invitation : "), "{}", awa.subject);

    // Sent: the list says so once the worker has recorded it.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let listed = list(&app, &org, &event).await;
        if ["awa@rejoue.example", "paul@ville.example", "lea@asso.example"]
            .iter()
            .all(|e| status_of(&listed, e) == "sent")
        {
            assert!(listed["items"][0]["sent_at"].is_string(), "{listed}");
            break;
        }
        assert!(Instant::now() < deadline, "never all sent: {listed}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The secrets do not outlive the mail.
    let sent = matinale_store::outbox::to_address(&app.db, "awa@rejoue.example", MailKind::Invitation)
        .await
        .expect("outbox");
    assert!(
        sent[0].payload.get("invitation_token").is_none(),
        "{:?}",
        sent[0].payload
    );
    assert!(
        sent[0].payload.get("unsubscribe_token").is_none(),
        "{:?}",
        sent[0].payload
    );

    // The link of the mail header unsubscribes in one click.
    let header = awa.list_unsubscribe.as_deref().expect("header");
    let secret = header.trim_matches(['<', '>']).rsplit('/').next().expect("a secret");
    assert_eq!(unsubscribe(&app, secret).await.status(), StatusCode::OK);
    assert_eq!(
        status_of(&list(&app, &org, &event).await, "awa@rejoue.example"),
        "unsubscribed"
    );
}

#[tokio::test]
async fn bad_lines_and_duplicates_are_named_and_a_dry_run_writes_nothing() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, "Matinale").await;
    let known = created(
        &app,
        "/api/v1/organisations",
        Some(&org),
        json!({"kind": "ess_structure", "name": "Rejoué", "siret": siret(42)}),
    )
    .await;
    let csv = format!(
        "email,first_name,organisation_siret,category\n\
         a@ess.example,A,{},ess_structure\n\
         not-an-address,B,,\n\
         c@ess.example,C,,chef\n\
         A@ESS.example,A again,,\n\
         d@ess.example,D,{},\n\
         e@ess.example,E,12345678901234,\n\
         \"f@ess.example\",\"F\nsur deux lignes\",,\n\
         g@ess.example,G,,visitor\n",
        siret(42),
        siret(43)
    );
    let dry = invite(&app, &org, &event, "?dry_run=true", &csv).await;
    assert_eq!(dry["queued"], 2, "{dry}");
    let expected = vec![
        (3, "invalid e-mail".to_owned()),
        (4, "bad category".to_owned()),
        (5, "the same address as line 2".to_owned()),
        (6, "unknown SIRET".to_owned()),
        (7, "bad SIRET".to_owned()),
        (8, "bad first_name: one line of at most 100 characters".to_owned()),
    ];
    assert_eq!(skipped(&dry), expected, "{dry}");
    assert_eq!(dry["skipped"][0]["email"], "not-an-address");
    assert_eq!(list(&app, &org, &event).await["total"], 0, "a dry run writes nothing");

    let done = invite(&app, &org, &event, "", &csv).await;
    assert_eq!(done["queued"], 2);
    assert_eq!(skipped(&done), expected);
    let listed = list(&app, &org, &event).await;
    assert_eq!(listed["total"], 2, "{listed}");
    let a = &listed["items"][0];
    assert_eq!(a["email"], "a@ess.example");
    assert_eq!(a["organisation_id"], known["id"]);
    assert_eq!(a["category"], "ess_structure");
    assert_eq!(a["status"], "queued");

    // Sent again: nobody twice.
    let again = invite(&app, &org, &event, "", &csv).await;
    assert_eq!(again["queued"], 0, "{again}");
    assert!(skipped(&again).contains(&(2, "already invited to this event".to_owned())));
    assert!(skipped(&again).contains(&(10, "already invited to this event".to_owned())));

    // A registered address is not invited.
    created(
        &app,
        &format!("/api/v1/events/{event}/registrations"),
        None,
        json!({"category": "visitor", "person": {"first_name": "H", "last_name": "H", "email": "h@ess.example"}}),
    )
    .await;
    let registered = invite(&app, &org, &event, "", "email\nh@ess.example\n").await;
    assert_eq!(skipped(&registered), vec![(2, "already registered".to_owned())]);

    // A Windows-1252 file with `;`, and a file without an email column.
    let latin: Vec<u8> = "courriel;prénom\ni@ess.example;Hélène\n"
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("Latin-1"))
        .collect();
    let r = send(&app, &org, &event, "", "text/csv; charset=windows-1252", latin).await;
    assert_eq!(r.status(), StatusCode::OK);
    let listed = list(&app, &org, &event).await;
    let helene = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["email"] == "i@ess.example")
        .cloned();
    assert_eq!(helene.expect("Hélène invited")["first_name"], "Hélène");
    let r = send(&app, &org, &event, "", "text/csv", b"name\nX\n".to_vec()).await;
    assert_eq!(fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await), ["email"]);
    let r = send(&app, &org, &event, "", "application/json", b"{}".to_vec()).await;
    assert!(r.status().is_client_error());

    // A draft is not invited to.
    let mut draft = open_matinale();
    draft["status"] = json!("draft");
    let draft = app.create_event(&org, &draft).await["id"].as_str().unwrap().to_owned();
    let r = send(&app, &org, &draft, "", "text/csv", b"email\nx@y.example\n".to_vec()).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn an_unsubscribe_is_honoured_by_a_second_campaign_and_by_another_event() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let first = open_event(&app, &org, "Première").await;
    let second = open_event(&app, &org, "Seconde").await;
    let third = open_event(&app, &org, "Troisième").await;
    invite(&app, &org, &first, "", "email\nawa@rejoue.example\nlea@asso.example\n").await;
    // Queued for the third event before the unsubscribe: given up with it.
    invite(&app, &org, &third, "", "email\nawa@rejoue.example\n").await;
    let (_, unsubscribe_secret) = secrets(&app, "awa@rejoue.example").await;

    // GET shows a button and changes nothing (mail scanners follow links).
    let page = app.get(&format!("/unsubscribe/{unsubscribe_secret}"), None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("a page");
    assert!(
        html.contains("<form method=\"post\">") && html.contains("List-Unsubscribe"),
        "{html}"
    );
    assert_eq!(
        status_of(&list(&app, &org, &first).await, "awa@rejoue.example"),
        "queued"
    );
    assert_eq!(
        app.get("/unsubscribe/mu_unknown", None).await.status(),
        StatusCode::NOT_FOUND
    );

    assert_eq!(unsubscribe(&app, &unsubscribe_secret).await.status(), StatusCode::OK);
    // Again: nothing more.
    assert_eq!(unsubscribe(&app, &unsubscribe_secret).await.status(), StatusCode::OK);
    assert_eq!(unsubscribe(&app, "mu_unknown").await.status(), StatusCode::NOT_FOUND);

    let listed = list(&app, &org, &third).await;
    assert_eq!(status_of(&listed, "awa@rejoue.example"), "unsubscribed");
    let mails = matinale_store::outbox::to_address(&app.db, "awa@rejoue.example", MailKind::Invitation)
        .await
        .expect("outbox");
    assert!(
        mails
            .iter()
            .all(|m| m.status == matinale_domain::mail::MailStatus::Failed),
        "{mails:?}"
    );

    // A second campaign for the first event, and one for another event.
    let again = invite(&app, &org, &first, "", "email\nAWA@rejoue.example\nnew@asso.example\n").await;
    assert_eq!(again["queued"], 1, "{again}");
    assert_eq!(skipped(&again), vec![(2, "already invited to this event".to_owned())]);
    let other = invite(&app, &org, &second, "", "email\nawa@rejoue.example\nlea@asso.example\n").await;
    assert_eq!(other["queued"], 1, "{other}");
    assert_eq!(skipped(&other), vec![(2, "unsubscribed".to_owned())]);

    let listed = list(&app, &org, &first).await;
    assert_eq!(listed["counts"]["invited"], 3, "{listed}");
    assert_eq!(listed["counts"]["unsubscribed"], 1, "{listed}");
    assert_eq!(listed["counts"]["registered"], 0, "{listed}");
}

#[tokio::test]
async fn a_registration_through_the_invitation_link_proves_the_mailbox_and_confirms_the_organisation() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let event = open_event(&app, &org, "Matinale").await;
    let structure = created(
        &app,
        "/api/v1/organisations",
        Some(&org),
        json!({"kind": "ess_structure", "name": "Rejoué", "siret": siret(7)}),
    )
    .await;
    let structure_id = structure["id"].as_str().expect("id").to_owned();
    let csv = format!(
        "email;first_name;last_name;organisation_siret;category\n\
         awa@rejoue.example;Awa;Diallo;{};ess_structure\n\
         paul@rejoue.example;Paul;Martin;{};ess_structure\n",
        siret(7),
        siret(7)
    );
    invite(&app, &org, &event, "", &csv).await;
    let (secret, _) = secrets(&app, "awa@rejoue.example").await;

    // What the page pre-fills.
    let r = app.get(&format!("/api/v1/invitations/{secret}"), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let prefill: Value = r.json().await.expect("JSON");
    assert_eq!(prefill["event_id"], event.as_str());
    assert_eq!(prefill["email"], "awa@rejoue.example");
    assert_eq!(prefill["organisation_id"], structure_id.as_str());
    assert_eq!(prefill["organisation_name"], "Rejoué");
    assert_eq!(prefill["category"], "ess_structure");
    assert_eq!(
        app.get("/api/v1/invitations/mi_unknown", None).await.status(),
        StatusCode::NOT_FOUND
    );

    let path = format!("/api/v1/events/{event}/registrations");
    let body = |email: &str, invitation: &str| {
        json!({"category": "ess_structure", "organisation_id": structure_id,
               "person": {"first_name": "Awa", "last_name": "Diallo", "email": email},
               "invitation": invitation})
    };
    // A secret that is not one of this event's: 422 on `invitation`.
    let r = app.post(&path, None, &body("awa@rejoue.example", "mi_unknown")).await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["invitation"]
    );

    let registered = created(&app, &path, None, body("awa@rejoue.example", &secret)).await;
    assert_eq!(registered["email_verified"], true, "{registered}");
    let id = registered["id"].as_str().expect("id");
    let token = registered["manage_token"].as_str().expect("token");
    let own: Value = app
        .get(&format!("/api/v1/registrations/{id}"), Some(token))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(own["email_verified"], true, "{own}");
    assert_eq!(own["organisation_confirmed"], true, "{own}");
    let history = own["history"].as_array().expect("history");
    assert!(
        history
            .iter()
            .any(|h| h["reason"].as_str().unwrap_or("").contains("invitation list")),
        "{own}"
    );

    // Someone else with Awa's link: the address is not the invited one, so it proves nothing.
    let other = created(&app, &path, None, body("intrus@ailleurs.example", &secret)).await;
    assert_eq!(other["email_verified"], false, "{other}");
    let other: Value = app
        .get(
            &format!("/api/v1/registrations/{}", other["id"].as_str().unwrap()),
            Some(other["manage_token"].as_str().unwrap()),
        )
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(other["organisation_confirmed"], false, "{other}");

    let listed = list(&app, &org, &event).await;
    assert_eq!(status_of(&listed, "awa@rejoue.example"), "registered");
    assert_eq!(status_of(&listed, "paul@rejoue.example"), "queued");
    assert_eq!(listed["counts"]["invited"], 2);
    assert_eq!(listed["counts"]["registered"], 1);
    assert_eq!(
        listed["counts"]["by_category"],
        json!([{"category": "ess_structure", "invited": 2, "registered": 1, "unsubscribed": 0}])
    );

    // The CSV export.
    let r = app
        .get_accepting(&format!("/api/v1/events/{event}/invitations"), Some(&org), "text/csv")
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.expect("CSV");
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_owned).collect();
    assert_eq!(header[..2], ["id".to_owned(), "email".to_owned()]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    assert_eq!(rows.len(), 2);
    assert!(rows
        .iter()
        .any(|r| &r[1] == "awa@rejoue.example" && &r[7] == "registered"));
}

#[tokio::test]
async fn erasing_a_person_keeps_the_opt_out_and_nothing_else() {
    let app = spawn_app().await;
    let org = app.organiser().await;
    let (_, admin) = app.account(Role::Admin).await;
    let event = open_event(&app, &org, "Matinale").await;
    let other = open_event(&app, &org, "Autre").await;
    invite(&app, &org, &event, "", "email;first_name\nawa@rejoue.example;Awa\n").await;
    let (_, unsubscribe_secret) = secrets(&app, "awa@rejoue.example").await;
    assert_eq!(unsubscribe(&app, &unsubscribe_secret).await.status(), StatusCode::OK);

    let r = app
        .request(Method::DELETE, "/api/v1/people?email=awa@rejoue.example", Some(&admin))
        .send()
        .await
        .expect("DELETE people");
    assert!(r.status().is_success(), "{}", r.status());
    // Nothing about the person is left in the invitations or their mail…
    assert_eq!(list(&app, &org, &event).await["total"], 0);
    let mails = matinale_store::outbox::to_address(&app.db, "awa@rejoue.example", MailKind::Invitation)
        .await
        .expect("outbox");
    assert!(mails.is_empty(), "{mails:?}");
    // …but the address still gets no invitation.
    let report = invite(&app, &org, &other, "", "email\nawa@rejoue.example\n").await;
    assert_eq!(skipped(&report), vec![(2, "unsubscribed".to_owned())]);
}
