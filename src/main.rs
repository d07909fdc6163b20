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
    /// Schedule speed meetings offline from a JSON instance (see docs/scheduler.md).
    Schedule(schedule_cmd::ScheduleArgs),
    /// Print the OpenAPI document (YAML) generated from the code.
    Openapi,
    /// Copy the SQLite database, consistent as of one moment, while the server runs (no
    /// migration is applied first). PostgreSQL: refused, with the pg_dump commands to use.
    Backup {
        /// The copy to write; it must not exist yet.
        #[arg(long)]
        output: std::path::PathBuf,
    },
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

/// Logs go to stderr, filtered by `RUST_LOG`: lines of text, or with `MATINALE_LOG_FORMAT=json`
/// one JSON object per line (`timestamp`, `level`, `target`, `fields` with the `message`, and
/// the `span` — `request_id` for the lines of a request).
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let format = std::env::var("MATINALE_LOG_FORMAT").unwrap_or_default();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format.trim() {
        "json" => builder.json().with_current_span(true).with_span_list(false).try_init(),
        "" | "text" => builder.with_target(false).try_init(),
        other => {
            let installed = builder.with_target(false).try_init();
            tracing::warn!(
                format = other,
                "MATINALE_LOG_FORMAT is neither text nor json; writing text"
            );
            installed
        }
    };
}

#[tokio::main]
async fn run_async(command: Command) -> anyhow::Result<()> {
    init_tracing();
    let config = Config::from_env();
    let store_config = matinale_store::Config {
        url: config.database_url.clone(),
        pool_size: std::env::var("MATINALE_DB_POOL").ok().and_then(|v| v.parse().ok()),
        clock: matinale_domain::clock::Clock::system(),
    };
    let db = matinale_store::Store::connect(&store_config)
        .await
        .with_context(|| format!("cannot open the database {}", redact(&config.database_url)))?;
    if let Command::Backup { output } = &command {
        return backup(&db, output).await;
    }
    matinale_store::migrate(&db).await.context("migrations failed")?;
    match command {
        Command::Migrate => {
            println!("database migrated");
            Ok(())
        }
        Command::SeedDemo => {
            let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
            demo::seed(&db, today, &config.public_url).await
        }
        Command::CreateAdmin { email, password, name } => {
            let new = NewUser::parse(&email, &name, Role::Admin, &password)?;
            matinale_store::accounts::create_user(&db, new).await?;
            println!("admin {email} created");
            Ok(())
        }
        Command::Serve => serve(db, config).await,
        Command::ImportOrganisations(args) => import_cmd::run(&db, &config, args).await,
        Command::Schedule(_) | Command::Openapi | Command::Backup { .. } => Ok(()),
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
    let metrics = match &config.metrics_bind {
        Some(bind) => {
            let listener = TcpListener::bind(bind).with_context(|| format!("cannot listen on {bind} for /metrics"))?;
            tracing::info!(address = %bind, "metrics at /metrics");
            let server = matinale_api::metrics::serve(listener, db.clone())?;
            let handle = server.handle();
            tokio::spawn(server);
            Some(handle)
        }
        None => None,
    };
    let served = match matinale_api::serve(listener, AppState::new(db, config)) {
        Ok(server) => server.await,
        Err(error) => Err(error),
    };
    if let Some(metrics) = metrics {
        metrics.stop(true).await;
    }
    if let Some(worker) = worker {
        worker.stop().await;
    }
    served?;
    tracing::info!("stopped");
    Ok(())
}

/// `matinale backup --output FILE`: `VACUUM INTO` on SQLite; on PostgreSQL, the commands to use.
async fn backup(db: &matinale_store::Store, output: &std::path::Path) -> anyhow::Result<()> {
    use matinale_store::operations::{backup_sqlite, BackupError};
    match backup_sqlite(db, output).await {
        Ok(()) => {
            println!("backup written to {}", output.display());
            Ok(())
        }
        Err(BackupError::Postgres) => anyhow::bail!(
            "matinale backup copies SQLite databases only; for PostgreSQL use its own tools:\n  \
             pg_dump --format=custom --file=matinale.dump \"$MATINALE_DATABASE_URL\"\n\
             and to restore, into an empty database:\n  \
             pg_restore --no-owner --dbname=\"$MATINALE_DATABASE_URL\" matinale.dump"
        ),
        Err(error) => Err(error).context("the backup failed"),
    }
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
