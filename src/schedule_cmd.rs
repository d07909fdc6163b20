//! `matinale schedule`: read an instance, write a schedule (or generate an instance).
//!
//! Exit codes: 0 done, 1 I/O error, 2 bad input (the message names what is wrong).

use std::io::{Read, Write};
use std::process::ExitCode;

use matinale_scheduler::{generate, schedule, schedule_greedy, GeneratorParams, Instance};

/// Arguments of `matinale schedule`.
#[derive(clap::Args, Debug)]
pub struct ScheduleArgs {
    /// Instance file (JSON, see docs/scheduler.md); `-` reads standard input.
    #[arg(long, default_value = "-")]
    pub input: String,
    /// Where to write the schedule (or the generated instance); `-` is standard output.
    #[arg(long, default_value = "-")]
    pub output: String,
    /// Write a generated instance instead of scheduling: BUYERS SUPPLIERS SLOTS TABLES.
    #[arg(long, num_args = 4, value_names = ["BUYERS", "SUPPLIERS", "SLOTS", "TABLES"])]
    pub generate: Option<Vec<u32>>,
    /// Seed of the generator (same seed, same instance).
    #[arg(long, default_value_t = 1, requires = "generate")]
    pub seed: u64,
    /// Use the greedy baseline (first common free slot) instead of the optimiser.
    #[arg(long, conflicts_with = "generate")]
    pub greedy: bool,
}

/// What went wrong, mapped to the exit code.
enum Failure {
    Io(String),
    BadInput(String),
}

/// Runs the command; the one-line summary and any error go to standard error.
pub fn run(args: ScheduleArgs) -> ExitCode {
    match execute(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Io(message)) => {
            eprintln!("matinale schedule: {message}");
            ExitCode::from(1)
        }
        Err(Failure::BadInput(message)) => {
            eprintln!("matinale schedule: bad input: {message}");
            ExitCode::from(2)
        }
    }
}

fn execute(args: &ScheduleArgs) -> Result<(), Failure> {
    if let Some(sizes) = &args.generate {
        let [buyers, suppliers, slots, tables] = sizes[..] else {
            return Err(Failure::BadInput(
                "--generate takes BUYERS SUPPLIERS SLOTS TABLES".into(),
            ));
        };
        let instance = generate(&GeneratorParams {
            buyers,
            suppliers,
            slots,
            tables,
            seed: args.seed,
        });
        let text = serde_json::to_string_pretty(&instance)
            .map_err(|e| Failure::Io(format!("cannot encode the instance: {e}")))?;
        write_output(&args.output, &text)?;
        eprintln!(
            "generated {buyers} buyers, {suppliers} suppliers, {slots} slots of {tables} tables, {} wishes (seed {})",
            instance.wishes.len(),
            args.seed
        );
        return Ok(());
    }
    let text = read_input(&args.input)?;
    let instance: Instance = serde_json::from_str(&text).map_err(|e| {
        let what = if e.is_syntax() || e.is_eof() {
            "not valid JSON"
        } else {
            "not an instance"
        };
        Failure::BadInput(format!("{}: {what}: {e}", shown(&args.input)))
    })?;
    let solved = if args.greedy {
        schedule_greedy(&instance)
    } else {
        schedule(&instance)
    };
    let solution = solved.map_err(|e| Failure::BadInput(e.to_string()))?;
    let text =
        serde_json::to_string_pretty(&solution).map_err(|e| Failure::Io(format!("cannot encode the schedule: {e}")))?;
    write_output(&args.output, &text)?;
    let gap = if solution.upper_bound > 0.0 {
        100.0 * (solution.upper_bound - solution.objective as f64) / solution.upper_bound
    } else {
        0.0
    };
    eprintln!(
        "{} meetings, objective {}, bound {:.1}, gap {:.2}%, {} ms",
        solution.meetings.len(),
        solution.objective,
        solution.upper_bound,
        gap,
        solution.stats.millis
    );
    Ok(())
}

fn shown(path: &str) -> &str {
    if path == "-" {
        "standard input"
    } else {
        path
    }
}

fn read_input(path: &str) -> Result<String, Failure> {
    let mut text = String::new();
    let read = if path == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(path).map(|t| text = t)
    };
    read.map_err(|e| Failure::Io(format!("cannot read {}: {e}", shown(path))))?;
    Ok(text)
}

fn write_output(path: &str, text: &str) -> Result<(), Failure> {
    let fail = |e: std::io::Error| {
        let target = if path == "-" { "standard output" } else { path };
        Failure::Io(format!("cannot write {target}: {e}"))
    };
    if path == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes()).map_err(fail)?;
        out.write_all(b"\n").map_err(fail)?;
        out.flush().map_err(fail)
    } else {
        std::fs::write(path, format!("{text}\n")).map_err(fail)
    }
}
