//! The directory import (`POST /organisations/import`) and the CSV export it reads back.

use matinale_domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{fields, problem, spawn_app, TestApp};

/// A SIRET passing the Luhn check, built from `n`.
pub fn siret(n: u64) -> String {
    let base = format!("{:013}", 1_000_000_000_000 + n % 1_000_000_000_000);
    (0..10)
        .map(|d| format!("{base}{d}"))
        .find(|s| matinale_domain::siret::luhn_valid(s))
        .expect("one check digit fits")
}

/// Windows-1252 bytes of a text holding only Latin-1 characters.
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
        .collect()
}

pub async fn import(app: &TestApp, token: &str, query: &str, content_type: &str, body: Vec<u8>) -> reqwest::Response {
    app.request(
        Method::POST,
        &format!("/api/v1/organisations/import{query}"),
        Some(token),
    )
    .header("Content-Type", content_type)
    .body(body)
    .send()
    .await
    .expect("POST import")
}

async fn report(app: &TestApp, token: &str, query: &str, content_type: &str, body: Vec<u8>) -> Value {
    let r = import(app, token, query, content_type, body).await;
    let status = r.status();
    let json: Value = r.json().await.expect("a JSON report");
    assert_eq!(status, StatusCode::OK, "{json}");
    json
}

async fn directory(app: &TestApp, query: &str) -> Value {
    let r = app.get(&format!("/api/v1/organisations{query}"), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("a list")
}

fn sirene(s1: &str, s2: &str) -> String {
    format!(
        "siret;denominationUniteLegale;activitePrincipaleEtablissement;codePostalEtablissement;libelleCommuneEtablissement;economieSocialeSolidaireUniteLegale\r\n\
         {s1};Rejoué;88.10C;94400;Vitry-sur-Seine;O\r\n\
         {s2};\"Atelier\nBéton; réemploi\";43.99A;94200;Ivry-sur-Seine;O\r\n\
         73282932000075;Mauvais numéro;88.10C;94200;Ivry-sur-Seine;O\r\n\
         {s1};Rejoué bis;88.10C;94400;Vitry-sur-Seine;O\r\n\
         ;;;;;\r\n\
         {};Sans nom;;94200;Ivry;N\r\n",
        siret(99)
    )
}

#[tokio::test]
async fn a_windows_1252_sirene_file_with_semicolons_is_imported_once_and_reimported_unchanged() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let (s1, s2) = (siret(1), siret(2));
    let file = windows_1252(&sirene(&s1, &s2));
    // No charset named: the bytes are not UTF-8, so they are read as Windows-1252.
    let first = report(&app, &token, "", "text/csv", file.clone()).await;
    assert_eq!(
        (first["created"].as_u64(), first["updated"].as_u64()),
        (Some(3), Some(0)),
        "{first}"
    );
    let rejected: Vec<(u64, &str)> = first["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["field"].as_str().unwrap()))
        .collect();
    // The header is line 1; the quoted name spans lines 3 and 4.
    assert_eq!(rejected, [(5, "siret"), (6, "siret")], "{first}");
    assert!(
        first["rejected"][1]["reason"].as_str().unwrap().contains("line 2"),
        "{first}"
    );
    let list = directory(&app, "?q=atelier%20beton").await;
    assert_eq!(list["total"], 1, "{list}");
    let atelier = &list["items"][0];
    // The cell broken over two lines is one name, its words joined by a space.
    assert_eq!(atelier["name"], "Atelier Béton; réemploi");
    assert_eq!(atelier["siret"], s2.as_str());
    assert_eq!(atelier["kind"], "ess_structure");
    assert_eq!(atelier["sectors"], json!(["43.99A"]));
    assert_eq!(atelier["cities"], json!(["Ivry-sur-Seine"]));
    // SIRENE's ESS flag N makes a company of a line without a kind.
    assert_eq!(directory(&app, "?kind=company").await["total"], 1);

    // Again, said to be Windows-1252: nothing changes, nothing is duplicated.
    let again = report(&app, &token, "", "text/csv; charset=windows-1252", file).await;
    assert_eq!(
        (
            again["created"].as_u64(),
            again["updated"].as_u64(),
            again["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(3)),
        "{again}"
    );
    assert_eq!(directory(&app, "").await["total"], 3);

    // A renamed structure: the dry run says "updated" and writes nothing; the import updates.
    let renamed = windows_1252(&sirene(&s1, &s2).replace("Rejoué;", "Rejoué Vitry;"));
    let dry = report(&app, &token, "?dry_run=true", "text/csv", renamed.clone()).await;
    assert_eq!(
        (dry["updated"].as_u64(), dry["unchanged"].as_u64()),
        (Some(1), Some(2)),
        "{dry}"
    );
    assert_eq!(directory(&app, "?q=rejoue%20vitry").await["total"], 0);
    let done = report(&app, &token, "", "text/csv", renamed).await;
    assert_eq!(done["updated"], 1, "{done}");
    assert_eq!(dry["rejected"], done["rejected"]);
    let list = directory(&app, "?q=rejoue%20vitry").await;
    assert_eq!(list["total"], 1);
    let id = list["items"][0]["id"].as_str().unwrap();
    let one = app.get(&format!("/api/v1/organisations/{id}"), None).await;
    assert_eq!(one.headers()["etag"], "\"v2\"");
}

#[tokio::test]
async fn a_mapping_names_other_columns_and_the_kind_applies_to_the_file() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let file = format!(
        "\u{feff}Raison sociale,N° SIRET,Secteurs,Site web\n\
         Ville d'Orly,{},voirie|espaces verts,https://orly.fr\n\
         Hôpital,{},,ftp://x\n",
        siret(10),
        siret(11)
    );
    let query = "?kind=public_buyer&mapping=name%3ARaison%20sociale%2Csiret%3AN%C2%B0%20SIRET";
    let body = report(&app, &token, query, "text/csv; charset=utf-8", file.into_bytes()).await;
    assert_eq!(body["created"], 1, "{body}");
    assert_eq!(
        body["rejected"],
        json!([{"line": 3, "field": "website", "reason": body["rejected"][0]["reason"]}])
    );
    let list = directory(&app, "?kind=public_buyer").await;
    assert_eq!(list["items"][0]["sectors"], json!(["voirie", "espaces verts"]));
    assert_eq!(list["items"][0]["website"], "https://orly.fr");

    // A mapping to a column the file lacks, a file without a name column: the whole file is refused.
    let bad = problem(
        import(&app, &token, "?mapping=name%3ANom", "text/csv", b"siret\n1\n".to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&bad), ["mapping"]);
    let bad = problem(
        import(&app, &token, "", "text/csv", b"siret\n1\n".to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&bad), ["body"]);
    let bad = problem(
        import(&app, &token, "?kind=licorne", "text/csv", b"name\nx\n".to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&bad), ["kind"]);
    let bad = problem(
        import(&app, &token, "", "application/json", b"{}".to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&bad), ["Content-Type"]);
}

#[tokio::test]
async fn only_organisers_and_admins_import_and_export() {
    let app = spawn_app().await;
    let (_, member) = app.account(Role::Member).await;
    let file = b"name\nRejoue\n".to_vec();
    assert_eq!(
        import(&app, &member, "", "text/csv", file.clone()).await.status(),
        StatusCode::FORBIDDEN
    );
    let anonymous = app
        .request(Method::POST, "/api/v1/organisations/import", None)
        .header("Content-Type", "text/csv")
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let csv = app
        .get_accepting("/api/v1/organisations", Some(&member), "text/csv")
        .await;
    assert_eq!(csv.status(), StatusCode::FORBIDDEN);
    let csv = app.get_accepting("/api/v1/organisations", None, "text/csv").await;
    assert_eq!(csv.status(), StatusCode::UNAUTHORIZED);
    let (_, admin) = app.account(Role::Admin).await;
    let body = report(&app, &admin, "", "text/csv", b"name\nRejoue\n".to_vec()).await;
    assert_eq!(body["created"], 1);
}

#[tokio::test]
async fn the_csv_export_imports_back_unchanged() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let created = app
        .post(
            "/api/v1/organisations",
            Some(&token),
            &json!({"kind": "ess_structure", "name": "Rejoué", "siret": siret(20), "ess_kinds": ["siae", "aci"],
                "sectors": ["jouets", "réemploi"], "cities": ["Vitry-sur-Seine", "Orly"], "labels": ["Lucie"],
                "website": "https://rejoue.org", "description": "=jouets; \"livres\"\net vélos"}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let sirene = windows_1252(&sirene(&siret(21), &siret(22)));
    report(&app, &token, "", "text/csv", sirene).await;
    let without_siret = "name;cities;kind\nAmicale;Choisy-le-Roi;partner\nAmicale;Orly;partner\n";
    let body = report(&app, &token, "", "text/csv", without_siret.as_bytes().to_vec()).await;
    assert_eq!(body["created"], 2, "{body}");
    let n = directory(&app, "").await["total"].as_u64().unwrap();
    assert_eq!(n, 6);

    let export = app
        .get_accepting("/api/v1/organisations", Some(&token), "text/csv")
        .await;
    assert_eq!(export.status(), StatusCode::OK);
    assert!(export.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = export.bytes().await.unwrap().to_vec();
    assert!(String::from_utf8_lossy(&bytes)
        .contains("siret,name,kind,ess_kinds,sectors,postcode,cities,website,description,labels"));
    let back = report(&app, &token, "", "text/csv", bytes).await;
    assert_eq!(
        (
            back["created"].as_u64(),
            back["updated"].as_u64(),
            back["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(n)),
        "{back}"
    );
    assert_eq!(back["rejected"], json!([]));
    assert_eq!(directory(&app, "").await["total"], n);
}

#[tokio::test]
async fn without_siret_a_reimport_matches_by_name_and_postcode_else_by_commune() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    // Two organisations of one name in one commune, told apart by their postcodes.
    let file = "nom;code postal;commune;type\nAmicale;75011;Paris;partner\nAmicale;75012;Paris;partner\n";
    let first = report(&app, &token, "", "text/csv", file.as_bytes().to_vec()).await;
    assert_eq!(first["created"], 2, "{first}");
    let again = report(&app, &token, "", "text/csv", file.as_bytes().to_vec()).await;
    assert_eq!(again["unchanged"], 2, "{again}");
    // Matched by the postcode, the commune may change; another postcode is another organisation.
    let moved = "nom;code postal;commune;type\nAMICALE;75 012;Paris 12e;partner\nAmicale;75013;Paris;partner\n";
    let body = report(&app, &token, "", "text/csv", moved.as_bytes().to_vec()).await;
    assert_eq!(
        (body["updated"].as_u64(), body["created"].as_u64()),
        (Some(1), Some(1)),
        "{body}"
    );
    let list = directory(&app, "?city=Paris%2012e").await;
    assert_eq!(list["items"][0]["postcode"], "75012", "{list}");
    // One line twice in a file, by postcode: the second is refused.
    let twice = "nom;cp;commune;type\nAmicale;75011;Paris;partner\namicale;75011;PARIS;partner\n";
    let body = report(&app, &token, "", "text/csv", twice.as_bytes().to_vec()).await;
    assert_eq!(body["rejected"][0]["line"], 3, "{body}");

    // Imported without postcode, then with one: the same organisation, given its postcode.
    let before = "name;cities;kind\nRégie de quartier;Orly;partner\n";
    report(&app, &token, "", "text/csv", before.as_bytes().to_vec()).await;
    let with_postcode = "name;postcode;cities;kind\nRegie de quartier;94310;ORLY;partner\n";
    let body = report(&app, &token, "", "text/csv", with_postcode.as_bytes().to_vec()).await;
    assert_eq!(
        (body["updated"].as_u64(), body["created"].as_u64()),
        (Some(1), Some(0)),
        "{body}"
    );
    // ... and a line without postcode still finds it by its commune, and keeps its postcode.
    let body = report(&app, &token, "", "text/csv", before.as_bytes().to_vec()).await;
    assert_eq!(
        (body["updated"].as_u64(), body["created"].as_u64()),
        (Some(1), Some(0)),
        "{body}"
    );
    let list = directory(&app, "?q=regie").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["postcode"], "94310");
    assert_eq!(list["items"][0]["cities"], json!(["Orly"]));
    assert_eq!(directory(&app, "").await["total"], 4);
}
