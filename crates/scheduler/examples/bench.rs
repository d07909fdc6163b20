//! Benchmark of the scheduler and of the greedy baseline on the three sizes of docs/scheduler.md.
//!
//! `cargo run --release -p matinale-scheduler --example bench` prints a Markdown table; the
//! `pinned` rows solve the same instance with half the tables held by buyers of their own
//! (see docs/scheduler.md). Each
//! (size, algorithm) runs in a child process of its own so that its peak RSS (VmHWM) is its own.
//! `--example bench -- --dump N [SEED]` prints the instance of size N (0, 1, 2) as JSON instead
//! (`--dump BUYERS SUPPLIERS SLOTS TABLES SEED`: any size);
//! `-- --file instance.json` solves one instance file and prints
//! `objective upper_bound millis peak_rss_kib meetings wishes`.

use std::process::{Command, ExitCode};

use matinale_scheduler::{generate, schedule, schedule_greedy, verify, GeneratorParams, Instance};

/// (label, buyers, suppliers, slots, tables, seed, time target in ms, quality target).
type Size = (&'static str, u32, u32, u32, u32, u64, u64, f64);

const SIZES: [Size; 3] = [
    ("matinale 20×60×12, 20 tables", 20, 60, 12, 20, 1, 20, 0.995),
    ("forum 100×400×16, 60 tables", 100, 400, 16, 60, 2, 200, 0.99),
    ("regional 1000×5000×24, 400 tables", 1000, 5000, 24, 400, 3, 5000, 0.98),
];

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The generator's parameters of `SIZES[size]` (the largest if out of range), with `seed`
/// instead of the size's own if given.
fn params_of(size: usize, seed: Option<u64>) -> GeneratorParams {
    let (_, buyers, suppliers, slots, tables, own_seed, _, _) = SIZES[size.min(SIZES.len() - 1)];
    GeneratorParams {
        buyers,
        suppliers,
        slots,
        tables,
        seed: seed.unwrap_or(own_seed),
    }
}

fn child(size: usize, algorithm: &str) -> ExitCode {
    let mut instance = generate(&params_of(size, None));
    if algorithm == "pinned" {
        pin_half_the_tables(&mut instance);
    }
    run(&instance, algorithm)
}

/// Gives the first buyers tables of their own (their inverted stands), 1 to half the tables of
/// the smallest slot: the case of a matinale whose stand holders keep their stand's table.
fn pin_half_the_tables(instance: &mut Instance) {
    let tables = instance.slots.iter().map(|s| s.tables).min().unwrap_or(0);
    let mut next = 1;
    for p in &mut instance.participants {
        if p.side == matinale_scheduler::Side::Buyer && next <= tables / 2 {
            p.table = Some(next);
            next += 1;
        }
    }
}

/// Solves `instance`, checks the schedule, prints objective, bound, ms, peak RSS (KiB),
/// meetings and wishes.
fn run(instance: &Instance, algorithm: &str) -> ExitCode {
    let started = std::time::Instant::now();
    let solved = match algorithm {
        "greedy" => schedule_greedy(instance),
        _ => schedule(instance),
    };
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let solution = match solved {
        Ok(s) => s,
        Err(e) => {
            eprintln!("generated instance refused: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(v) = verify(instance, &solution) {
        eprintln!("INVALID SCHEDULE: {v}");
        return ExitCode::FAILURE;
    }
    println!(
        "{} {} {:.3} {} {} {}",
        solution.objective,
        solution.upper_bound,
        millis,
        peak_rss_kib(),
        solution.meetings.len(),
        instance.wishes.len()
    );
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if matches!(args.len(), 3 | 4 | 7) && args[1] == "--dump" {
        // The instance of one size as JSON (optionally with another seed), or of any size
        // (`--dump BUYERS SUPPLIERS SLOTS TABLES SEED`), e.g. for tools/lp_reference.py.
        let n: Vec<u64> = args[2..].iter().map(|a| a.parse().unwrap_or(0)).collect();
        let params = if n.len() == 5 {
            GeneratorParams {
                buyers: n[0] as u32,
                suppliers: n[1] as u32,
                slots: n[2] as u32,
                tables: n[3] as u32,
                seed: n[4],
            }
        } else {
            params_of(n[0] as usize, n.get(1).copied())
        };
        let instance = generate(&params);
        println!("{}", serde_json::to_string(&instance).expect("serialisable"));
        return ExitCode::SUCCESS;
    }
    if args.len() == 3 && args[1] == "--file" {
        // One instance file (the JSON of `matinale schedule`), solver only, same output line.
        let read = std::fs::read_to_string(&args[2]).map_err(|e| e.to_string());
        let parsed = read.and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()));
        return match parsed {
            Ok(instance) => run(&instance, "solver"),
            Err(e) => {
                eprintln!("cannot read {}: {e}", args[2]);
                ExitCode::FAILURE
            }
        };
    }
    if args.len() == 4 && args[1] == "--one" {
        let size = args[2].parse().unwrap_or(0).min(SIZES.len() - 1);
        return child(size, &args[3]);
    }
    let only: Option<usize> = args.get(1).and_then(|a| a.parse().ok());
    let Ok(exe) = std::env::current_exe() else {
        eprintln!("cannot find the bench executable");
        return ExitCode::FAILURE;
    };
    println!("| size | algorithm | meetings | objective | upper bound | objective / bound | time (ms) | target | peak RSS (MiB) |");
    println!("|---|---|---:|---:|---:|---:|---:|---|---:|");
    for (i, &(label, .., target_ms, target_ratio)) in SIZES.iter().enumerate() {
        if only.is_some_and(|o| o != i) {
            continue;
        }
        for algorithm in ["solver", "pinned", "greedy"] {
            let out = match Command::new(&exe).args(["--one", &i.to_string(), algorithm]).output() {
                Ok(out) if out.status.success() => out,
                Ok(out) => {
                    eprintln!("{label} {algorithm} failed: {}", String::from_utf8_lossy(&out.stderr));
                    return ExitCode::FAILURE;
                }
                Err(e) => {
                    eprintln!("cannot run the bench child: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let text = String::from_utf8_lossy(&out.stdout);
            let f: Vec<f64> = text.split_whitespace().filter_map(|x| x.parse().ok()).collect();
            if f.len() < 6 {
                eprintln!("unexpected child output: {text}");
                return ExitCode::FAILURE;
            }
            let ratio = f[0] / f[1];
            let target = if algorithm == "pinned" {
                "half the tables held by their buyers".to_string()
            } else if algorithm == "solver" {
                let ok = ratio >= target_ratio && f[2] < target_ms as f64;
                format!(
                    "≥ {target_ratio} in < {target_ms} ms: {}",
                    if ok { "met" } else { "NOT met" }
                )
            } else {
                "baseline".to_string()
            };
            println!(
                "| {label} | {algorithm} | {} | {} | {:.1} | {:.4} | {:.1} | {target} | {:.1} |",
                f[4],
                f[0],
                f[1],
                ratio,
                f[2],
                f[3] / 1024.0
            );
        }
    }
    ExitCode::SUCCESS
}
