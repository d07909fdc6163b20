//! HTTP handlers, one module per resource.

pub mod account;
pub mod auth;
pub mod calendars;
pub mod events;
pub mod health;
pub mod import;
pub mod invitations;
pub mod meeting_blocks;
pub mod meeting_changes;
pub mod meeting_outcomes;
pub mod meetings;
pub mod members;
pub mod needs;
pub mod organisations;
pub mod outbox;
pub mod participants;
pub mod personal_data;
pub mod registrations;
pub mod replan;
pub mod reports;
pub mod series;
pub mod stands;
pub mod users;
pub mod wishes;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::dto::ListResponse;
use crate::error::ApiError;
use crate::extract::parse_query;
use matinale_domain::page::PageRequest;

/// `?page=&per_page=` of every list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u64>,
}

impl PageQuery {
    /// The validated page request.
    pub fn parse(&self) -> Result<PageRequest, ApiError> {
        Ok(PageRequest::parse(self.page, self.per_page)?)
    }
}

/// The query string of a list: its filters `F` (one `Deserialize + IntoParams` struct a list,
/// which converts into the store's filter) and the page asked for. A bad value is a 422
/// naming the parameter.
#[derive(Debug)]
pub struct ListQuery<F> {
    /// The filters.
    pub filter: F,
    /// `?page=&per_page=`, checked by [`PageQuery::parse`] (CSV exports take every row).
    pub page: PageQuery,
}

impl<F: DeserializeOwned> FromRequest for ListQuery<F> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req).and_then(|filter| {
            Ok(ListQuery {
                filter,
                page: parse_query(req)?,
            })
        }))
    }
}

/// A list response with its RFC 8288 `Link` header (first, prev, next, last).
pub fn paged<T: Serialize + ToSchema>(req: &HttpRequest, list: ListResponse<T>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::LINK, links(req, list.page, list.per_page, list.total)))
        .json(list)
}

/// The RFC 8288 `Link` header (first, prev, next, last) of page `page` of `total` items.
pub fn links(req: &HttpRequest, page: u64, per_page: u64, total: u64) -> String {
    let last = total.div_ceil(per_page).max(1);
    let others: Vec<(String, String)> = form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| k != "page")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let link_to = |page: u64, rel: &str| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &others {
            query.append_pair(k, v);
        }
        query.append_pair("page", &page.to_string());
        format!("<{}?{}>; rel=\"{rel}\"", req.path(), query.finish())
    };
    let mut links = vec![link_to(1, "first")];
    if page > 1 {
        links.push(link_to((page - 1).min(last), "prev"));
    }
    if page < last {
        links.push(link_to(page + 1, "next"));
    }
    links.push(link_to(last, "last"));
    links.join(", ")
}
