//! Configuration, read once from the environment at start and passed down.

use std::path::PathBuf;
use std::time::Duration;

use crate::proxies::TrustedProxies;

/// Everything the server needs to know about its surroundings.
#[derive(Debug, Clone)]
pub struct Config {
    /// `MATINALE_DATABASE_URL`, default `sqlite://matinale.db?mode=rwc`.
    pub database_url: String,
    /// `MATINALE_BIND`, default `127.0.0.1:8080`.
    pub bind: String,
    /// `MATINALE_PUBLIC_URL`, the base of links in mails and calendars.
    pub public_url: String,
    /// `MATINALE_MANAGE_URL`: the template of the links mails give to a registration's page,
    /// with `{id}`, `{event_id}` and `{token}`, such as
    /// `https://mois-ess.example.org/inscription/{id}#token={token}`. Unset: the built-in page,
    /// `{public_url}/r/{id}?e={event_id}#token={token}` (see [`matinale_notify::links::manage_link`]).
    pub manage_url: Option<String>,
    /// `MATINALE_SMTP_URL`; unset: mail is written as files.
    pub smtp_url: Option<String>,
    /// `MATINALE_MAIL_DIR`, default `./mail-out`.
    pub mail_dir: PathBuf,
    /// `MATINALE_MAIL_FROM`.
    pub mail_from: String,
    /// `MATINALE_ADMIN_EMAIL` and `MATINALE_ADMIN_PASSWORD`: bootstrap admin.
    pub admin: Option<(String, String)>,
    /// `MATINALE_WORKER`: run the background worker in this process (`on` by default).
    pub worker: bool,
    /// Outbox rows the worker claims at a time (default 100; sent 8 at a time, their
    /// deliveries written together).
    pub worker_batch: u32,
    /// How long a claim holds its rows (default 2 min); a crashed worker's rows come back after it.
    pub worker_lease: Duration,
    /// Pause of the worker when nothing is due (default 2 s).
    pub worker_idle: Duration,
    /// First retry delay after a failed delivery, doubled each time up to 1 h (default 30 s).
    pub mail_retry_base: Duration,
    /// How often the worker looks for events whose day-before reminders are due (default 1 min).
    pub reminder_sweep: Duration,
    /// Largest JSON body accepted, in bytes.
    pub body_limit: usize,
    /// Attempts at `/auth/token` allowed per client address per minute.
    pub login_attempts_per_minute: u32,
    /// Attempts at `/auth/token` allowed per e-mail (lower-cased) per minute, whatever the address.
    pub login_attempts_per_email_per_minute: u32,
    /// Password checks (Argon2, 19 MiB each) run at once; further sign-ins wait their turn.
    pub password_checks: usize,
    /// `MATINALE_TRUSTED_PROXIES`: proxies whose `X-Forwarded-For` names the client address
    /// (for the sign-in and registration limits); none by default.
    pub trusted_proxies: TrustedProxies,
    /// `MATINALE_REGISTRATION_RATE`: registrations a client address may post per minute
    /// (default 300, in bursts of up to 100: a whole town hall may sit behind one address);
    /// `0` turns the limit off.
    pub registration_rate_per_minute: u32,
    /// Outcomes a registration may record with its manage token per minute (default 10, the
    /// whole quota at once at most); `0` turns the limit off. Organisers are not limited.
    pub outcome_writes_per_minute: u32,
    /// `MATINALE_METRICS_BIND`: where `GET /metrics` (Prometheus text) listens, apart from the
    /// API; `None` (unset): no metrics listener.
    pub metrics_bind: Option<String>,
    /// `MATINALE_COMPANY_API_URL`: base URL of the public company search service ("API
    /// Recherche d'entreprises", `https://recherche-entreprises.api.gouv.fr`), asked for what an
    /// import line or a new organisation with a SIRET lacks; `None` (unset): no look-up.
    pub company_api_url: Option<String>,
    /// `MATINALE_COMPANY_API_TIMEOUT_MS`: how long one look-up may take (default 2 s); past it
    /// the line or the organisation goes on with what it had.
    pub company_api_timeout: Duration,
    /// Look-ups sent a second at most (default 7, the service's limit per client).
    pub company_api_rate_per_second: u32,
    /// Look-ups one import makes at most (default 100); the further lines go on with what
    /// they have (the report counts them as `skipped`).
    pub company_lookups_per_import: usize,
    /// Answers of the service kept in memory, found or not (default 10,000 SIRETs)...
    pub company_cache_size: usize,
    /// ... each for this long (default 24 h).
    pub company_cache_ttl: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://matinale.db?mode=rwc".into(),
            bind: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            manage_url: None,
            smtp_url: None,
            mail_dir: PathBuf::from("./mail-out"),
            mail_from: "Matinale <no-reply@matinale.localhost>".into(),
            admin: None,
            worker: true,
            worker_batch: 100,
            worker_lease: Duration::from_secs(120),
            worker_idle: Duration::from_secs(2),
            mail_retry_base: Duration::from_secs(30),
            reminder_sweep: Duration::from_secs(60),
            body_limit: 256 * 1024,
            login_attempts_per_minute: 10,
            login_attempts_per_email_per_minute: 5,
            password_checks: 4,
            trusted_proxies: TrustedProxies::default(),
            registration_rate_per_minute: 300,
            outcome_writes_per_minute: 10,
            metrics_bind: None,
            company_api_url: None,
            company_api_timeout: Duration::from_secs(2),
            company_api_rate_per_second: 7,
            company_lookups_per_import: 100,
            company_cache_size: 10_000,
            company_cache_ttl: Duration::from_secs(24 * 3600),
        }
    }
}

impl Config {
    /// What the mail worker of this configuration needs (the binary starts it).
    pub fn worker_settings(&self) -> matinale_worker::Settings {
        matinale_worker::Settings {
            public_url: self.public_url.clone(),
            manage_url: self.manage_url.clone(),
            smtp_url: self.smtp_url.clone(),
            mail_dir: self.mail_dir.clone(),
            mail_from: self.mail_from.clone(),
            batch: self.worker_batch,
            lease: self.worker_lease,
            idle: self.worker_idle,
            retry_base: self.mail_retry_base,
            reminder_sweep: self.reminder_sweep,
        }
    }

    /// Reads `MATINALE_*` variables, falling back to the defaults.
    pub fn from_env() -> Self {
        Self::from_lookup(|key| std::env::var(key).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads the configuration through `lookup`, so that tests need not touch the environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let d = Config::default();
        let bind = lookup("MATINALE_BIND").unwrap_or(d.bind);
        Self {
            database_url: lookup("MATINALE_DATABASE_URL").unwrap_or(d.database_url),
            public_url: lookup("MATINALE_PUBLIC_URL")
                .unwrap_or_else(|| format!("http://{bind}"))
                .trim_end_matches('/')
                .to_owned(),
            bind,
            manage_url: lookup("MATINALE_MANAGE_URL").map(|template| {
                if !template.contains("{id}") || !template.contains("{token}") {
                    tracing::warn!(%template, "MATINALE_MANAGE_URL lacks {{id}} or {{token}}: its links cannot open a registration");
                }
                template.trim().to_owned()
            }),
            smtp_url: lookup("MATINALE_SMTP_URL"),
            mail_dir: lookup("MATINALE_MAIL_DIR").map(PathBuf::from).unwrap_or(d.mail_dir),
            mail_from: lookup("MATINALE_MAIL_FROM").unwrap_or(d.mail_from),
            admin: lookup("MATINALE_ADMIN_EMAIL").zip(lookup("MATINALE_ADMIN_PASSWORD")),
            worker: !matches!(lookup("MATINALE_WORKER").as_deref(), Some("off" | "false" | "0")),
            worker_batch: d.worker_batch,
            worker_lease: d.worker_lease,
            worker_idle: d.worker_idle,
            mail_retry_base: d.mail_retry_base,
            reminder_sweep: d.reminder_sweep,
            body_limit: d.body_limit,
            login_attempts_per_minute: d.login_attempts_per_minute,
            login_attempts_per_email_per_minute: d.login_attempts_per_email_per_minute,
            password_checks: d.password_checks,
            trusted_proxies: lookup("MATINALE_TRUSTED_PROXIES").map_or(d.trusted_proxies, |list| {
                let (proxies, unreadable) = TrustedProxies::parse(&list);
                if !unreadable.is_empty() {
                    tracing::warn!(
                        ?unreadable,
                        "MATINALE_TRUSTED_PROXIES: entries that are neither an address nor a network are ignored"
                    );
                }
                proxies
            }),
            registration_rate_per_minute: match lookup("MATINALE_REGISTRATION_RATE") {
                Some(v) => v.trim().parse().unwrap_or_else(|_| {
                    tracing::warn!(value = %v, "MATINALE_REGISTRATION_RATE is not a number; using the default");
                    d.registration_rate_per_minute
                }),
                None => d.registration_rate_per_minute,
            },
            outcome_writes_per_minute: d.outcome_writes_per_minute,
            metrics_bind: lookup("MATINALE_METRICS_BIND").map(|bind| bind.trim().to_owned()),
            company_api_url: lookup("MATINALE_COMPANY_API_URL").map(|url| url.trim().trim_end_matches('/').to_owned()),
            company_api_timeout: match lookup("MATINALE_COMPANY_API_TIMEOUT_MS") {
                Some(v) => v.trim().parse().map(Duration::from_millis).unwrap_or_else(|_| {
                    tracing::warn!(value = %v, "MATINALE_COMPANY_API_TIMEOUT_MS is not a number of milliseconds; using the default");
                    d.company_api_timeout
                }),
                None => d.company_api_timeout,
            },
            company_api_rate_per_second: d.company_api_rate_per_second,
            company_lookups_per_import: d.company_lookups_per_import,
            company_cache_size: d.company_cache_size,
            company_cache_ttl: d.company_cache_ttl,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let c = Config::from_lookup(|k| match k {
            "MATINALE_BIND" => Some("0.0.0.0:9000".into()),
            "MATINALE_WORKER" => Some("off".into()),
            "MATINALE_ADMIN_EMAIL" => Some("a@b.fr".into()),
            _ => None,
        });
        assert_eq!(c.database_url, "sqlite://matinale.db?mode=rwc");
        assert_eq!(c.public_url, "http://0.0.0.0:9000");
        assert!(!c.worker);
        assert!(c.admin.is_none(), "the admin needs both e-mail and password");
        assert_eq!(c.registration_rate_per_minute, 300);
        assert_eq!(c.manage_url, None, "the built-in page");
        assert_eq!(c.company_api_url, None, "no SIRET look-up unless asked");
        assert_eq!(c.company_api_timeout, Duration::from_secs(2));
        let template = "https://mois-ess.example.org/inscription/{id}#token={token}";
        let c = Config::from_lookup(|k| (k == "MATINALE_MANAGE_URL").then(|| template.to_owned()));
        assert_eq!(c.manage_url.as_deref(), Some(template));
    }

    #[test]
    fn the_company_search_service_is_named_with_its_timeout() {
        let c = Config::from_lookup(|k| match k {
            "MATINALE_COMPANY_API_URL" => Some(" https://recherche-entreprises.api.gouv.fr/ ".into()),
            "MATINALE_COMPANY_API_TIMEOUT_MS" => Some("500".into()),
            _ => None,
        });
        assert_eq!(
            c.company_api_url.as_deref(),
            Some("https://recherche-entreprises.api.gouv.fr")
        );
        assert_eq!(c.company_api_timeout, Duration::from_millis(500));
    }

    #[test]
    fn the_registration_rate_is_set_or_turned_off() {
        let rate = |v: &'static str| {
            Config::from_lookup(|k| (k == "MATINALE_REGISTRATION_RATE").then(|| v.to_owned()))
                .registration_rate_per_minute
        };
        assert_eq!(rate("0"), 0);
        assert_eq!(rate("1200"), 1200);
        assert_eq!(rate("lots"), 300);
    }

    #[test]
    fn trusted_proxies_are_read_from_the_environment() {
        let c = Config::from_lookup(|k| (k == "MATINALE_TRUSTED_PROXIES").then(|| "10.0.0.0/8, ::1".to_owned()));
        assert!(c.trusted_proxies.contains("10.9.8.7".parse().unwrap()));
        assert!(c.trusted_proxies.contains("::1".parse().unwrap()));
        assert!(Config::from_lookup(|_| None).trusted_proxies.is_empty());
    }
}
