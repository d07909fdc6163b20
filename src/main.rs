//! `matinale`: the command line. Every subcommand wires the crates together; no logic lives here.

mod demo;
mod import_cmd;
mod schedule_cmd;

use std::net::TcpListener;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use matinale_api::{AppState, Config};
use matinale_domain::user::{NewUser, Role};

#[derive(Parser, Debug)]
#[command(
    name = "matinale",
    version,
    about = "Events, registrations and speed meetings of the Mois de l'ESS"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Migrate the database, then serve the API (and the background worker unless MATINALE_WORKER=off).
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Load the demo matinale (Orly, 25 November 2026) if the database has no demo series yet.
    SeedDemo,
    /// Create an admin account.
    CreateAdmin {
        /// Login e-mail.
        #[arg(long)]
        email: String,
        /// Password (10 to 128 characters).
        #[arg(long)]
        password: String,
        /// Display name.
        #[arg(long, default_value = "Administrateur")]
        name: String,
    },
    /// Schedule speed meetings offline from a JSON instance (see SCHEDULER.md).
    Schedule(schedule_cmd::ScheduleArgs),
    /// Print the OpenAPI document (YAML) generated from the code.
    Openapi,
    /// Import organisations from a CSV file (as POST /organisations/import does).
    ImportOrganisations(import_cmd::ImportArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Schedule(args) => schedule_cmd::run(args),
        Command::Openapi => {
            print!("{}", matinale_api::openapi_yaml());
            ExitCode::SUCCESS
        }
        other => match run_async(other) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("error: {err:#}");
                ExitCode::FAILURE
            }
        },
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

#[tokio::main]
async fn run_async(command: Command) -> anyhow::Result<()> {
    init_tracing();
    let config = Config::from_env();
    let store_config = matinale_store::Config {
        url: config.database_url.clone(),
        pool_size: std::env::var("MATINALE_DB_POOL").ok().and_then(|v| v.parse().ok()),
    };
    let db = matinale_store::Store::connect(&store_config)
        .await
        .with_context(|| format!("cannot open the database {}", redact(&config.database_url)))?;
    matinale_store::migrate(&db).await.context("migrations failed")?;
    match command {
        Command::Migrate => {
            println!("database migrated");
            Ok(())
        }
        Command::SeedDemo => {
            let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
            demo::seed(&db, today).await
        }
        Command::CreateAdmin { email, password, name } => {
            let new = NewUser::parse(&email, &name, Role::Admin, &password)?;
            matinale_store::accounts::create_user(&db, new).await?;
            println!("admin {email} created");
            Ok(())
        }
        Command::Serve => serve(db, config).await,
        Command::ImportOrganisations(args) => import_cmd::run(&db, args).await,
        Command::Schedule(_) | Command::Openapi => Ok(()),
    }
}

async fn serve(db: matinale_store::Store, config: Config) -> anyhow::Result<()> {
    if let Some((email, password)) = &config.admin {
        let new = NewUser::parse(email, "Administrateur", Role::Admin, password)?;
        if matinale_store::accounts::ensure_admin(&db, new).await? {
            tracing::info!(%email, "bootstrap admin created");
        }
    }
    let listener = TcpListener::bind(&config.bind).with_context(|| format!("cannot listen on {}", config.bind))?;
    tracing::info!(address = %config.bind, database = %redact(&config.database_url), "serving Matinale");
    // The mail worker runs next to the server unless MATINALE_WORKER=off; it finishes the mail
    // it is sending once the server has stopped.
    let worker = if config.worker {
        let settings = config.worker_settings();
        let mailer = matinale_worker::mailer(&settings).context("MATINALE_SMTP_URL is not a usable SMTP URL")?;
        Some(matinale_worker::MailWorker::start(db.clone(), &settings, mailer))
    } else {
        None
    };
    let served = match matinale_api::serve(listener, AppState::new(db, config)) {
        Ok(server) => server.await,
        Err(error) => Err(error),
    };
    if let Some(worker) = worker {
        worker.stop().await;
    }
    served?;
    tracing::info!("stopped");
    Ok(())
}

/// Hides a password in a database URL before logging it.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
