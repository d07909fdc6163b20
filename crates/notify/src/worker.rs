//! The outbox worker: claims due mail, renders it, sends it, and records the outcome.
//!
//! Storage is behind the [`Outbox`] trait so that the delivery rules (lease, retry with
//! back-off, give up after `max_attempts`, a stable Message-ID per row) live here once and
//! are tested against a real SMTP server, whatever database implements the claims. An
//! implementation must make `claim` exclusive across processes (e.g. PostgreSQL
//! `FOR UPDATE SKIP LOCKED` with a lease column) so that no two workers hold the same row,
//! and must hand a row out again once its lease has expired (a worker that crashed mid-send).

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::delivery::{backoff_from, DeliveryError, Mailer, OutgoingMail, DEFAULT_RETRY_BASE};
use crate::templates::{render, Message};
use crate::Locale;

/// One claimed outbox row, ready to render.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The row's id; also the Message-ID, so a retried mail keeps its identity.
    pub id: Uuid,
    /// Recipient address.
    pub to_email: String,
    /// Recipient name, if known.
    pub to_name: Option<String>,
    /// Language of the mail.
    pub locale: Locale,
    /// What to say.
    pub message: Message,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// Why the outbox could not be read or updated.
#[derive(Debug, thiserror::Error)]
#[error("outbox storage: {0}")]
pub struct OutboxError(pub String);

/// Durable storage of queued mail.
///
/// The `mark_*` methods take the claimed [`Envelope`] rather than a bare id so that an
/// implementation can record an outcome only while that claim still holds the row (e.g.
/// status `sending` and the claim's attempt count): a worker whose lease expired and whose row
/// was claimed again must not overwrite the newer claim's outcome.
pub trait Outbox: Send + Sync {
    /// Claims up to `limit` due rows for `lease`: nobody else may claim them until it expires.
    fn claim(&self, limit: u32, lease: Duration) -> impl Future<Output = Result<Vec<Envelope>, OutboxError>> + Send;
    /// Records a delivery.
    fn mark_sent(&self, claimed: &Envelope) -> impl Future<Output = Result<(), OutboxError>> + Send;
    /// Records the deliveries of a batch; an implementation writes them at once (one
    /// transaction) rather than one by one, as this default does.
    fn mark_sent_many(&self, claimed: &[Envelope]) -> impl Future<Output = Result<(), OutboxError>> + Send {
        async move {
            for envelope in claimed {
                self.mark_sent(envelope).await?;
            }
            Ok(())
        }
    }
    /// Records a failed attempt to be retried at `at`.
    fn retry_at(
        &self,
        claimed: &Envelope,
        at: DateTime<Utc>,
        error: &str,
    ) -> impl Future<Output = Result<(), OutboxError>> + Send;
    /// Records a definitive failure.
    fn mark_failed(&self, claimed: &Envelope, error: &str) -> impl Future<Output = Result<(), OutboxError>> + Send;
    /// Now, as the outbox's clock tells it (a retry's time is counted from it).
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// How the worker paces itself.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// `From:` of every mail.
    pub from: String,
    /// Domain of Message-IDs (`<outbox-<id>@domain>`).
    pub message_id_domain: String,
    /// Rows claimed at a time.
    pub batch: u32,
    /// How long a claim lasts; a crashed worker's rows come back after it.
    pub lease: Duration,
    /// Pause when nothing is due.
    pub idle: Duration,
    /// Attempts before a transient failure becomes definitive.
    pub max_attempts: u32,
    /// First retry delay, doubled on each failure (see [`crate::delivery::backoff_from`]).
    pub retry_base: Duration,
    /// Mails of a batch sent at once (over as many pooled SMTP connections).
    pub concurrency: usize,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            from: "Matinale <no-reply@matinale.localhost>".into(),
            message_id_domain: "matinale".into(),
            batch: 20,
            lease: Duration::from_secs(120),
            idle: Duration::from_secs(2),
            max_attempts: 8,
            retry_base: DEFAULT_RETRY_BASE,
            concurrency: crate::delivery::SMTP_CONNECTIONS as usize,
        }
    }
}

/// What one batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchReport {
    /// Delivered.
    pub sent: u32,
    /// Scheduled for another attempt.
    pub retried: u32,
    /// Given up.
    pub failed: u32,
}

impl BatchReport {
    /// Rows handled.
    pub fn handled(&self) -> u32 {
        self.sent + self.retried + self.failed
    }
}

/// A stable jitter seed per row, so that retries of one mail spread the same way every time.
fn seed(id: Uuid) -> u64 {
    let (high, low) = id.as_u64_pair();
    high ^ low
}

/// Claims one batch and delivers it: up to `cfg.concurrency` mails at once, the deliveries
/// recorded together at the end ([`Outbox::mark_sent_many`]), failures one by one.
pub async fn deliver_batch<O: Outbox>(
    outbox: &O,
    mailer: &Mailer,
    cfg: &WorkerConfig,
) -> Result<BatchReport, OutboxError> {
    use futures_util::stream::{self, StreamExt};

    let mut report = BatchReport::default();
    let claimed = outbox.claim(cfg.batch, cfg.lease).await?;
    let attempts: Vec<(Envelope, Result<(), Failure>)> = stream::iter(claimed)
        .map(|envelope| async move {
            let outcome = attempt(&envelope, mailer, cfg).await;
            (envelope, outcome)
        })
        .buffer_unordered(cfg.concurrency.max(1))
        .collect()
        .await;
    let mut sent = Vec::with_capacity(attempts.len());
    for (envelope, outcome) in attempts {
        match outcome {
            Ok(()) => sent.push(envelope),
            Err(Failure::Render(error)) => {
                // A template error is a bug: retrying cannot help.
                tracing::error!(id = %envelope.id, %error, "mail cannot be rendered");
                outbox.mark_failed(&envelope, &error).await?;
                report.failed += 1;
            }
            Err(Failure::Delivery(error)) => {
                let attempt = envelope.attempts + 1;
                if is_retryable(&error) && attempt < cfg.max_attempts {
                    let wait = backoff_from(cfg.retry_base, attempt, seed(envelope.id));
                    let at = outbox.now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1));
                    tracing::warn!(id = %envelope.id, attempt, %error, retry_at = %at, "mail not delivered, will retry");
                    outbox.retry_at(&envelope, at, &error.to_string()).await?;
                    report.retried += 1;
                } else {
                    tracing::error!(id = %envelope.id, attempt, %error, "mail given up");
                    outbox.mark_failed(&envelope, &error.to_string()).await?;
                    report.failed += 1;
                }
            }
        }
    }
    if !sent.is_empty() {
        outbox.mark_sent_many(&sent).await?;
        report.sent += u32::try_from(sent.len()).unwrap_or(u32::MAX);
    }
    Ok(report)
}

/// Why one mail of a batch did not go.
enum Failure {
    Render(String),
    Delivery(DeliveryError),
}

/// Renders and sends one claimed mail.
async fn attempt(envelope: &Envelope, mailer: &Mailer, cfg: &WorkerConfig) -> Result<(), Failure> {
    let rendered = render(&envelope.message, envelope.locale).map_err(|e| Failure::Render(e.to_string()))?;
    let mail = OutgoingMail {
        to_email: envelope.to_email.clone(),
        to_name: envelope.to_name.clone(),
        from: cfg.from.clone(),
        message_id: format!("<outbox-{}@{}>", envelope.id, cfg.message_id_domain),
        rendered,
    };
    mailer.send(&mail).await.map_err(Failure::Delivery)
}

fn is_retryable(error: &DeliveryError) -> bool {
    error.is_transient()
}

/// Delivers until `shutdown` turns true, pausing `idle` whenever nothing was due.
pub async fn run<O: Outbox>(
    outbox: O,
    mailer: Mailer,
    cfg: WorkerConfig,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    tracing::info!(transport = %mailer.describe(), "mail worker started");
    loop {
        if *shutdown.borrow() {
            break;
        }
        let pause = match deliver_batch(&outbox, &mailer, &cfg).await {
            Ok(report) if report.handled() > 0 => Duration::ZERO,
            Ok(_) => cfg.idle,
            Err(error) => {
                tracing::error!(%error, "mail worker cannot reach the outbox");
                cfg.idle
            }
        };
        if !pause.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                // A dropped sender can never say "stop" again: stop now rather than spin.
                changed = shutdown.changed() => if changed.is_err() { break },
            }
        }
    }
    tracing::info!("mail worker stopped");
}
