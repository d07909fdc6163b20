//! Presence on the day: an organiser's mark (present or absent for the rest of the block) and
//! a person's own word (the slot it arrives for, the slot it leaves after), one optional row
//! of `presences` per registration; with the check-in (`attended`), what the re-plan reads
//! through [`matinale_domain::presence::Attendance`].

use std::collections::HashMap;

use matinale_domain::meeting::{local_time, MeetingSlot};
use matinale_domain::page::{Page, PageRequest};
use matinale_domain::presence::{parse_window, Attendance};
use matinale_domain::registration::RegistrationStatus;
use matinale_domain::user::Actor;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::credential::{authorised, Credential};
use crate::database::Store;
use crate::entity::{meeting_slot, presence, registration};
use crate::error::Error;
use crate::paging::page_of;

/// What `POST /registrations/{id}/presence` says: each `None` keeps the current value, and
/// `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PresenceChange {
    /// Present or absent for the rest of the block (organisers only).
    pub present: Option<Option<bool>>,
    /// The slot the person arrives for.
    pub from_slot_id: Option<Option<Uuid>>,
    /// The last slot the person stays for.
    pub until_slot_id: Option<Option<Uuid>>,
}

/// A registration's presence as known now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceView {
    /// The registration.
    pub registration_id: Uuid,
    /// Checked in.
    pub checked_in: bool,
    /// An organiser's mark, if any.
    pub marked_present: Option<bool>,
    /// The slot the person arrives for, if said.
    pub from_slot_id: Option<Uuid>,
    /// The last slot the person stays for, if said.
    pub until_slot_id: Option<Uuid>,
}

/// The event's slot ids in time order.
pub(crate) async fn slots_in_order(db: &impl ConnectionTrait, event_id: Uuid) -> Result<Vec<Uuid>, Error> {
    Ok(meeting_slot::Entity::find()
        .filter(meeting_slot::Column::EventId.eq(event_id))
        .order_by_asc(meeting_slot::Column::StartsAt)
        .order_by_asc(meeting_slot::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect())
}

/// Changes the presence of registration `id`: an organiser of its event may mark it present
/// or absent and set its window; its own token only the window (`present` is forbidden).
pub async fn set(store: &Store, id: Uuid, who: &Credential, change: PresenceChange) -> Result<PresenceView, Error> {
    if change.present.is_some() && matches!(who, Credential::Registrant(_)) {
        return Err(Error::Forbidden);
    }
    let change = &change;
    store
        .write(|txn| {
            Box::pin(async move {
                let r = authorised(txn, id, who).await?;
                let slots = slots_in_order(txn, r.event_id).await?;
                let current = presence::Entity::find_by_id(id).one(txn).await?;
                let marked = change
                    .present
                    .unwrap_or(current.as_ref().and_then(|c| c.marked_present));
                let from = change
                    .from_slot_id
                    .unwrap_or(current.as_ref().and_then(|c| c.from_slot_id));
                let until = change
                    .until_slot_id
                    .unwrap_or(current.as_ref().and_then(|c| c.until_slot_id));
                parse_window(from, until, &slots)?;
                presence::Entity::insert(presence::ActiveModel {
                    registration_id: Set(id),
                    marked_present: Set(marked),
                    from_slot_id: Set(from),
                    until_slot_id: Set(until),
                    updated_at: Set(txn.now()),
                })
                .on_conflict(
                    OnConflict::column(presence::Column::RegistrationId)
                        .update_columns([
                            presence::Column::MarkedPresent,
                            presence::Column::FromSlotId,
                            presence::Column::UntilSlotId,
                            presence::Column::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(txn)
                .await?;
                Ok(PresenceView {
                    registration_id: id,
                    checked_in: r.status == RegistrationStatus::Attended,
                    marked_present: marked,
                    from_slot_id: from,
                    until_slot_id: until,
                })
            })
        })
        .await
}

/// The attendance of every registration of `event_id`, with slots as indices of `slots` (the
/// event's slots in time order); a registration without a row has only its check-in.
pub(crate) async fn attendances(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    slots: &[Uuid],
) -> Result<HashMap<Uuid, Attendance>, Error> {
    use sea_orm::sea_query::Query;
    let people = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .all(db)
        .await?;
    let of_event = Query::select()
        .column(registration::Column::Id)
        .from(registration::Entity)
        .and_where(registration::Column::EventId.eq(event_id))
        .to_owned();
    let rows: HashMap<Uuid, presence::Model> = presence::Entity::find()
        .filter(presence::Column::RegistrationId.in_subquery(of_event))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.registration_id, p))
        .collect();
    let index = |id: Option<Uuid>| id.and_then(|id| slots.iter().position(|s| *s == id));
    Ok(people
        .into_iter()
        .map(|r| {
            let row = rows.get(&r.id);
            let attendance = Attendance {
                checked_in: r.status == RegistrationStatus::Attended,
                marked_present: row.and_then(|p| p.marked_present),
                from_slot: index(row.and_then(|p| p.from_slot_id)),
                until_slot: index(row.and_then(|p| p.until_slot_id)),
            };
            (r.id, attendance)
        })
        .collect())
}

/// The presence of registration `id` and its event's meeting slots in time order (the slots
/// an arrival or a leaving may name), for its own token or an organiser of its event.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
    who: &Credential,
) -> Result<(PresenceView, Vec<MeetingSlot>), Error> {
    let r = authorised(db, id, who).await?;
    let timezone = crate::events::timezone(db, r.event_id).await?;
    let row = presence::Entity::find_by_id(id).one(db).await?;
    let slots = meeting_slot::Entity::find()
        .filter(meeting_slot::Column::EventId.eq(r.event_id))
        .order_by_asc(meeting_slot::Column::StartsAt)
        .order_by_asc(meeting_slot::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|s| MeetingSlot {
            id: s.id,
            starts_at: local_time(s.starts_at, timezone),
            ends_at: local_time(s.ends_at, timezone),
        })
        .collect();
    Ok((view(&r, row.as_ref()), slots))
}

/// The presence of every confirmed or checked-in registration of `event_id`, by registration
/// id, for the event's organisers.
pub async fn list(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    actor: &Actor,
    page: PageRequest,
) -> Result<Page<PresenceView>, Error> {
    crate::events::get_editable(db, event_id, actor).await?;
    let query = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::Status.is_in([
            RegistrationStatus::Confirmed.as_str(),
            RegistrationStatus::Attended.as_str(),
        ]))
        .order_by_asc(registration::Column::Id);
    let people = page_of(db, query, page).await?;
    let ids: Vec<Uuid> = people.items.iter().map(|r| r.id).collect();
    let rows: HashMap<Uuid, presence::Model> = presence::Entity::find()
        .filter(presence::Column::RegistrationId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.registration_id, p))
        .collect();
    Ok(people.map(|r| view(&r, rows.get(&r.id))))
}

fn view(r: &registration::Model, row: Option<&presence::Model>) -> PresenceView {
    PresenceView {
        registration_id: r.id,
        checked_in: r.status == RegistrationStatus::Attended,
        marked_present: row.and_then(|p| p.marked_present),
        from_slot_id: row.and_then(|p| p.from_slot_id),
        until_slot_id: row.and_then(|p| p.until_slot_id),
    }
}
