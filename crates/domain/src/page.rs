//! Pagination of lists: `?page=1&per_page=50`, at most 200 a page.

use crate::error::{Checker, FieldError};
use crate::Error;

/// Largest page a client may ask for.
pub const MAX_PER_PAGE: u64 = 200;
/// Page size when the client does not say.
pub const DEFAULT_PER_PAGE: u64 = 50;

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: u64,
    /// Items per page, 1..=200.
    pub per_page: u64,
}

impl PageRequest {
    /// Parses the optional query values, refusing page 0 and sizes outside 1..=200.
    pub fn parse(page: Option<u64>, per_page: Option<u64>) -> Result<Self, Error> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
        let mut check = Checker::new();
        if page == 0 || page > 1_000_000 {
            check.push(FieldError::new("page", "out_of_range", "must be between 1 and 1000000"));
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            check.push(FieldError::new(
                "per_page",
                "out_of_range",
                format!("must be between 1 and {MAX_PER_PAGE}"),
            ));
        }
        check.finish(|| Self { page, per_page })
    }

    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.per_page
    }
}

/// One page of results with the total count.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The request that produced it.
    pub request: PageRequest,
    /// How many items match in all.
    pub total: u64,
}

impl<T> Page<T> {
    /// Maps the items, keeping the paging.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            request: self.request,
            total: self.total,
        }
    }

    /// Maps the items with a conversion that may fail, keeping the paging.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            request: self.request,
            total: self.total,
        })
    }

    /// The number of the last page (1 when empty).
    pub fn last_page(&self) -> u64 {
        self.total.div_ceil(self.request.per_page).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_limits() {
        assert_eq!(
            PageRequest::parse(None, None).unwrap(),
            PageRequest { page: 1, per_page: 50 }
        );
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(None, Some(201)).is_err());
        assert_eq!(PageRequest::parse(Some(3), Some(200)).unwrap().offset(), 400);
    }
}
