//! The outbox worker against a real SMTP server: retries while the server is down, delivers
//! once when it is back, gives up on permanent refusals, and never sends a row twice.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{matinale, SmtpSink};
use matinale_notify::delivery::Mailer;
use matinale_notify::templates::Message;
use matinale_notify::worker::{deliver_batch, BatchReport, Envelope, Outbox, OutboxError, WorkerConfig};
use matinale_notify::Locale;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
enum State {
    Queued { due: DateTime<Utc> },
    Sent,
    Failed(String),
}

/// An in-memory outbox with the same claim rule as the database one: due, not leased.
struct MemoryOutbox {
    rows: Mutex<Vec<(Envelope, State, DateTime<Utc>)>>,
}

impl MemoryOutbox {
    fn with(envelopes: Vec<Envelope>) -> Self {
        let epoch = DateTime::<Utc>::MIN_UTC;
        Self {
            rows: Mutex::new(
                envelopes
                    .into_iter()
                    .map(|e| (e, State::Queued { due: epoch }, epoch))
                    .collect(),
            ),
        }
    }

    fn state(&self, i: usize) -> State {
        self.rows.lock().unwrap()[i].1.clone()
    }

    fn attempts(&self, i: usize) -> u32 {
        self.rows.lock().unwrap()[i].0.attempts
    }

    /// Makes every queued row due now and releases leases, as time passing would.
    fn fast_forward(&self) {
        for row in self.rows.lock().unwrap().iter_mut() {
            if let State::Queued { due } = &mut row.1 {
                *due = DateTime::<Utc>::MIN_UTC;
            }
            row.2 = DateTime::<Utc>::MIN_UTC;
        }
    }

    fn update(&self, id: Uuid, f: impl FnOnce(&mut (Envelope, State, DateTime<Utc>))) -> Result<(), OutboxError> {
        let mut rows = self.rows.lock().unwrap();
        let row = rows
            .iter_mut()
            .find(|r| r.0.id == id)
            .ok_or_else(|| OutboxError("no such row".into()))?;
        f(row);
        Ok(())
    }
}

impl Outbox for MemoryOutbox {
    async fn claim(&self, limit: u32, lease: Duration) -> Result<Vec<Envelope>, OutboxError> {
        let now = Utc::now();
        let mut rows = self.rows.lock().unwrap();
        let mut claimed = Vec::new();
        for row in rows.iter_mut() {
            let due = matches!(row.1, State::Queued { due } if due <= now);
            if due && row.2 <= now && claimed.len() < limit as usize {
                row.2 = now + chrono::Duration::from_std(lease).unwrap();
                claimed.push(row.0.clone());
            }
        }
        Ok(claimed)
    }

    async fn mark_sent(&self, claimed: &Envelope) -> Result<(), OutboxError> {
        self.update(claimed.id, |row| row.1 = State::Sent)
    }

    async fn retry_at(&self, claimed: &Envelope, at: DateTime<Utc>, _error: &str) -> Result<(), OutboxError> {
        self.update(claimed.id, |row| {
            row.0.attempts += 1;
            row.1 = State::Queued { due: at };
        })
    }

    async fn mark_failed(&self, claimed: &Envelope, error: &str) -> Result<(), OutboxError> {
        self.update(claimed.id, |row| {
            row.0.attempts += 1;
            row.1 = State::Failed(error.to_owned());
        })
    }
}

fn waitlisted(to: &str) -> Envelope {
    Envelope {
        id: Uuid::now_v7(),
        to_email: to.into(),
        to_name: Some("Karim Benali".into()),
        locale: Locale::Fr,
        message: Message::Waitlisted {
            recipient_name: "Karim Benali".into(),
            event: matinale(),
            position: 3,
            manage_url: "https://matinale.example.org/r/abc".into(),
        },
        attempts: 0,
    }
}

fn config() -> WorkerConfig {
    WorkerConfig {
        from: "Matinale <noreply@matinale.example.org>".into(),
        message_id_domain: "matinale.example.org".into(),
        ..WorkerConfig::default()
    }
}

fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn mail_waits_while_smtp_is_down_and_goes_out_once_when_it_returns() {
    let Some(sink) = SmtpSink::start(&[]) else { return };
    let outbox = MemoryOutbox::with(vec![waitlisted("a@vitry.example"), waitlisted("b@orly.example")]);
    let down = Mailer::smtp(&format!("smtp://127.0.0.1:{}", closed_port()), Duration::from_secs(2)).unwrap();
    let report = deliver_batch(&outbox, &down, &config()).await.unwrap();
    assert_eq!(
        report,
        BatchReport {
            sent: 0,
            retried: 2,
            failed: 0
        }
    );
    for i in 0..2 {
        let State::Queued { due } = outbox.state(i) else {
            panic!("still queued")
        };
        assert!(due > Utc::now(), "retried later, with back-off");
        assert_eq!(outbox.attempts(i), 1);
    }
    let up = Mailer::smtp(&sink.url(), Duration::from_secs(10)).unwrap();
    let early = deliver_batch(&outbox, &up, &config()).await.unwrap();
    assert_eq!(early.handled(), 0, "nothing is due before its back-off");
    outbox.fast_forward();
    let report = deliver_batch(&outbox, &up, &config()).await.unwrap();
    assert_eq!(report.sent, 2);
    outbox.fast_forward();
    assert_eq!(
        deliver_batch(&outbox, &up, &config()).await.unwrap().handled(),
        0,
        "sent rows are never claimed again"
    );
    let received = sink.wait_for(2, Duration::from_secs(10));
    assert_eq!(sink.received(), 2, "each mail exactly once");
    let ids: Vec<String> = received
        .iter()
        .map(|(raw, _)| {
            let text = String::from_utf8_lossy(raw).to_string();
            text.lines()
                .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(
        ids.iter()
            .all(|l| l.contains("@matinale.example.org>") && l.contains("outbox-")),
        "{ids:?}"
    );
}

#[tokio::test]
async fn a_permanent_refusal_or_too_many_attempts_gives_up() {
    let Some(sink) = SmtpSink::start(&["--rcpt-reply", "550 5.1.1 no such user"]) else {
        return;
    };
    let outbox = MemoryOutbox::with(vec![waitlisted("nobody@vitry.example")]);
    let refusing = Mailer::smtp(&sink.url(), Duration::from_secs(10)).unwrap();
    let report = deliver_batch(&outbox, &refusing, &config()).await.unwrap();
    assert_eq!(report.failed, 1);
    assert!(
        matches!(outbox.state(0), State::Failed(ref e) if e.contains("550")),
        "{:?}",
        outbox.state(0)
    );

    let outbox = MemoryOutbox::with(vec![waitlisted("a@vitry.example")]);
    let down = Mailer::smtp(&format!("smtp://127.0.0.1:{}", closed_port()), Duration::from_secs(2)).unwrap();
    let cfg = WorkerConfig {
        max_attempts: 2,
        ..config()
    };
    assert_eq!(deliver_batch(&outbox, &down, &cfg).await.unwrap().retried, 1);
    outbox.fast_forward();
    assert_eq!(deliver_batch(&outbox, &down, &cfg).await.unwrap().failed, 1);
    assert_eq!(outbox.attempts(0), 2);
}

#[tokio::test]
async fn a_claimed_row_is_not_handed_out_twice_until_its_lease_expires() {
    let outbox = MemoryOutbox::with(vec![waitlisted("a@vitry.example")]);
    let first = outbox.claim(10, Duration::from_secs(60)).await.unwrap();
    let second = outbox.claim(10, Duration::from_secs(60)).await.unwrap();
    assert_eq!((first.len(), second.len()), (1, 0));
    outbox.fast_forward(); // the first worker died: its lease runs out
    assert_eq!(outbox.claim(10, Duration::from_secs(60)).await.unwrap().len(), 1);
}
