//! Changes to published meetings and what the day itself needs of them: an organiser moves,
//! cancels or adds a meeting by hand; a registration or the event that goes away takes its
//! meetings with it; the event's times may not leave a meeting outside; and the stewards'
//! view of the current and next slot.
//!
//! Every change is one write transaction that also queues the mail it owes, to the two people
//! of the meeting and nobody else: a moved or added meeting goes out again as an invitation
//! (`meeting_changed`, `METHOD:REQUEST`), a cancelled one as `meeting_cancelled`
//! (`METHOD:CANCEL`); the `sequence` of a meeting grows by one with each move or cancellation,
//! its id (and so its calendar UID) never changes. The partial unique indexes on
//! `(slot_id, table_no | buyer | supplier)` of live meetings back the checks made here when two
//! changes race.

use std::collections::HashSet;

use chrono_tz::Tz;
use matinale_domain::event::{Category, EventStatus};
use matinale_domain::mail::MailKind;
use matinale_domain::meeting::MeetingStatus;
use matinale_domain::registration::RegistrationStatus;
use matinale_domain::user::Actor;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::entity::text::Text;
use crate::entity::{meeting, meeting_block, meeting_preference, meeting_slot, registration, wish_decline};
use crate::error::{corrupt, Error};
use crate::meetings::{MeetingView, Roster};
use crate::outbox::{MailDetails, PreviousPlace};

mod steward;

pub use crate::cascade::{
    cancel_for_event, cancel_for_registration, check_event_times, EVENT_CANCELLED, PARTICIPANT_LEFT,
};
use crate::cascade::{live_statuses, tell};
pub use crate::meetings::cancelled_with_event;
pub use steward::{now, Now, Seat, SlotNow, TableNow};

/// Longest reason an organiser may give for a cancellation.
pub const MAX_REASON_CHARS: usize = 500;

/// A meeting after a change, with the zone its event shows times in.
#[derive(Debug, Clone)]
pub struct Changed {
    /// The meeting as it is now.
    pub meeting: MeetingView,
    /// Its event's zone.
    pub timezone: Tz,
}

/// Where a meeting is to take place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// A slot of the meeting's event.
    pub slot_id: Uuid,
    /// A table of the slot's block, from 1.
    pub table: u32,
}

/// A meeting an organiser adds by hand.
#[derive(Debug, Clone, Copy)]
pub struct NewMeeting {
    /// Where.
    pub place: Place,
    /// A confirmed (or checked-in) buyer of the event.
    pub buyer: Uuid,
    /// A confirmed (or checked-in) ESS structure of the event.
    pub supplier: Uuid,
}

/// How the fields of a request are named in its problems: a move names the people `buyer` and
/// `supplier`, an addition by the fields that carry them.
struct Names {
    buyer: &'static str,
    supplier: &'static str,
}

const MOVE: Names = Names {
    buyer: "buyer",
    supplier: "supplier",
};
const ADD: Names = Names {
    buyer: "buyer_registration_id",
    supplier: "supplier_registration_id",
};

/// The meeting `id` and its event, for a change by `actor` (an organiser of the event).
async fn editable(db: &impl ConnectionTrait, id: Uuid, actor: &Actor) -> Result<(meeting::Model, Tz), Error> {
    let m = meeting::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound)?;
    let event = crate::events::get_editable(db, m.event_id, actor).await?;
    if event.status == EventStatus::Cancelled {
        return Err(Error::Conflict("status: the event is cancelled".into()));
    }
    Ok((m, event.fields.timezone))
}

/// The slot `place` names, checked against the event and the slot's block.
async fn slot_of(db: &impl ConnectionTrait, event_id: Uuid, place: Place) -> Result<meeting_slot::Model, Error> {
    let slot = meeting_slot::Entity::find_by_id(place.slot_id)
        .one(db)
        .await?
        .filter(|s| s.event_id == event_id)
        .ok_or_else(|| matinale_domain::Error::field("slot_id", "unknown", "no slot of this event has this id"))?;
    let block = meeting_block::Entity::find_by_id(slot.block_id)
        .one(db)
        .await?
        .ok_or_else(|| corrupt("meeting block"))?;
    let tables = u32::try_from(block.tables).unwrap_or(0);
    if !(1..=tables).contains(&place.table) {
        return Err(matinale_domain::Error::field(
            "table",
            "out_of_range",
            format!("the block of this slot has tables 1 to {tables}"),
        )
        .into());
    }
    Ok(slot)
}

/// Refuses `place` for `buyer` and `supplier` if the table or either person is taken in that
/// slot by another live meeting than `except`, or either person said they cannot come then.
async fn check_free(
    db: &impl ConnectionTrait,
    place: Place,
    buyer: Uuid,
    supplier: Uuid,
    except: Option<Uuid>,
    names: &Names,
) -> Result<(), Error> {
    let mut query = meeting::Entity::find()
        .filter(meeting::Column::SlotId.eq(place.slot_id))
        .filter(meeting::Column::Status.is_in(live_statuses()))
        .filter(
            Condition::any()
                .add(meeting::Column::TableNo.eq(i64::from(place.table)))
                .add(meeting::Column::BuyerRegistrationId.eq(buyer))
                .add(meeting::Column::SupplierRegistrationId.eq(supplier)),
        );
    if let Some(id) = except {
        query = query.filter(meeting::Column::Id.ne(id));
    }
    let taken = query.all(db).await?;
    let table = i64::from(place.table);
    if taken.iter().any(|m| i64::from(m.table_no) == table) {
        return Err(Error::Conflict(format!(
            "table: table {} is taken in that slot",
            place.table
        )));
    }
    if taken.iter().any(|m| m.buyer_registration_id == buyer) {
        return Err(Error::Conflict(format!(
            "{}: the buyer already has a meeting in that slot",
            names.buyer
        )));
    }
    if taken.iter().any(|m| m.supplier_registration_id == supplier) {
        return Err(Error::Conflict(format!(
            "{}: the ESS structure already has a meeting in that slot",
            names.supplier
        )));
    }
    for preference in meeting_preference::Entity::find()
        .filter(meeting_preference::Column::RegistrationId.is_in([buyer, supplier]))
        .all(db)
        .await?
    {
        let unavailable: Vec<Uuid> =
            serde_json::from_value(preference.unavailable_slot_ids).map_err(|_| corrupt("unavailable slots"))?;
        if unavailable.contains(&place.slot_id) {
            let who = if preference.registration_id == buyer {
                "the buyer"
            } else {
                "the ESS structure"
            };
            return Err(Error::Conflict(format!(
                "slot_id: {who} said they cannot come in that slot"
            )));
        }
    }
    Ok(())
}

/// The meeting `m` resolved for a response or a mail.
async fn view(db: &impl ConnectionTrait, m: &meeting::Model) -> Result<MeetingView, Error> {
    let people = HashSet::from([m.buyer_registration_id, m.supplier_registration_id]);
    Roster::load(db, m.event_id, Some(&people)).await?.view_of(m)
}

/// Moves the meeting `id` to `to`, by an organiser of its event. The meeting keeps its id and
/// its calendar UID, its `sequence` grows by one, and both people get the new invitation with
/// where it was before. A move to where it already is changes nothing and mails nobody.
pub async fn move_to(store: &crate::Store, id: Uuid, actor: &Actor, to: Place) -> Result<Changed, Error> {
    store
        .write(|txn| {
            Box::pin(async move {
                let (m, timezone) = editable(txn, id, actor).await?;
                if m.status != MeetingStatus::Scheduled {
                    return Err(Error::Conflict(format!(
                        "status: a {} meeting cannot be moved",
                        m.status
                    )));
                }
                let slot = slot_of(txn, m.event_id, to).await?;
                let here = Place {
                    slot_id: m.slot_id,
                    table: u32::try_from(m.table_no).map_err(|_| corrupt("table"))?,
                };
                if here == to {
                    let meeting = view(txn, &m).await?;
                    return Ok(Changed { meeting, timezone });
                }
                check_free(
                    txn,
                    to,
                    m.buyer_registration_id,
                    m.supplier_registration_id,
                    Some(m.id),
                    &MOVE,
                )
                .await?;
                let before = meeting_slot::Entity::find_by_id(m.slot_id)
                    .one(txn)
                    .await?
                    .ok_or_else(|| corrupt("meeting slot"))?;
                let written = meeting::Entity::update_many()
                    .col_expr(meeting::Column::SlotId, Expr::val(slot.id))
                    .col_expr(
                        meeting::Column::TableNo,
                        Expr::val(i32::try_from(to.table).unwrap_or(i32::MAX)),
                    )
                    .col_expr(meeting::Column::Sequence, Expr::col(meeting::Column::Sequence).add(1))
                    .col_expr(meeting::Column::UpdatedAt, Expr::val(txn.now()))
                    .filter(meeting::Column::Id.eq(m.id))
                    .filter(meeting::Column::Sequence.eq(m.sequence))
                    .filter(meeting::Column::Status.eq(Text(MeetingStatus::Scheduled)))
                    .exec(txn)
                    .await?;
                if written.rows_affected != 1 {
                    return Err(Error::Conflict("the meeting changed meanwhile; read it again".into()));
                }
                tell(
                    txn,
                    &[m.buyer_registration_id, m.supplier_registration_id],
                    MailKind::MeetingChanged,
                    MailDetails {
                        meeting_id: Some(m.id),
                        previous: Some(PreviousPlace {
                            starts_at: before.starts_at,
                            ends_at: before.ends_at,
                            table: here.table,
                        }),
                        ..MailDetails::default()
                    },
                )
                .await?;
                let moved = meeting::Entity::find_by_id(m.id)
                    .one(txn)
                    .await?
                    .ok_or(Error::NotFound)?;
                let meeting = view(txn, &moved).await?;
                Ok(Changed { meeting, timezone })
            })
        })
        .await
}

/// Cancels the meeting `id`, by an organiser of its event, with the reason they give: its
/// `sequence` grows by one and both people get its `METHOD:CANCEL`. Only a scheduled meeting
/// may be cancelled (twice is a conflict).
pub async fn cancel(store: &crate::Store, id: Uuid, actor: &Actor, reason: Option<String>) -> Result<Changed, Error> {
    if reason.as_ref().is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
        return Err(matinale_domain::Error::field(
            "reason",
            "too_long",
            format!("at most {MAX_REASON_CHARS} characters"),
        )
        .into());
    }
    let reason = reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    store
        .write(|txn| {
            let reason = reason.clone();
            Box::pin(async move {
                let (m, timezone) = editable(txn, id, actor).await?;
                if m.status != MeetingStatus::Scheduled {
                    return Err(Error::Conflict(format!(
                        "status: a {} meeting cannot be cancelled",
                        m.status
                    )));
                }
                let written = meeting::Entity::update_many()
                    .col_expr(meeting::Column::Status, Expr::val(MeetingStatus::Cancelled.as_str()))
                    .col_expr(meeting::Column::Sequence, Expr::col(meeting::Column::Sequence).add(1))
                    .col_expr(
                        meeting::Column::CancelReason,
                        Expr::val(reason.clone().unwrap_or_else(|| "cancelled by an organiser".into())),
                    )
                    .col_expr(meeting::Column::UpdatedAt, Expr::val(txn.now()))
                    .filter(meeting::Column::Id.eq(m.id))
                    .filter(meeting::Column::Status.eq(Text(MeetingStatus::Scheduled)))
                    .exec(txn)
                    .await?;
                if written.rows_affected != 1 {
                    return Err(Error::Conflict("status: the meeting is already cancelled".into()));
                }
                tell(
                    txn,
                    &[m.buyer_registration_id, m.supplier_registration_id],
                    MailKind::MeetingCancelled,
                    MailDetails {
                        reason: reason.clone(),
                        ..MailDetails::meeting(m.id)
                    },
                )
                .await?;
                let cancelled = meeting::Entity::find_by_id(m.id)
                    .one(txn)
                    .await?
                    .ok_or(Error::NotFound)?;
                let meeting = view(txn, &cancelled).await?;
                Ok(Changed { meeting, timezone })
            })
        })
        .await
}

/// A registration of `event_id` that may take the `category` side of a meeting: confirmed or
/// checked in.
async fn participant(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    id: Uuid,
    category: Category,
    field: &'static str,
) -> Result<(), Error> {
    let invalid = |code: &str, message: &str| Error::from(matinale_domain::Error::field(field, code, message));
    let r = registration::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|r| r.event_id == event_id)
        .ok_or_else(|| invalid("unknown", "no registration of this event has this id"))?;
    if r.category != category {
        return Err(invalid(
            "wrong_category",
            &format!("this registration is not of category {category}"),
        ));
    }
    if r.status != RegistrationStatus::Confirmed && r.status != RegistrationStatus::Attended {
        return Err(invalid(
            "not_confirmed",
            &format!("a {} registration takes no meeting", r.status),
        ));
    }
    Ok(())
}

/// Adds a meeting by hand, by an organiser of `event_id`, with the checks of a move; both
/// people get its invitation.
pub async fn add(store: &crate::Store, event_id: Uuid, actor: &Actor, new: NewMeeting) -> Result<Changed, Error> {
    store
        .write(|txn| {
            Box::pin(async move {
                let event = crate::events::get_editable(txn, event_id, actor).await?;
                if event.status == EventStatus::Cancelled {
                    return Err(Error::Conflict("status: the event is cancelled".into()));
                }
                let slot = slot_of(txn, event_id, new.place).await?;
                participant(txn, event_id, new.buyer, Category::Buyer, ADD.buyer).await?;
                participant(txn, event_id, new.supplier, Category::EssStructure, ADD.supplier).await?;
                let declined = wish_decline::Entity::find_by_id((new.buyer, new.supplier))
                    .one(txn)
                    .await?;
                if declined.is_some() {
                    return Err(Error::Conflict(format!(
                        "{}: one side declined to meet the other",
                        ADD.supplier
                    )));
                }
                let already = meeting::Entity::find()
                    .filter(meeting::Column::BuyerRegistrationId.eq(new.buyer))
                    .filter(meeting::Column::SupplierRegistrationId.eq(new.supplier))
                    .filter(meeting::Column::Status.is_in(live_statuses()))
                    .one(txn)
                    .await?;
                if already.is_some() {
                    return Err(Error::Conflict(format!("{}: these two already meet", ADD.supplier)));
                }
                check_free(txn, new.place, new.buyer, new.supplier, None, &ADD).await?;
                let now = txn.now();
                let id = Uuid::now_v7();
                let m = meeting::ActiveModel {
                    id: Set(id),
                    event_id: Set(event_id),
                    slot_id: Set(slot.id),
                    table_no: Set(i32::try_from(new.place.table).unwrap_or(i32::MAX)),
                    buyer_registration_id: Set(new.buyer),
                    supplier_registration_id: Set(new.supplier),
                    status: Set(Text(MeetingStatus::Scheduled)),
                    sequence: Set(0),
                    score: Set(0),
                    cancel_reason: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                };
                meeting::Entity::insert(m).exec_without_returning(txn).await?;
                tell(
                    txn,
                    &[new.buyer, new.supplier],
                    MailKind::MeetingChanged,
                    MailDetails::meeting(id),
                )
                .await?;
                let added = meeting::Entity::find_by_id(id).one(txn).await?.ok_or(Error::NotFound)?;
                let meeting = view(txn, &added).await?;
                Ok(Changed {
                    meeting,
                    timezone: event.fields.timezone,
                })
            })
        })
        .await
}

/// One meeting, for an organiser of its event or one of its two people.
pub async fn get(db: &impl ConnectionTrait, id: Uuid, who: &crate::credential::Credential) -> Result<Changed, Error> {
    let m = meeting::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound)?;
    let event = crate::events::get(db, m.event_id).await?;
    let allowed = match who {
        crate::credential::Credential::User(actor) => event.is_organised_by(actor),
        crate::credential::Credential::Registrant(own) => {
            *own == m.buyer_registration_id || *own == m.supplier_registration_id
        }
    };
    if !allowed {
        return Err(Error::NotFound);
    }
    Ok(Changed {
        meeting: view(db, &m).await?,
        timezone: event.fields.timezone,
    })
}
