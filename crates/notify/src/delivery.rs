//! Delivery of rendered mail: over SMTP (lettre) when `MATINALE_SMTP_URL` is set, otherwise
//! as `.eml` files in `MATINALE_MAIL_DIR` (default `./mail-out`), handy in development.
//!
//! [`Mailer::send`] does one attempt. Retrying is the outbox worker's job: it asks
//! [`DeliveryError::is_transient`] whether another attempt can help and waits [`backoff`].
//! Sending is at-least-once (a crash between the server's "250" and the outbox update sends
//! the mail again), so every mail carries the caller's stable `Message-ID`, which lets
//! receiving systems drop the duplicate; the directory transport overwrites the same file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{header, Attachment as MimeAttachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp;
use lettre::transport::smtp::PoolConfig;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::templates::RenderedMail;

/// Where mail goes, read once at start-up and handed to [`Mailer::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailerConfig {
    /// `smtp://host:port` (plain, for a local relay), `smtp://host:587?tls=required`
    /// (STARTTLS), `smtps://host:465`, optionally with `user:password@`. `None`: write files.
    pub smtp_url: Option<String>,
    /// Directory of `.eml` files when there is no SMTP URL.
    pub mail_dir: PathBuf,
    /// Longest wait for any SMTP exchange.
    pub timeout: Duration,
}

/// One mail to one person, as the outbox hands it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// Recipient address.
    pub to_email: String,
    /// Recipient display name, if known.
    pub to_name: Option<String>,
    /// Sender, `"Matinale <noreply@example.org>"` or a bare address (`MATINALE_MAIL_FROM`).
    pub from: String,
    /// Stable identifier of this mail, e.g. `<outbox-0190f…@matinale>`: the same on every
    /// attempt, so duplicates can be recognised. Angle brackets are added if missing.
    pub message_id: String,
    /// Subject, bodies and attachments.
    pub rendered: RenderedMail,
}

/// Why a mail was not delivered, and whether trying again later can help.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// An address (sender or recipient) is not a valid email address. Permanent.
    #[error("invalid {role} address {value:?}: {source}")]
    InvalidAddress {
        /// `"recipient"` or `"sender"`.
        role: &'static str,
        /// The address as given.
        value: String,
        /// What is wrong with it.
        #[source]
        source: lettre::address::AddressError,
    },
    /// The Message-ID is not of the form `<left@right>`. Permanent.
    #[error("invalid Message-ID {0:?}: expected <left@right> without spaces")]
    InvalidMessageId(String),
    /// An attachment's MIME type does not parse. Permanent.
    #[error("invalid content type {0:?} for an attachment")]
    InvalidContentType(String),
    /// A header field name is not valid. Permanent.
    #[error("invalid header name {0:?}")]
    InvalidHeader(String),
    /// The MIME message could not be assembled. Permanent.
    #[error("the message could not be built: {0}")]
    InvalidMessage(#[source] lettre::error::Error),
    /// The server answered 5xx (unknown mailbox, message refused). Permanent.
    #[error("the mail server refused the message: {0}")]
    Rejected(#[source] smtp::Error),
    /// No answer, connection refused or closed, timeout, TLS failure, or a 4xx reply
    /// (greylisting, mailbox busy). Transient: try again later.
    #[error("the mail server is unavailable or deferred the message: {0}")]
    Unavailable(#[source] smtp::Error),
    /// The TCP connection to the server could not be opened, or timed out (connecting, or
    /// during one mail's exchange). Transient.
    #[error("the mail server is unavailable: cannot connect ({0})")]
    Connect(#[source] std::io::Error),
    /// The `.eml` file could not be written (disk full, permissions). Transient.
    #[error("could not write the mail file {path}: {source}")]
    MailDirectory {
        /// File or directory that failed.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// `MATINALE_SMTP_URL` cannot be used.
    #[error("invalid MATINALE_SMTP_URL: {0}")]
    Configuration(String),
}

impl DeliveryError {
    /// True when the same mail may go through later unchanged: the worker should retry
    /// after [`backoff`]. False when retrying cannot help: mark the mail failed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            DeliveryError::Unavailable(_) | DeliveryError::Connect(_) | DeliveryError::MailDirectory { .. }
        )
    }

    /// A failed SMTP exchange: a 5xx reply is [`DeliveryError::Rejected`], anything else
    /// (4xx, connection, TLS) [`DeliveryError::Unavailable`].
    pub(crate) fn from_smtp(error: smtp::Error) -> Self {
        if error.is_permanent() {
            DeliveryError::Rejected(error)
        } else {
            DeliveryError::Unavailable(error)
        }
    }

    /// The SMTP reply code when the server gave one (`451`, `550`…).
    pub fn smtp_code(&self) -> Option<u16> {
        match self {
            DeliveryError::Rejected(error) | DeliveryError::Unavailable(error) => error.status().map(|code| {
                let digits = code.to_string();
                digits.parse().unwrap_or_default()
            }),
            _ => None,
        }
    }
}

enum Transport {
    /// `smtp://`: our connections (`TCP_NODELAY`), pooled ([`crate::smtp_pool`]).
    Pooled {
        pool: crate::smtp_pool::Pool,
        description: String,
    },
    /// `smtps://`: lettre's transport and pool.
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        description: String,
    },
    Directory(PathBuf),
}

/// SMTP connections a [`Mailer`] keeps open and reuses, at most: as many as the worker sends
/// at once (`WorkerConfig::concurrency`); idle ones close after a minute.
pub const SMTP_CONNECTIONS: u32 = 8;

/// Sends rendered mail over SMTP or writes it to a directory. Cheap to share behind an
/// `Arc`; SMTP connections are pooled and reused from one mail to the next.
pub struct Mailer {
    transport: Transport,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("transport", &self.describe()).finish()
    }
}

impl Mailer {
    /// The transport `config` asks for.
    pub fn new(config: &MailerConfig) -> Result<Self, DeliveryError> {
        match &config.smtp_url {
            Some(url) => Self::smtp(url, config.timeout),
            None => Ok(Self::directory(&config.mail_dir)),
        }
    }

    /// SMTP through `url` (see [`MailerConfig::smtp_url`] for the forms accepted). Must be
    /// called inside a Tokio runtime: the connection pool's upkeep runs on it.
    pub fn smtp(url: &str, timeout: Duration) -> Result<Self, DeliveryError> {
        let description = describe_url(url);
        if let Some(target) = crate::smtp_pool::Target::parse(url, timeout).map_err(DeliveryError::Configuration)? {
            let pool = crate::smtp_pool::Pool::builder(crate::smtp_pool::Manager(target))
                .max_size(SMTP_CONNECTIONS as usize)
                .build()
                .map_err(|e| DeliveryError::Configuration(e.to_string()))?;
            return Ok(Mailer {
                transport: Transport::Pooled { pool, description },
            });
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| DeliveryError::Configuration(e.to_string()))?
            .timeout(Some(timeout))
            .pool_config(
                PoolConfig::new()
                    .max_size(SMTP_CONNECTIONS)
                    .idle_timeout(Duration::from_secs(60)),
            )
            .build();
        Ok(Mailer {
            transport: Transport::Smtp {
                transport,
                description: describe_url(url),
            },
        })
    }

    /// `.eml` files in `dir`, created if missing, one per Message-ID.
    pub fn directory(dir: impl AsRef<Path>) -> Self {
        Mailer {
            transport: Transport::Directory(dir.as_ref().to_path_buf()),
        }
    }

    /// Where mail goes, for logs: `smtp://host:port` without credentials, or `dir:…`.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp { description, .. } | Transport::Pooled { description, .. } => description.clone(),
            Transport::Directory(dir) => format!("dir:{}", dir.display()),
        }
    }

    /// One delivery attempt of `mail`.
    #[tracing::instrument(skip_all, fields(message_id = %mail.message_id, transport = %self.describe()))]
    pub async fn send(&self, mail: &OutgoingMail) -> Result<(), DeliveryError> {
        let message = build_message(mail)?;
        match &self.transport {
            Transport::Pooled { pool, .. } => {
                let timeout = pool.manager().0.timeout;
                let mut connection = pool.get().await.map_err(|error| match error {
                    deadpool::managed::PoolError::Backend(error) => error,
                    other => DeliveryError::Connect(std::io::Error::other(other.to_string())),
                })?;
                let sent =
                    tokio::time::timeout(timeout, connection.send(message.envelope(), &message.formatted())).await;
                match sent {
                    Ok(Ok(response)) => {
                        tracing::debug!(code = %response.code(), "mail accepted by the SMTP server");
                        Ok(())
                    }
                    Ok(Err(error)) => {
                        // A refused message leaves the connection usable; anything else may not.
                        if !error.is_permanent() {
                            let _ = deadpool::managed::Object::take(connection);
                        }
                        Err(DeliveryError::from_smtp(error))
                    }
                    Err(_) => {
                        let _ = deadpool::managed::Object::take(connection);
                        Err(DeliveryError::Connect(std::io::ErrorKind::TimedOut.into()))
                    }
                }
            }
            Transport::Smtp { transport, .. } => {
                let response = transport.send(message).await.map_err(DeliveryError::from_smtp)?;
                tracing::debug!(code = %response.code(), "mail accepted by the SMTP server");
                Ok(())
            }
            Transport::Directory(dir) => {
                let path = dir.join(eml_file_name(&mail.message_id));
                write_atomically(dir, &path, &message.formatted()).await?;
                tracing::debug!(path = %path.display(), "mail written to the mail directory");
                Ok(())
            }
        }
    }
}

fn describe_url(url: &str) -> String {
    // Credentials must not reach the logs: keep scheme, host and port only.
    let (scheme, rest) = url.split_once("://").unwrap_or(("smtp", url));
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    format!("{scheme}://{host}")
}

/// `<outbox-1@matinale>` → `outbox-1@matinale.eml`; anything unusual becomes `_`.
fn eml_file_name(message_id: &str) -> String {
    let stem: String = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let stem = stem.trim_start_matches('.');
    format!("{stem}.eml")
}

async fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> Result<(), DeliveryError> {
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DeliveryError::MailDirectory { path, source }
    };
    tokio::fs::create_dir_all(dir).await.map_err(failed(dir))?;
    // Write then rename, so a reader (or a crash) never sees half a message.
    let temporary = path.with_extension("eml.tmp");
    tokio::fs::write(&temporary, bytes).await.map_err(failed(&temporary))?;
    tokio::fs::rename(&temporary, path).await.map_err(failed(path))
}

/// `Auto-Submitted: auto-generated` (RFC 3834): tells out-of-office responders not to answer.
#[derive(Clone)]
struct AutoSubmitted;

impl header::Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

fn message_id(raw: &str) -> Result<String, DeliveryError> {
    let trimmed = raw.trim();
    let inner = trimmed
        .strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .unwrap_or(trimmed);
    let valid = inner
        .split_once('@')
        .is_some_and(|(left, right)| !left.is_empty() && !right.is_empty())
        && inner
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '\\'));
    if valid {
        Ok(format!("<{inner}>"))
    } else {
        Err(DeliveryError::InvalidMessageId(raw.to_owned()))
    }
}

/// The MIME message for `mail`: `multipart/mixed` holding a `multipart/alternative`
/// (text, then HTML) and one part per attachment; without attachments, just the
/// `multipart/alternative`. Public so the `.eml` a test or a preview sees is the real one.
pub fn build_message(mail: &OutgoingMail) -> Result<lettre::Message, DeliveryError> {
    let address: Address = mail
        .to_email
        .trim()
        .parse()
        .map_err(|source| DeliveryError::InvalidAddress {
            role: "recipient",
            value: mail.to_email.clone(),
            source,
        })?;
    let to_name = mail
        .to_name
        .as_deref()
        .map(|name| name.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|name| !name.is_empty());
    let to = Mailbox::new(to_name, address);
    let from: Mailbox = mail
        .from
        .trim()
        .parse()
        .map_err(|source| DeliveryError::InvalidAddress {
            role: "sender",
            value: mail.from.clone(),
            source,
        })?;

    let rendered = &mail.rendered;
    let alternative = MultiPart::alternative()
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(rendered.text.clone()),
        )
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(rendered.html.clone()),
        );
    let body = if rendered.attachments.is_empty() {
        alternative
    } else {
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for attachment in &rendered.attachments {
            let content_type = ContentType::parse(&attachment.content_type)
                .map_err(|_| DeliveryError::InvalidContentType(attachment.content_type.clone()))?;
            mixed = mixed.singlepart(
                MimeAttachment::new(attachment.filename.clone()).body(attachment.bytes.clone(), content_type),
            );
        }
        mixed
    };

    let mut builder = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(rendered.subject.clone())
        .message_id(Some(message_id(&mail.message_id)?))
        .header(AutoSubmitted);
    for (name, value) in &rendered.headers {
        // Names are ours (constants of the templates); a value on one line only.
        let value: String = value.chars().filter(|c| !c.is_control()).collect();
        let name = HeaderName::new_from_ascii(name.clone()).map_err(|_| DeliveryError::InvalidHeader(name.clone()))?;
        builder = builder.raw_header(HeaderValue::new(name, value));
    }
    builder.multipart(body).map_err(DeliveryError::InvalidMessage)
}

/// How long to wait before the next attempt after `attempt` failed ones (1 for the first
/// failure): 30 s, 1 min, 2 min, 4 min… capped at 1 h, then "equal jitter" — half of that
/// delay fixed, the other half drawn from `jitter_seed` — so that mails queued together and
/// failing together (server down) do not all come back in the same second. Pure: the same
/// seed (e.g. derived from the outbox id) and attempt give the same delay.
pub fn backoff(attempt: u32, jitter_seed: u64) -> Duration {
    backoff_from(DEFAULT_RETRY_BASE, attempt, jitter_seed)
}

/// The first retry delay of [`backoff`]: 30 s.
pub const DEFAULT_RETRY_BASE: Duration = Duration::from_secs(30);

/// [`backoff`] starting from `base` instead of 30 s (still doubling, capped at 1 h, with
/// equal jitter); a short base lets tests watch retries happen without waiting minutes.
pub fn backoff_from(base: Duration, attempt: u32, jitter_seed: u64) -> Duration {
    const CAP_MILLIS: u64 = 3_600_000;
    let base_millis = u64::try_from(base.as_millis())
        .unwrap_or(CAP_MILLIS)
        .clamp(1, CAP_MILLIS);
    let doublings = attempt.saturating_sub(1).min(32);
    let ceiling = base_millis.saturating_mul(1u64 << doublings).min(CAP_MILLIS);
    let half = ceiling / 2;
    let jitter = splitmix64(jitter_seed ^ u64::from(attempt).rotate_left(32)) % (half + 1);
    Duration::from_millis(ceiling - half + jitter)
}

/// A small, well-mixed hash (the SplitMix64 finaliser), enough to spread jitter.
fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_then_stays_under_an_hour() {
        for seed in [0, 1, 42, u64::MAX] {
            let mut previous_floor = Duration::ZERO;
            for attempt in 1..=40 {
                let delay = backoff(attempt, seed);
                let ceiling = Duration::from_millis((30_000u64 << (attempt - 1).min(20)).min(3_600_000));
                assert!(delay <= ceiling, "attempt {attempt}: {delay:?} > {ceiling:?}");
                assert!(delay >= ceiling / 2, "attempt {attempt}: {delay:?} < half");
                assert!(ceiling / 2 >= previous_floor);
                previous_floor = ceiling / 2;
            }
        }
        assert!(backoff(u32::MAX, 7) <= Duration::from_secs(3600));
        assert!(backoff(0, 7) <= Duration::from_secs(30));
    }

    #[test]
    fn a_shorter_base_scales_the_delays() {
        let base = Duration::from_millis(100);
        for attempt in 1..=5 {
            let delay = backoff_from(base, attempt, 3);
            let ceiling = base * (1 << (attempt - 1));
            assert!(delay <= ceiling && delay >= ceiling / 2, "attempt {attempt}: {delay:?}");
        }
        assert_eq!(backoff_from(DEFAULT_RETRY_BASE, 4, 9), backoff(4, 9));
        assert!(backoff_from(Duration::ZERO, 1, 9) <= Duration::from_millis(1));
    }

    #[test]
    fn backoff_is_deterministic_and_spread_by_the_seed() {
        assert_eq!(backoff(3, 99), backoff(3, 99));
        let distinct: std::collections::BTreeSet<_> = (0..50).map(|seed| backoff(5, seed)).collect();
        assert!(distinct.len() > 40);
    }

    #[test]
    fn message_ids_get_angle_brackets_and_reject_spaces() {
        assert_eq!(message_id("outbox-1@matinale").ok(), Some("<outbox-1@matinale>".into()));
        assert_eq!(message_id("<a@b>").ok(), Some("<a@b>".into()));
        assert!(message_id("a b@c").is_err());
        assert!(message_id("<a@b>\r\nBcc: x@y").is_err());
        assert!(message_id("no-at-sign").is_err());
    }

    #[test]
    fn eml_names_come_from_the_message_id() {
        assert_eq!(eml_file_name("<outbox-1@matinale>"), "outbox-1@matinale.eml");
        assert_eq!(eml_file_name("<../../etc/passwd@x>"), "_.._etc_passwd@x.eml");
    }

    #[tokio::test]
    async fn smtp_urls_accept_plain_starttls_and_implicit_tls() {
        let timeout = Duration::from_secs(5);
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp://relay.example.org:587?tls=required",
            "smtps://user:secret@mail.example.org:465",
        ] {
            assert!(Mailer::smtp(url, timeout).is_ok(), "{url}");
        }
        assert!(matches!(
            Mailer::smtp("http://mail.example.org", timeout),
            Err(DeliveryError::Configuration(_))
        ));
    }

    #[test]
    fn logged_urls_hide_credentials() {
        assert_eq!(
            describe_url("smtps://user:secret@mail.example.org:465?tls=wrapper"),
            "smtps://mail.example.org:465"
        );
        assert_eq!(describe_url("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
    }
}
