//! People who would meet anyone on the day (`meetings.open_to_any`): the pairs they make, ranked
//! by the suggestion rules (how well the structure suits the buyer's open needs at the event,
//! `matinale_domain::need::suggest`), and the second pass of the scheduler that seats them
//! only where both would otherwise sit idle, with every meeting already placed fixed, so that
//! no wish is given up for them.
//!
//! A pair open to anyone is never a wished pair (the wish pass had it, with its wish's weight:
//! the wish figures stay those of the wish pass), a declined one, or one that met already. Half
//! the room of a regional event open to anyone is a million pairs: only those with a slot
//! where both are idle and a table is free are offered to the scheduler, at most
//! [`PAIRS_PER_IDLE_SLOT`] per idle slot of each buyer, best weight first, the ties spread
//! over the structures so that buyers do not all ask the same ones.

use std::collections::{HashMap, HashSet};

use matinale_domain::need::{suggest, Need};
use matinale_scheduler::{self as scheduler, Instance, InstanceError, KeptMeeting, Side, Wish};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entity::{meeting_preference, registration};
use crate::error::Error;

/// Pairs offered to the scheduler per slot where a buyer open to anyone is idle.
pub(crate) const PAIRS_PER_IDLE_SLOT: usize = 4;

/// The weight (1 to 3) of an open-to-anyone pair whose best suggestion score is `score`: 1
/// when the structure suits none of the buyer's needs, 3 when it suits one on two counts.
fn weight_of(score: u32) -> i64 {
    match score {
        0 => 1,
        1..=4 => 2,
        _ => 3,
    }
}

/// The participants of an instance who would meet anyone, and what ranks and rules out their
/// pairs; indices are into `buyers` and `suppliers`.
#[derive(Debug, Clone, Default)]
pub(crate) struct OpenRoom {
    /// Buyers open to anyone, by scheduler id.
    buyers: Vec<String>,
    /// ESS structures open to anyone, by scheduler id.
    suppliers: Vec<String>,
    /// Weights above 1 ([`weight_of`]), by (buyer, supplier).
    weights: HashMap<(usize, usize), i64>,
    /// Pairs never seated as open to anyone: wished, declined, or met already.
    excluded: HashSet<(usize, usize)>,
}

impl OpenRoom {
    /// Nobody would meet anyone.
    pub(crate) fn is_empty(&self) -> bool {
        self.buyers.is_empty() || self.suppliers.is_empty()
    }
}

/// The people of `instance` who would meet anyone, with their pairs' weights over the buyers'
/// open needs at `event_id`; the pairs of `met` (buyer, supplier), the wishes of `instance` and
/// the pairs declined at the event are left out.
pub(crate) async fn open_room(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    instance: &Instance,
    met: &HashSet<(String, String)>,
) -> Result<OpenRoom, Error> {
    let ids: Vec<Uuid> = instance
        .participants
        .iter()
        .filter_map(|p| Uuid::parse_str(&p.id).ok())
        .collect();
    let open: HashSet<Uuid> = meeting_preference::Entity::find()
        .filter(meeting_preference::Column::RegistrationId.is_in(ids))
        .filter(meeting_preference::Column::OpenToAny.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.registration_id)
        .collect();
    if open.is_empty() {
        return Ok(OpenRoom::default());
    }
    let org_of: HashMap<Uuid, Option<Uuid>> = registration::Entity::find()
        .filter(registration::Column::Id.is_in(open.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.organisation_id))
        .collect();
    let side_of = |side: Side| -> Vec<(String, Option<Uuid>)> {
        instance
            .participants
            .iter()
            .filter(|p| p.side == side)
            .filter_map(|p| {
                let id = Uuid::parse_str(&p.id).ok()?;
                open.contains(&id)
                    .then(|| (p.id.clone(), org_of.get(&id).copied().flatten()))
            })
            .collect()
    };
    let (buyers, suppliers) = (side_of(Side::Buyer), side_of(Side::Supplier));
    let mut room = OpenRoom {
        buyers: buyers.iter().map(|b| b.0.clone()).collect(),
        suppliers: suppliers.iter().map(|s| s.0.clone()).collect(),
        ..OpenRoom::default()
    };
    if room.is_empty() {
        return Ok(room);
    }
    let buyer_index: HashMap<&str, usize> = room.buyers.iter().enumerate().map(|(i, b)| (b.as_str(), i)).collect();
    let supplier_index: HashMap<&str, usize> = room
        .suppliers
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let mut excluded = HashSet::new();
    let mut exclude = |a: &str, b: &str| {
        let pair = match (buyer_index.get(a), supplier_index.get(b)) {
            (Some(&x), Some(&y)) => Some((x, y)),
            _ => match (buyer_index.get(b), supplier_index.get(a)) {
                (Some(&x), Some(&y)) => Some((x, y)),
                _ => None,
            },
        };
        if let Some(pair) = pair {
            excluded.insert(pair);
        }
    };
    for (a, b) in met {
        exclude(a, b);
    }
    for w in &instance.wishes {
        exclude(&w.from, &w.to);
    }
    for (b, s) in crate::wishes::declined_pairs(db, event_id).await? {
        exclude(&b.to_string(), &s.to_string());
    }
    room.excluded = excluded;

    let buyer_orgs: Vec<Uuid> = buyers.iter().filter_map(|b| b.1).collect();
    let mut needs: HashMap<Uuid, Vec<Need>> = HashMap::new();
    for need in crate::needs::open_at_event(db, event_id, buyer_orgs).await? {
        needs.entry(need.fields.organisation_id).or_default().push(need);
    }
    if needs.is_empty() {
        return Ok(room);
    }
    let structures: HashMap<Uuid, _> =
        crate::organisations::get_many(db, suppliers.iter().filter_map(|s| s.1).collect())
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
    let mut scores: HashMap<(Uuid, Uuid), u32> = HashMap::new();
    for (i, (_, buyer_org)) in buyers.iter().enumerate() {
        let Some(buyer_needs) = buyer_org.and_then(|b| needs.get(&b)) else {
            continue;
        };
        for (j, (_, supplier_org)) in suppliers.iter().enumerate() {
            let Some(structure) = supplier_org.and_then(|o| structures.get(&o)) else {
                continue;
            };
            let score = *scores
                .entry((buyer_org.unwrap_or_default(), structure.id))
                .or_insert_with(|| {
                    buyer_needs
                        .iter()
                        .filter_map(|n| suggest(&n.fields, vec![structure.clone()]).first().map(|s| s.score))
                        .max()
                        .unwrap_or(0)
                });
            let weight = weight_of(score);
            if weight > 1 {
                room.weights.insert((i, j), weight);
            }
        }
    }
    Ok(room)
}

/// A set of slots, by index.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Slots(Vec<u64>);

impl Slots {
    fn none(n: usize) -> Self {
        Slots(vec![0; n.div_ceil(64)])
    }

    fn insert(&mut self, t: usize) {
        self.0[t / 64] |= 1 << (t % 64);
    }

    fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    fn meets(&self, other: &Slots) -> bool {
        self.0.iter().zip(&other.0).any(|(a, b)| a & b != 0)
    }
}

/// The pairs of `room` worth offering the scheduler once `placed` is fixed: both sides under
/// their cap, with a slot where both are available and idle and a table is free; at most
/// [`PAIRS_PER_IDLE_SLOT`] per idle slot of each buyer, best weight first, ties spread over
/// the structures (buyer `i` of `B` starts at structure `i·S/B`).
fn idle_pairs(instance: &Instance, placed: &[scheduler::Meeting], room: &OpenRoom) -> Vec<Wish> {
    let n = instance.slots.len();
    let slot_index: HashMap<&str, usize> = instance
        .slots
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut used = vec![0u32; n];
    let mut busy: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut count: HashMap<&str, u32> = HashMap::new();
    let mut met: HashSet<(&str, &str)> = HashSet::new();
    for m in placed {
        met.insert((m.buyer.as_str(), m.supplier.as_str()));
        for id in [m.buyer.as_str(), m.supplier.as_str()] {
            *count.entry(id).or_default() += 1;
        }
        if let Some(&t) = slot_index.get(m.slot.as_str()) {
            used[t] += 1;
            busy.entry(m.buyer.as_str()).or_default().push(t);
            busy.entry(m.supplier.as_str()).or_default().push(t);
        }
    }
    let people: HashMap<&str, &scheduler::Participant> =
        instance.participants.iter().map(|p| (p.id.as_str(), p)).collect();
    // Where `id` could still meet someone: `None` when nowhere.
    let idle = |id: &str| -> Option<Slots> {
        let p = people.get(id)?;
        if p.max_meetings
            .is_some_and(|max| count.get(id).copied().unwrap_or(0) >= max)
        {
            return None;
        }
        let available: Option<HashSet<&str>> = p.available.as_ref().map(|a| a.iter().map(String::as_str).collect());
        let taken = busy.get(id);
        let mut slots = Slots::none(n);
        for (t, slot) in instance.slots.iter().enumerate() {
            let open = used[t] < slot.tables
                && available.as_ref().is_none_or(|a| a.contains(slot.id.as_str()))
                && taken.is_none_or(|b| !b.contains(&t));
            if open {
                slots.insert(t);
            }
        }
        (slots.len() > 0).then_some(slots)
    };
    let suppliers: Vec<Option<Slots>> = room.suppliers.iter().map(|s| idle(s)).collect();
    let (b_count, s_count) = (room.buyers.len(), room.suppliers.len());
    let mut wishes = Vec::new();
    for (i, buyer) in room.buyers.iter().enumerate() {
        let Some(free) = idle(buyer) else { continue };
        let offset = i * s_count / b_count.max(1);
        let mut candidates: Vec<(i64, usize, usize)> = suppliers
            .iter()
            .enumerate()
            .filter(|(j, s)| {
                s.as_ref().is_some_and(|s| s.meets(&free))
                    && !room.excluded.contains(&(i, *j))
                    && !met.contains(&(buyer.as_str(), room.suppliers[*j].as_str()))
            })
            .map(|(j, _)| {
                let weight = room.weights.get(&(i, j)).copied().unwrap_or(1);
                (-weight, (j + s_count - offset) % s_count, j)
            })
            .collect();
        candidates.sort_unstable();
        candidates.truncate(PAIRS_PER_IDLE_SLOT * free.len());
        wishes.extend(candidates.into_iter().map(|(weight, _, j)| Wish {
            from: buyer.clone(),
            to: room.suppliers[j].clone(),
            weight: -weight,
        }));
    }
    wishes
}

/// The meetings the scheduler adds to `placed` for the pairs of `room` ([`idle_pairs`]), every
/// placed meeting kept fixed (so no wish met is given up) and no pair placed again.
pub(crate) fn fill_idle(
    instance: &Instance,
    placed: &[scheduler::Meeting],
    room: &OpenRoom,
) -> Result<Vec<scheduler::Meeting>, InstanceError> {
    if room.is_empty() {
        return Ok(Vec::new());
    }
    let wishes = idle_pairs(instance, placed, room);
    if wishes.is_empty() {
        return Ok(Vec::new());
    }
    let second = Instance {
        wishes,
        kept: placed
            .iter()
            .map(|m| KeptMeeting {
                buyer: m.buyer.clone(),
                supplier: m.supplier.clone(),
                slot: m.slot.clone(),
                table: m.table,
            })
            .collect(),
        ..instance.clone()
    };
    let solution = scheduler::schedule(&second)?;
    let placed_keys: HashSet<(&str, &str, &str)> = placed
        .iter()
        .map(|m| (m.buyer.as_str(), m.supplier.as_str(), m.slot.as_str()))
        .collect();
    Ok(solution
        .meetings
        .into_iter()
        .filter(|m| !placed_keys.contains(&(m.buyer.as_str(), m.supplier.as_str(), m.slot.as_str())))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use matinale_scheduler::{MeetingSlot, Participant};

    fn person(id: &str, side: Side) -> Participant {
        Participant {
            id: id.into(),
            side,
            available: None,
            max_meetings: None,
            table: None,
        }
    }

    fn slot(id: &str, h: u32, tables: u32) -> MeetingSlot {
        MeetingSlot {
            id: id.into(),
            starts_at: format!("2099-11-25T{h:02}:00:00Z"),
            ends_at: format!("2099-11-25T{h:02}:10:00Z"),
            tables,
        }
    }

    fn meeting(buyer: &str, supplier: &str, slot: &str, table: u32) -> scheduler::Meeting {
        scheduler::Meeting {
            buyer: buyer.into(),
            supplier: supplier.into(),
            slot: slot.into(),
            table,
            score: 2,
        }
    }

    fn room(buyers: &[&str], suppliers: &[&str]) -> OpenRoom {
        OpenRoom {
            buyers: buyers.iter().map(|b| (*b).to_owned()).collect(),
            suppliers: suppliers.iter().map(|s| (*s).to_owned()).collect(),
            ..OpenRoom::default()
        }
    }

    fn instance(slots: Vec<MeetingSlot>, buyers: &[&str], suppliers: &[&str]) -> Instance {
        Instance {
            coverage_bonus: 5,
            slots,
            participants: buyers
                .iter()
                .map(|b| person(b, Side::Buyer))
                .chain(suppliers.iter().map(|s| person(s, Side::Supplier)))
                .collect(),
            wishes: vec![],
            kept: vec![],
        }
    }

    #[test]
    fn open_pairs_fill_only_idle_places_and_keep_every_meeting() {
        let instance = instance(vec![slot("t1", 9, 1), slot("t2", 10, 1)], &["b1", "b2"], &["s1", "s2"]);
        let placed = vec![meeting("b1", "s1", "t1", 1)];
        let mut open = room(&["b1", "b2"], &["s1", "s2"]);
        // b1 → s1 suits a need of b1, but they met.
        open.weights.insert((0, 0), 3);
        let added = fill_idle(&instance, &placed, &open).expect("solved");
        // One table a slot: t1 is taken by the kept meeting, so the one place left is t2.
        assert_eq!(added.len(), 1, "{added:?}");
        assert_eq!((added[0].slot.as_str(), added[0].buyer.as_str()), ("t2", "b2"));
    }

    #[test]
    fn wished_declined_and_met_pairs_are_never_offered() {
        let instance = instance(vec![slot("t1", 9, 2)], &["b1"], &["s1", "s2"]);
        let mut open = room(&["b1"], &["s1", "s2"]);
        open.excluded.insert((0, 0));
        let pairs = idle_pairs(&instance, &[], &open);
        assert_eq!(pairs.len(), 1);
        assert_eq!(
            (pairs[0].from.as_str(), pairs[0].to.as_str(), pairs[0].weight),
            ("b1", "s2", 1)
        );
    }

    #[test]
    fn only_people_idle_in_a_slot_with_a_free_table_are_paired() {
        // t1 is full; in t2 b1 is busy; in t3 s2 is unavailable; b2 is at its cap.
        let mut instance = instance(
            vec![slot("t1", 9, 1), slot("t2", 10, 2), slot("t3", 11, 2)],
            &["b1", "b2", "b3"],
            &["s1", "s2", "s3"],
        );
        instance.participants[1].max_meetings = Some(1);
        instance.participants[4].available = Some(vec!["t1".into(), "t2".into()]);
        let placed = vec![meeting("b2", "s3", "t1", 1), meeting("b1", "s3", "t2", 1)];
        let open = room(&["b1", "b2", "b3"], &["s1", "s2"]);
        let pairs: HashSet<(String, String)> = idle_pairs(&instance, &placed, &open)
            .into_iter()
            .map(|w| (w.from, w.to))
            .collect();
        let expected: HashSet<(String, String)> = [("b1", "s1"), ("b3", "s1"), ("b3", "s2")]
            .into_iter()
            .map(|(b, s)| (b.to_owned(), s.to_owned()))
            .collect();
        // b1–s2: b1 is idle only in t3, where s2 is not there.
        assert_eq!(pairs, expected);
    }

    #[test]
    fn each_buyer_is_offered_a_few_structures_per_idle_slot_spread_over_the_room() {
        let suppliers: Vec<String> = (0..40).map(|j| format!("s{j:02}")).collect();
        let refs: Vec<&str> = suppliers.iter().map(String::as_str).collect();
        let instance = instance(vec![slot("t1", 9, 10)], &["b0", "b1"], &refs);
        let open = room(&["b0", "b1"], &refs);
        let pairs = idle_pairs(&instance, &[], &open);
        let of = |b: &str| -> Vec<&str> { pairs.iter().filter(|w| w.from == b).map(|w| w.to.as_str()).collect() };
        assert_eq!(of("b0"), ["s00", "s01", "s02", "s03"]);
        assert_eq!(
            of("b1"),
            ["s20", "s21", "s22", "s23"],
            "the second buyer starts half-way"
        );
    }

    #[test]
    fn a_structure_suiting_a_need_weighs_more() {
        assert_eq!(weight_of(0), 1);
        assert_eq!(weight_of(3), 2);
        assert_eq!(weight_of(5), 3);
    }
}
