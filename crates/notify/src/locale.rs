//! The languages mail is written in, and dates written the way a reader of each expects
//! ("mercredi 25 novembre 2026 à 9 h 00", "Wednesday 25 November 2026 at 9:00").
//!
//! The French names are written out here rather than taken from a locale library: there
//! are only nineteen of them, and the output must not depend on the machine's locales.

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The language of a mail. French unless the person asked for English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// French, the default.
    #[default]
    Fr,
    /// English, for people who registered with `locale: en`.
    En,
}

impl Locale {
    /// Reads a language tag such as `fr`, `en`, `en-GB` or `EN_us`. Anything that is not
    /// English is French, because French is what every participant can be assumed to read.
    pub fn from_tag(tag: &str) -> Self {
        let primary = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if primary == "en" {
            Locale::En
        } else {
            Locale::Fr
        }
    }

    /// The same language as the domain names it (for `matinale_domain::partner`'s labels).
    pub fn domain(self) -> matinale_domain::registration::Locale {
        match self {
            Locale::Fr => matinale_domain::registration::Locale::Fr,
            Locale::En => matinale_domain::registration::Locale::En,
        }
    }

    /// The language tag (`fr` or `en`), as used in template paths and `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
        }
    }
}

const FRENCH_DAYS: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];
const FRENCH_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const ENGLISH_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const ENGLISH_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn day_index(weekday: Weekday) -> usize {
    weekday.num_days_from_monday() as usize
}

/// The date alone in the event's time zone: "mercredi 25 novembre 2026",
/// "dimanche 1er novembre 2026", "Wednesday 25 November 2026".
pub fn format_date(at: DateTime<Utc>, timezone: Tz, locale: Locale) -> String {
    let local = timezone.from_utc_datetime(&at.naive_utc());
    let month = local.month0() as usize;
    let weekday = day_index(local.weekday());
    match locale {
        Locale::Fr => {
            let day = if local.day() == 1 {
                "1er".to_owned()
            } else {
                local.day().to_string()
            };
            format!(
                "{} {} {} {}",
                FRENCH_DAYS[weekday],
                day,
                FRENCH_MONTHS[month],
                local.year()
            )
        }
        Locale::En => format!(
            "{} {} {} {}",
            ENGLISH_DAYS[weekday],
            local.day(),
            ENGLISH_MONTHS[month],
            local.year()
        ),
    }
}

/// The time alone in the event's time zone: "9 h 00" in French, "9:00" in English.
pub fn format_time(at: DateTime<Utc>, timezone: Tz, locale: Locale) -> String {
    let local = timezone.from_utc_datetime(&at.naive_utc());
    match locale {
        Locale::Fr => format!("{} h {:02}", local.hour(), local.minute()),
        Locale::En => format!("{}:{:02}", local.hour(), local.minute()),
    }
}

/// Date and time: "mercredi 25 novembre 2026 à 9 h 00", "Wednesday 25 November 2026 at 9:00".
pub fn format_datetime(at: DateTime<Utc>, timezone: Tz, locale: Locale) -> String {
    let joint = match locale {
        Locale::Fr => "à",
        Locale::En => "at",
    };
    format!(
        "{} {joint} {}",
        format_date(at, timezone, locale),
        format_time(at, timezone, locale)
    )
}

/// A span of time: "mercredi 25 novembre 2026, de 9 h 00 à 12 h 30" on one day,
/// "du lundi 2 … à 9 h 00 au mardi 3 … à 17 h 00" across days.
pub fn format_span(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, timezone: Tz, locale: Locale) -> String {
    let same_day = timezone.from_utc_datetime(&starts_at.naive_utc()).date_naive()
        == timezone.from_utc_datetime(&ends_at.naive_utc()).date_naive();
    let (start_time, end_time) = (
        format_time(starts_at, timezone, locale),
        format_time(ends_at, timezone, locale),
    );
    match (locale, same_day) {
        (Locale::Fr, true) => format!(
            "{}, de {start_time} à {end_time}",
            format_date(starts_at, timezone, locale)
        ),
        (Locale::En, true) => format!("{}, {start_time}–{end_time}", format_date(starts_at, timezone, locale)),
        (Locale::Fr, false) => format!(
            "du {} au {}",
            format_datetime(starts_at, timezone, locale),
            format_datetime(ends_at, timezone, locale)
        ),
        (Locale::En, false) => format!(
            "from {} to {}",
            format_datetime(starts_at, timezone, locale),
            format_datetime(ends_at, timezone, locale)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Paris;

    use crate::testing::utc;

    #[test]
    fn a_november_morning_in_paris_is_written_in_french() {
        let at = utc("2026-11-25T08:00:00Z");
        assert_eq!(
            format_datetime(at, Paris, Locale::Fr),
            "mercredi 25 novembre 2026 à 9 h 00"
        );
        assert_eq!(
            format_datetime(at, Paris, Locale::En),
            "Wednesday 25 November 2026 at 9:00"
        );
    }

    #[test]
    fn the_first_of_the_month_is_premier() {
        let at = utc("2026-11-01T13:30:00Z");
        assert_eq!(format_date(at, Paris, Locale::Fr), "dimanche 1er novembre 2026");
    }

    #[test]
    fn summer_time_is_applied() {
        // 7:30 UTC in June is 9:30 in Paris (UTC+2).
        let at = utc("2026-06-10T07:30:00Z");
        assert_eq!(format_time(at, Paris, Locale::Fr), "9 h 30");
    }

    #[test]
    fn a_morning_span_stays_on_one_day() {
        let span = format_span(
            utc("2026-11-25T08:00:00Z"),
            utc("2026-11-25T11:30:00Z"),
            Paris,
            Locale::Fr,
        );
        assert_eq!(span, "mercredi 25 novembre 2026, de 9 h 00 à 12 h 30");
    }

    #[test]
    fn language_tags_fall_back_to_french() {
        assert_eq!(Locale::from_tag("en-GB"), Locale::En);
        assert_eq!(Locale::from_tag("EN"), Locale::En);
        assert_eq!(Locale::from_tag("fr"), Locale::Fr);
        assert_eq!(Locale::from_tag("de"), Locale::Fr);
        assert_eq!(Locale::from_tag(""), Locale::Fr);
    }
}
