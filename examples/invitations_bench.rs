//! Invitations at a campaign's scale (issue 25): a list of 5,000 addresses (`;`, a category and
//! a SIRET of the directory on some lines) posted to `POST /events/{id}/invitations` on the real
//! server (in this process, mail worker off): the dry run, then the real thing, which queues
//! 5,000 invitations and their mails in one transaction; then the same list again (every line
//! skipped: already invited). The goal of the issue: 5,000 queued in under 2 s.
//!
//!     cargo run --release --example invitations_bench -- [DATABASE_URL] [ROWS]
//!
//! DATABASE_URL: `sqlite` (default, a temporary file) or `postgres://…/db` (a new database is
//! created on that server); ROWS: 5000 by default. Prints each call's time and what it did.
//! Sending them is the mail worker's pace (`examples/mail_bench.rs`), not measured here.

#[path = "support/bench_server.rs"]
mod bench_server;

use std::time::Instant;

use anyhow::Context;
use matinale_domain::siret::luhn_valid;
use serde_json::{json, Value};

/// A valid SIRET from `n`.
fn siret(n: u64) -> String {
    let base = format!("{:013}", 5_000_000_000_000 + n);
    (0..10)
        .map(|d| format!("{base}{d}"))
        .find(|s| luhn_valid(s))
        .unwrap_or_default()
}

/// Organisations in the directory the list names by SIRET.
const ORGANISATIONS: u64 = 50;

/// The invitations file: one address a line, a tenth of them naming an organisation.
fn list(rows: u64) -> Vec<u8> {
    let categories = ["buyer", "ess_structure", "partner", "visitor"];
    let mut text = String::from("email;first_name;last_name;organisation_siret;category;locale\r\n");
    for n in 0..rows {
        let organisation = if n % 10 == 0 {
            siret(n % ORGANISATIONS)
        } else {
            String::new()
        };
        let locale = if n % 7 == 0 { "en" } else { "" };
        text.push_str(&format!(
            "personne{n}@bench.example;Prénom{n};Nom{n};{organisation};{};{locale}\r\n",
            categories[(n % 4) as usize]
        ));
    }
    text.into_bytes()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let base = args.first().cloned().unwrap_or_else(|| "sqlite".into());
    let rows: u64 = args.get(1).map(|r| r.parse()).transpose()?.unwrap_or(5_000);
    let bench = bench_server::start(&base, "invitations").await?;
    let bench_server::Bench {
        url,
        api,
        client,
        token,
        ..
    } = bench;
    let post = |path: String, body: Value| {
        let (client, token) = (client.clone(), token.clone());
        async move {
            let r = client.post(path).bearer_auth(&token).json(&body).send().await?;
            let status = r.status();
            let body: Value = r.json().await?;
            anyhow::ensure!(status.is_success(), "{status}: {body}");
            Ok::<Value, anyhow::Error>(body)
        }
    };
    for n in 0..ORGANISATIONS {
        post(
            format!("{api}/organisations"),
            json!({"kind": "ess_structure", "name": format!("Structure {n}"), "siret": siret(n)}),
        )
        .await?;
    }
    let event = post(
        format!("{api}/events"),
        json!({"kind": "matinale", "title": "Matinale des achats responsables",
               "starts_at": "2099-11-25T09:00:00+01:00", "ends_at": "2099-11-25T12:30:00+01:00",
               "timezone": "Europe/Paris", "capacity": 10000, "status": "published",
               "venue": {"name": "Hôtel de ville", "address": "2 avenue Youri-Gagarine",
                         "postcode": "94400", "city": "Vitry-sur-Seine"}}),
    )
    .await?;
    let event = event["id"].as_str().context("an event id")?.to_owned();
    let file = list(rows);
    println!(
        "{rows} addresses, {:.1} KiB, {}",
        file.len() as f64 / 1024.0,
        if url.starts_with("postgres") {
            "postgresql"
        } else {
            "sqlite"
        }
    );
    for (label, query) in [("dry run", "?dry_run=true"), ("queue", ""), ("again (skipped)", "")] {
        let started = Instant::now();
        let response = client
            .post(format!("{api}/events/{event}/invitations{query}"))
            .bearer_auth(&token)
            .header("Content-Type", "text/csv")
            .body(file.clone())
            .send()
            .await?;
        let status = response.status();
        let report: Value = response.json().await?;
        let elapsed = started.elapsed().as_secs_f64();
        anyhow::ensure!(status.is_success(), "{status}: {report}");
        println!(
            "{label:<16} {elapsed:6.2} s  queued {}  skipped {}",
            report["queued"],
            report["skipped"].as_array().map_or(0, Vec::len)
        );
    }
    let started = Instant::now();
    let listed: Value = client
        .get(format!("{api}/events/{event}/invitations?per_page=200"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    println!(
        "list (first page, counts) {:6.2} s  invited {}",
        started.elapsed().as_secs_f64(),
        listed["counts"]["invited"]
    );
    Ok(())
}
