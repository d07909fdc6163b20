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
    pub slug: String,
    /// Title.
    pub title: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Description.
    #[serde(default)]
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
