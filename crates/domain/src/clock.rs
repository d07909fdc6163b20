//! What time it is, given rather than read: rules take `now` as an argument, and the one who
//! calls them reads it from the [`Clock`] the application holds (the system clock in
//! production, one the test sets in tests), so that a test of "the day before", "a lease gone
//! by" or "after the block" moves the clock instead of sleeping.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};

/// A source of "now". Clones share their setting: advancing one advances them all.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<Mutex<Setting>>>);

#[derive(Debug, Clone, Copy)]
enum Setting {
    /// Always this instant, until set or advanced.
    Fixed(DateTime<Utc>),
    /// The system's time, shifted by this much.
    Shifted(Duration),
}

impl Clock {
    /// The system clock (production).
    pub fn system() -> Self {
        Clock(None)
    }

    /// A clock stopped at `at`: it moves only when set or advanced.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Clock(Some(Arc::new(Mutex::new(Setting::Fixed(at)))))
    }

    /// The system's time that a test can move forward ([`Clock::advance`], [`Clock::set`])
    /// while it keeps flowing, so that what waits for real time (a retry, a lease) still
    /// comes.
    pub fn adjustable() -> Self {
        Clock(Some(Arc::new(Mutex::new(Setting::Shifted(Duration::zero())))))
    }

    /// Now, as this clock tells it.
    pub fn now(&self) -> DateTime<Utc> {
        match self.setting() {
            None => Utc::now(),
            Some(Setting::Fixed(at)) => at,
            Some(Setting::Shifted(by)) => Utc::now() + by,
        }
    }

    /// Moves the clock `by` forward (backward if negative). The system clock cannot be moved:
    /// it does not change.
    pub fn advance(&self, by: Duration) {
        self.update(|s| match s {
            Setting::Fixed(at) => Setting::Fixed(at + by),
            Setting::Shifted(d) => Setting::Shifted(d + by),
        });
    }

    /// Sets the clock to `at` (an adjustable clock flows on from there). The system clock
    /// cannot be set: it does not change.
    pub fn set(&self, at: DateTime<Utc>) {
        self.update(|s| match s {
            Setting::Fixed(_) => Setting::Fixed(at),
            Setting::Shifted(_) => Setting::Shifted(at - Utc::now()),
        });
    }

    fn setting(&self) -> Option<Setting> {
        self.0
            .as_ref()
            .map(|s| *s.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn update(&self, change: impl FnOnce(Setting) -> Setting) {
        if let Some(s) = &self.0 {
            let mut setting = s.lock().unwrap_or_else(PoisonError::into_inner);
            *setting = change(*setting);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_fixed_clock_moves_only_when_told_and_its_clones_with_it() {
        let clock = Clock::fixed(at("2026-11-25T08:00:00Z"));
        let seen_elsewhere = clock.clone();
        assert_eq!(clock.now(), at("2026-11-25T08:00:00Z"));
        clock.advance(Duration::hours(24));
        assert_eq!(seen_elsewhere.now(), at("2026-11-26T08:00:00Z"));
        seen_elsewhere.set(at("2027-01-01T00:00:00Z"));
        assert_eq!(clock.now(), at("2027-01-01T00:00:00Z"));
    }

    #[test]
    fn an_adjustable_clock_flows_from_where_it_was_set() {
        let clock = Clock::adjustable();
        let before = Utc::now();
        clock.advance(Duration::days(2));
        let now = clock.now();
        assert!(now >= before + Duration::days(2) && now < Utc::now() + Duration::days(2) + Duration::seconds(1));
        clock.set(at("2030-06-01T12:00:00Z"));
        let now = clock.now();
        assert!(now >= at("2030-06-01T12:00:00Z") && now < at("2030-06-01T12:00:01Z"));
    }

    #[test]
    fn the_system_clock_tells_the_systems_time_and_cannot_be_moved() {
        let clock = Clock::system();
        clock.advance(Duration::days(1));
        let now = clock.now();
        assert!((now - Utc::now()).num_seconds().abs() < 2);
    }
}
