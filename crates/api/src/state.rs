//! State shared by every handler.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use matinale_store::Db;

use crate::config::Config;

/// The database pool, the configuration and the login rate limiter.
pub struct AppState {
    /// Connection pool.
    pub db: Db,
    /// Configuration.
    pub config: Config,
    /// Attempts at `/auth/token` per client address.
    pub login_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl AppState {
    /// Builds the state around an open pool.
    pub fn new(db: Db, config: Config) -> Self {
        let per_minute = NonZeroU32::new(config.login_attempts_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            db,
            login_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
            config,
        }
    }
}
