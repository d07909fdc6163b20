//! Series of events, such as "Mois de l'ESS 2026".

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{bounded_text, required_line, Checker, FieldError};
use crate::Error;

/// A URL-safe identifier: lower-case letters, digits and single hyphens, 2 to 80 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    /// Parses a slug such as `mois-ess-2026`.
    pub fn parse(field: &str, input: &str) -> Result<Self, Error> {
        let ok = (2..=80).contains(&input.len())
            && input
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !input.starts_with('-')
            && !input.ends_with('-')
            && !input.contains("--");
        if !ok {
            return Err(Error::field(
                field,
                "invalid",
                "use 2 to 80 lower-case letters, digits and single hyphens",
            ));
        }
        Ok(Self(input.to_owned()))
    }

    /// The slug text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A validated new series.
#[derive(Debug, Clone)]
pub struct NewSeries {
    /// Unique slug.
    pub slug: Slug,
    /// Title.
    pub title: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day (inclusive).
    pub ends_on: NaiveDate,
    /// Free description.
    pub description: String,
}

impl NewSeries {
    /// Parses a series; the last day may not come before the first.
    pub fn parse(
        slug: &str,
        title: &str,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        description: &str,
    ) -> Result<Self, Error> {
        let mut check = Checker::new();
        let slug = check.take(Slug::parse("slug", slug));
        let title = check.take(required_line("title", title, 200));
        let description = check.take(bounded_text("description", description, 10_000));
        if ends_on < starts_on {
            check.push(FieldError::new("ends_on", "order", "must not be before starts_on"));
        }
        match (slug, title, description) {
            (Some(slug), Some(title), Some(description)) => check.finish(|| Self {
                slug,
                title,
                starts_on,
                ends_on,
                description,
            }),
            _ => Err(check.into_error()),
        }
    }
}

/// A series of events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = SeriesResponse)]
pub struct Series {
    /// Id.
    pub id: Uuid,
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Description.
    pub description: String,
    /// The organiser who created it (not shown).
    #[serde(skip)]
    pub created_by: Uuid,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn slugs_are_strict() {
        assert!(Slug::parse("slug", "mois-ess-2026").is_ok());
        for bad in ["Mois", "a", "-a", "a-", "a--b", "é-b", "a b"] {
            assert!(Slug::parse("slug", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_series_may_not_end_before_it_starts() {
        let err = NewSeries::parse("s-1", "T", day("2026-11-30"), day("2026-11-01"), "").unwrap_err();
        assert_eq!(err, Error::field("ends_on", "order", "must not be before starts_on"));
    }
}
