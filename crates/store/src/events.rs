//! Events, their organisers and programme.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use matinale_domain::event::{
    Access, Event, EventFields, EventKind, EventStatus, NewProgrammeItem, ProgrammeItem, Quotas, Venue,
};
use matinale_domain::page::{Page, PageRequest};
use matinale_domain::text;
use matinale_domain::user::Actor;
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::database::Store;
use crate::entity::text::Text;
use crate::entity::{event, event_organiser, meeting, need, programme_item, series, user};
use crate::error::{corrupt, Error};
use crate::paging::page_of;
use crate::versioned::{self, expect_version};

/// Filters of the public event list; all optional and combined with AND.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Events of this series.
    pub series: Option<Uuid>,
    /// Events whose venue is in this commune (accents and case ignored).
    pub city: Option<String>,
    /// Events of this kind.
    pub kind: Option<EventKind>,
    /// Events that end at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Events that start at or before this time.
    pub to: Option<DateTime<Utc>>,
    /// Free text in title, description and venue (accents and case ignored).
    pub q: Option<String>,
}

/// What an update changes: the new fields, and optionally the status and co-organisers.
#[derive(Debug, Clone)]
pub struct EventChange {
    /// The fields after the update, already validated.
    pub fields: EventFields,
    /// A new status, checked against the allowed transitions.
    pub status: Option<EventStatus>,
    /// The new list of co-organisers.
    pub co_organisers: Option<Vec<Uuid>>,
}

fn search_text(f: &EventFields) -> String {
    let venue = f
        .venue
        .as_ref()
        .map(|v| format!("{} {}", v.name, v.city))
        .unwrap_or_default();
    text::fold(&format!("{} {} {}", f.title, f.description, venue))
}

fn to_fields(m: &event::Model) -> Result<EventFields, Error> {
    let venue = match (&m.venue_name, &m.venue_city) {
        (Some(name), Some(city)) => Some(Venue {
            name: name.clone(),
            address: m.venue_address.clone().unwrap_or_default(),
            postcode: m.venue_postcode.clone().unwrap_or_default(),
            city: city.clone(),
        }),
        _ => None,
    };
    let quota = |q: Option<i32>| q.map(|v| Ord::max(v, 0) as u32);
    Ok(EventFields {
        series_id: m.series_id,
        kind: m.kind.get(),
        title: m.title.clone(),
        description: m.description.clone(),
        starts_at: m.starts_at,
        ends_at: m.ends_at,
        timezone: m.timezone.parse().map_err(|_| corrupt("time zone"))?,
        venue,
        online_url: m.online_url.clone(),
        capacity: Ord::max(m.capacity, 0) as u32,
        quotas: Quotas {
            buyer: quota(m.quota_buyer),
            ess_structure: quota(m.quota_ess_structure),
            partner: quota(m.quota_partner),
            visitor: quota(m.quota_visitor),
        },
        registration_opens_at: m.registration_opens_at,
        registration_closes_at: m.registration_closes_at,
        follow_up_days: u32::try_from(m.follow_up_days).map_err(|_| corrupt("follow_up_days"))?,
    })
}

fn set_fields(am: &mut event::ActiveModel, f: &EventFields) {
    let quota = |q: Option<u32>| q.map(|v| v as i32);
    am.series_id = Set(f.series_id);
    am.kind = Set(Text(f.kind));
    am.title = Set(f.title.clone());
    am.description = Set(f.description.clone());
    am.starts_at = Set(f.starts_at);
    am.ends_at = Set(f.ends_at);
    am.timezone = Set(f.timezone.name().to_owned());
    am.venue_name = Set(f.venue.as_ref().map(|v| v.name.clone()));
    am.venue_address = Set(f.venue.as_ref().map(|v| v.address.clone()));
    am.venue_postcode = Set(f.venue.as_ref().map(|v| v.postcode.clone()));
    am.venue_city = Set(f.venue.as_ref().map(|v| v.city.clone()));
    am.venue_city_folded = Set(f.venue.as_ref().map(|v| text::fold(&v.city)));
    am.online_url = Set(f.online_url.clone());
    am.capacity = Set(f.capacity as i32);
    am.quota_buyer = Set(quota(f.quotas.buyer));
    am.quota_ess_structure = Set(quota(f.quotas.ess_structure));
    am.quota_partner = Set(quota(f.quotas.partner));
    am.quota_visitor = Set(quota(f.quotas.visitor));
    am.registration_opens_at = Set(f.registration_opens_at);
    am.registration_closes_at = Set(f.registration_closes_at);
    am.follow_up_days = Set(i32::try_from(f.follow_up_days).unwrap_or(i32::MAX));
    am.search_text = Set(search_text(f));
}

async fn to_event(db: &impl ConnectionTrait, m: event::Model) -> Result<Event, Error> {
    let co_organisers = event_organiser::Entity::find()
        .filter(event_organiser::Column::EventId.eq(m.id))
        .order_by_asc(event_organiser::Column::UserId)
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.user_id)
        .collect();
    Ok(Event {
        co_organisers,
        ..without_co_organisers(m)?
    })
}

fn without_co_organisers(m: event::Model) -> Result<Event, Error> {
    Ok(Event {
        id: m.id,
        fields: to_fields(&m)?,
        status: m.status.get(),
        created_by: m.created_by,
        co_organisers: Vec::new(),
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// Checks the references of an event's fields. Putting the event in a series (`series_id`
/// other than `current_series`) is for the series' creator or an admin (403 otherwise): series
/// have no co-organisers, and anyone else could fill another's series with their events.
async fn check_references(
    db: &impl ConnectionTrait,
    actor: &Actor,
    fields: &EventFields,
    current_series: Option<Uuid>,
    co_organisers: Option<&[Uuid]>,
) -> Result<(), Error> {
    if let Some(series_id) = fields.series_id.filter(|s| Some(*s) != current_series) {
        let Some(series) = series::Entity::find_by_id(series_id).one(db).await? else {
            return Err(matinale_domain::Error::field("series_id", "unknown", "no series has this id").into());
        };
        if series.created_by != actor.user_id && !actor.is_admin() {
            return Err(Error::Forbidden);
        }
    }
    for (i, id) in co_organisers.unwrap_or_default().iter().enumerate() {
        if user::Entity::find_by_id(*id).one(db).await?.is_none() {
            return Err(matinale_domain::Error::field(
                format!("co_organisers[{i}]"),
                "unknown",
                "no account has this id",
            )
            .into());
        }
    }
    Ok(())
}

async fn set_co_organisers(db: &impl ConnectionTrait, event_id: Uuid, owner: Uuid, ids: &[Uuid]) -> Result<(), Error> {
    event_organiser::Entity::delete_many()
        .filter(event_organiser::Column::EventId.eq(event_id))
        .exec(db)
        .await?;
    let mut ids: Vec<Uuid> = ids.iter().copied().filter(|id| *id != owner).collect();
    ids.sort();
    ids.dedup();
    let rows = ids.into_iter().map(|user_id| event_organiser::ActiveModel {
        event_id: Set(event_id),
        user_id: Set(user_id),
    });
    event_organiser::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

/// Creates an event owned by `actor`, as a draft or directly published, with co-organisers.
pub async fn create(
    store: &Store,
    actor: &Actor,
    fields: EventFields,
    status: EventStatus,
    co_organisers: &[Uuid],
) -> Result<Event, Error> {
    if !actor.may_organise() {
        return Err(Error::Forbidden);
    }
    if status != EventStatus::Draft {
        EventStatus::Draft.transition_to(status)?;
    }
    let fields = &fields;
    store
        .write(|txn| {
            Box::pin(async move {
                check_references(txn, actor, fields, None, Some(co_organisers)).await?;
                let id = Uuid::now_v7();
                let mut am = event::ActiveModel {
                    status: Set(Text(status)),
                    ..Default::default()
                };
                set_fields(&mut am, fields);
                let model = versioned::insert::<event::Entity>(txn, am, id, actor.user_id).await?;
                crate::seats::sync_seats(txn, id, fields.capacity, &fields.quotas).await?;
                set_co_organisers(txn, id, actor.user_id, co_organisers).await?;
                let event = to_event(txn, model).await?;
                Ok(event)
            })
        })
        .await
}

/// One event, whatever its status; callers decide who may see it.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Event, Error> {
    let model = event::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound)?;
    to_event(db, model).await
}

/// The time zone of event `id`, in which its answers give their times (not found: no such event).
pub async fn timezone(db: &impl ConnectionTrait, id: Uuid) -> Result<Tz, Error> {
    let model = event::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound)?;
    model.timezone.parse().map_err(|_| corrupt("time zone"))
}

/// The time zone of the event of need `id`, `None` for a need attached to no event (not
/// found: no such need).
pub async fn timezone_of_need(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Tz>, Error> {
    let model = need::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound)?;
    match model.event_id {
        Some(event_id) => Ok(Some(timezone(db, event_id).await?)),
        None => Ok(None),
    }
}

/// The time zone of the event of meeting `id` (not found: no such meeting).
pub async fn timezone_of_meeting(db: &impl ConnectionTrait, id: Uuid) -> Result<Tz, Error> {
    let model = meeting::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound)?;
    timezone(db, model.event_id).await
}

/// One event as `actor` may see it: drafts of others are not found.
pub async fn get_visible(db: &impl ConnectionTrait, id: Uuid, actor: Option<&Actor>) -> Result<Event, Error> {
    let event = get(db, id).await?;
    if event.access(actor) == Access::Hidden {
        return Err(Error::NotFound);
    }
    Ok(event)
}

/// Rows whose `event_column` names an event `actor` created or co-organises, as subqueries.
pub(crate) fn organised_by(event_column: impl ColumnTrait, actor: &Actor) -> Condition {
    let created = Query::select()
        .column(event::Column::Id)
        .from(event::Entity)
        .and_where(event::Column::CreatedBy.eq(actor.user_id))
        .to_owned();
    let co_organised = Query::select()
        .column(event_organiser::Column::EventId)
        .from(event_organiser::Entity)
        .and_where(event_organiser::Column::UserId.eq(actor.user_id))
        .to_owned();
    Condition::any()
        .add(event_column.in_subquery(created))
        .add(event_column.in_subquery(co_organised))
}

/// A public event (published, closed or cancelled) in one read, for anonymous paths such as
/// registering: its `co_organisers` are not loaded (left empty), so never show or check them.
pub async fn get_public(db: &impl ConnectionTrait, id: Uuid) -> Result<Event, Error> {
    let m = event::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound)?;
    let event = without_co_organisers(m)?;
    if event.access(None) == Access::Hidden {
        return Err(Error::NotFound);
    }
    Ok(event)
}

/// Loads an event for a change by `actor`: hidden → not found, read-only → forbidden.
pub async fn get_editable(db: &impl ConnectionTrait, id: Uuid, actor: &Actor) -> Result<Event, Error> {
    let event = get(db, id).await?;
    match event.access(Some(actor)) {
        Access::Hidden => Err(Error::NotFound),
        Access::Read => Err(Error::Forbidden),
        Access::Edit => Ok(event),
    }
}

/// Changes an event in one transaction: checks access and `If-Match`, lets `change` compute
/// the new state from the current one, and writes it only if nobody changed it meanwhile.
pub async fn update<F>(store: &Store, id: Uuid, actor: &Actor, if_match: Option<i32>, change: F) -> Result<Event, Error>
where
    F: Send + FnOnce(&Event) -> Result<EventChange, Error>,
{
    store
        .write_once(change, |txn, change| {
            Box::pin(async move {
                crate::seats::lock_event_for_change(txn, id).await?;
                let current = get_editable(txn, id, actor).await?;
                expect_version(if_match, current.version)?;
                let next = change(&current)?;
                crate::cascade::check_event_times(txn, id, &current.fields, &next.fields).await?;
                let status = match next.status {
                    Some(s) if s != current.status => current.status.transition_to(s)?,
                    _ => current.status,
                };
                check_references(
                    txn,
                    actor,
                    &next.fields,
                    current.fields.series_id,
                    next.co_organisers.as_deref(),
                )
                .await?;
                let mut am = event::ActiveModel {
                    status: Set(Text(status)),
                    ..Default::default()
                };
                set_fields(&mut am, &next.fields);
                if next.fields.starts_at != current.fields.starts_at {
                    // A new date deserves its own reminder.
                    am.reminders_queued_at = Set(None);
                }
                versioned::update::<event::Entity>(txn, am, id, current.version).await?;
                if next.fields.capacity != current.fields.capacity || next.fields.quotas != current.fields.quotas {
                    crate::seats::sync_seats(txn, id, next.fields.capacity, &next.fields.quotas).await?;
                }
                if let Some(ids) = &next.co_organisers {
                    set_co_organisers(txn, id, current.created_by, ids).await?;
                }
                if status == EventStatus::Cancelled && current.status != EventStatus::Cancelled {
                    crate::cascade::cancel_for_event(txn, id).await?;
                    crate::notices::queue_event_cancelled(txn, id).await?;
                }
                let event = get(txn, id).await?;
                Ok(event)
            })
        })
        .await
}

/// Moves an event to a new status (publish, close, cancel), checking the transition.
pub async fn transition(store: &Store, id: Uuid, actor: &Actor, to: EventStatus) -> Result<Event, Error> {
    update(store, id, actor, None, |current| {
        current.status.transition_to(to)?;
        Ok(EventChange {
            fields: current.fields.clone(),
            status: Some(to),
            co_organisers: None,
        })
    })
    .await
}

/// Public events (published or closed) matching the filter, soonest first.
pub async fn list_public(
    db: &impl ConnectionTrait,
    filter: &EventFilter,
    page: PageRequest,
) -> Result<Page<Event>, Error> {
    let mut cond = Condition::all()
        .add(event::Column::Status.is_in([EventStatus::Published.as_str(), EventStatus::Closed.as_str()]));
    if let Some(series) = filter.series {
        cond = cond.add(event::Column::SeriesId.eq(series));
    }
    if let Some(city) = &filter.city {
        cond = cond.add(event::Column::VenueCityFolded.eq(text::fold(city)));
    }
    if let Some(kind) = filter.kind {
        cond = cond.add(event::Column::Kind.eq(Text(kind)));
    }
    if let Some(from) = filter.from {
        cond = cond.add(event::Column::EndsAt.gte(from));
    }
    if let Some(to) = filter.to {
        cond = cond.add(event::Column::StartsAt.lte(to));
    }
    if let Some(q) = filter.q.as_deref().map(text::fold).filter(|q| !q.is_empty()) {
        cond = cond.add(Expr::col(event::Column::SearchText).like(LikeExpr::new(text::like_pattern(&q)).escape('\\')));
    }
    let query = event::Entity::find()
        .filter(cond)
        .order_by_asc(event::Column::StartsAt)
        .order_by_asc(event::Column::Id);
    let rows = page_of(db, query, page).await?;
    let mut items = Vec::with_capacity(rows.items.len());
    for row in rows.items {
        items.push(to_event(db, row).await?);
    }
    Ok(Page {
        items,
        request: page,
        total: rows.total,
    })
}

fn to_item(m: programme_item::Model) -> Result<ProgrammeItem, Error> {
    let speakers: Vec<String> = serde_json::from_value(m.speakers).map_err(|_| corrupt("speakers"))?;
    Ok(ProgrammeItem {
        id: m.id,
        event_id: m.event_id,
        item: NewProgrammeItem {
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            title: m.title,
            kind: m.kind.get(),
            speakers,
        },
    })
}

/// Adds an item to the programme of an event `actor` organises.
pub async fn add_programme_item<F>(
    store: &Store,
    event_id: Uuid,
    actor: &Actor,
    parse: F,
) -> Result<ProgrammeItem, Error>
where
    F: Send + FnOnce(&Event) -> Result<NewProgrammeItem, matinale_domain::Error>,
{
    store
        .write_once(parse, |txn, parse| {
            Box::pin(async move {
                let event = get_editable(txn, event_id, actor).await?;
                let item = parse(&event)?;
                let model = programme_item::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    event_id: Set(event_id),
                    starts_at: Set(item.starts_at),
                    ends_at: Set(item.ends_at),
                    title: Set(item.title),
                    kind: Set(Text(item.kind)),
                    speakers: Set(serde_json::json!(item.speakers)),
                }
                .insert(txn)
                .await?;
                to_item(model)
            })
        })
        .await
}

/// The programme of an event, in time order.
pub async fn programme(db: &impl ConnectionTrait, event_id: Uuid) -> Result<Vec<ProgrammeItem>, Error> {
    programme_item::Entity::find()
        .filter(programme_item::Column::EventId.eq(event_id))
        .order_by_asc(programme_item::Column::StartsAt)
        .order_by_asc(programme_item::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(to_item)
        .collect()
}

/// Every public event (published, closed or cancelled) of a series, in time order, for its feed.
pub async fn public_in_series(db: &impl ConnectionTrait, series_id: Uuid) -> Result<Vec<Event>, Error> {
    let rows = event::Entity::find()
        .filter(event::Column::SeriesId.eq(series_id))
        .filter(event::Column::Status.ne(Text(EventStatus::Draft)))
        .order_by_asc(event::Column::StartsAt)
        .order_by_asc(event::Column::Id)
        .all(db)
        .await?;
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        events.push(to_event(db, row).await?);
    }
    Ok(events)
}
