//! The speed-meeting scheduler of Matinale: who meets whom, in which slot, at which table.
//!
//! A pure library: it takes an [`Instance`] (the JSON of the `schedule` command, see
//! `docs/scheduler.md`) and returns a [`Solution`]; no I/O, no database types. The same input
//! always gives the same output (no hash order, no clock: work is bounded by step counts), except
//! `stats.millis`.
//!
//! # Hard constraints
//! A meeting is (buyer, supplier, slot, table). A pair meets at most once and only if one side
//! wished it; a participant has at most one meeting per slot, only in slots it is available in,
//! and at most `max_meetings`; a slot holds at most `tables` meetings, one per table; kept
//! meetings stay exactly as given (slot and table) unless one of their participants is no longer
//! in the instance (they are then dropped and counted in `stats.dropped_kept`). A kept meeting
//! is kept even if its pair is no longer wished (score 0) or a participant's availability changed.
//!
//! # Objective
//! Σ over meetings of score(b, s) = weight(b→s) + weight(s→b), plus `coverage_bonus` for every
//! participant with at least one meeting.
//!
//! # Method
//! 1. Validate into dense indices ([`InstanceError`] on bad input); kept meetings are fixed first.
//! 2. The greedy baseline below (a safety net, and the target of the subgradient steps).
//! 3. The Lagrangian bound below. The pairs its relaxed solution meets seed a construction
//!    (fewest candidate slots first, each booked in the open slot with the most free tables,
//!    else inserted as below), improved by a local search: unmet pairs, best gain first, are
//!    inserted in a free common slot, else after moving the meetings in the way to another
//!    slot, else by replacing them (then re-placing what was removed and meeting anyone left
//!    without a meeting), accepting only strict improvements, within a step budget.
//! 4. The better of the two timetables is kept; tables are numbered afterwards so that each
//!    buyer keeps a home table where possible.
//!
//! Everything runs on one thread, with fixed step counts.
//!
//! # The upper bound
//! Let K be the kept meetings, E the other wished pairs, and for e = (b, s) ∈ E let C(e) be the
//! slots where both are available, neither has a kept meeting and a table is left (empty when
//! a side has no meeting left under its cap). The *LP relaxation* is: maximise
//! Σ w_e x_et + β Σ_p y_p + const(K) subject to Σ_t x_et ≤ 1 (each pair),
//! Σ_{e∋b} x_et ≤ 1 and Σ_{e∋s} x_et ≤ 1 (each participant and slot),
//! Σ_e x_et ≤ tables_t − kept_t (each slot), Σ_{e∋p,t} x_et ≤ max_p − kept_p (capped
//! participants), y_p ≤ Σ_{e∋p,t} x_et, 0 ≤ y_p ≤ 1, x ≥ 0 (t ∈ C(e) throughout), where y_p
//! exists only for participants not met by K and const(K) is the score of K plus β per
//! participant it meets. Every schedule is an integer point of this LP, so the LP optimum
//! bounds every objective.
//!
//! We price the *buyer-side and table* constraints only, with multipliers π_bt (buyer-slot),
//! τ_t (tables), ν_b (buyer caps), ρ_b (buyer coverage) ≥ 0, and keep every supplier-side
//! constraint (pair at most once, supplier-slot, supplier cap, supplier coverage):
//!
//! L(λ) = const(K) + Σ_{(b,t) live} π_bt + Σ_t τ_t (tables_t − kept_t) + Σ_b ν_b (max_b − kept_b)
//!      + Σ_b max(0, β − ρ_b) + Σ_s F_s(λ),
//!
//! where F_s(λ) is the largest Σ_{(e,t)∈M} r_et + β·[M ≠ ∅] (β only if s is not met by K) over
//! the sets M of (pair of s, slot) that give each pair at most one slot t ∈ C(e), each slot at
//! most one pair, and at most max_s − kept_s pairs, with r_et = w_e + ρ_b − ν_b − π_bt − τ_t;
//! (b,t) is live when some candidate uses it (other buyer-slot constraints are empty).
//!
//! *Why L(λ) ≥ LP optimum ≥ every objective, for every λ ≥ 0*: take any feasible LP point and
//! add λ·(slack of the priced constraints) ≥ 0 to its objective. Regrouped, this is the constant
//! terms of L plus Σ_b (β − ρ_b) y_b ≤ Σ_b max(0, β − ρ_b), plus, for each supplier s, the linear
//! function Σ r_et x_et + β y_s of s's variables, which still satisfy all of s's own constraints.
//! Those constraints describe a network flow (source → s with a first unit worth β and the rest
//! worth 0, at most max_s − kept_s units; s → pair, capacity 1; pair → (s, t), value r_et;
//! (s, t) → sink, capacity 1), whose polytope has integral vertices, so the supplier's LP
//! maximum equals its integer maximum F_s. F_s is computed exactly (`matching.rs`: successive
//! longest augmenting paths, after a check that the heaviest edges already fit). Since the
//! subproblems are integral, min_λ L is exactly the LP optimum (Geoffrion), never below it.
//!
//! *Which λ*: any λ ≥ 0 gives a valid bound, so we may search a subspace: slot-independent
//! multipliers (π_bt = π_b on b's live slots, τ_t = τ), where each supplier just keeps its best
//! pairs of positive value and an evaluation costs O(pairs). We take (pairs + participants) / 10
//! (300 to 3,000) projected subgradient steps with a Polyak step towards the greedy objective
//! (halved after stalls), and report L at the best point, recomputed by the general evaluation
//! (slot-dependent code path, exact matchings). Hence `upper_bound` ≥ LP optimum, and
//! `objective / upper_bound` is a lower estimate of `objective / LP optimum`.
//!
//! A plain greedy baseline ([`schedule_greedy`]: each wished pair, in wish order, books the
//! first common free slot) is provided for comparison.

#![deny(missing_docs)]

mod bound;
mod check;
mod generate;
mod matching;
mod model;
mod problem;
mod tables;
mod timetable;

use std::time::Instant;

pub use check::{verify, Violation};
pub use generate::{generate, GeneratorParams};
pub use model::{
    Instance, KeptMeeting, Meeting, MeetingSlot, Participant, Side, Solution, Stats, Wish, DEFAULT_COVERAGE_BONUS,
};
pub use problem::InstanceError;

use bound::{Evaluation, Lagrangian};
use problem::{Problem, NONE};
use timetable::{Candidates, Search, Timetable};

/// Schedules `instance`: a timetable satisfying every hard constraint, near-optimal for the
/// objective, with a proven upper bound (see the crate documentation).
pub fn schedule(instance: &Instance) -> Result<Solution, InstanceError> {
    let started = Instant::now();
    let p = Problem::parse(instance)?;
    let cands = Candidates::new(&p);
    let budget = work_budget(&p, &cands);

    let lagrangian = Lagrangian::new(&p, &cands);
    let baseline = greedy(&p, &cands);
    // The Polyak target of the subgradient is the greedy objective (the bound reached barely
    // depends on it, and it is known at once).
    let relaxed = lagrangian.minimise(baseline.objective as f64, subgradient_iterations(&p));
    let seeded = seeded_search(&p, &cands, &relaxed, budget);
    // Never worse than the greedy baseline (ties: the greedy one).
    let best = if seeded.objective > baseline.objective {
        seeded
    } else {
        baseline
    };
    // L ≥ objective holds exactly; guard only against floating-point rounding.
    let bound = relaxed.value.max(best.objective as f64);
    Ok(build_solution(&p, &best.slot_of, best.objective, bound, started))
}

/// The greedy baseline (b2match's "quick schedule"): kept meetings first, then each wished pair
/// in the order of its first wish books the first slot, in time order, where both sides are free
/// and a table is left. Its `upper_bound` is the same Lagrangian bound as [`schedule`]'s, with
/// fewer iterations.
pub fn schedule_greedy(instance: &Instance) -> Result<Solution, InstanceError> {
    let started = Instant::now();
    let p = Problem::parse(instance)?;
    let cands = Candidates::new(&p);
    let tt = greedy(&p, &cands);
    let lagrangian = Lagrangian::new(&p, &cands);
    let bound = lagrangian
        .minimise(tt.objective as f64, 200)
        .value
        .max(tt.objective as f64);
    Ok(build_solution(&p, &tt.slot_of, tt.objective, bound, started))
}

/// The pairs the relaxed problem meets, most constrained (fewest candidate slots) first, each
/// booked in the open slot with the most free tables (else placed by the local search's
/// insertion), then improved by the local search.
fn seeded_search<'p>(p: &'p Problem, cands: &Candidates, relaxed: &Evaluation, budget: u64) -> Timetable<'p> {
    let mut order: Vec<usize> = (0..p.pairs.len()).filter(|&e| relaxed.choice[e] != NONE).collect();
    order.sort_by(|&x, &y| (cands.of(x).len().cmp(&cands.of(y).len())).then(x.cmp(&y)));
    let mut search = Search::new(Timetable::new(p), cands, budget);
    for &e in &order {
        if !search.tt.caps_allow(e) {
            continue;
        }
        let mut pick = NONE;
        let mut room = 0;
        for &t in cands.of(e) {
            let t = t as usize;
            // Free shared tables; one more for a buyer at its own table, so that any open
            // slot beats none (without own tables, exactly the free tables).
            let free = p.shared_tables[t].saturating_sub(search.tt.used[t]) + u32::from(!p.takes_shared[e]);
            if search.tt.is_open(e, t) && free > room {
                room = free;
                pick = t as u32;
            }
        }
        if pick != NONE {
            search.tt.add(e, pick as usize);
        } else {
            search.insert(e);
        }
    }
    search.tt.commit();
    search.improve();
    search.tt
}

/// The greedy timetable: each wished pair, in the order of its first wish, books the first
/// slot where both sides are free and a table is left.
fn greedy<'p>(p: &'p Problem, cands: &Candidates) -> Timetable<'p> {
    let mut tt = Timetable::new(p);
    for &e in &p.wish_order {
        let e = e as usize;
        if tt.slot_of[e] != NONE || !tt.caps_allow(e) {
            continue;
        }
        if let Some(&t) = cands.of(e).iter().find(|&&t| tt.is_open(e, t as usize)) {
            tt.add(e, t as usize);
        }
    }
    tt.commit();
    tt
}

/// Local-search work allowed, in inner-loop steps: proportional to the instance size.
fn work_budget(p: &Problem, cands: &Candidates) -> u64 {
    let size = (cands.total() + p.pairs.len()) as u64;
    size.saturating_mul(400).clamp(1_000_000, 2_000_000_000)
}

/// Subgradient iterations: the dimension of the (aggregated) dual grows with the instance, and
/// so does the number of steps it needs: (pairs + participants) / 10, between 300 and 3,000.
fn subgradient_iterations(p: &Problem) -> usize {
    let size = p.pairs.len() + p.supplier_ids.len() + p.buyer_ids.len();
    (size / 10).clamp(300, 3000)
}

fn build_solution(p: &Problem, slot_of: &[u32], objective: i64, bound: f64, started: Instant) -> Solution {
    let (table_of, buyer_table_changes) = tables::assign_tables(p, slot_of);
    let mut meetings = Vec::new();
    let mut met_b = vec![false; p.buyer_ids.len()];
    let mut met_s = vec![false; p.supplier_ids.len()];
    let mut wishes_met = 0;
    let mut order: Vec<(u32, u32, usize)> = Vec::new();
    for (e, &t) in slot_of.iter().enumerate() {
        if t != NONE {
            order.push((t, table_of[e], e));
        }
    }
    order.sort_unstable();
    for &(t, table, e) in &order {
        let pair = p.pairs[e];
        met_b[pair.buyer as usize] = true;
        met_s[pair.supplier as usize] = true;
        wishes_met += pair.wishes;
        meetings.push(Meeting {
            buyer: p.buyer_ids[pair.buyer as usize].clone(),
            supplier: p.supplier_ids[pair.supplier as usize].clone(),
            slot: p.slot_ids[t as usize].clone(),
            table,
            score: pair.score,
        });
    }
    let participants_met = (met_b.iter().chain(&met_s).filter(|&&m| m).count()) as u32;
    let stats = Stats {
        participants_met,
        wishes_met,
        millis: started.elapsed().as_millis() as u64,
        meetings: meetings.len() as u32,
        kept: p.fixed.len() as u32,
        dropped_kept: p.dropped_kept,
        buyer_table_changes,
    };
    // Round the bound up at the third decimal so that printing never understates it.
    let upper_bound = ((bound * 1000.0).ceil() / 1000.0).max(bound);
    Solution {
        meetings,
        objective,
        upper_bound,
        stats,
    }
}
