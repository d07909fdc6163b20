//! The directory import at a département's scale: 50,000 SIRENE-like rows (valid SIRETs,
//! Windows-1252, `;`, a few quoted names with line breaks) posted to `POST /organisations/import`
//! on the real server (release build, in this process): the dry run, the import into an empty
//! directory, then the same file again (every row unchanged).
//!
//!     cargo run --release --example import_bench -- [DATABASE_URL] [ROWS]
//!
//! DATABASE_URL: `sqlite` (default, a temporary file) or `postgres://…/db` (a new database is
//! created on that server); ROWS: 50000 by default. Prints each call's time and the peak
//! resident memory of the process during it (reset just before).

#[path = "support/bench_server.rs"]
mod bench_server;

use std::time::Instant;

use matinale_domain::siret::luhn_valid;
use serde_json::Value;

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

fn reset_peak_rss() {
    if let Err(e) = std::fs::write("/proc/self/clear_refs", "5") {
        eprintln!("the peak RSS cannot be reset ({e})");
    }
}

/// A valid SIRET from `n`.
fn siret(n: u64) -> String {
    let base = format!("{:013}", 4_000_000_000_000 + n);
    (0..10)
        .map(|d| format!("{base}{d}"))
        .find(|s| luhn_valid(s))
        .unwrap_or_default()
}

const COMMUNES: [(&str, &str); 6] = [
    ("94400", "Vitry-sur-Seine"),
    ("94200", "Ivry-sur-Seine"),
    ("94310", "Orly"),
    ("94000", "Créteil"),
    ("94600", "Choisy-le-Roi"),
    ("94800", "Villejuif"),
];
const NAF: [&str; 5] = ["88.10C", "43.99A", "38.32Z", "56.10A", "94.99Z"];

/// The SIRENE-like file, in Windows-1252.
fn sirene(rows: u64) -> Vec<u8> {
    let mut text = String::from(
        "siret;denominationUniteLegale;activitePrincipaleEtablissement;codePostalEtablissement;\
         libelleCommuneEtablissement;economieSocialeSolidaireUniteLegale\r\n",
    );
    for n in 0..rows {
        let (postcode, commune) = COMMUNES[(n % 6) as usize];
        let name = if n % 100 == 0 {
            format!("\"Atelier {n}\nrééemploi; « solidaire »\"")
        } else {
            format!("Régie de quartier n°{n}")
        };
        let ess = if n % 10 == 0 { "N" } else { "O" };
        text.push_str(&format!(
            "{};{name};{};{postcode};{commune};{ess}\r\n",
            siret(n),
            NAF[(n % 5) as usize]
        ));
    }
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    bytes.into_owned()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let base = args.first().cloned().unwrap_or_else(|| "sqlite".into());
    let rows: u64 = args.get(1).map(|r| r.parse()).transpose()?.unwrap_or(50_000);
    let bench = bench_server::start(&base, "import").await?;
    let bench_server::Bench {
        url,
        api,
        client,
        token,
        ..
    } = bench;
    let file = sirene(rows);
    println!(
        "{} rows, {:.1} MiB (Windows-1252), {}",
        rows,
        file.len() as f64 / 1048576.0,
        if url.starts_with("postgres") {
            "postgresql"
        } else {
            "sqlite"
        }
    );
    for (label, query) in [("dry run", "?dry_run=true"), ("import", ""), ("again (unchanged)", "")] {
        let body = file.clone();
        reset_peak_rss();
        let started = Instant::now();
        let response = client
            .post(format!("{api}/organisations/import{query}"))
            .bearer_auth(&token)
            .header("Content-Type", "text/csv")
            .body(body)
            .send()
            .await?;
        let status = response.status();
        let report: Value = response.json().await?;
        let elapsed = started.elapsed().as_secs_f64();
        anyhow::ensure!(status.is_success(), "{status}: {report}");
        println!(
            "{label:<18} {elapsed:6.2} s  peak RSS {:6.1} MiB  created {} updated {} unchanged {} rejected {}",
            peak_rss_mib(),
            report["created"],
            report["updated"],
            report["unchanged"],
            report["rejected"].as_array().map_or(0, Vec::len)
        );
    }
    Ok(())
}
