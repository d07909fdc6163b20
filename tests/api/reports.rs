//! Reports: every figure of `GET /events/{id}/report` equals what the test counts itself from
//! the raw lists the API gives (registrations, needs and interests, meetings, outcomes,
//! organisations); the CSV holds the same numbers; the SVG chart parses as XML (Python's
//! `xml.etree`) and shows them; a series' report adds up its events. SQLite or PostgreSQL.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::process::Stdio;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::outcomes::{check_in, day, end_the_block, mark, outcome, recorded};
use crate::scene::{timetable, Scene};
use crate::support::{created, ok_json, problem, spawn_app, TestApp};

fn s(v: &Value) -> String {
    v.as_str().expect("a string").to_owned()
}

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().expect("items").clone()
}

/// The world of the report: needs (one reserved, one draft), an interest, a structure that
/// opts out after publication (its meetings cancelled by the next publication), marks,
/// check-ins, the block over, and outcomes of every kind.
async fn the_day_after(app: &TestApp) -> Scene {
    let mut sc = day(app, 3, 3).await;
    let need = |category: &str, reserved: &str, status: &str| {
        json!({"organisation_id": sc.buyer_orgs[0], "event_id": sc.event, "title": format!("Besoin {category}"),
               "category": category, "reserved_market": reserved, "status": status})
    };
    let open = created(
        app,
        "/api/v1/needs",
        Some(&sc.organiser),
        need("nettoyage", "l2113_13", "open"),
    )
    .await;
    created(
        app,
        "/api/v1/needs",
        Some(&sc.organiser),
        need("mobilier_reemploi", "none", "open"),
    )
    .await;
    created(
        app,
        "/api/v1/needs",
        Some(&sc.organiser),
        need("restauration_traiteur", "none", "draft"),
    )
    .await;
    let supplier = &sc.suppliers[0];
    let approve = format!("/api/v1/registrations/{}/organisation/approve", supplier.id);
    let r = app.post(&approve, Some(&sc.organiser), &json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    created(
        app,
        &format!("/api/v1/needs/{}/interests", s(&open["id"])),
        Some(&supplier.token),
        json!({"registration_id": supplier.id, "message": "Nous intervenons à Orly."}),
    )
    .await;

    // The third structure leaves the speed meetings: the next publication cancels its meetings.
    let leaving = &sc.suppliers[2];
    leaving.set_meetings(app, json!({"opt_in": false})).await;
    sc.run_and_publish(app).await;

    let meetings = timetable(app, &sc).await;
    let live: Vec<&Value> = meetings.iter().filter(|m| m["status"] != "cancelled").collect();
    assert!(
        meetings.len() > live.len(),
        "some meetings were cancelled: {meetings:?}"
    );
    assert!(live.len() >= 4, "{live:?}");
    // Everyone but the second structure comes; one meeting is marked a no-show anyway, one
    // held although its structure did not check in.
    for p in sc.buyers.iter().chain([&sc.suppliers[0]]) {
        check_in(app, &sc, &p.id).await;
    }
    end_the_block(app, &mut sc).await;
    mark(
        app,
        &sc,
        live[0]["id"].as_str().unwrap(),
        json!({"status": "no_show", "absent": "buyer"}),
    )
    .await;
    let absent_supplier = live
        .iter()
        .skip(1)
        .find(|m| m["supplier_registration_id"] == json!(sc.suppliers[1].id))
        .expect("a meeting of the second structure");
    mark(
        app,
        &sc,
        absent_supplier["id"].as_str().unwrap(),
        json!({"status": "held"}),
    )
    .await;

    // Outcomes on every meeting that takes one, by turns.
    let bodies = [
        json!({"outcome": "contract_signed", "amount_eur": 12500.5}),
        json!({"outcome": "reserved_market_awarded", "amount_eur": 80000}),
        json!({"outcome": "quote_requested"}),
        json!({"outcome": "none", "comment": "Pas de suite"}),
    ];
    let mut n = 0;
    for m in &live[1..] {
        let id = s(&m["id"]);
        let side = if n % 2 == 0 {
            "buyer_registration_id"
        } else {
            "supplier_registration_id"
        };
        let who = sc.person(m[side].as_str().unwrap());
        let r = if n == 2 {
            // An organiser records this one: confirmed, not declared.
            let mut body = bodies[n % bodies.len()].clone();
            body["side"] = json!("buyer");
            body["amount_eur"] = json!(700);
            outcome(app, &id, &sc.organiser, body).await
        } else {
            outcome(app, &id, &who.token, bodies[n % bodies.len()].clone()).await
        };
        let status = r.status();
        if status == StatusCode::CONFLICT {
            continue; // a derived no-show
        }
        assert_eq!(status, StatusCode::CREATED, "{}", r.text().await.unwrap_or_default());
        if n == 0 {
            // The ESS side says otherwise: the buyer's report counts.
            let other = sc.person(m["supplier_registration_id"].as_str().unwrap());
            recorded(
                app,
                &id,
                &other.token,
                json!({"outcome": "quote_requested", "amount_eur": 3}),
            )
            .await;
        }
        n += 1;
    }
    assert!(n >= 2, "some outcomes were recorded");
    sc
}

#[derive(Default, Debug, PartialEq)]
struct Group {
    meetings: u64,
    held: u64,
    quotes: u64,
    contracts: u64,
    amount_cents: i64,
    declared: u64,
    declared_cents: i64,
    confirmed: u64,
    confirmed_cents: i64,
}

/// The report as the test computes it from the raw lists.
async fn count_it_ourselves(app: &TestApp, sc: &Scene) -> Value {
    let org = &sc.organiser;
    let registrations = items(
        &ok_json(
            app,
            &format!("/api/v1/events/{}/registrations?per_page=200", sc.event),
            org,
        )
        .await,
    );
    let mut by_category: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let status_of: HashMap<String, String> = registrations.iter().map(|r| (s(&r["id"]), s(&r["status"]))).collect();
    for r in &registrations {
        *by_category
            .entry(s(&r["category"]))
            .or_default()
            .entry(s(&r["status"]))
            .or_default() += 1;
    }
    let count = |status: &str| registrations.iter().filter(|r| r["status"] == status).count() as u64;
    let expected = count("confirmed") + count("attended") + count("no_show");

    let needs = items(&ok_json(app, &format!("/api/v1/needs?event={}&per_page=200", sc.event), org).await);
    let needs: Vec<&Value> = needs.iter().filter(|n| n["status"] != "draft").collect();
    let mut needs_by_category: BTreeMap<String, u64> = BTreeMap::new();
    let mut needs_by_market: BTreeMap<String, u64> = BTreeMap::new();
    let mut interests = 0;
    for n in &needs {
        *needs_by_category.entry(s(&n["category"])).or_default() += 1;
        *needs_by_market.entry(s(&n["reserved_market"])).or_default() += 1;
        interests += ok_json(app, &format!("/api/v1/needs/{}/interests", s(&n["id"])), org)
            .await
            .as_array()
            .expect("a list of interests")
            .len() as u64;
    }

    let organisation_of: HashMap<String, String> = registrations
        .iter()
        .filter_map(|r| Some((s(&r["id"]), r["organisation_id"].as_str()?.to_owned())))
        .collect();
    let mut kinds_of: HashMap<String, Vec<String>> = HashMap::new();
    for o in organisation_of.values() {
        let body = ok_json(app, &format!("/api/v1/organisations/{o}"), org).await;
        let kinds: Vec<String> = body["ess_kinds"].as_array().unwrap().iter().map(s).collect();
        kinds_of.insert(o.clone(), kinds);
    }

    let meetings = timetable(app, sc).await;
    let (mut planned, mut held, mut no_show, mut cancelled) = (0u64, 0u64, 0u64, 0u64);
    let mut by_kind: BTreeMap<String, u64> = ["none", "quote_requested", "contract_signed", "reserved_market_awarded"]
        .iter()
        .map(|k| (k.to_string(), 0))
        .collect();
    let (mut unreported, mut reserved_12, mut reserved_13, mut reserved_other) = (0u64, 0i64, 0i64, 0i64);
    let mut total = Group::default();
    let mut by_buyer: BTreeMap<String, Group> = BTreeMap::new();
    let mut by_ess: BTreeMap<String, Group> = BTreeMap::new();
    let mut pairs = HashSet::new();
    for m in &meetings {
        if m["status"] == "cancelled" {
            cancelled += 1;
            continue;
        }
        let (b, su) = (s(&m["buyer_registration_id"]), s(&m["supplier_registration_id"]));
        pairs.insert((b.clone(), su.clone()));
        // The block is over: a mark (the timetable's status) or both check-ins decide.
        let attendance = match m["status"].as_str().unwrap() {
            "held" => "held",
            "no_show" => "no_show",
            _ if status_of[&b] == "attended" && status_of[&su] == "attended" => "held",
            _ => "no_show",
        };
        match attendance {
            "held" => held += 1,
            "no_show" => no_show += 1,
            _ => planned += 1,
        }
        let mut kind = "none".to_owned();
        let mut cents = 0;
        let mut by_organiser = None;
        // Only what happened counts: outcomes of held meetings.
        if attendance == "held" {
            let read = ok_json(app, &format!("/api/v1/meetings/{}/outcomes", s(&m["id"])), org).await;
            let latest = read["latest"].as_array().unwrap();
            let counted = latest
                .iter()
                .find(|o| o["side"] == "buyer")
                .or_else(|| latest.iter().find(|o| o["side"] == "supplier"));
            match counted {
                Some(o) => {
                    kind = s(&o["outcome"]);
                    cents = o["amount_cents"].as_i64().unwrap_or(0);
                    by_organiser = Some(o["recorded_by"] == "organiser");
                    *by_kind.get_mut(&kind).unwrap() += 1;
                }
                None => unreported += 1,
            }
        }
        let kinds = organisation_of
            .get(&su)
            .and_then(|o| kinds_of.get(o))
            .filter(|k| !k.is_empty())
            .cloned()
            .unwrap_or_else(|| vec!["unspecified".to_owned()]);
        if kind == "reserved_market_awarded" {
            if kinds.iter().any(|k| k == "ea" || k == "esat") {
                reserved_12 += cents;
            } else if kinds
                .iter()
                .any(|k| ["siae", "aci", "ei", "etti", "ai", "eiti"].contains(&k.as_str()))
            {
                reserved_13 += cents;
            } else {
                reserved_other += cents;
            }
        }
        let quote = kind != "none";
        let contract = kind == "contract_signed" || kind == "reserved_market_awarded";
        let add = |g: &mut Group| {
            g.meetings += 1;
            g.held += u64::from(attendance == "held");
            g.quotes += u64::from(quote);
            g.contracts += u64::from(contract);
            g.amount_cents += cents;
            match by_organiser {
                Some(true) => {
                    g.confirmed += 1;
                    g.confirmed_cents += cents;
                }
                Some(false) => {
                    g.declared += 1;
                    g.declared_cents += cents;
                }
                None => {}
            }
        };
        add(&mut total);
        add(by_buyer.entry(s(&m["buyer_organisation"])).or_default());
        for k in kinds {
            add(by_ess.entry(k).or_default());
        }
    }
    let mut wishes: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    for (i, b) in sc.buyers.iter().enumerate() {
        for (j, su) in sc.suppliers.iter().enumerate() {
            let tally = wishes.entry(1 + ((i + j) % 3) as u64).or_default();
            tally.0 += 1;
            tally.1 += u64::from(pairs.contains(&(b.id.clone(), su.id.clone())));
        }
    }
    let groups = |map: BTreeMap<String, Group>| -> Value {
        map.into_iter()
            .map(|(name, g)| {
                json!({"name": name, "meetings": g.meetings, "held": g.held, "quotes": g.quotes,
                       "contracts": g.contracts, "amount_cents": g.amount_cents,
                       "declared_cents": g.declared_cents, "confirmed_cents": g.confirmed_cents})
            })
            .collect()
    };
    let checked_in = count("attended");
    json!({
        "registrations": {"total": registrations.len(), "by_category": by_category},
        "attendance": {"expected": expected, "checked_in": checked_in, "no_shows": count("no_show"),
                       "rate": if expected == 0 { 0.0 } else { checked_in as f64 / expected as f64 }},
        "needs": {"published": needs.len(), "by_category": needs_by_category,
                  "by_reserved_market": needs_by_market, "interests": interests},
        "meetings": {"total": planned + held + no_show, "planned": planned, "held": held,
                     "no_show": no_show, "cancelled": cancelled},
        "wishes": wishes.into_iter().map(|(p, (w, m))| json!({"priority": p, "wished": w, "met": m})).collect::<Vec<_>>(),
        "outcomes": {"by_kind": by_kind, "unreported": unreported, "amount_cents": total.amount_cents,
                     "amount_eur": format!("{}.{:02}", total.amount_cents / 100, total.amount_cents % 100),
                     "declared": {"meetings": total.declared, "amount_cents": total.declared_cents},
                     "confirmed": {"meetings": total.confirmed, "amount_cents": total.confirmed_cents},
                     "reserved_markets": {"amount_cents": reserved_12 + reserved_13 + reserved_other,
                                          "l2113_12_cents": reserved_12, "l2113_13_cents": reserved_13,
                                          "other_cents": reserved_other}},
        "funnel": {"planned": total.meetings, "held": total.held, "quote": total.quotes, "contract": total.contracts},
        "by_buyer": groups(by_buyer),
        "by_ess_kind": groups(by_ess),
    })
}

/// The `data-key` → text of every figure of an SVG, read by Python's `xml.etree`.
fn svg_figures(svg: &str) -> BTreeMap<String, String> {
    let script = "import sys, json, xml.etree.ElementTree as ET\n\
        root = ET.fromstring(sys.stdin.read())\n\
        assert root.tag == '{http://www.w3.org/2000/svg}svg', root.tag\n\
        print(json.dumps({e.get('data-key'): ''.join(e.itertext()).strip() for e in root.iter() if e.get('data-key')}))\n";
    let mut child = crate::mail::notify_common::python_command()
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    child.stdin.take().unwrap().write_all(svg.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the SVG does not parse as XML");
    serde_json::from_slice(&out.stdout).expect("JSON from python")
}

#[tokio::test]
async fn the_event_report_equals_the_counts_of_the_raw_lists_in_json_csv_and_svg() {
    let app = spawn_app().await;
    let sc = the_day_after(&app).await;
    let path = format!("/api/v1/events/{}/report", sc.event);
    let report = ok_json(&app, &path, &sc.organiser).await;
    let ours = count_it_ourselves(&app, &sc).await;
    for (key, value) in ours.as_object().unwrap() {
        assert_eq!(
            &report[key], value,
            "{key}: the report says {}, the lists {value}",
            report[key]
        );
    }
    assert_eq!(report["scope"], "event");
    assert_eq!(report["events"], json!([sc.event]));
    // The scene has every kind of figure.
    assert!(report["meetings"]["cancelled"].as_u64().unwrap() > 0);
    assert!(report["meetings"]["no_show"].as_u64().unwrap() > 0);
    assert!(report["outcomes"]["amount_cents"].as_i64().unwrap() > 0);
    assert_eq!(report["needs"]["published"], 2, "the draft need does not count");

    // CSV: the same numbers, one row each.
    let r = app.get_accepting(&path, Some(&sc.organiser), "text/csv").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = r.text().await.unwrap();
    let mut csv = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let rows: HashMap<(String, String, String), String> = csv
        .records()
        .map(|r| {
            let r = r.expect("a CSV row");
            ((r[0].to_owned(), r[1].to_owned(), r[2].to_owned()), r[3].to_owned())
        })
        .collect();
    let cell = |section: &str, group: &str, key: &str| {
        rows.get(&(section.to_owned(), group.to_owned(), key.to_owned()))
            .unwrap_or_else(|| panic!("no CSV row {section},{group},{key}"))
            .clone()
    };
    for key in ["total", "planned", "held", "no_show", "cancelled"] {
        assert_eq!(cell("meetings", "", key), report["meetings"][key].to_string());
    }
    for key in ["planned", "held", "quote", "contract"] {
        assert_eq!(cell("funnel", "", key), report["funnel"][key].to_string());
    }
    assert_eq!(
        cell("outcomes", "", "amount_cents"),
        report["outcomes"]["amount_cents"].to_string()
    );
    assert_eq!(
        cell("outcomes", "reserved_markets", "l2113_13_cents"),
        report["outcomes"]["reserved_markets"]["l2113_13_cents"].to_string()
    );
    for (category, statuses) in report["registrations"]["by_category"].as_object().unwrap() {
        for (status, n) in statuses.as_object().unwrap() {
            assert_eq!(
                cell("registrations", &format!("by_category.{category}"), status),
                n.to_string()
            );
        }
    }
    for g in report["by_ess_kind"].as_array().unwrap() {
        assert_eq!(
            cell("by_ess_kind", g["name"].as_str().unwrap(), "amount_cents"),
            g["amount_cents"].to_string()
        );
    }
    for w in report["wishes"].as_array().unwrap() {
        assert_eq!(cell("wishes", &w["priority"].to_string(), "met"), w["met"].to_string());
    }
    // Formula-like cells are neutralised (none here starts with one, but names could).
    assert!(!text.lines().any(|l| l.starts_with('=')));

    // SVG: one self-contained chart, with the funnel and the euros by ESS kind.
    let r = app.get_accepting(&path, Some(&sc.organiser), "image/svg+xml").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    let svg = r.text().await.unwrap();
    assert!(!svg.contains("href"), "self-contained: no link out");
    let figures = svg_figures(&svg);
    for key in ["planned", "held", "quote", "contract"] {
        assert_eq!(figures[&format!("funnel.{key}")], report["funnel"][key].to_string());
    }
    // In French by default: amounts as `12 500,50 €`, ESS kinds by their names.
    let grouped = |units: i64, separator: &str| {
        let digits = units.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(separator);
            }
            out.push(c);
        }
        out
    };
    let kinds = report["by_ess_kind"].as_array().unwrap();
    assert!(
        kinds.iter().any(|g| g["amount_cents"].as_i64().unwrap() >= 100_000),
        "a figure with thousands: {kinds:?}"
    );
    for g in kinds {
        let cents = g["amount_cents"].as_i64().unwrap();
        assert_eq!(
            figures[&format!("by_ess_kind.{}", g["name"].as_str().unwrap())],
            format!("{},{:02} €", grouped(cents / 100, " "), cents % 100)
        );
    }
    assert!(
        svg.contains("Entreprise adaptée") || svg.contains("Association") || svg.contains("SIAE"),
        "{svg}"
    );
    assert!(svg.contains("Du rendez-vous au contrat"));
    for code in kinds.iter().map(|g| g["name"].as_str().unwrap()) {
        assert!(
            !svg.contains(&format!(">{}<", code.to_uppercase())),
            "{code} shown as a code"
        );
    }
    if let Ok(dir) = std::env::var("MATINALE_REPORT_SVG") {
        std::fs::write(dir, &svg).expect("write the chart");
    }
    // In English when asked, by the query or by Accept-Language.
    for (query, language) in [("?lang=en", "fr"), ("", "en-GB,en;q=0.9,fr;q=0.5")] {
        let r = app
            .request(reqwest::Method::GET, &format!("{path}{query}"), Some(&sc.organiser))
            .header("Accept", "image/svg+xml")
            .header("Accept-Language", language)
            .send()
            .await
            .unwrap();
        let english = r.text().await.unwrap();
        assert!(english.contains("From meeting to contract"), "{english}");
        let figures = svg_figures(&english);
        for g in kinds {
            let cents = g["amount_cents"].as_i64().unwrap();
            assert_eq!(
                figures[&format!("by_ess_kind.{}", g["name"].as_str().unwrap())],
                format!("€{}.{:02}", grouped(cents / 100, ","), cents % 100)
            );
        }
    }
}

#[tokio::test]
async fn a_series_report_adds_up_its_published_events_for_those_who_organise_them_all() {
    let app = spawn_app().await;
    let sc = the_day_after(&app).await;
    let series = s(&app.create_series(&sc.organiser).await["id"]);
    let r = app
        .patch(
            &format!("/api/v1/events/{}", sc.event),
            Some(&sc.organiser),
            &json!({"series_id": series}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());
    // A draft of the same organiser in the series does not count.
    let mut draft = crate::support::matinale();
    draft["series_id"] = json!(series);
    app.create_event(&sc.organiser, &draft).await;

    let event_report = ok_json(&app, &format!("/api/v1/events/{}/report", sc.event), &sc.organiser).await;
    let series_report = ok_json(&app, &format!("/api/v1/series/{series}/report"), &sc.organiser).await;
    assert_eq!(series_report["scope"], "series");
    assert_eq!(series_report["events"], json!([sc.event]));
    for key in [
        "registrations",
        "attendance",
        "needs",
        "meetings",
        "wishes",
        "outcomes",
        "funnel",
        "by_buyer",
        "by_ess_kind",
    ] {
        assert_eq!(series_report[key], event_report[key], "{key}");
    }
    // Another organiser, who organises none of its events, may see neither report.
    let other = app.organiser().await;
    let r = app.get(&format!("/api/v1/series/{series}/report"), Some(&other)).await;
    problem(r, StatusCode::FORBIDDEN).await;
    let r = app
        .get(&format!("/api/v1/events/{}/report", sc.event), Some(&other))
        .await;
    problem(r, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn a_report_counts_held_meetings_only_and_tells_declared_from_confirmed() {
    let app = spawn_app().await;
    let sc = day(&app, 1, 2).await;
    let meetings = timetable(&app, &sc).await;
    assert_eq!(meetings.len(), 2, "{meetings:?}");
    let (held, planned) = (s(&meetings[0]["id"]), s(&meetings[1]["id"]));
    mark(&app, &sc, &held, json!({"status": "held"})).await;
    // An outcome written on a meeting still planned (before the rule, straight in the
    // database): it must not count.
    let planned_id: uuid::Uuid = planned.parse().unwrap();
    crate::meeting_blocks::sql(
        &app,
        "INSERT INTO meeting_outcomes (id, meeting_id, side, outcome, amount_cents, comment, recorded_by, recorded_at) \
         VALUES ($1, $2, 'buyer', 'contract_signed', 9999900, NULL, 'registration:x', $3)",
        vec![
            uuid::Uuid::now_v7().into(),
            planned_id.into(),
            chrono::Utc::now().into(),
        ],
    )
    .await;
    let path = format!("/api/v1/events/{}/report", sc.event);

    // The structure declares a contract.
    let supplier = sc.person(meetings[0]["supplier_registration_id"].as_str().unwrap());
    recorded(
        &app,
        &held,
        &supplier.token,
        json!({"outcome": "contract_signed", "amount_eur": 1000}),
    )
    .await;
    let report = ok_json(&app, &path, &sc.organiser).await;
    let outcomes = &report["outcomes"];
    assert_eq!(outcomes["amount_cents"], 100_000, "{outcomes}");
    assert_eq!(
        outcomes["declared"],
        json!({"meetings": 1, "amount_cents": 100_000}),
        "{outcomes}"
    );
    assert_eq!(
        outcomes["confirmed"],
        json!({"meetings": 0, "amount_cents": 0}),
        "{outcomes}"
    );
    assert_eq!(outcomes["by_kind"]["contract_signed"], 1, "{outcomes}");
    assert_eq!(
        outcomes["unreported"], 0,
        "only the held meeting is awaited: {outcomes}"
    );
    assert_eq!(report["funnel"]["contract"], 1);

    // An organiser records the buyer's side: it counts, as confirmed.
    recorded(
        &app,
        &held,
        &sc.organiser,
        json!({"outcome": "contract_signed", "amount_eur": 2500, "side": "buyer"}),
    )
    .await;
    let report = ok_json(&app, &path, &sc.organiser).await;
    let outcomes = &report["outcomes"];
    assert_eq!(outcomes["amount_cents"], 250_000, "{outcomes}");
    assert_eq!(
        outcomes["declared"],
        json!({"meetings": 0, "amount_cents": 0}),
        "{outcomes}"
    );
    assert_eq!(
        outcomes["confirmed"],
        json!({"meetings": 1, "amount_cents": 250_000}),
        "{outcomes}"
    );
    assert_eq!(report["by_buyer"][0]["confirmed_cents"], 250_000, "{report}");
    assert_eq!(report["by_buyer"][0]["amount_cents"], 250_000, "{report}");
}
