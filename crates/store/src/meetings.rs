//! Published speed meetings: who meets whom, when and at which table, as organisers, stewards,
//! agendas and invitations see them; and publishing the event's draft schedule.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use matinale_domain::event::Category;
use matinale_domain::mail::MailKind;
use matinale_domain::meeting::MeetingStatus;
use matinale_domain::page::{Page, PageRequest};
use matinale_domain::partner::{shown_to, PartyFacts, PartyView, Viewer};
use matinale_domain::registration::RegistrationStatus;
use matinale_domain::user::Actor;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::database::Store;
use crate::draft::{DraftMeeting, DraftResult};
use crate::entity::text::Text;
use crate::entity::{meeting, meeting_block, meeting_preference, meeting_slot, registration, schedule_draft};
use crate::error::{corrupt, Error};
use crate::outbox::{self, MailDetails, NewMail};

/// One side of a meeting, as stored; what each viewer may see of it is [`Party::shown_to`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// The registration.
    pub registration_id: Uuid,
    /// "First Last", for organisers and the person themself.
    pub name: String,
    /// The organisation's name, only once the registration's claim to it is confirmed.
    pub organisation: Option<String>,
    /// The registration names an organisation whose claim is not confirmed.
    pub organisation_unconfirmed: bool,
    /// Buyer or ESS structure.
    pub category: Category,
    /// E-mail, shown to the other side only if the person consented to share contact.
    pub email: String,
    /// Consent to share contact details with the people they meet.
    pub share_contact: bool,
    /// Language of the person's mail.
    pub locale: String,
}

impl Party {
    /// What `viewer` may see of this person (`matinale_domain::partner::shown_to`).
    pub fn shown_to(&self, viewer: Viewer) -> PartyView {
        shown_to(
            PartyFacts {
                first_name: &self.name,
                last_name: "",
                share_contact: self.share_contact,
                category: self.category,
                organisation: self
                    .organisation
                    .as_deref()
                    .or(self.organisation_unconfirmed.then_some("")),
                organisation_confirmed: self.organisation.is_some(),
            },
            viewer,
        )
    }

    /// The person as the other side of a meeting may see them.
    pub fn shown_to_partner(&self) -> PartyView {
        self.shown_to(Viewer::Partner)
    }
}

/// A meeting with its slot, table and both sides resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingView {
    /// Id (also in its calendar UID).
    pub id: Uuid,
    /// Its slot.
    pub slot_id: Uuid,
    /// Slot start.
    pub starts_at: DateTime<Utc>,
    /// Slot end.
    pub ends_at: DateTime<Utc>,
    /// Table number, from 1.
    pub table: u32,
    /// The table's label ("Table 4" unless the block names its tables).
    pub table_label: String,
    /// The buyer, at the table.
    pub buyer: Party,
    /// The ESS structure.
    pub supplier: Party,
    /// Where it stands; `None` for a meeting of a draft that is not published yet.
    pub status: Option<MeetingStatus>,
    /// Revision of its invitations.
    pub sequence: u32,
    /// Score the scheduler gave it (wish weights of both sides).
    pub score: u32,
    /// Last change (the `DTSTAMP` of its calendar entries).
    pub updated_at: DateTime<Utc>,
}

/// What a view needs of a slot.
#[derive(Debug, Clone)]
struct SlotInfo {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    labels: Option<Vec<String>>,
}

/// Slots, tables and people of one event, loaded once to resolve many meetings.
pub(crate) struct Roster {
    slots: HashMap<Uuid, SlotInfo>,
    people: HashMap<Uuid, Party>,
}

impl Roster {
    /// Loads the slots of `event_id` and the registrations among `people` (all of the event's
    /// registrations when `None`).
    pub(crate) async fn load(
        db: &impl ConnectionTrait,
        event_id: Uuid,
        people: Option<&HashSet<Uuid>>,
    ) -> Result<Self, Error> {
        let blocks: HashMap<Uuid, Option<Vec<String>>> = meeting_block::Entity::find()
            .filter(meeting_block::Column::EventId.eq(event_id))
            .all(db)
            .await?
            .into_iter()
            .map(|b| {
                let labels = b.table_labels.and_then(|l| serde_json::from_value(l).ok());
                (b.id, labels)
            })
            .collect();
        let slots = meeting_slot::Entity::find()
            .filter(meeting_slot::Column::EventId.eq(event_id))
            .all(db)
            .await?
            .into_iter()
            .map(|s| {
                let labels = blocks.get(&s.block_id).cloned().flatten();
                (
                    s.id,
                    SlotInfo {
                        starts_at: s.starts_at,
                        ends_at: s.ends_at,
                        labels,
                    },
                )
            })
            .collect();
        let mut query = registration::Entity::find().filter(registration::Column::EventId.eq(event_id));
        if let Some(ids) = people {
            if ids.len() <= 500 {
                query = query.filter(registration::Column::Id.is_in(ids.iter().copied().collect::<Vec<_>>()));
            }
        }
        let rows: Vec<registration::Model> = query
            .all(db)
            .await?
            .into_iter()
            .filter(|r| people.is_none_or(|ids| ids.contains(&r.id)))
            .collect();
        let facts = crate::shown::Facts::load(db, &rows.iter().collect::<Vec<_>>()).await?;
        let people = rows
            .into_iter()
            .map(|r| {
                let organisation = facts.confirmed_organisation(&r);
                let party = Party {
                    registration_id: r.id,
                    name: format!("{} {}", r.first_name.trim(), r.last_name.trim())
                        .trim()
                        .to_owned(),
                    organisation_unconfirmed: r.organisation_id.is_some() && organisation.is_none(),
                    organisation,
                    category: r.category.get(),
                    email: r.email,
                    share_contact: r.share_contact,
                    locale: r.locale.as_str().to_owned(),
                };
                (r.id, party)
            })
            .collect();
        Ok(Roster { slots, people })
    }

    /// A person of the roster.
    pub(crate) fn person(&self, id: Uuid) -> Result<&Party, Error> {
        self.people.get(&id).ok_or_else(|| corrupt("meeting participant"))
    }

    /// The meeting `(slot, table, buyer, supplier)` resolved.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn view(
        &self,
        id: Uuid,
        slot_id: Uuid,
        table: u32,
        buyer: Uuid,
        supplier: Uuid,
        status: Option<MeetingStatus>,
        sequence: u32,
        score: u32,
        updated_at: DateTime<Utc>,
    ) -> Result<MeetingView, Error> {
        let slot = self.slots.get(&slot_id).ok_or_else(|| corrupt("meeting slot"))?;
        let table_label = slot
            .labels
            .as_ref()
            .and_then(|labels| labels.get(table.saturating_sub(1) as usize).cloned())
            .unwrap_or_else(|| format!("Table {table}"));
        Ok(MeetingView {
            id,
            slot_id,
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
            table,
            table_label,
            buyer: self.person(buyer)?.clone(),
            supplier: self.person(supplier)?.clone(),
            status,
            sequence,
            score,
            updated_at,
        })
    }

    pub(crate) fn view_of(&self, m: &meeting::Model) -> Result<MeetingView, Error> {
        self.view(
            m.id,
            m.slot_id,
            u32::try_from(m.table_no).map_err(|_| corrupt("table"))?,
            m.buyer_registration_id,
            m.supplier_registration_id,
            Some(m.status.get()),
            u32::try_from(m.sequence).unwrap_or(0),
            u32::try_from(m.score).unwrap_or(0),
            m.updated_at,
        )
    }
}

/// Orders meetings by slot start, then table.
pub(crate) fn in_time_order(list: &mut [MeetingView]) {
    list.sort_by_key(|a| (a.starts_at, a.table, a.id));
}

/// Filters of the organiser's list of meetings.
#[derive(Debug, Clone, Copy, Default)]
pub struct MeetingFilter {
    /// Meetings of this registration (either side).
    pub registration: Option<Uuid>,
    /// In this slot.
    pub slot: Option<Uuid>,
    /// At this table.
    pub table: Option<u32>,
    /// In this status.
    pub status: Option<MeetingStatus>,
}

/// A page of an event's timetable.
#[derive(Debug, Clone)]
pub struct Timetable {
    /// The event's zone, in which its times are shown.
    pub timezone: Tz,
    /// The meetings.
    pub meetings: Page<MeetingView>,
}

/// The published meetings of an event for its organisers, in time order then by table; every
/// matching one when `page` is `None` (the CSV sheet).
pub async fn list(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    actor: &Actor,
    filter: MeetingFilter,
    page: Option<PageRequest>,
) -> Result<Timetable, Error> {
    let timezone = crate::events::get_editable(db, event_id, actor).await?.fields.timezone;
    let mut query = meeting::Entity::find().filter(meeting::Column::EventId.eq(event_id));
    if let Some(r) = filter.registration {
        query = query.filter(
            Condition::any()
                .add(meeting::Column::BuyerRegistrationId.eq(r))
                .add(meeting::Column::SupplierRegistrationId.eq(r)),
        );
    }
    if let Some(slot) = filter.slot {
        query = query.filter(meeting::Column::SlotId.eq(slot));
    }
    if let Some(table) = filter.table {
        query = query.filter(meeting::Column::TableNo.eq(i64::from(table)));
    }
    if let Some(status) = filter.status {
        query = query.filter(meeting::Column::Status.eq(Text(status)));
    }
    let rows = query.all(db).await?;
    let people: HashSet<Uuid> = rows
        .iter()
        .flat_map(|m| [m.buyer_registration_id, m.supplier_registration_id])
        .collect();
    let roster = Roster::load(db, event_id, Some(&people)).await?;
    let mut all = rows.iter().map(|m| roster.view_of(m)).collect::<Result<Vec<_>, _>>()?;
    in_time_order(&mut all);
    let total = all.len() as u64;
    let request = page.unwrap_or(PageRequest {
        page: 1,
        per_page: Ord::max(total, 1),
    });
    let skip = usize::try_from((request.page - 1).saturating_mul(request.per_page)).unwrap_or(usize::MAX);
    let items = all
        .into_iter()
        .skip(skip)
        .take(usize::try_from(request.per_page).unwrap_or(usize::MAX))
        .collect();
    Ok(Timetable {
        timezone,
        meetings: Page { items, request, total },
    })
}

/// The published meetings of one registration, cancelled ones included, in time order.
pub async fn of_registration(db: &impl ConnectionTrait, registration_id: Uuid) -> Result<Vec<MeetingView>, Error> {
    let rows = meeting::Entity::find()
        .filter(
            Condition::any()
                .add(meeting::Column::BuyerRegistrationId.eq(registration_id))
                .add(meeting::Column::SupplierRegistrationId.eq(registration_id)),
        )
        .order_by_asc(meeting::Column::Id)
        .all(db)
        .await?;
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let people: HashSet<Uuid> = rows
        .iter()
        .flat_map(|m| [m.buyer_registration_id, m.supplier_registration_id])
        .collect();
    let roster = Roster::load(db, first.event_id, Some(&people)).await?;
    let mut all = rows.iter().map(|m| roster.view_of(m)).collect::<Result<Vec<_>, _>>()?;
    in_time_order(&mut all);
    Ok(all)
}

/// One meeting, resolved, whoever asks (the mail worker).
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<MeetingView, Error> {
    let m = meeting::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound)?;
    let people = HashSet::from([m.buyer_registration_id, m.supplier_registration_id]);
    Roster::load(db, m.event_id, Some(&people)).await?.view_of(&m)
}

/// What publishing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    /// The draft published.
    pub draft_id: Uuid,
    /// Meetings added to the timetable.
    pub added: u64,
    /// Meetings kept as they were.
    pub kept: u64,
    /// Published meetings the draft no longer holds (a side left or opted out), now cancelled.
    pub cancelled: u64,
    /// Meetings of the draft not booked because a side cancelled or opted out since it was
    /// computed (run the schedule again to fill their places).
    pub skipped: u64,
    /// People mailed their new agenda.
    pub notified: u64,
    /// The draft had already been published: nothing changed.
    pub already_published: bool,
}

/// Rows a multi-row insert writes at once (well under SQLite's and PostgreSQL's limits on
/// bound parameters).
const INSERT_CHUNK: usize = 500;

/// Publishes the event's draft in one transaction: its new meetings become `scheduled`,
/// published meetings it dropped are cancelled, and everyone whose agenda changed gets one
/// mail (and each partner of a cancelled meeting its cancellation). Publishing the same draft
/// again changes nothing.
pub async fn publish(store: &Store, event_id: Uuid, actor: &Actor) -> Result<Published, Error> {
    crate::events::get_editable(store, event_id, actor).await?;
    store.write(|txn| Box::pin(async move {
    let draft = schedule_draft::Entity::find_by_id(event_id).one(txn).await?;
    let Some((draft_id, result, published_at)) = draft.and_then(|d| Some((d.draft_id?, d.result?, d.published_at)))
    else {
        return Err(Error::Conflict(
            "there is no draft schedule to publish: run POST /events/{id}/schedule first".into(),
        ));
    };
    let result: DraftResult = serde_json::from_value(result).map_err(|_| corrupt("draft schedule"))?;
    let kept = result.meetings.iter().filter(|m| m.published).count() as u64;
    if published_at.is_some() {
        return Ok(Published {
            draft_id,
            added: 0,
            kept,
            cancelled: 0,
            skipped: 0,
            notified: 0,
            already_published: true,
        });
    }
    let live = meeting::Entity::find()
        .filter(meeting::Column::EventId.eq(event_id))
        .filter(meeting::Column::Status.ne(Text(MeetingStatus::Cancelled)))
        .all(txn)
        .await?;
    let live_ids: HashSet<Uuid> = live.iter().map(|m| m.id).collect();
    let in_draft: HashSet<Uuid> = result.meetings.iter().map(|m| m.id).collect();
    if let Some(missing) = result
        .meetings
        .iter()
        .find(|m| m.published && !live_ids.contains(&m.id))
    {
        return Err(Error::Conflict(format!(
            "the draft keeps meeting {} which is no longer published: run the schedule again",
            missing.id
        )));
    }
    let dropped: Vec<&meeting::Model> = live
        .iter()
        .filter(|m| m.status == MeetingStatus::Scheduled && !in_draft.contains(&m.id))
        .collect();
    let now = store.now();
    let mut changed: HashSet<Uuid> = HashSet::new();
    for chunk in dropped.chunks(INSERT_CHUNK) {
        meeting::Entity::update_many()
            .col_expr(meeting::Column::Status, Expr::val(MeetingStatus::Cancelled.as_str()))
            .col_expr(meeting::Column::Sequence, Expr::col(meeting::Column::Sequence).add(1))
            .col_expr(
                meeting::Column::CancelReason,
                Expr::val("a participant no longer takes part; the schedule was run again"),
            )
            .col_expr(meeting::Column::UpdatedAt, Expr::val(now))
            .filter(meeting::Column::Id.is_in(chunk.iter().map(|m| m.id).collect::<Vec<_>>()))
            .exec(txn)
            .await?;
    }
    // People who left or opted out since the draft was computed are not booked.
    let registrations: HashMap<Uuid, registration::Model> = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let opted_out: HashSet<Uuid> = meeting_preference::Entity::find()
        .filter(meeting_preference::Column::OptIn.eq(false))
        .filter(meeting_preference::Column::RegistrationId.is_in(registrations.keys().copied().collect::<Vec<_>>()))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| p.registration_id)
        .collect();
    let takes_part = |id: &Uuid| {
        !opted_out.contains(id)
            && registrations.get(id).is_some_and(|r| {
                r.status == RegistrationStatus::Confirmed || r.status == RegistrationStatus::Attended
            })
    };
    let (bookable, stale): (Vec<&DraftMeeting>, Vec<&DraftMeeting>) = result
        .meetings
        .iter()
        .filter(|m| !m.published)
        .partition(|m| takes_part(&m.buyer_registration_id) && takes_part(&m.supplier_registration_id));
    let added: Vec<meeting::ActiveModel> = bookable
        .into_iter()
        .map(|m| {
            changed.insert(m.buyer_registration_id);
            changed.insert(m.supplier_registration_id);
            meeting::ActiveModel {
                id: Set(m.id),
                event_id: Set(event_id),
                slot_id: Set(m.slot_id),
                table_no: Set(i32::try_from(m.table).unwrap_or(i32::MAX)),
                buyer_registration_id: Set(m.buyer_registration_id),
                supplier_registration_id: Set(m.supplier_registration_id),
                status: Set(Text(MeetingStatus::Scheduled)),
                sequence: Set(0),
                score: Set(i32::try_from(m.score).unwrap_or(i32::MAX)),
                cancel_reason: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
        })
        .collect();
    let added_count = added.len() as u64;
    for chunk in added.chunks(INSERT_CHUNK) {
        meeting::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await
            .map_err(|e| match Error::from(e) {
                Error::Conflict(_) => Error::Conflict(
                    "the draft no longer fits the published timetable (a person or a table is taken): run the schedule again"
                        .into(),
                ),
                other => other,
            })?;
    }
    // Whoever loses a meeting is told, and so is the partner who keeps the slot free.
    let mut cancellations = Vec::new();
    for m in &dropped {
        changed.insert(m.buyer_registration_id);
        changed.insert(m.supplier_registration_id);
        cancellations.push((m.id, m.buyer_registration_id));
        cancellations.push((m.id, m.supplier_registration_id));
    }
    let people: HashMap<Uuid, &registration::Model> = registrations
        .iter()
        .filter(|(id, r)| changed.contains(id) && r.status != RegistrationStatus::Cancelled)
        .map(|(id, r)| (*id, r))
        .collect();
    let mut mails = Vec::with_capacity(people.len() + cancellations.len());
    for r in people.values() {
        mails.push(NewMail::to_registration(r, MailKind::AgendaPublished, MailDetails::default()));
    }
    for (meeting_id, person) in cancellations {
        if let Some(r) = people.get(&person) {
            mails.push(NewMail::to_registration(
                r,
                MailKind::MeetingCancelled,
                MailDetails::meeting(meeting_id),
            ));
        }
    }
    let notified = people.len() as u64;
    outbox::enqueue_many(txn, mails).await?;
    let written = schedule_draft::Entity::update_many()
        .col_expr(schedule_draft::Column::PublishedAt, Expr::val(now))
        .filter(schedule_draft::Column::EventId.eq(event_id))
        .filter(schedule_draft::Column::DraftId.eq(draft_id))
        .filter(schedule_draft::Column::PublishedAt.is_null())
        .exec(txn)
        .await?;
    if written.rows_affected != 1 {
        return Err(Error::Conflict("the draft changed while it was being published".into()));
    }
    Ok(Published {
        draft_id,
        added: added_count,
        kept,
        cancelled: dropped.len() as u64,
        skipped: stale.len() as u64,
        notified,
        already_published: false,
    })
    })).await
}

/// The meetings of registration `id` that its event's cancellation cancelled, in time order.
pub async fn cancelled_with_event(db: &impl ConnectionTrait, id: Uuid) -> Result<Vec<MeetingView>, Error> {
    let mut all = of_registration(db, id).await?;
    let ids: Vec<Uuid> = all.iter().map(|m| m.id).collect();
    let with_event: HashSet<Uuid> = meeting::Entity::find()
        .filter(meeting::Column::Id.is_in(ids))
        .filter(meeting::Column::CancelReason.eq(crate::cascade::EVENT_CANCELLED))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    all.retain(|m| with_event.contains(&m.id));
    Ok(all)
}
