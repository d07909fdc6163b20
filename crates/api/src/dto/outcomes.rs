//! Attendance and outcomes of a meeting: `POST /meetings/{id}/attendance`,
//! `POST /meetings/{id}/outcome`, `GET /meetings/{id}/outcomes`.

use crate::dto::meetings::local;
use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use matinale_domain::outcome::{
    side_text, Absent, Attendance, AttendanceMark, MarkedAttendance, NewOutcome, OutcomeKind,
};
use matinale_store::outcomes::{MeetingFacts, MeetingOutcomes, OutcomeRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /meetings/{id}/attendance`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceRequest {
    /// `held`, or `no_show` (then say who was absent).
    pub status: MarkedAttendance,
    /// `buyer`, `supplier` or `both`: required for a `no_show`, refused for `held`.
    pub absent: Option<Absent>,
}

impl TryFrom<AttendanceRequest> for AttendanceMark {
    type Error = matinale_domain::Error;

    fn try_from(r: AttendanceRequest) -> Result<Self, Self::Error> {
        AttendanceMark::parse(r.status, r.absent)
    }
}

/// A meeting's attendance.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceResponse {
    /// The meeting.
    pub meeting_id: Uuid,
    /// Effective attendance: the organiser's mark, else derived from check-ins once the block
    /// is over (`planned` before).
    pub attendance: Attendance,
    /// Who was missing, for a no-show.
    pub absent: Option<Absent>,
}

impl From<MeetingFacts> for AttendanceResponse {
    fn from(m: MeetingFacts) -> Self {
        Self {
            meeting_id: m.id,
            attendance: m.attendance,
            absent: m.absent,
        }
    }
}

/// The side an outcome speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SideDto {
    /// The public buyer.
    Buyer,
    /// The ESS structure.
    Supplier,
}

impl From<SideDto> for matinale_domain::meeting::Side {
    fn from(s: SideDto) -> Self {
        match s {
            SideDto::Buyer => Self::Buyer,
            SideDto::Supplier => Self::Supplier,
        }
    }
}

/// `POST /meetings/{id}/outcome`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    /// What came of the meeting.
    pub outcome: OutcomeKind,
    /// For how much, in euros: 0 to 100,000,000, at most 2 decimals (kept exactly, in cents).
    #[schema(minimum = 0, maximum = 100000000)]
    pub amount_eur: Option<f64>,
    /// A note, at most 2,000 characters.
    pub comment: Option<String>,
    /// The side this outcome is for: required from an organiser; with a manage token, the
    /// token's own side (inferred when left out).
    pub side: Option<SideDto>,
}

impl OutcomeRequest {
    /// The validated outcome and the side asked for.
    pub fn parse(self) -> Result<(NewOutcome, Option<matinale_domain::meeting::Side>), matinale_domain::Error> {
        let new = NewOutcome::parse(self.outcome, self.amount_eur, self.comment.as_deref())?;
        Ok((new, self.side.map(Into::into)))
    }
}

/// One recorded outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeResponse {
    /// Id.
    pub id: Uuid,
    /// `buyer` or `supplier`.
    pub side: String,
    /// What came of the meeting.
    pub outcome: OutcomeKind,
    /// For how much, in euros (to the cent).
    pub amount_eur: Option<f64>,
    /// The same, in cents (exact).
    pub amount_cents: Option<i64>,
    /// A note.
    pub comment: Option<String>,
    /// `organiser`, or the side itself (`buyer`, `supplier`) with its token.
    pub recorded_by: String,
    /// When, with the offset of the event's zone.
    pub recorded_at: DateTime<FixedOffset>,
}

impl OutcomeResponse {
    /// An outcome, its time in `tz`, its event's zone.
    pub(crate) fn new(o: OutcomeRecord, tz: Tz) -> Self {
        Self {
            id: o.id,
            side: side_text(o.side).to_owned(),
            outcome: o.outcome,
            amount_eur: o.amount.map(|a| a.euros()),
            amount_cents: o.amount.map(|a| a.cents()),
            comment: o.comment,
            recorded_by: if o.by_organiser {
                "organiser".to_owned()
            } else {
                side_text(o.side).to_owned()
            },
            recorded_at: local(o.recorded_at, tz),
        }
    }
}

/// A page of a meeting's outcomes, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeHistoryResponse {
    /// The outcomes of this page, newest first.
    pub items: Vec<OutcomeResponse>,
    /// Page number, from 1.
    pub page: u64,
    /// Page size (at most 200).
    pub per_page: u64,
    /// Outcomes kept that the caller may see, in all (at most 20 per side).
    pub total: u64,
}

/// A meeting's outcomes, as the caller may see them: an organiser both sides', a side (its
/// manage token) its own only, comments included.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingOutcomesResponse {
    /// The meeting.
    pub meeting_id: Uuid,
    /// Its effective attendance.
    pub attendance: Attendance,
    /// The latest outcome of each side that reported one (this is what counts).
    pub latest: Vec<OutcomeResponse>,
    /// `GET /meetings/{id}/outcomes` only: the page (`?page=&per_page=`) of the outcomes kept
    /// (the 20 latest of each side), newest first. Left out of the answer to a POST.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<OutcomeHistoryResponse>,
}

impl MeetingOutcomesResponse {
    /// A meeting's outcomes, their times in `tz`, its event's zone.
    pub(crate) fn new(o: MeetingOutcomes, tz: Tz) -> Self {
        Self {
            meeting_id: o.meeting_id,
            attendance: o.attendance,
            latest: o.latest.into_iter().map(|r| OutcomeResponse::new(r, tz)).collect(),
            history: o.history.map(|page| OutcomeHistoryResponse {
                page: page.request.page,
                per_page: page.request.per_page,
                total: page.total,
                items: page.items.into_iter().map(|r| OutcomeResponse::new(r, tz)).collect(),
            }),
        }
    }
}
