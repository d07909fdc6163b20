//! `GET /events/{id}/report` and `GET /series/{id}/report`: the figures as JSON.

use std::collections::BTreeMap;

use matinale_domain::outcome::{AmountCents, Attendance};
use matinale_store::reports::{GroupFigures, Report, WishesMet};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Registrations by category, then status.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationFiguresResponse {
    /// Every registration of the events counted (cancelled ones included).
    pub total: u64,
    /// `{category: {status: count}}`.
    pub by_category: BTreeMap<String, BTreeMap<String, u64>>,
}

/// Who came.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceFiguresResponse {
    /// Registrations expected on the day: confirmed, checked in, or marked no-show.
    pub expected: u64,
    /// Checked in.
    pub checked_in: u64,
    /// Marked no-show (`POST /events/{id}/no-shows`).
    pub no_shows: u64,
    /// checked_in / expected (0 when nobody is expected).
    pub rate: f64,
}

/// Needs published (not drafts) at the events, and interests in them.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeedFiguresResponse {
    /// Needs published.
    pub published: u64,
    /// `{category: count}`.
    pub by_category: BTreeMap<String, u64>,
    /// `{none|l2113_12|l2113_13: count}`.
    pub by_reserved_market: BTreeMap<String, u64>,
    /// Expressions of interest in those needs.
    pub interests: u64,
}

/// Published meetings (the draft schedule does not count).
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingFiguresResponse {
    /// Not cancelled: planned + held + no_show.
    pub total: u64,
    /// Not over yet and not marked.
    pub planned: u64,
    /// Held (marked, or both people checked in once the block was over).
    pub held: u64,
    /// A side or both absent.
    pub no_show: u64,
    /// Cancelled, counted apart (not in `total`).
    pub cancelled: u64,
}

/// Wishes of one priority, and how many a published meeting met.
#[derive(Debug, Serialize, ToSchema)]
pub struct WishFiguresResponse {
    /// 1 (nice to meet) to 3 (must meet).
    pub priority: i32,
    /// Wishes made.
    pub wished: u64,
    /// Met by a meeting that is not cancelled.
    pub met: u64,
}

impl From<WishesMet> for WishFiguresResponse {
    fn from(w: WishesMet) -> Self {
        Self {
            priority: w.priority,
            wished: w.wished,
            met: w.met,
        }
    }
}

/// Euros of reserved markets awarded, by article.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReservedFiguresResponse {
    /// All reserved markets awarded, in cents.
    pub amount_cents: i64,
    /// To EA/ESAT structures (L2113-12), in cents.
    pub l2113_12_cents: i64,
    /// To SIAE structures (L2113-13), in cents.
    pub l2113_13_cents: i64,
    /// To structures of neither kind on record, in cents.
    pub other_cents: i64,
}

/// What came of the meetings that took place. A held meeting's outcome is its buyer's latest
/// report, else its ESS structure's; planned, cancelled and no-show meetings count none.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeFiguresResponse {
    /// `{none|quote_requested|contract_signed|reserved_market_awarded: held meetings}`.
    pub by_kind: BTreeMap<String, u64>,
    /// Held meetings with no outcome reported.
    pub unreported: u64,
    /// Sum of the amounts of held meetings, in cents (exact): `declared` + `confirmed`.
    pub amount_cents: i64,
    /// The same in euros, with 2 decimals.
    pub amount_eur: String,
    /// What the participants declared themselves (with their manage token).
    pub declared: DeclaredFiguresResponse,
    /// What an organiser of the event recorded.
    pub confirmed: DeclaredFiguresResponse,
    /// Under reserved markets.
    pub reserved_markets: ReservedFiguresResponse,
}

/// Outcomes of held meetings from one source (participants, or organisers).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeclaredFiguresResponse {
    /// Held meetings whose counted outcome comes from this source.
    pub meetings: u64,
    /// Their amounts, in cents.
    pub amount_cents: i64,
}

/// The meetings funnel: planned → held → quote → contract.
#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelResponse {
    /// Meetings not cancelled.
    pub planned: u64,
    /// Held.
    pub held: u64,
    /// Whose outcome reached a quote (a contract implies one).
    pub quote: u64,
    /// Whose outcome is a contract or a reserved market awarded.
    pub contract: u64,
}

/// Figures of one buyer or one ESS kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupFiguresResponse {
    /// The buyer organisation's name (once the registration's claim to it is confirmed; else
    /// the person's name, with "organisation non confirmée" when it claims one), or the ESS kind (`siae`, `ea`, `scop`, … `unspecified`).
    pub name: String,
    /// Meetings not cancelled.
    pub meetings: u64,
    /// Held.
    pub held: u64,
    /// Reached a quote.
    pub quotes: u64,
    /// Reached a contract.
    pub contracts: u64,
    /// Amounts of held meetings, in cents.
    pub amount_cents: i64,
    /// Of which participants declared, in cents.
    pub declared_cents: i64,
    /// Of which an organiser recorded, in cents.
    pub confirmed_cents: i64,
}

fn groups(map: BTreeMap<String, GroupFigures>) -> Vec<GroupFiguresResponse> {
    map.into_iter()
        .map(|(name, g)| GroupFiguresResponse {
            name,
            meetings: g.meetings,
            held: g.held,
            quotes: g.quotes,
            contracts: g.contracts,
            amount_cents: g.amount_cents,
            declared_cents: g.declared_cents,
            confirmed_cents: g.confirmed_cents,
        })
        .collect()
}

/// The report of an event or a series. Only published data counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportResponse {
    /// `event` or `series`.
    pub scope: String,
    /// The event or the series.
    pub id: Uuid,
    /// Its title.
    pub title: String,
    /// The events counted (for a series, those that are not drafts).
    pub events: Vec<Uuid>,
    /// Registrations.
    pub registrations: RegistrationFiguresResponse,
    /// Attendance of registrations.
    pub attendance: AttendanceFiguresResponse,
    /// Needs and interests.
    pub needs: NeedFiguresResponse,
    /// Published meetings.
    pub meetings: MeetingFiguresResponse,
    /// Wishes met, by priority.
    pub wishes: Vec<WishFiguresResponse>,
    /// Outcomes and euros.
    pub outcomes: OutcomeFiguresResponse,
    /// Planned → held → quote → contract.
    pub funnel: FunnelResponse,
    /// Per buyer organisation.
    pub by_buyer: Vec<GroupFiguresResponse>,
    /// Per ESS kind of the structures met; a structure of several kinds counts in each.
    pub by_ess_kind: Vec<GroupFiguresResponse>,
}

impl From<Report> for ReportResponse {
    fn from(r: Report) -> Self {
        let attendance = |a: Attendance| r.meetings_by_attendance.get(&a).copied().unwrap_or(0);
        let meetings = MeetingFiguresResponse {
            total: r.total.meetings,
            planned: attendance(Attendance::Planned),
            held: attendance(Attendance::Held),
            no_show: attendance(Attendance::NoShow),
            cancelled: r.meetings_cancelled,
        };
        let rate = r.attendance_rate();
        let reserved = r.reserved_cents();
        Self {
            scope: r.scope.to_owned(),
            id: r.id,
            title: r.title,
            events: r.events,
            registrations: RegistrationFiguresResponse {
                total: r.registrations.values().flat_map(|s| s.values()).sum(),
                by_category: r.registrations,
            },
            attendance: AttendanceFiguresResponse {
                expected: r.expected,
                checked_in: r.checked_in,
                no_shows: r.no_shows,
                rate,
            },
            needs: NeedFiguresResponse {
                published: r.needs_by_category.values().sum(),
                by_category: r.needs_by_category,
                by_reserved_market: r.needs_by_reserved_market,
                interests: r.interests,
            },
            meetings,
            wishes: r.wishes.into_iter().map(Into::into).collect(),
            outcomes: OutcomeFiguresResponse {
                by_kind: r
                    .outcomes_by_kind
                    .into_iter()
                    .map(|(k, n)| (k.as_str().to_owned(), n))
                    .collect(),
                unreported: r.outcomes_unreported,
                amount_cents: r.total.amount_cents,
                amount_eur: AmountCents::from_cents(r.total.amount_cents).to_decimal_string(),
                declared: DeclaredFiguresResponse {
                    meetings: r.total.declared,
                    amount_cents: r.total.declared_cents,
                },
                confirmed: DeclaredFiguresResponse {
                    meetings: r.total.confirmed,
                    amount_cents: r.total.confirmed_cents,
                },
                reserved_markets: ReservedFiguresResponse {
                    amount_cents: reserved,
                    l2113_12_cents: r.reserved_l2113_12_cents,
                    l2113_13_cents: r.reserved_l2113_13_cents,
                    other_cents: r.reserved_other_cents,
                },
            },
            funnel: FunnelResponse {
                planned: r.total.meetings,
                held: r.total.held,
                quote: r.total.quotes,
                contract: r.total.contracts,
            },
            by_buyer: groups(r.by_buyer),
            by_ess_kind: groups(r.by_ess_kind),
        }
    }
}
