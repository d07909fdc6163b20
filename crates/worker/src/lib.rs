//! Matinale's background worker, started by the binary next to the HTTP server (or alone):
//! delivers the store's outbox with `matinale_notify` and sweeps for events whose day-before
//! reminders are due, purging expired idempotency keys and account tokens on the way.
//!
//! - [`outbox`]: [`StoreOutbox`], `matinale_store::outbox` seen through
//!   `matinale_notify::worker::Outbox` (rows become typed mails, read against the event now);
//! - [`calendar`]: a stored meeting as a calendar entry, shared with the API's `.ics` routes;
//! - [`MailWorker`]: the two tasks, started and stopped together.
//!
//! It depends on `store`, `notify` and `domain`, never on `api`.

pub mod calendar;
mod mail_changes;
mod mail_follow_up;
pub mod outbox;

use std::path::PathBuf;
use std::time::Duration;

use matinale_notify::delivery::{DeliveryError, Mailer, MailerConfig};
use matinale_notify::links::uid_domain;
use matinale_notify::worker::{self, WorkerConfig};
use matinale_store::Store;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use outbox::StoreOutbox;

/// What the worker needs to know of its surroundings (read by the binary's configuration).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The base of links in mails and calendars (`MATINALE_PUBLIC_URL`).
    pub public_url: String,
    /// The template of the links to a registration's page (`MATINALE_MANAGE_URL`); `None`:
    /// the built-in page (see [`matinale_notify::links::manage_link`]).
    pub manage_url: Option<String>,
    /// `MATINALE_SMTP_URL`; unset: mail is written as files.
    pub smtp_url: Option<String>,
    /// Where mail goes as `.eml` files without SMTP.
    pub mail_dir: PathBuf,
    /// `From:` of every mail.
    pub mail_from: String,
    /// Outbox rows claimed at a time.
    pub batch: u32,
    /// How long a claim holds its rows; a crashed worker's rows come back after it.
    pub lease: Duration,
    /// Pause when nothing is due.
    pub idle: Duration,
    /// First retry delay after a failed delivery, doubled each time up to 1 h.
    pub retry_base: Duration,
    /// How often to look for events whose day-before reminders are due.
    pub reminder_sweep: Duration,
}

/// The mailer `settings` ask for: SMTP when `smtp_url` is set, else `.eml` files.
pub fn mailer(settings: &Settings) -> Result<Mailer, DeliveryError> {
    Mailer::new(&MailerConfig {
        smtp_url: settings.smtp_url.clone(),
        mail_dir: settings.mail_dir.clone(),
        timeout: Duration::from_secs(30),
    })
}

/// How the worker of `settings` paces itself.
pub fn worker_config(settings: &Settings) -> WorkerConfig {
    WorkerConfig {
        from: settings.mail_from.clone(),
        message_id_domain: uid_domain(&settings.public_url).to_owned(),
        batch: settings.batch.max(1),
        lease: settings.lease,
        idle: settings.idle,
        retry_base: settings.retry_base,
        ..WorkerConfig::default()
    }
}

/// Queues due reminders and purges expired idempotency keys every `every` until `shutdown`
/// turns true.
async fn sweep_reminders(db: Store, every: Duration, mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            break;
        }
        match matinale_store::notices::queue_due_reminders(&db, db.now()).await {
            Ok(sweep) if sweep.events > 0 => {
                tracing::info!(events = sweep.events, mails = sweep.mails, "reminders queued");
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "the reminder sweep failed; trying again later"),
        }
        mail_follow_up::sweep(&db).await;
        // Expired `Idempotency-Key` answers hold a manage token in clear: drop them.
        match matinale_store::registrations::purge_idempotency(&db, db.now()).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "expired idempotency keys purged"),
            Err(error) => tracing::error!(%error, "the idempotency purge failed; trying again later"),
        }
        match matinale_store::accounts::purge_expired_tokens(&db, db.now()).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "expired account tokens purged"),
            Err(error) => tracing::error!(%error, "the account token purge failed; trying again later"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            changed = shutdown.changed() => if changed.is_err() { break },
        }
    }
}

/// The background worker of a process: outbox delivery and the reminder sweep.
pub struct MailWorker {
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl MailWorker {
    /// Starts delivering the outbox of `db` through `mailer` and sweeping for reminders, as
    /// `settings` say. Needs a Tokio runtime.
    pub fn start(db: Store, settings: &Settings, mailer: Mailer) -> Self {
        let (shutdown, receiver) = watch::channel(false);
        let outbox =
            StoreOutbox::new(db.clone(), settings.public_url.clone()).with_manage_url(settings.manage_url.clone());
        let tasks = vec![
            tokio::spawn(worker::run(outbox, mailer, worker_config(settings), receiver.clone())),
            tokio::spawn(sweep_reminders(db, settings.reminder_sweep, receiver)),
        ];
        Self { shutdown, tasks }
    }

    /// Asks the tasks to stop after what they are doing, and waits for them (at most 35 s,
    /// longer than one SMTP exchange may take); a row still being sent then comes back to
    /// another worker when its lease expires.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(35), task).await.is_err() {
                abort.abort();
            }
        }
    }
}
