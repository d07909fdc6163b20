//! Series of events. A series is answered as the domain's
//! [`matinale_domain::series::Series`] (schema `SeriesResponse`).

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

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
        pattern = r"^[^\x00-\x1F\x7F-\x9F\u2028\u2029]*[^\s\x00-\x1F\x7F-\x9F\u2028\u2029][^\x00-\x1F\x7F-\x9F\u2028\u2029]*$"
    )]
    pub title: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Description.
    #[serde(default)]
    #[schema(max_length = 10000, pattern = r"^[^\x00-\x09\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub description: String,
}
