//! Stands of events: classic (ESS structure) and inverted (buyer).

use matinale_domain::stand::{NewStand, Stand};
use matinale_domain::user::Actor;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::database::Store;
use crate::entity::stand;
use crate::entity::text::Text;
use crate::error::Error;

pub(crate) fn to_stand(m: stand::Model) -> Result<Stand, Error> {
    Ok(Stand {
        id: m.id,
        event_id: m.event_id,
        stand: NewStand {
            kind: m.kind.get(),
            organisation_id: m.organisation_id,
            title: m.title,
            location: m.location,
        },
        created_at: m.created_at,
    })
}

/// Adds a stand to an event `actor` organises; `parse` checks it against its holder's kind.
pub async fn create<F>(
    store: &Store,
    event_id: Uuid,
    actor: &Actor,
    organisation_id: Uuid,
    parse: F,
) -> Result<Stand, Error>
where
    F: Send + FnOnce(matinale_domain::organisation::OrganisationKind) -> Result<NewStand, matinale_domain::Error>,
{
    store
        .write_once(parse, |txn, parse| {
            Box::pin(async move {
                crate::events::get_editable(txn, event_id, actor).await?;
                let holder = match crate::organisations::get(txn, organisation_id).await {
                    Ok(org) => org,
                    Err(Error::NotFound) => {
                        return Err(matinale_domain::Error::field(
                            "organisation_id",
                            "unknown",
                            "no organisation has this id",
                        )
                        .into())
                    }
                    Err(e) => return Err(e),
                };
                let new = parse(holder.fields.kind)?;
                let model = stand::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    event_id: Set(event_id),
                    organisation_id: Set(new.organisation_id),
                    kind: Set(Text(new.kind)),
                    title: Set(new.title),
                    location: Set(new.location),
                    created_at: Set(txn.now()),
                }
                .insert(txn)
                .await?;
                to_stand(model)
            })
        })
        .await
}

/// The stands of an event, by location then title.
pub async fn list(db: &impl ConnectionTrait, event_id: Uuid) -> Result<Vec<Stand>, Error> {
    stand::Entity::find()
        .filter(stand::Column::EventId.eq(event_id))
        .order_by_asc(stand::Column::Location)
        .order_by_asc(stand::Column::Title)
        .order_by_asc(stand::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(to_stand)
        .collect()
}

/// One stand.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Stand, Error> {
    to_stand(stand::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound)?)
}
