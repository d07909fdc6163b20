//! One page of a list query with the count of all its rows, through SeaORM's paginator.

use matinale_domain::page::{Page, PageRequest};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, Select};

use crate::error::Error;

/// The rows of `query` (ordered by the caller) on the page asked for, and how many rows the
/// query has in all (counted without its order).
pub(crate) async fn page_of<E>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    page: PageRequest,
) -> Result<Page<E::Model>, Error>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let pages = query.paginate(db, page.per_page);
    let total = pages.num_items().await?;
    let items = pages.fetch_page(page.page - 1).await?;
    Ok(Page {
        items,
        request: page,
        total,
    })
}
