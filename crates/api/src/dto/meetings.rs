//! Speed meetings: drafts, statistics, publication, agendas.

use crate::dto::events::EventResponse;
use chrono::DateTime;
use chrono::FixedOffset;
use chrono::Utc;
use chrono_tz::Tz;
use matinale_domain::meeting::MeetingStatus;
use matinale_domain::partner::Viewer;
use matinale_domain::registration::Locale;
use matinale_store::meetings::MeetingFilter;
use matinale_store::meetings::MeetingView;
use matinale_store::meetings::Party;
use matinale_store::schedule::Draft;
use matinale_store::schedule::ScheduleStats;
use matinale_store::schedule::SlotUse;
use matinale_store::schedule::Spread;
use matinale_store::schedule::WishTally;
use serde::Deserialize;
use serde::Serialize;
use utoipa::IntoParams;
use utoipa::ToSchema;
use uuid::Uuid;

/// A meeting of the timetable (published, or proposed by a draft).
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingResponse {
    /// Id; its calendar UID is `meeting-<id>@<host>`.
    pub id: Uuid,
    /// Slot.
    pub slot_id: Uuid,
    /// Slot start, in the event's time zone.
    pub slot_starts_at: DateTime<FixedOffset>,
    /// Slot end.
    pub slot_ends_at: DateTime<FixedOffset>,
    /// Table number, from 1.
    pub table: u32,
    /// The table's label ("Table 4" unless the block names its tables).
    pub table_label: String,
    /// The buyer's registration (sits at the table).
    pub buyer_registration_id: Uuid,
    /// The ESS structure's registration.
    pub supplier_registration_id: Uuid,
    /// The buyer's name; `null` for the other side of the meeting (its manage token) unless
    /// the buyer consented to share contact details.
    pub buyer_name: Option<String>,
    /// The ESS structure's name, likewise.
    pub supplier_name: Option<String>,
    /// The buyer's organisation, only once the registration's claim to it is confirmed.
    pub buyer_organisation: Option<String>,
    /// The ESS structure's organisation, likewise.
    pub supplier_organisation: Option<String>,
    /// Where it stands; `null` in a draft for a meeting not published yet.
    pub status: Option<MeetingStatus>,
    /// Revision of its invitations (a move or a cancellation adds one).
    pub sequence: u32,
    /// Wish weights of both sides (0 for a kept meeting nobody wishes any more).
    pub score: u32,
}

pub(crate) fn local(t: DateTime<Utc>, tz: Tz) -> DateTime<FixedOffset> {
    t.with_timezone(&tz).fixed_offset()
}

impl MeetingResponse {
    /// The meeting as organisers see it.
    pub(crate) fn new(m: MeetingView, tz: Tz) -> Self {
        Self::seen_by(m, tz, None)
    }

    /// The meeting as `viewer` sees it: one of its sides (by registration) sees the other as
    /// `matinale_domain::partner` allows; `None`, an organiser, sees both in full.
    pub(crate) fn seen_by(m: MeetingView, tz: Tz, viewer: Option<Uuid>) -> Self {
        let look = |p: &Party| {
            let who = if viewer.is_none() || viewer == Some(p.registration_id) {
                Viewer::Organiser
            } else {
                Viewer::Partner
            };
            p.shown_to(who)
        };
        let (buyer, supplier) = (look(&m.buyer), look(&m.supplier));
        Self {
            id: m.id,
            slot_id: m.slot_id,
            slot_starts_at: local(m.starts_at, tz),
            slot_ends_at: local(m.ends_at, tz),
            table: m.table,
            table_label: m.table_label,
            buyer_registration_id: m.buyer.registration_id,
            supplier_registration_id: m.supplier.registration_id,
            buyer_organisation: buyer.confirmed_organisation().map(str::to_owned),
            supplier_organisation: supplier.confirmed_organisation().map(str::to_owned),
            buyer_name: buyer.name,
            supplier_name: supplier.name,
            status: m.status,
            sequence: m.sequence,
            score: m.score,
        }
    }
}

/// Wishes of one priority and how many the draft meets.
#[derive(Debug, Serialize, ToSchema)]
pub struct WishTallyResponse {
    /// 1 (nice to meet) to 3 (must meet).
    pub priority: u8,
    /// Wishes of that priority (one per direction; declined pairs left out).
    pub wished: u32,
    /// Of those, met.
    pub met: u32,
}

/// Least, median and most.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpreadResponse {
    /// Least.
    pub min: u32,
    /// Median (the lower of the two middle values).
    pub median: u32,
    /// Most.
    pub max: u32,
}

/// How full one slot is.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotUseResponse {
    /// Slot.
    pub slot_id: Uuid,
    /// Its start.
    pub starts_at: DateTime<FixedOffset>,
    /// Tables with a meeting.
    pub used: u32,
    /// Tables of the slot.
    pub tables: u32,
}

/// The figures of a draft.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleStatsResponse {
    /// Sum of meeting scores plus the coverage bonus of everyone met (see docs/scheduler.md),
    /// over the wished meetings (not those of `open_to_any_meetings`).
    pub objective: i64,
    /// A proven upper bound on the objective (Lagrangian relaxation; see the scheduler crate).
    pub upper_bound: f64,
    /// objective / upper_bound.
    pub ratio: f64,
    /// Wishes met, by priority.
    pub wishes_by_priority: Vec<WishTallyResponse>,
    /// Confirmed buyers and ESS structures taking part.
    pub participants: u32,
    /// Participants who made or received a wish.
    pub participants_asking: u32,
    /// Participants with at least one meeting.
    pub participants_met: u32,
    /// Asking participants with at least one meeting.
    pub asking_met: u32,
    /// Meetings per asking participant.
    pub meetings_per_participant: SpreadResponse,
    /// Tables used, slot by slot.
    pub tables_used: Vec<SlotUseResponse>,
    /// Meetings in the draft, those of `open_to_any_meetings` included.
    pub meetings: u32,
    /// Meetings seated for two people who would meet anyone (`{"fill_idle": true}`), where
    /// both were idle: they meet no wish, score 0, and leave `objective`, `upper_bound` and
    /// `wishes_by_priority` as they are; `meetings`, `participants_met`, `tables_used` and
    /// `meetings_per_participant` count them.
    pub open_to_any_meetings: u32,
    /// Published meetings kept exactly.
    pub kept: u32,
    /// Published meetings dropped because a side no longer takes part.
    pub dropped_kept: u32,
    /// Times a buyer changes table between two consecutive meetings.
    pub buyer_table_changes: u32,
    /// Time the scheduler took, in milliseconds.
    pub runtime_ms: u64,
}

impl ScheduleStatsResponse {
    pub(crate) fn new(s: ScheduleStats, tz: Tz) -> Self {
        let Spread { min, median, max } = s.meetings_per_participant;
        Self {
            objective: s.objective,
            upper_bound: s.upper_bound,
            ratio: s.ratio,
            wishes_by_priority: s
                .wishes_by_priority
                .into_iter()
                .map(|WishTally { priority, wished, met }| WishTallyResponse { priority, wished, met })
                .collect(),
            participants: s.participants,
            participants_asking: s.participants_asking,
            participants_met: s.participants_met,
            asking_met: s.asking_met,
            meetings_per_participant: SpreadResponse { min, median, max },
            tables_used: s
                .tables_used
                .into_iter()
                .map(
                    |SlotUse {
                         slot_id,
                         starts_at,
                         used,
                         tables,
                     }| SlotUseResponse {
                        slot_id,
                        starts_at: local(starts_at, tz),
                        used,
                        tables,
                    },
                )
                .collect(),
            meetings: s.meetings,
            open_to_any_meetings: s.open_to_any_meetings,
            kept: s.kept,
            dropped_kept: s.dropped_kept,
            buyer_table_changes: s.buyer_table_changes,
            runtime_ms: s.millis,
        }
    }
}

/// The event's draft schedule.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftResponse {
    /// Id of this draft; every run makes a new one.
    pub id: Uuid,
    /// The event.
    pub event_id: Uuid,
    /// When it was computed (offset of the event's zone).
    pub created_at: DateTime<FixedOffset>,
    /// When it was published, if it was.
    pub published_at: Option<DateTime<FixedOffset>>,
    /// Every meeting of the timetable it proposes, published ones included, in time order.
    pub meetings: Vec<MeetingResponse>,
    /// Its figures.
    pub stats: ScheduleStatsResponse,
}

impl From<Draft> for DraftResponse {
    fn from(d: Draft) -> Self {
        let tz = d.timezone;
        Self {
            id: d.id,
            event_id: d.event_id,
            created_at: local(d.created_at, tz),
            published_at: d.published_at.map(|t| local(t, tz)),
            meetings: d.meetings.into_iter().map(|m| MeetingResponse::new(m, tz)).collect(),
            stats: ScheduleStatsResponse::new(d.stats, tz),
        }
    }
}

/// What publishing did.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublishResponse {
    /// The draft published.
    pub draft_id: Uuid,
    /// Meetings added to the timetable.
    pub added: u64,
    /// Published meetings kept as they were.
    pub kept: u64,
    /// Published meetings the draft dropped (a side no longer takes part), now cancelled.
    pub cancelled: u64,
    /// Meetings of the draft not booked: a side cancelled or opted out since the draft was
    /// computed (run the schedule again to fill their places).
    pub skipped: u64,
    /// People whose agenda changed, each mailed once.
    pub notified: u64,
    /// The draft was already published: nothing changed and nobody was mailed.
    pub already_published: bool,
}

/// Filters of `GET /events/{id}/meetings`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingListQuery {
    /// Meetings of this registration (either side).
    pub registration: Option<Uuid>,
    /// In this slot.
    pub slot: Option<Uuid>,
    /// At this table (any number a table may have: 0 to 4,294,967,295).
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4294967295_i64)]
    pub table: Option<u32>,
    /// In this status.
    pub status: Option<MeetingStatus>,
}

impl From<MeetingListQuery> for MeetingFilter {
    fn from(q: MeetingListQuery) -> Self {
        Self {
            registration: q.registration,
            slot: q.slot,
            table: q.table,
            status: q.status,
        }
    }
}

/// The other side of a meeting, as the person sees it: a name and an e-mail only if the
/// partner consented to share contact details, an organisation only once their claim to it is
/// confirmed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerResponse {
    /// Their registration.
    pub registration_id: Uuid,
    /// Their name, only if they consented to share contact details.
    pub name: Option<String>,
    /// Their organisation, only once their claim to it is confirmed.
    pub organisation: Option<String>,
    /// Their e-mail, only if they consented to share contact details.
    pub email: Option<String>,
    /// What to call them, in the language of the registration that reads: "Awa Diallo
    /// (Rejoué)", "Rejoué", "Awa Diallo (organisation non confirmée)", or their category
    /// ("un acheteur public", "une structure de l'ESS").
    pub label: String,
}

/// One meeting in a person's agenda.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaMeetingResponse {
    /// Meeting id.
    pub id: Uuid,
    /// Slot.
    pub slot_id: Uuid,
    /// Start, in the event's time zone.
    pub starts_at: DateTime<FixedOffset>,
    /// End.
    pub ends_at: DateTime<FixedOffset>,
    /// Table number.
    pub table: u32,
    /// Table label.
    pub table_label: String,
    /// `buyer` (you sit at the table) or `supplier` (you walk to it).
    pub side: String,
    /// Whom you meet.
    pub partner: PartnerResponse,
    /// Where it stands.
    pub status: Option<MeetingStatus>,
}

/// A person's agenda: the event, then their meetings in time order.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaResponse {
    /// The registration.
    pub registration_id: Uuid,
    /// Its event.
    pub event: EventResponse,
    /// Published meetings, cancelled ones included (with their status), in time order.
    pub meetings: Vec<AgendaMeetingResponse>,
}

/// The other side `p` of a meeting as a person reading in `locale` may see them.
pub(crate) fn partner(p: Party, locale: Locale) -> PartnerResponse {
    let shown = p.shown_to_partner();
    PartnerResponse {
        registration_id: p.registration_id,
        label: shown.label(locale),
        organisation: shown.confirmed_organisation().map(str::to_owned),
        email: shown.name.is_some().then_some(p.email),
        name: shown.name,
    }
}
