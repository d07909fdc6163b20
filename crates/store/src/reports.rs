//! The figures an organiser reports to the territory's SPASER and to the ESS observatory, for
//! one event or a whole series: registrations, attendance, needs and interests, meetings and
//! wishes met, and what came of the meetings (quotes, contracts, reserved markets, euros) by
//! buyer and by ESS kind. Only published data counts: draft events and draft needs are left
//! out, and so is the draft schedule (only published meetings are in `meetings`); cancelled
//! meetings are counted apart.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use matinale_domain::event::{Access, EventStatus};
use matinale_domain::meeting::Side;
use matinale_domain::need::NeedStatus;
use matinale_domain::organisation::EssKind;
use matinale_domain::outcome::{Attendance, OutcomeKind};
use matinale_domain::partner::Viewer;
use matinale_domain::registration::{Locale, RegistrationStatus};
use matinale_domain::user::Actor;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::entity::text::Text;
use crate::entity::{event, need, need_interest, organisation_tag, registration, wish};
use crate::error::Error;
use crate::outcomes::{latest_outcomes, meeting_facts, MeetingFacts, OutcomeRecord};

const CHUNK: usize = 500;
/// The tag facet of an organisation's ESS kinds (see `organisations`).
const ESS_KIND: &str = "ess_kind";
/// Where a structure of no known ESS kind is counted.
pub const UNSPECIFIED: &str = "unspecified";

/// Figures of meetings, outcomes and euros for one group (a buyer, an ESS kind).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupFigures {
    /// Published meetings not cancelled.
    pub meetings: u64,
    /// Of those, held.
    pub held: u64,
    /// Meetings whose outcome reached a quote (a contract implies one).
    pub quotes: u64,
    /// Meetings whose outcome is a contract or a reserved market awarded.
    pub contracts: u64,
    /// Sum of the outcomes' amounts, in cents (held meetings only): `declared_cents` +
    /// `confirmed_cents`.
    pub amount_cents: i64,
    /// Of which the participants declared themselves (their manage token), in cents.
    pub declared_cents: i64,
    /// Of which an organiser of the event recorded or confirmed, in cents.
    pub confirmed_cents: i64,
    /// Held meetings whose outcome a participant declared.
    pub declared: u64,
    /// Held meetings whose outcome an organiser recorded.
    pub confirmed: u64,
}

/// Wishes of one priority and how many a published meeting met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WishesMet {
    /// 1 to 3.
    pub priority: i32,
    /// Wishes made.
    pub wished: u64,
    /// Of those, met by a published meeting that is not cancelled.
    pub met: u64,
}

/// A report's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// `event` or `series`.
    pub scope: &'static str,
    /// The event or series.
    pub id: Uuid,
    /// Its title.
    pub title: String,
    /// The events counted (a series' events that are not drafts).
    pub events: Vec<Uuid>,
    /// Registrations by category, then status.
    pub registrations: BTreeMap<String, BTreeMap<String, u64>>,
    /// Registrations expected on the day (confirmed, checked in, or marked no-show).
    pub expected: u64,
    /// Checked in.
    pub checked_in: u64,
    /// Marked no-show (registrations).
    pub no_shows: u64,
    /// Published needs (not drafts) by category.
    pub needs_by_category: BTreeMap<String, u64>,
    /// Published needs by reserved market (`none`, `l2113_12`, `l2113_13`).
    pub needs_by_reserved_market: BTreeMap<String, u64>,
    /// Expressions of interest in those needs.
    pub interests: u64,
    /// Published meetings by effective attendance (cancelled ones apart).
    pub meetings_by_attendance: BTreeMap<Attendance, u64>,
    /// Published meetings cancelled.
    pub meetings_cancelled: u64,
    /// Wishes met, by priority.
    pub wishes: Vec<WishesMet>,
    /// Held meetings by their outcome; see [`meeting_outcome`].
    pub outcomes_by_kind: BTreeMap<OutcomeKind, u64>,
    /// Held meetings with no outcome reported.
    pub outcomes_unreported: u64,
    /// All meetings' figures (the funnel: meetings → held → quotes → contracts).
    pub total: GroupFigures,
    /// Euros (cents) of reserved markets awarded, under L2113-12 (EA/ESAT structures).
    pub reserved_l2113_12_cents: i64,
    /// Under L2113-13 (SIAE structures).
    pub reserved_l2113_13_cents: i64,
    /// Reserved markets awarded to a structure of neither kind on record.
    pub reserved_other_cents: i64,
    /// Per buyer organisation, once the registration's claim to it is confirmed (else the
    /// person's name, with "organisation non confirmée" when it claims one).
    pub by_buyer: BTreeMap<String, GroupFigures>,
    /// Per ESS kind of the structure met (of its confirmed organisation; `unspecified`
    /// otherwise); a structure of several kinds counts in each.
    pub by_ess_kind: BTreeMap<String, GroupFigures>,
}

impl Report {
    /// Euros (cents) of all reserved markets awarded.
    pub fn reserved_cents(&self) -> i64 {
        self.reserved_l2113_12_cents + self.reserved_l2113_13_cents + self.reserved_other_cents
    }

    /// Registration rate of attendance: checked in over expected, 0 when nobody is expected.
    pub fn attendance_rate(&self) -> f64 {
        if self.expected == 0 {
            0.0
        } else {
            self.checked_in as f64 / self.expected as f64
        }
    }
}

/// What counts as a meeting's outcome: the buyer's latest report, else the ESS structure's
/// (the buyer is the one who asks for quotes and signs).
pub fn meeting_outcome(latest: &HashMap<(Uuid, Side), OutcomeRecord>, meeting: Uuid) -> Option<&OutcomeRecord> {
    latest
        .get(&(meeting, Side::Buyer))
        .or_else(|| latest.get(&(meeting, Side::Supplier)))
}

/// The report of one event, for its organisers and admins.
pub async fn of_event(db: &impl ConnectionTrait, id: Uuid, actor: &Actor, now: DateTime<Utc>) -> Result<Report, Error> {
    let e = crate::events::get_editable(db, id, actor).await?;
    compute(db, "event", id, e.fields.title, vec![id], now).await
}

/// The report of a series over its events that are not drafts, for organisers who organise
/// every one of its events (any organiser, for a series without events), and admins.
pub async fn of_series(
    db: &impl ConnectionTrait,
    id: Uuid,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Report, Error> {
    let series = crate::series::get(db, id).await?;
    if !actor.may_organise() {
        return Err(Error::Forbidden);
    }
    let ids: Vec<Uuid> = event::Entity::find()
        .filter(event::Column::SeriesId.eq(id))
        .order_by_asc(event::Column::StartsAt)
        .select_only()
        .column(event::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut counted = Vec::new();
    for event_id in &ids {
        let e = crate::events::get(db, *event_id).await?;
        if e.access(Some(actor)) != Access::Edit {
            return Err(Error::Forbidden);
        }
        if e.status != EventStatus::Draft {
            counted.push(*event_id);
        }
    }
    compute(db, "series", id, series.title, counted, now).await
}

async fn compute(
    db: &impl ConnectionTrait,
    scope: &'static str,
    id: Uuid,
    title: String,
    events: Vec<Uuid>,
    now: DateTime<Utc>,
) -> Result<Report, Error> {
    let mut registrations = Vec::new();
    let mut needs = Vec::new();
    let mut wishes = Vec::new();
    for chunk in events.chunks(CHUNK) {
        registrations.extend(
            registration::Entity::find()
                .filter(registration::Column::EventId.is_in(chunk.to_vec()))
                .all(db)
                .await?,
        );
        needs.extend(
            need::Entity::find()
                .filter(need::Column::EventId.is_in(chunk.to_vec()))
                .filter(need::Column::EventAcceptedAt.is_not_null())
                .filter(need::Column::Status.ne(Text(NeedStatus::Draft)))
                .all(db)
                .await?,
        );
        wishes.extend(
            wish::Entity::find()
                .filter(wish::Column::EventId.is_in(chunk.to_vec()))
                .all(db)
                .await?,
        );
    }
    let mut report = Report {
        scope,
        id,
        title,
        events: events.clone(),
        registrations: BTreeMap::new(),
        expected: 0,
        checked_in: 0,
        no_shows: 0,
        needs_by_category: BTreeMap::new(),
        needs_by_reserved_market: BTreeMap::new(),
        interests: 0,
        meetings_by_attendance: Attendance::ALL.iter().map(|a| (*a, 0)).collect(),
        meetings_cancelled: 0,
        wishes: Vec::new(),
        outcomes_by_kind: OutcomeKind::ALL.iter().map(|k| (*k, 0)).collect(),
        outcomes_unreported: 0,
        total: GroupFigures::default(),
        reserved_l2113_12_cents: 0,
        reserved_l2113_13_cents: 0,
        reserved_other_cents: 0,
        by_buyer: BTreeMap::new(),
        by_ess_kind: BTreeMap::new(),
    };
    for r in &registrations {
        *report
            .registrations
            .entry(r.category.as_str().to_owned())
            .or_default()
            .entry(r.status.as_str().to_owned())
            .or_default() += 1;
        match Some(r.status.get()) {
            Some(RegistrationStatus::Attended) => {
                report.checked_in += 1;
                report.expected += 1;
            }
            Some(RegistrationStatus::NoShow) => {
                report.no_shows += 1;
                report.expected += 1;
            }
            Some(RegistrationStatus::Confirmed) => report.expected += 1,
            _ => {}
        }
    }
    for n in &needs {
        *report.needs_by_category.entry(n.category.to_string()).or_default() += 1;
        *report
            .needs_by_reserved_market
            .entry(n.reserved_market.to_string())
            .or_default() += 1;
    }
    let need_ids: Vec<Uuid> = needs.iter().map(|n| n.id).collect();
    for chunk in need_ids.chunks(CHUNK) {
        report.interests += need_interest::Entity::find()
            .filter(need_interest::Column::NeedId.is_in(chunk.to_vec()))
            .all(db)
            .await?
            .len() as u64;
    }

    let meetings = meeting_facts(db, &events, now).await?;
    let live: Vec<&MeetingFacts> = meetings.iter().filter(|m| !m.cancelled).collect();
    report.meetings_cancelled = (meetings.len() - live.len()) as u64;
    let pairs: HashSet<(Uuid, Uuid)> = live.iter().map(|m| (m.buyer, m.supplier)).collect();
    let mut by_priority: BTreeMap<i32, (u64, u64)> = (1..=3).map(|p| (p, (0, 0))).collect();
    for w in &wishes {
        let tally = by_priority.entry(w.priority).or_default();
        tally.0 += 1;
        let (a, b) = (w.from_registration_id, w.to_registration_id);
        if pairs.contains(&(a, b)) || pairs.contains(&(b, a)) {
            tally.1 += 1;
        }
    }
    report.wishes = by_priority
        .into_iter()
        .map(|(priority, (wished, met))| WishesMet { priority, wished, met })
        .collect();

    let people: HashMap<Uuid, &registration::Model> = registrations.iter().map(|r| (r.id, r)).collect();
    // A registration counts for its organisation only once its claim is confirmed (one rule,
    // `matinale_domain::partner`): else its figures are its own.
    let met: HashSet<Uuid> = meetings.iter().flat_map(|m| [m.buyer, m.supplier]).collect();
    let met_rows: Vec<&registration::Model> = registrations.iter().filter(|r| met.contains(&r.id)).collect();
    let facts = crate::shown::Facts::load(db, &met_rows).await?;
    let organisation_ids: Vec<Uuid> = met_rows
        .iter()
        .filter(|r| facts.confirmed(r))
        .filter_map(|r| r.organisation_id)
        .collect();
    let mut kinds: HashMap<Uuid, Vec<String>> = HashMap::new();
    for chunk in organisation_ids.chunks(CHUNK) {
        for t in organisation_tag::Entity::find()
            .filter(organisation_tag::Column::OrganisationId.is_in(chunk.to_vec()))
            .filter(organisation_tag::Column::Facet.eq(ESS_KIND))
            .order_by_asc(organisation_tag::Column::Position)
            .all(db)
            .await?
        {
            kinds.entry(t.organisation_id).or_default().push(t.value);
        }
    }
    let live_ids: Vec<Uuid> = live.iter().map(|m| m.id).collect();
    let latest = latest_outcomes(db, &live_ids).await?;
    for m in live {
        *report.meetings_by_attendance.entry(m.attendance).or_default() += 1;
        // Only what happened counts: outcomes of held meetings.
        let held = m.attendance == Attendance::Held;
        let outcome = if held { meeting_outcome(&latest, m.id) } else { None };
        match outcome {
            Some(o) => *report.outcomes_by_kind.entry(o.outcome).or_default() += 1,
            None if held => report.outcomes_unreported += 1,
            None => {}
        }
        let kind = outcome.map_or(OutcomeKind::None, |o| o.outcome);
        let cents = outcome.and_then(|o| o.amount).map_or(0, |a| a.cents());
        let confirmed = outcome.is_some_and(|o| o.by_organiser);
        let declared = outcome.is_some_and(|o| !o.by_organiser);
        let add = |g: &mut GroupFigures| {
            g.meetings += 1;
            g.held += u64::from(held);
            g.quotes += u64::from(kind.reached_quote());
            g.contracts += u64::from(kind.reached_contract());
            g.amount_cents += cents;
            if confirmed {
                g.confirmed += 1;
                g.confirmed_cents += cents;
            } else if declared {
                g.declared += 1;
                g.declared_cents += cents;
            }
        };
        add(&mut report.total);
        let buyer = people.get(&m.buyer);
        let buyer_name = buyer
            .map(|r| {
                let shown = facts.view(r, Viewer::Organiser);
                shown
                    .confirmed_organisation()
                    .map(str::to_owned)
                    .unwrap_or_else(|| shown.label(Locale::Fr))
            })
            .unwrap_or_default();
        add(report.by_buyer.entry(buyer_name).or_default());
        let supplier_kinds: Vec<String> = people
            .get(&m.supplier)
            .filter(|r| facts.confirmed(r))
            .and_then(|r| r.organisation_id)
            .and_then(|o| kinds.get(&o).cloned())
            .filter(|k| !k.is_empty())
            .unwrap_or_else(|| vec![UNSPECIFIED.to_owned()]);
        for k in &supplier_kinds {
            add(report.by_ess_kind.entry(k.clone()).or_default());
        }
        if kind == OutcomeKind::ReservedMarketAwarded {
            let parsed: Vec<EssKind> = supplier_kinds.iter().filter_map(|k| EssKind::from_db(k)).collect();
            if parsed.iter().any(|k| k.is_disability()) {
                report.reserved_l2113_12_cents += cents;
            } else if parsed.iter().any(|k| k.is_insertion()) {
                report.reserved_l2113_13_cents += cents;
            } else {
                report.reserved_other_cents += cents;
            }
        }
    }
    Ok(report)
}
