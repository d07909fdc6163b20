//! What came of the meetings: attendance (marked by an organiser, else derived from check-ins
//! once the block is over, see [`AttendanceFacts::effective`]), the outcome each side reports
//! (history kept, the latest per side wins), and the follow-up mail that asks for them.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use matinale_domain::event::EventStatus;
use matinale_domain::mail::MailKind;
use matinale_domain::meeting::{MeetingStatus, Side};
use matinale_domain::outcome::{
    check_takes_outcome, readable_by, Absent, AmountCents, Attendance, AttendanceFacts, AttendanceMark,
    MarkedAttendance, NewOutcome, OutcomeKind, MAX_OUTCOMES_PER_SIDE,
};
use matinale_domain::page::{Page, PageRequest};
use matinale_domain::registration::RegistrationStatus;
use matinale_domain::user::Actor;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use crate::credential::Credential;
use crate::database::Clocked;
use crate::entity::text::Text;
use crate::entity::{event, meeting, meeting_block, meeting_outcome, meeting_slot, registration, registration_token};
use crate::error::{corrupt, Error};

/// Rows read at once with `IN (…)` (well under both databases' limits on bound parameters).
const CHUNK: usize = 500;

/// A published meeting with what reports and outcomes need of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingFacts {
    /// The meeting.
    pub id: Uuid,
    /// Its event.
    pub event_id: Uuid,
    /// The buyer's registration.
    pub buyer: Uuid,
    /// The ESS structure's registration.
    pub supplier: Uuid,
    /// Called off.
    pub cancelled: bool,
    /// Effective attendance (`planned` for a cancelled meeting).
    pub attendance: Attendance,
    /// Who was missing, for a no-show.
    pub absent: Option<Absent>,
}

/// The published meetings of `event_ids` with their effective attendance at `now`.
pub(crate) async fn meeting_facts(
    db: &impl ConnectionTrait,
    event_ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Vec<MeetingFacts>, Error> {
    let mut rows = Vec::new();
    let mut block_ends: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    let mut slot_block: HashMap<Uuid, Uuid> = HashMap::new();
    let mut checked_in: HashSet<Uuid> = HashSet::new();
    for chunk in event_ids.chunks(CHUNK) {
        rows.extend(
            meeting::Entity::find()
                .filter(meeting::Column::EventId.is_in(chunk.to_vec()))
                .order_by_asc(meeting::Column::Id)
                .all(db)
                .await?,
        );
        for b in meeting_block::Entity::find()
            .filter(meeting_block::Column::EventId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            block_ends.insert(b.id, b.ends_at);
        }
        for s in meeting_slot::Entity::find()
            .filter(meeting_slot::Column::EventId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            slot_block.insert(s.id, s.block_id);
        }
        let attended: Vec<Uuid> = registration::Entity::find()
            .filter(registration::Column::EventId.is_in(chunk.to_vec()))
            .filter(registration::Column::Status.eq(RegistrationStatus::Attended.as_str()))
            .select_only()
            .column(registration::Column::Id)
            .into_tuple()
            .all(db)
            .await?;
        checked_in.extend(attended);
    }
    rows.into_iter()
        .map(|m| {
            let block_ends_at = slot_block
                .get(&m.slot_id)
                .and_then(|b| block_ends.get(b))
                .copied()
                .ok_or_else(|| corrupt("meeting slot"))?;
            let cancelled = m.status == MeetingStatus::Cancelled;
            let facts = AttendanceFacts {
                marked: marked(&m),
                block_ends_at,
                buyer_checked_in: checked_in.contains(&m.buyer_registration_id),
                supplier_checked_in: checked_in.contains(&m.supplier_registration_id),
            };
            let (attendance, absent) = if cancelled {
                (Attendance::Planned, None)
            } else {
                facts.effective(now)
            };
            Ok(MeetingFacts {
                id: m.id,
                event_id: m.event_id,
                buyer: m.buyer_registration_id,
                supplier: m.supplier_registration_id,
                cancelled,
                attendance,
                absent,
            })
        })
        .collect()
}

fn marked(m: &meeting::Model) -> Option<AttendanceMark> {
    m.attendance.map(|status| AttendanceMark {
        status: status.get(),
        absent: m.absent.map(Text::get),
    })
}

/// The facts of one meeting at `now`.
async fn facts_of(db: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> Result<MeetingFacts, Error> {
    let event_id = meeting::Entity::find_by_id(id)
        .select_only()
        .column(meeting::Column::EventId)
        .into_tuple::<Uuid>()
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    meeting_facts(db, &[event_id], now)
        .await?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or(Error::NotFound)
}

/// Marks a meeting held or not by an organiser of its event; the mark wins over check-ins. The
/// meeting's status follows (`held` or `no_show`), so that the timetable shows it. A
/// cancelled meeting takes no mark (409).
pub async fn mark_attendance(
    store: &crate::Store,
    id: Uuid,
    actor: &Actor,
    mark: AttendanceMark,
    now: DateTime<Utc>,
) -> Result<MeetingFacts, Error> {
    store
        .write(|txn| {
            Box::pin(async move {
                let m = meeting::Entity::find_by_id(id).one(txn).await?.ok_or(Error::NotFound)?;
                crate::events::get_editable(txn, m.event_id, actor).await?;
                if m.status == MeetingStatus::Cancelled {
                    return Err(Error::Conflict(
                        "status: this meeting was cancelled; it takes no attendance".into(),
                    ));
                }
                let status = match mark.status {
                    MarkedAttendance::Held => MeetingStatus::Held,
                    MarkedAttendance::NoShow => MeetingStatus::NoShow,
                };
                let written = meeting::Entity::update_many()
                    .col_expr(meeting::Column::Attendance, Expr::val(mark.status.as_str()))
                    .col_expr(
                        meeting::Column::Absent,
                        Expr::val(mark.absent.map(|a| a.as_str().to_owned())),
                    )
                    .col_expr(meeting::Column::AttendanceMarkedAt, Expr::val(now))
                    .col_expr(meeting::Column::Status, Expr::val(status.as_str()))
                    .col_expr(meeting::Column::UpdatedAt, Expr::val(now))
                    .filter(meeting::Column::Id.eq(id))
                    .filter(meeting::Column::Status.ne(Text(MeetingStatus::Cancelled)))
                    .exec(txn)
                    .await?;
                if written.rows_affected != 1 {
                    return Err(Error::Conflict(
                        "status: the meeting changed meanwhile; try again".into(),
                    ));
                }
                let facts = facts_of(txn, id, now).await?;
                Ok(facts)
            })
        })
        .await
}

/// One recorded outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeRecord {
    /// Id.
    pub id: Uuid,
    /// The side it speaks for.
    pub side: Side,
    /// What came of it.
    pub outcome: OutcomeKind,
    /// For how much.
    pub amount: Option<AmountCents>,
    /// A note.
    pub comment: Option<String>,
    /// Entered by an organiser (else by the side itself, with its token).
    pub by_organiser: bool,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

impl OutcomeRecord {
    fn from_row(row: meeting_outcome::Model) -> Result<Self, Error> {
        Ok(Self {
            id: row.id,
            side: row.side.get(),
            outcome: row.outcome.get(),
            amount: row.amount_cents.map(AmountCents::from_cents),
            comment: row.comment,
            by_organiser: row.recorded_by.starts_with("user:"),
            recorded_at: row.recorded_at,
        })
    }
}

/// A meeting's outcomes as one reader may see them: the latest of each side, and (when
/// asked) a page of the history, newest first. A side (its manage token) sees its own only.
#[derive(Debug, Clone)]
pub struct MeetingOutcomes {
    /// The meeting.
    pub meeting_id: Uuid,
    /// Its effective attendance now.
    pub attendance: Attendance,
    /// The latest outcome of each side that reported one and the reader may see (buyer first).
    pub latest: Vec<OutcomeRecord>,
    /// A page of the outcomes kept that the reader may see, newest first.
    pub history: Option<Page<OutcomeRecord>>,
}

/// Who may read or record the outcomes of meeting `m`, and for which side: an organiser of its
/// event (any side), or one of its two registrations (its own side). Anyone else: not found.
async fn access(db: &impl ConnectionTrait, m: &MeetingFacts, who: &Credential) -> Result<Option<Side>, Error> {
    match who {
        Credential::User(actor) => {
            crate::events::get_editable(db, m.event_id, actor).await?;
            Ok(None)
        }
        Credential::Registrant(id) if *id == m.buyer => Ok(Some(Side::Buyer)),
        Credential::Registrant(id) if *id == m.supplier => Ok(Some(Side::Supplier)),
        Credential::Registrant(_) => Err(Error::NotFound),
    }
}

/// The outcomes of a meeting (the latest per side, and the `page` of the history), for an
/// organiser of its event (both sides) or either side (its own only).
pub async fn of_meeting(
    db: &impl Clocked,
    id: Uuid,
    who: &Credential,
    page: PageRequest,
) -> Result<MeetingOutcomes, Error> {
    let facts = facts_of(db, id, db.now()).await?;
    let reader = access(db, &facts, who).await?;
    read(db, &facts, reader, Some(page)).await
}

/// The outcomes `reader` may see (see `matinale_domain::outcome::readable_by`).
async fn read(
    db: &impl ConnectionTrait,
    facts: &MeetingFacts,
    reader: Option<Side>,
    page: Option<PageRequest>,
) -> Result<MeetingOutcomes, Error> {
    // At most MAX_OUTCOMES_PER_SIDE rows per side are kept, so reading them all is bounded.
    let kept: Vec<OutcomeRecord> = meeting_outcome::Entity::find()
        .filter(meeting_outcome::Column::MeetingId.eq(facts.id))
        .order_by_desc(meeting_outcome::Column::RecordedAt)
        .order_by_desc(meeting_outcome::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(OutcomeRecord::from_row)
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|o| readable_by(reader, o.side))
        .collect();
    let mut latest: Vec<OutcomeRecord> = [Side::Buyer, Side::Supplier]
        .into_iter()
        .filter_map(|side| kept.iter().find(|o| o.side == side).cloned())
        .collect();
    latest.sort_by_key(|o| o.side);
    let history = page.map(|request| {
        let total = kept.len() as u64;
        let skip = usize::try_from(request.offset()).unwrap_or(usize::MAX);
        let take = usize::try_from(request.per_page).unwrap_or(usize::MAX);
        Page {
            items: kept.into_iter().skip(skip).take(take).collect(),
            request,
            total,
        }
    });
    Ok(MeetingOutcomes {
        meeting_id: facts.id,
        attendance: facts.attendance,
        latest,
        history,
    })
}

/// Records what came of a meeting for one side: the caller's own side for a registrant (a
/// `side` naming the other one is refused), the `side` given for an organiser (required).
/// Only a meeting that took place (`held`) takes one: planned, no-show or cancelled is a 409
/// naming `meeting`. The [`MAX_OUTCOMES_PER_SIDE`] latest of a side are kept. The answer
/// holds the latest outcome of each side the caller may see (a registrant: its own).
pub async fn record(
    store: &crate::Store,
    id: Uuid,
    who: &Credential,
    side: Option<Side>,
    new: NewOutcome,
) -> Result<MeetingOutcomes, Error> {
    let now = store.now();
    store
        .write(|txn| {
            let new = new.clone();
            Box::pin(async move {
                let facts = facts_of(txn, id, now).await?;
                let side = match (access(txn, &facts, who).await?, side) {
                    (Some(own), Some(asked)) if own != asked => {
                        return Err(matinale_domain::Error::field(
                            "side",
                            "not_allowed",
                            "a manage token records the outcome of its own side only",
                        )
                        .into())
                    }
                    (Some(own), _) => own,
                    (None, Some(asked)) => asked,
                    (None, None) => {
                        return Err(matinale_domain::Error::field(
                            "side",
                            "required",
                            "say which side this outcome is for: buyer or supplier",
                        )
                        .into())
                    }
                };
                check_takes_outcome(facts.attendance, facts.cancelled)?;
                let recorded_by = match who {
                    Credential::User(actor) => format!("user:{}", actor.user_id),
                    Credential::Registrant(r) => format!("registration:{r}"),
                };
                meeting_outcome::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    meeting_id: Set(id),
                    side: Set(Text(side)),
                    outcome: Set(Text(new.outcome)),
                    amount_cents: Set(new.amount.map(AmountCents::cents)),
                    comment: Set(new.comment),
                    recorded_by: Set(recorded_by),
                    recorded_at: Set(now),
                }
                .insert(txn)
                .await?;
                drop_beyond_cap(txn, id, side).await?;
                let reader = match who {
                    Credential::User(_) => None,
                    Credential::Registrant(_) => Some(side),
                };
                let outcomes = read(txn, &facts, reader, None).await?;
                Ok(outcomes)
            })
        })
        .await
}

/// Keeps the [`MAX_OUTCOMES_PER_SIDE`] latest outcomes of `side` of meeting `id`, dropping the
/// older ones.
async fn drop_beyond_cap(db: &impl ConnectionTrait, id: Uuid, side: Side) -> Result<(), Error> {
    let older: Vec<Uuid> = meeting_outcome::Entity::find()
        .filter(meeting_outcome::Column::MeetingId.eq(id))
        .filter(meeting_outcome::Column::Side.eq(Text(side)))
        .order_by_desc(meeting_outcome::Column::RecordedAt)
        .order_by_desc(meeting_outcome::Column::Id)
        .offset(MAX_OUTCOMES_PER_SIDE as u64)
        // SQLite takes an OFFSET only after a LIMIT; a side never holds this many.
        .limit(1_000_000)
        .select_only()
        .column(meeting_outcome::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    if !older.is_empty() {
        meeting_outcome::Entity::delete_many()
            .filter(meeting_outcome::Column::Id.is_in(older))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The latest outcome of each side of each meeting among `meeting_ids`.
pub(crate) async fn latest_outcomes(
    db: &impl ConnectionTrait,
    meeting_ids: &[Uuid],
) -> Result<HashMap<(Uuid, Side), OutcomeRecord>, Error> {
    let mut latest: HashMap<(Uuid, Side), OutcomeRecord> = HashMap::new();
    for chunk in meeting_ids.chunks(CHUNK) {
        let rows = meeting_outcome::Entity::find()
            .filter(meeting_outcome::Column::MeetingId.is_in(chunk.to_vec()))
            .order_by_asc(meeting_outcome::Column::RecordedAt)
            .order_by_asc(meeting_outcome::Column::Id)
            .all(db)
            .await?;
        for row in rows {
            let meeting = row.meeting_id;
            let record = OutcomeRecord::from_row(row)?;
            latest.insert((meeting, record.side), record);
        }
    }
    Ok(latest)
}

/// The held meetings of a registration at `now`, for its follow-up mail.
pub async fn held_meetings_of(
    db: &impl ConnectionTrait,
    registration_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, Error> {
    let Some(event_id) = registration::Entity::find_by_id(registration_id)
        .select_only()
        .column(registration::Column::EventId)
        .into_tuple::<Uuid>()
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    Ok(meeting_facts(db, &[event_id], now)
        .await?
        .into_iter()
        .filter(|m| !m.cancelled && m.attendance == Attendance::Held)
        .filter(|m| m.buyer == registration_id || m.supplier == registration_id)
        .map(|m| m.id)
        .collect())
}

/// What one follow-up sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FollowUpSweep {
    /// Events whose follow-up this sweep queued.
    pub events: usize,
    /// Mails queued.
    pub mails: usize,
}

/// Queues the follow-up of every event that ended `follow_up_days` before `now` and whose
/// follow-up was not queued yet: one `follow_up_request` to each person with at least one held
/// meeting, carrying a new manage token of theirs so that the link opens their registration.
///
/// As for reminders, each event is marked (`follow_ups_queued_at`) by a conditional update
/// that opens its transaction, so that of two sweeps (two processes) exactly one queues them.
pub async fn queue_due_follow_ups(store: &crate::Store, now: DateTime<Utc>) -> Result<FollowUpSweep, Error> {
    let over = [EventStatus::Published.as_str(), EventStatus::Closed.as_str()];
    let candidates = event::Entity::find()
        .filter(event::Column::FollowUpsQueuedAt.is_null())
        .filter(event::Column::Status.is_in(over))
        .filter(event::Column::EndsAt.lte(now))
        .order_by_asc(event::Column::EndsAt)
        .all(store)
        .await?;
    let mut sweep = FollowUpSweep::default();
    for e in candidates {
        if e.ends_at + Duration::days(i64::from(e.follow_up_days)) > now {
            continue;
        }
        let event_id = e.id;
        let queued = store
            .write(|txn| {
                Box::pin(async move {
                    let marked = event::Entity::update_many()
                        .col_expr(event::Column::FollowUpsQueuedAt, Expr::val(now))
                        .filter(event::Column::Id.eq(event_id))
                        .filter(event::Column::FollowUpsQueuedAt.is_null())
                        .exec(txn)
                        .await?;
                    if marked.rows_affected != 1 {
                        return Ok(None);
                    }
                    let held: HashSet<Uuid> = meeting_facts(txn, &[event_id], now)
                        .await?
                        .into_iter()
                        .filter(|m| !m.cancelled && m.attendance == Attendance::Held)
                        .flat_map(|m| [m.buyer, m.supplier])
                        .collect();
                    let people = registration::Entity::find()
                        .filter(registration::Column::EventId.eq(event_id))
                        .filter(registration::Column::Status.ne(RegistrationStatus::Cancelled.as_str()))
                        .order_by_asc(registration::Column::QueueOrder)
                        .order_by_asc(registration::Column::Id)
                        .all(txn)
                        .await?;
                    let mut mails = 0;
                    for r in people.iter().filter(|r| held.contains(&r.id)) {
                        let token = issue_manage_token(txn, r.id, now).await?;
                        crate::notices::mail(
                            txn,
                            MailKind::FollowUpRequest,
                            r,
                            crate::outbox::MailDetails::token(token),
                        )
                        .await?;
                        mails += 1;
                    }
                    Ok(Some(mails))
                })
            })
            .await?;
        let Some(mails) = queued else { continue };
        sweep.events += 1;
        sweep.mails += mails;
        tracing::info!(event_id = %e.id, mails, "follow-up mails queued");
    }
    Ok(sweep)
}

/// A new manage token of registration `id` (the ones sent before keep working), for a link in
/// a mail; only its hash is kept.
async fn issue_manage_token(db: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> Result<String, Error> {
    let token = crate::accounts::new_secret("mr_");
    registration_token::ActiveModel {
        token_hash: Set(crate::accounts::secret_hash(&token)),
        registration_id: Set(id),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(token)
}
