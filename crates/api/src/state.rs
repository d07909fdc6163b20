//! State shared by every handler.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use matinale_store::Store;
use tokio::sync::Semaphore;

use crate::company_register::CompanyRegister;
use crate::config::Config;
use crate::error::ApiError;

/// Bursts of registrations from one address (a room registering together) pass at once up to
/// this many.
const REGISTRATION_BURST: u32 = 100;

/// How often the limiters forget the clients that came back to a fresh state.
pub const LIMITER_PRUNE_EVERY: Duration = Duration::from_secs(60);

/// The database pool, the configuration and the rate limiters.
pub struct AppState {
    /// The store.
    pub db: Store,
    /// Configuration.
    pub config: Config,
    /// Attempts at `/auth/token` per client address.
    pub login_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Attempts at `/auth/token` per lower-cased e-mail.
    pub login_email_limiter: Arc<DefaultKeyedRateLimiter<String>>,
    /// Registrations posted per client address; `None` when turned off.
    pub registration_limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    /// Outcomes recorded with a manage token, per registration; `None` when turned off.
    pub outcome_limiter: Option<Arc<DefaultKeyedRateLimiter<uuid::Uuid>>>,
    /// Turns to check a password: Argon2 takes 19 MiB and a core for a moment each, so a flood
    /// of sign-ins queues here instead of taking the memory of the machine.
    pub password_checks: Arc<Semaphore>,
    /// The SIRET look-up in the public company register; `None` when
    /// `MATINALE_COMPANY_API_URL` is unset.
    pub company_register: Option<CompanyRegister>,
}

impl AppState {
    /// Builds the state around an open store.
    pub fn new(db: Store, config: Config) -> Self {
        let per_minute = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        let registration_limiter = NonZeroU32::new(config.registration_rate_per_minute).map(|rate| {
            let burst = NonZeroU32::new(rate.get().min(REGISTRATION_BURST)).unwrap_or(NonZeroU32::MIN);
            Arc::new(RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst)))
        });
        let outcome_limiter = NonZeroU32::new(config.outcome_writes_per_minute)
            .map(|rate| Arc::new(RateLimiter::keyed(Quota::per_minute(rate))));
        Self {
            db,
            outcome_limiter,
            login_limiter: Arc::new(RateLimiter::keyed(per_minute(config.login_attempts_per_minute))),
            login_email_limiter: Arc::new(RateLimiter::keyed(per_minute(
                config.login_attempts_per_email_per_minute,
            ))),
            registration_limiter,
            password_checks: Arc::new(Semaphore::new(config.password_checks.max(1))),
            company_register: CompanyRegister::from_config(&config),
            config,
        }
    }

    /// The client address of `req`, through the trusted proxies (`MATINALE_TRUSTED_PROXIES`).
    pub fn client_address(&self, req: &HttpRequest) -> Option<IpAddr> {
        self.config.trusted_proxies.client_of(req)
    }

    /// Counts one registration from `client` (unknown: not limited); 429 with the wait when
    /// its address has posted too many.
    pub fn admit_registration(&self, client: Option<IpAddr>) -> Result<(), ApiError> {
        let (Some(limiter), Some(ip)) = (&self.registration_limiter, client) else {
            return Ok(());
        };
        admit(limiter, &address_block(ip))
    }

    /// Counts one outcome recorded with the manage token of `registration`; 429 with the wait
    /// when it has recorded too many (`outcome_writes_per_minute`).
    pub fn admit_outcome(&self, registration: uuid::Uuid) -> Result<(), ApiError> {
        match &self.outcome_limiter {
            Some(limiter) => admit(limiter, &registration),
            None => Ok(()),
        }
    }

    /// Counts one sign-in attempt from `client` for `email`; 429 with the wait when the
    /// address or the e-mail has tried too often.
    pub fn admit_login(&self, client: Option<IpAddr>, email: &str) -> Result<(), ApiError> {
        if let Some(ip) = client {
            admit(&self.login_limiter, &address_block(ip))?;
        }
        admit(&self.login_email_limiter, &email.trim().to_lowercase())
    }

    /// Forgets the clients whose limit is back to fresh, and gives the memory back; run every
    /// [`LIMITER_PRUNE_EVERY`] by `serve`, so a flood of addresses or e-mails does not stay.
    pub fn prune_limiters(&self) {
        prune(&self.login_limiter);
        prune(&self.login_email_limiter);
        if let Some(limiter) = &self.registration_limiter {
            prune(limiter);
        }
        if let Some(limiter) = &self.outcome_limiter {
            prune(limiter);
        }
    }

    /// Keys the limiters remember, in all.
    pub fn limited_clients(&self) -> usize {
        self.login_limiter.len()
            + self.login_email_limiter.len()
            + self.registration_limiter.as_ref().map_or(0, |l| l.len())
            + self.outcome_limiter.as_ref().map_or(0, |l| l.len())
    }
}

fn admit<K: Clone + Eq + Hash>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Result<(), ApiError> {
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        ApiError::TooManyRequests(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
    })
}

fn prune<K: Clone + Eq + Hash>(limiter: &DefaultKeyedRateLimiter<K>) {
    limiter.retain_recent();
    limiter.shrink_to_fit();
}

/// The key a client is limited by: its IPv4 address, or its IPv6 /64 network (one machine
/// gets a whole /64 and could otherwise change address at each request).
fn address_block(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_is_limited_by_its_64_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(address_block(a), address_block(b));
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(address_block(v4), v4);
        assert_eq!(address_block("::ffff:192.0.2.7".parse().unwrap()), v4);
    }

    #[tokio::test]
    async fn the_limiters_forget_clients_back_to_a_fresh_state() {
        let db = matinale_store::connect("sqlite::memory:").await.unwrap();
        // 60,000 a minute: one attempt is forgotten after a millisecond.
        let state = AppState::new(
            db,
            Config {
                login_attempts_per_minute: 60_000,
                login_attempts_per_email_per_minute: 60_000,
                registration_rate_per_minute: 60_000,
                ..Config::default()
            },
        );
        for n in 0..50u8 {
            let ip = IpAddr::from([192, 0, 2, n]);
            state.admit_login(Some(ip), &format!("p{n}@example.org")).unwrap();
            state.admit_registration(Some(ip)).unwrap();
        }
        assert_eq!(state.limited_clients(), 150);
        tokio::time::sleep(Duration::from_millis(20)).await;
        state.prune_limiters();
        assert_eq!(state.limited_clients(), 0);
    }

    #[tokio::test]
    async fn sign_ins_are_limited_per_e_mail_whatever_the_address() {
        let db = matinale_store::connect("sqlite::memory:").await.unwrap();
        let state = AppState::new(
            db,
            Config {
                login_attempts_per_email_per_minute: 2,
                ..Config::default()
            },
        );
        let ip = |n: u8| Some(IpAddr::from([198, 51, 100, n]));
        state.admit_login(ip(1), "Awa@Example.org").unwrap();
        state.admit_login(ip(2), " awa@example.org").unwrap();
        assert!(matches!(
            state.admit_login(ip(3), "AWA@example.org"),
            Err(ApiError::TooManyRequests(s)) if (1..=60).contains(&s)
        ));
        state.admit_login(ip(3), "other@example.org").unwrap();
    }
}
