//! State shared by every handler.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use matinale_store::Db;

use crate::config::Config;
use crate::error::ApiError;

/// Bursts of registrations from one address (a room registering together) pass at once up to
/// this many.
const REGISTRATION_BURST: u32 = 100;

/// The database pool, the configuration and the rate limiters.
pub struct AppState {
    /// Connection pool.
    pub db: Db,
    /// Configuration.
    pub config: Config,
    /// Attempts at `/auth/token` per client address.
    pub login_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Registrations posted per client address; `None` when turned off.
    pub registration_limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
}

impl AppState {
    /// Builds the state around an open pool.
    pub fn new(db: Db, config: Config) -> Self {
        let per_minute = NonZeroU32::new(config.login_attempts_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let registration_limiter = NonZeroU32::new(config.registration_rate_per_minute).map(|rate| {
            let burst = NonZeroU32::new(rate.get().min(REGISTRATION_BURST)).unwrap_or(NonZeroU32::MIN);
            Arc::new(RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst)))
        });
        Self {
            db,
            login_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
            registration_limiter,
            config,
        }
    }

    /// Counts one registration from `client` (unknown: not limited); 429 with the wait when
    /// its address has posted too many.
    pub fn admit_registration(&self, client: Option<IpAddr>) -> Result<(), ApiError> {
        let (Some(limiter), Some(ip)) = (&self.registration_limiter, client) else {
            return Ok(());
        };
        limiter.check_key(&address_block(ip)).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::TooManyRequests(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
        })
    }
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
}
