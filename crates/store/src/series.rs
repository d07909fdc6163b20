//! Series of events.

use matinale_domain::page::{Page, PageRequest};
use matinale_domain::series::{NewSeries, Series};
use matinale_domain::user::Actor;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::database::Store;
use crate::entity::series;
use crate::error::Error;
use crate::paging::page_of;

fn to_series(m: series::Model) -> Series {
    Series {
        id: m.id,
        slug: m.slug,
        title: m.title,
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        description: m.description,
        created_by: m.created_by,
    }
}

/// Creates a series; a slug already taken is a conflict.
pub async fn create(store: &Store, actor: &Actor, new: NewSeries) -> Result<Series, Error> {
    let db = store;
    if !actor.may_organise() {
        return Err(Error::Forbidden);
    }
    let taken = series::Entity::find()
        .filter(series::Column::Slug.eq(new.slug.as_str()))
        .one(db)
        .await?
        .is_some();
    if taken {
        return Err(Error::Conflict(format!(
            "the slug {} is already taken",
            new.slug.as_str()
        )));
    }
    let model = series::ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set(new.slug.as_str().to_owned()),
        title: Set(new.title),
        starts_on: Set(new.starts_on),
        ends_on: Set(new.ends_on),
        description: Set(new.description),
        created_by: Set(actor.user_id),
        created_at: Set(store.now()),
    };
    let model = &model;
    let model = store
        .write(|txn| Box::pin(async move { Ok(model.clone().insert(txn).await?) }))
        .await?;
    Ok(to_series(model))
}

/// One series.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Series, Error> {
    series::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(to_series)
        .ok_or(Error::NotFound)
}

/// Series by first day, newest first.
pub async fn list(db: &impl ConnectionTrait, page: PageRequest) -> Result<Page<Series>, Error> {
    let query = series::Entity::find()
        .order_by_desc(series::Column::StartsOn)
        .order_by_asc(series::Column::Id);
    Ok(page_of(db, query, page).await?.map(to_series))
}
