//! Series of events.

use chrono::NaiveDate;
use matinale_domain::series::Series;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /series`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSeriesRequest {
    /// Unique slug such as `mois-ess-2026`.
    #[schema(min_length = 2, max_length = 80, pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: String,
    /// Title.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
    )]
    pub title: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Description.
    #[serde(default)]
    #[schema(max_length = 10000, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub description: String,
}

/// A series of events.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesResponse {
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
}

impl From<Series> for SeriesResponse {
    fn from(s: Series) -> Self {
        Self {
            id: s.id,
            slug: s.slug,
            title: s.title,
            starts_on: s.starts_on,
            ends_on: s.ends_on,
            description: s.description,
        }
    }
}
