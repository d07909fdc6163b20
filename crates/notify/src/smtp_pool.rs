//! SMTP connections of our own making, pooled: lettre speaks the protocol
//! ([`AsyncSmtpConnection`]), `deadpool` keeps and reuses the connections, and this module
//! only opens the TCP stream, with `TCP_NODELAY`.
//!
//! Why not lettre's own pool: lettre opens its sockets without `TCP_NODELAY`, and sends a
//! message's body and its `\r\n.\r\n` terminator in two writes before reading the reply. Nagle's
//! algorithm then holds the terminator until the server acknowledges the body, which a server
//! delays by up to 40 ms on Linux (delayed ACK): each mail took ~43 ms on a connection to a
//! local relay instead of ~1 ms, whatever the relay's speed (BENCHMARKS.md, "Mail at the pace of
//! the relay").
//!
//! Used for `smtp://` URLs, with or without STARTTLS (`?tls=required` or `?tls=opportunistic`)
//! and credentials, read as lettre reads them; `smtps://` (TLS from the first byte) stays with
//! lettre's transport (see [`crate::delivery::Mailer::smtp`]).

use std::time::Duration;

use deadpool::managed::{self, Metrics, RecycleError, RecycleResult};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::{self, SMTP_PORT, SUBMISSION_PORT};

use crate::delivery::DeliveryError;

/// How an `smtp://` URL asks for STARTTLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StartTls {
    /// Plain text (a relay on loopback or a private network).
    Never,
    /// When the server offers it.
    Opportunistic,
    /// Always; a server that does not offer it is an error.
    Required,
}

/// Where and how to connect, read from an `smtp://` URL.
#[derive(Clone)]
pub(crate) struct Target {
    host: String,
    port: u16,
    starttls: StartTls,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// Connecting, and each whole exchange of one mail.
    pub(crate) timeout: Duration,
}

impl Target {
    /// `smtp://[user:password@]host[:port][/hello-name][?tls=required|opportunistic]`, the
    /// forms lettre's `from_url` reads for `smtp://`; `None` for another scheme (`smtps://`).
    pub(crate) fn parse(url: &str, timeout: Duration) -> Result<Option<Target>, String> {
        let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
        if parsed.scheme() != "smtp" {
            return Ok(None);
        }
        let host = parsed.host_str().ok_or("the URL names no host")?.to_owned();
        let starttls = match parsed
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned())
        {
            None => StartTls::Never,
            Some(v) if v == "required" => StartTls::Required,
            Some(v) if v == "opportunistic" => StartTls::Opportunistic,
            Some(other) => return Err(format!("unknown tls={other:?} (required or opportunistic)")),
        };
        let default_port = if starttls == StartTls::Never {
            SMTP_PORT
        } else {
            SUBMISSION_PORT
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|e| e.to_string())
        };
        let credentials = match parsed.password() {
            Some(password) => Some(Credentials::new(decode(parsed.username())?, decode(password)?)),
            None => None,
        };
        let path = parsed.path().trim_matches('/');
        let hello = if path.is_empty() {
            ClientId::default()
        } else {
            ClientId::Domain(path.to_owned())
        };
        Ok(Some(Target {
            port: parsed.port().unwrap_or(default_port),
            host,
            starttls,
            credentials,
            hello,
            timeout,
        }))
    }

    /// A new connection: TCP with `TCP_NODELAY`, the greeting and `EHLO`, STARTTLS and `AUTH`
    /// as the URL asks.
    async fn connect(&self) -> Result<AsyncSmtpConnection, DeliveryError> {
        let open = async {
            let stream = tokio::net::TcpStream::connect((self.host.as_str(), self.port)).await?;
            stream.set_nodelay(true)?;
            Ok::<_, std::io::Error>(stream)
        };
        let stream = tokio::time::timeout(self.timeout, open)
            .await
            .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()))
            .map_err(DeliveryError::Connect)?;
        let hello = async {
            let mut connection = AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello).await?;
            let starttls = match self.starttls {
                StartTls::Never => false,
                StartTls::Opportunistic => connection.can_starttls(),
                StartTls::Required => true,
            };
            if starttls {
                let parameters = TlsParameters::new(self.host.clone())?;
                connection.starttls(parameters, &self.hello).await?;
            }
            if let Some(credentials) = &self.credentials {
                connection
                    .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                    .await?;
            }
            Ok::<_, smtp::Error>(connection)
        };
        match tokio::time::timeout(self.timeout, hello).await {
            Ok(done) => done.map_err(DeliveryError::from_smtp),
            Err(_) => Err(DeliveryError::Connect(std::io::ErrorKind::TimedOut.into())),
        }
    }
}

/// The pool's manager: opens connections and checks them before reuse.
pub(crate) struct Manager(pub(crate) Target);

/// A connection idle longer than this is closed rather than reused (relays drop idle clients).
const IDLE: Duration = Duration::from_secs(60);

impl managed::Manager for Manager {
    type Type = AsyncSmtpConnection;
    type Error = DeliveryError;

    async fn create(&self) -> Result<AsyncSmtpConnection, DeliveryError> {
        self.0.connect().await
    }

    async fn recycle(&self, connection: &mut AsyncSmtpConnection, metrics: &Metrics) -> RecycleResult<DeliveryError> {
        if connection.has_broken() {
            return Err(RecycleError::message("the connection broke"));
        }
        if metrics.last_used() > IDLE {
            connection.quit().await.ok();
            return Err(RecycleError::message("idle too long"));
        }
        Ok(())
    }
}

pub(crate) type Pool = managed::Pool<Manager>;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Option<Target> {
        Target::parse(url, Duration::from_secs(1)).expect(url)
    }

    #[test]
    fn smtp_urls_read_as_lettre_reads_them() {
        let plain = parse("smtp://relay.example").expect("smtp");
        assert_eq!(
            (plain.host.as_str(), plain.port, plain.starttls),
            ("relay.example", 25, StartTls::Never)
        );
        assert!(plain.credentials.is_none());

        let submission = parse("smtp://user%40x:p%3Ass@mail.example?tls=required").expect("smtp");
        assert_eq!((submission.port, submission.starttls), (587, StartTls::Required));
        assert_eq!(
            submission.credentials,
            Some(Credentials::new("user@x".into(), "p:ss".into()))
        );

        let opportunistic = parse("smtp://127.0.0.1:2525/matinale.example?tls=opportunistic").expect("smtp");
        assert_eq!(
            (opportunistic.port, opportunistic.starttls),
            (2525, StartTls::Opportunistic)
        );
        assert_eq!(opportunistic.hello, ClientId::Domain("matinale.example".into()));
    }

    #[test]
    fn smtps_is_left_to_lettre_and_unknown_tls_modes_are_refused() {
        assert!(parse("smtps://mail.example").is_none());
        assert!(Target::parse("smtp://mail.example?tls=sometimes", Duration::from_secs(1)).is_err());
        assert!(Target::parse("not a url", Duration::from_secs(1)).is_err());
    }
}
