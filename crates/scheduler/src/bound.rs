//! The Lagrangian (LP-dual) upper bound; see the crate documentation for the derivation.

use crate::matching::{Rows, SmallMatcher};
use crate::problem::{Problem, NONE};
use crate::timetable::Candidates;

/// Non-negative multipliers of the relaxed (buyer-side and table) constraints.
#[derive(Debug, Clone)]
pub(crate) struct Multipliers {
    /// Buyer-slot constraints, `[buyer * slots + slot]`.
    pub buyer_slot: Vec<f64>,
    /// Table constraints per slot.
    pub slot: Vec<f64>,
    /// Cap constraints (only used for buyers with a finite residual cap).
    pub buyer_cap: Vec<f64>,
    /// Coverage constraints `y_b ≤ Σ x` (only for buyers not met by a kept meeting).
    pub buyer_cover: Vec<f64>,
}

/// The residual problem after kept meetings, and the evaluation of the dual function on it.
pub(crate) struct Lagrangian<'a> {
    p: &'a Problem,
    cands: &'a Candidates,
    /// Tables left per slot after kept meetings.
    tables_left: Vec<f64>,
    /// Residual caps (f64::INFINITY when none).
    buyer_cap_left: Vec<f64>,
    /// Residual supplier caps, as a number of meetings (usize::MAX when none).
    supplier_k: Vec<usize>,
    /// Whether a participant is already met by a kept meeting (its bonus is then a constant).
    buyer_covered: Vec<bool>,
    supplier_covered: Vec<bool>,
    /// Whether the buyer-slot constraint has right-hand side 1 and is used by a candidate.
    buyer_slot_live: Vec<bool>,
    /// Pairs with a candidate slot, by supplier (compressed rows): (buyer, score, pair).
    supplier_row_start: Vec<u32>,
    supplier_rows: Vec<(u32, f64, u32)>,
    /// Candidate slots of each pair as a bit set (when there are at most 64 slots).
    slot_mask: Vec<u64>,
    /// Number of live slots of each buyer.
    buyer_live: Vec<f64>,
    /// Score and bonus of kept meetings.
    pub constant: f64,
}

/// The value of the dual function at some multipliers, and the relaxed problem's choice.
pub(crate) struct Evaluation {
    pub value: f64,
    /// Chosen slot of each pair in the relaxed problem, or NONE.
    pub choice: Vec<u32>,
}

/// Scratch space of one evaluation.
#[derive(Default)]
struct Scratch {
    matcher: SmallMatcher,
    rows: Vec<(u32, u32)>,
    row_pair: Vec<u32>,
    edges: Vec<(u32, f64)>,
    assigned: Vec<u32>,
    ranked: Vec<(f64, u32)>,
    offset: Vec<f64>,
}

/// Slot-independent multipliers: π_bt = `buyer[b]` on every live slot of b, τ_t = `slot`.
#[derive(Debug, Clone)]
struct Aggregated {
    buyer: Vec<f64>,
    slot: f64,
    buyer_cap: Vec<f64>,
    buyer_cover: Vec<f64>,
}

impl<'a> Lagrangian<'a> {
    pub fn new(p: &'a Problem, cands: &'a Candidates) -> Self {
        let nt = p.slots();
        let (nb, ns) = (p.buyer_ids.len(), p.supplier_ids.len());
        let mut tables_left: Vec<f64> = p.tables.iter().map(|&c| f64::from(c)).collect();
        let mut kept_b = vec![0u32; nb];
        let mut kept_s = vec![0u32; ns];
        let mut constant = 0.0;
        for f in &p.fixed {
            let pair = p.pairs[f.pair as usize];
            tables_left[f.slot as usize] -= 1.0;
            kept_b[pair.buyer as usize] += 1;
            kept_s[pair.supplier as usize] += 1;
            constant += f64::from(pair.score);
        }
        let buyer_cap_left = (0..nb)
            .map(|b| {
                if p.buyer_cap[b] == u32::MAX {
                    f64::INFINITY
                } else {
                    f64::from(p.buyer_cap[b].saturating_sub(kept_b[b]))
                }
            })
            .collect();
        let supplier_k = (0..ns)
            .map(|s| {
                if p.supplier_cap[s] == u32::MAX {
                    usize::MAX
                } else {
                    p.supplier_cap[s].saturating_sub(kept_s[s]) as usize
                }
            })
            .collect();
        let buyer_covered: Vec<bool> = kept_b.iter().map(|&k| k > 0).collect();
        let supplier_covered: Vec<bool> = kept_s.iter().map(|&k| k > 0).collect();
        let covered = buyer_covered.iter().chain(&supplier_covered).filter(|&&c| c).count();
        constant += p.bonus as f64 * covered as f64;
        let mut buyer_slot_live = vec![false; nb * nt];
        for (e, pair) in p.pairs.iter().enumerate() {
            for &t in cands.of(e) {
                buyer_slot_live[pair.buyer as usize * nt + t as usize] = true;
            }
        }
        let buyer_live = (0..nb)
            .map(|b| buyer_slot_live[b * nt..(b + 1) * nt].iter().filter(|&&l| l).count() as f64)
            .collect();
        let mut supplier_row_start = vec![0u32];
        let mut supplier_rows = Vec::new();
        for s in 0..ns {
            for &e in cands.of_supplier(s) {
                if !cands.of(e as usize).is_empty() {
                    let pair = p.pairs[e as usize];
                    supplier_rows.push((pair.buyer, f64::from(pair.score), e));
                }
            }
            supplier_row_start.push(supplier_rows.len() as u32);
        }
        let slot_mask = (0..p.pairs.len())
            .map(|e| cands.of(e).iter().filter(|&&t| t < 64).fold(0u64, |m, &t| m | 1 << t))
            .collect();
        Lagrangian {
            p,
            slot_mask,
            supplier_row_start,
            supplier_rows,
            buyer_live,
            cands,
            tables_left,
            buyer_cap_left,
            supplier_k,
            buyer_covered,
            supplier_covered,
            buyer_slot_live,
            constant,
        }
    }

    pub fn zero(&self) -> Multipliers {
        let nt = self.p.slots();
        let nb = self.p.buyer_ids.len();
        Multipliers {
            buyer_slot: vec![0.0; nb * nt],
            slot: vec![0.0; nt],
            buyer_cap: vec![0.0; nb],
            buyer_cover: vec![0.0; nb],
        }
    }

    /// L(λ): a valid upper bound on the LP relaxation for any non-negative λ (see the crate
    /// documentation): the buyer-side and table constraints are priced, and each supplier
    /// solves its own subproblem (an assignment of its pairs to slots) exactly.
    pub fn evaluate(&self, m: &Multipliers) -> Evaluation {
        let p = self.p;
        let nt = p.slots();
        let bonus = p.bonus as f64;
        let mut value = self.constant;
        let mut choice = vec![NONE; p.pairs.len()];
        let mut sc = Scratch::default();
        for s in 0..p.supplier_ids.len() {
            sc.rows.clear();
            sc.row_pair.clear();
            sc.edges.clear();
            let mut top = f64::NEG_INFINITY;
            let mut top_edge = (NONE, NONE);
            for &e in self.cands.of_supplier(s) {
                let slots = self.cands.of(e as usize);
                if slots.is_empty() {
                    continue;
                }
                let pair = p.pairs[e as usize];
                let b = pair.buyer as usize;
                let base = f64::from(pair.score) + m.buyer_cover[b] - m.buyer_cap[b];
                let lo = sc.edges.len() as u32;
                for &t in slots {
                    let a = base - m.buyer_slot[b * nt + t as usize] - m.slot[t as usize];
                    if a > top {
                        top = a;
                        top_edge = (e, t);
                    }
                    if a > 0.0 {
                        sc.edges.push((t, a));
                    }
                }
                if sc.edges.len() as u32 > lo {
                    sc.rows.push((lo, sc.edges.len() as u32));
                    sc.row_pair.push(e);
                }
            }
            let k = self.supplier_k[s];
            let g = Rows {
                rows: &sc.rows,
                edges: &sc.edges,
                slots: nt,
            };
            let v = sc.matcher.solve(g, k, &mut sc.assigned);
            let mut any = false;
            for (r, &t) in sc.assigned.iter().enumerate() {
                if t != NONE {
                    choice[sc.row_pair[r] as usize] = t;
                    any = true;
                }
            }
            if self.supplier_covered[s] || any {
                value += v + if any && !self.supplier_covered[s] { bonus } else { 0.0 };
            } else if top_edge.0 != NONE && k > 0 && bonus + top > 0.0 {
                // Meeting once at a loss still pays for the coverage bonus.
                value += bonus + top;
                choice[top_edge.0 as usize] = top_edge.1;
            }
        }
        for (i, &live) in self.buyer_slot_live.iter().enumerate() {
            if live {
                value += m.buyer_slot[i];
            }
        }
        for t in 0..nt {
            value += m.slot[t] * self.tables_left[t].max(0.0);
        }
        for b in 0..m.buyer_cap.len() {
            if self.buyer_cap_left[b].is_finite() {
                value += m.buyer_cap[b] * self.buyer_cap_left[b];
            }
            if !self.buyer_covered[b] {
                value += (bonus - m.buyer_cover[b]).max(0.0);
            }
        }
        Evaluation { value, choice }
    }

    /// Minimises L by projected subgradient steps (Polyak step towards `target`, a known
    /// objective) in the space of slot-independent multipliers (π_bt = π_b on the buyer's live
    /// slots, τ_t = τ), where an evaluation costs O(pairs), for `iterations` steps. Returns the
    /// evaluation, by the general [`Lagrangian::evaluate`], of the best multipliers found
    /// (expanded to the whole space).
    pub fn minimise(&self, target: f64, iterations: usize) -> Evaluation {
        self.evaluate(&self.expand(&self.minimise_aggregated(target, iterations)))
    }

    /// Full multipliers equal to slot-independent ones.
    fn expand(&self, a: &Aggregated) -> Multipliers {
        let nt = self.p.slots();
        let mut m = self.zero();
        for (i, &live) in self.buyer_slot_live.iter().enumerate() {
            if live {
                m.buyer_slot[i] = a.buyer[i / nt.max(1)];
            }
        }
        m.slot.iter_mut().for_each(|x| *x = a.slot);
        m.buyer_cap.clone_from(&a.buyer_cap);
        m.buyer_cover.clone_from(&a.buyer_cover);
        m
    }

    /// L at slot-independent multipliers, and each buyer's number of meetings in the relaxed
    /// solution (written into `degree`; the total is returned too). Equal to
    /// `evaluate(&expand(a)).value`: every candidate slot of a pair then has the same reduced
    /// value, so a supplier's subproblem is to keep its `k` best pairs of positive value, which
    /// is exact whenever they fit in distinct candidate slots (checked greedily; otherwise the
    /// matroid greedy of [`SmallMatcher::solve_uniform`] decides).
    fn evaluate_aggregated(&self, a: &Aggregated, sc: &mut Scratch, degree: &mut [f64]) -> (f64, f64) {
        let p = self.p;
        let nt = p.slots();
        let bonus = p.bonus as f64;
        let mut value = self.constant;
        let mut total = 0.0;
        degree.fill(0.0);
        let mut taken = vec![false; nt];
        // Per-buyer part of the reduced value, shared by all its pairs.
        sc.offset.clear();
        sc.offset
            .extend((0..p.buyer_ids.len()).map(|b| a.buyer_cover[b] - a.buyer_cap[b] - a.buyer[b] - a.slot));
        for s in 0..p.supplier_ids.len() {
            sc.ranked.clear();
            let mut top = f64::NEG_INFINITY;
            let mut top_buyer = NONE;
            let rows = self.supplier_row_start[s] as usize..self.supplier_row_start[s + 1] as usize;
            for &(b, score, e) in &self.supplier_rows[rows] {
                let v = score + sc.offset[b as usize];
                if v > top {
                    top = v;
                    top_buyer = b;
                }
                if v > 0.0 {
                    sc.ranked.push((v, e));
                }
            }
            let k = self.supplier_k[s];
            if top_buyer == NONE || k == 0 {
                continue;
            }
            // At most one meeting per slot: only the min(k, slots) best pairs can count.
            let best_k = sc.ranked.len().min(k).min(nt);
            if sc.ranked.len() > best_k {
                sc.ranked.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            }
            // Greedy placement of the kept pairs in distinct candidate slots.
            let mut fits = true;
            let mut v = 0.0;
            if nt <= 64 {
                let mut taken = 0u64;
                for &(x, e) in &sc.ranked[..best_k] {
                    let free = self.slot_mask[e as usize] & !taken;
                    if free == 0 {
                        fits = false;
                        break;
                    }
                    taken |= free & free.wrapping_neg();
                    v += x;
                }
            } else {
                taken.fill(false);
                for &(x, e) in &sc.ranked[..best_k] {
                    match self.cands.of(e as usize).iter().find(|&&t| !taken[t as usize]) {
                        Some(&t) => {
                            taken[t as usize] = true;
                            v += x;
                        }
                        None => {
                            fits = false;
                            break;
                        }
                    }
                }
            }
            let chosen = if fits {
                best_k
            } else {
                // Exact matching on all the supplier's pairs of positive value, heaviest first
                // (all slots of a pair weigh the same).
                sc.ranked.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
                sc.rows.clear();
                sc.row_pair.clear();
                sc.edges.clear();
                for &(x, e) in &sc.ranked {
                    let lo = sc.edges.len() as u32;
                    sc.edges.extend(self.cands.of(e as usize).iter().map(|&t| (t, x)));
                    sc.rows.push((lo, sc.edges.len() as u32));
                    sc.row_pair.push(e);
                }
                let g = Rows {
                    rows: &sc.rows,
                    edges: &sc.edges,
                    slots: nt,
                };
                v = sc.matcher.solve_uniform(g, k, &mut sc.assigned);
                sc.ranked.clear();
                for (r, &t) in sc.assigned.iter().enumerate() {
                    if t != NONE {
                        sc.ranked.push((0.0, sc.row_pair[r]));
                    }
                }
                sc.ranked.len()
            };
            for &(_, e) in &sc.ranked[..chosen] {
                degree[p.pairs[e as usize].buyer as usize] += 1.0;
                total += 1.0;
            }
            if self.supplier_covered[s] || chosen > 0 {
                value += v + if chosen > 0 && !self.supplier_covered[s] {
                    bonus
                } else {
                    0.0
                };
            } else if bonus + top > 0.0 {
                value += bonus + top;
                degree[top_buyer as usize] += 1.0;
                total += 1.0;
            }
        }
        for (b, &live) in self.buyer_live.iter().enumerate() {
            value += a.buyer[b] * live;
            if self.buyer_cap_left[b].is_finite() {
                value += a.buyer_cap[b] * self.buyer_cap_left[b];
            }
            if !self.buyer_covered[b] {
                value += (bonus - a.buyer_cover[b]).max(0.0);
            }
        }
        let tables: f64 = self.tables_left.iter().map(|x| x.max(0.0)).sum();
        value += a.slot * tables;
        (value, total)
    }

    /// Projected subgradient in the space of slot-independent multipliers; the geometry is
    /// that of the full space (a buyer's price counts once per live slot, τ once per slot).
    fn minimise_aggregated(&self, target: f64, iterations: usize) -> Aggregated {
        let p = self.p;
        let nt = p.slots() as f64;
        let nb = p.buyer_ids.len();
        let bonus = p.bonus as f64;
        let tables: f64 = self.tables_left.iter().map(|x| x.max(0.0)).sum();
        let mut a = Aggregated {
            buyer: vec![0.0; nb],
            slot: 0.0,
            buyer_cap: vec![0.0; nb],
            buyer_cover: vec![0.0; nb],
        };
        let mut best_a = a.clone();
        let mut best = f64::INFINITY;
        let mut theta = 2.0;
        let patience = (iterations / 10).max(20);
        let mut stall = 0;
        let mut sc = Scratch::default();
        let mut degree = vec![0.0; nb];
        let mut g = a.clone();
        for _ in 0..iterations {
            let (value, total) = self.evaluate_aggregated(&a, &mut sc, &mut degree);
            if value < best - 1e-9 {
                best = value;
                best_a.clone_from(&a);
                stall = 0;
            } else {
                stall += 1;
                if stall >= patience {
                    theta *= 0.5;
                    stall = 0;
                }
            }
            if best - target < 1e-6 || theta < 1e-4 {
                break;
            }
            let mut norm = 0.0;
            let project = |x: f64, gx: f64| if x <= 0.0 && gx > 0.0 { 0.0 } else { gx };
            for (b, &deg) in degree.iter().enumerate() {
                let live = self.buyer_live[b];
                g.buyer[b] = project(a.buyer[b], live - deg);
                norm += live * g.buyer[b] * g.buyer[b];
                g.buyer_cap[b] = if self.buyer_cap_left[b].is_finite() {
                    project(a.buyer_cap[b], self.buyer_cap_left[b] - deg)
                } else {
                    0.0
                };
                g.buyer_cover[b] = if self.buyer_covered[b] {
                    0.0
                } else {
                    let used = if a.buyer_cover[b] < bonus { 1.0 } else { 0.0 };
                    project(a.buyer_cover[b], deg - used)
                };
                norm += g.buyer_cap[b] * g.buyer_cap[b] + g.buyer_cover[b] * g.buyer_cover[b];
            }
            g.slot = project(a.slot, tables - total);
            norm += nt * g.slot * g.slot;
            if norm == 0.0 {
                break;
            }
            let step = theta * (value - target).max(1e-3 * value.abs().max(1.0)) / norm;
            for b in 0..nb {
                a.buyer[b] = (a.buyer[b] - step * g.buyer[b]).max(0.0);
                a.buyer_cap[b] = (a.buyer_cap[b] - step * g.buyer_cap[b]).max(0.0);
                a.buyer_cover[b] = (a.buyer_cover[b] - step * g.buyer_cover[b]).max(0.0);
            }
            a.slot = (a.slot - step * g.slot).max(0.0);
        }
        best_a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{generate, schedule, GeneratorParams};

    struct Rng(u64);

    impl Rng {
        fn unit(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    fn instances() -> Vec<crate::Instance> {
        let mut out = Vec::new();
        for seed in 0..6 {
            let mut instance = generate(&GeneratorParams {
                buyers: 6 + seed as u32,
                suppliers: 20,
                slots: 5 + seed as u32 % 3,
                tables: 3 + seed as u32 % 4,
                seed,
            });
            instance.coverage_bonus = [0, 1, 5][seed as usize % 3];
            if seed % 2 == 1 {
                // Some meetings of a schedule become kept meetings.
                let solution = schedule(&instance).expect("valid");
                instance.kept = solution
                    .meetings
                    .iter()
                    .step_by(4)
                    .map(|m| crate::KeptMeeting {
                        buyer: m.buyer.clone(),
                        supplier: m.supplier.clone(),
                        slot: m.slot.clone(),
                        table: m.table,
                    })
                    .collect();
                assert!(!instance.kept.is_empty());
            }
            out.push(instance);
        }
        // More than 64 slots: the slot sets are not bit sets any more.
        out.push(generate(&GeneratorParams {
            buyers: 8,
            suppliers: 30,
            slots: 70,
            tables: 2,
            seed: 9,
        }));
        out
    }

    /// The fast slot-independent evaluation agrees with the general one.
    #[test]
    fn aggregated_evaluation_equals_the_general_one() {
        let mut rng = Rng(7);
        for instance in instances() {
            let p = Problem::parse(&instance).expect("valid");
            let cands = Candidates::new(&p);
            let l = Lagrangian::new(&p, &cands);
            let nb = p.buyer_ids.len();
            let mut sc = Scratch::default();
            let mut degree = vec![0.0; nb];
            for _ in 0..50 {
                let mut draw = |scale: f64| (rng.unit() - 0.3).max(0.0) * scale;
                let a = Aggregated {
                    buyer: (0..nb).map(|_| draw(4.0)).collect(),
                    slot: draw(3.0),
                    buyer_cap: (0..nb).map(|_| draw(2.0)).collect(),
                    buyer_cover: (0..nb).map(|_| draw(6.0)).collect(),
                };
                let (fast, _) = l.evaluate_aggregated(&a, &mut sc, &mut degree);
                let general = l.evaluate(&l.expand(&a)).value;
                assert!((fast - general).abs() < 1e-6, "{fast} vs {general}");
            }
        }
    }

    /// Weak duality: L(λ) ≥ the objective of a schedule, for arbitrary slot-dependent λ ≥ 0.
    #[test]
    fn every_multiplier_gives_a_bound_above_the_schedule() {
        let mut rng = Rng(11);
        for instance in instances() {
            let objective = schedule(&instance).expect("valid").objective as f64;
            let p = Problem::parse(&instance).expect("valid");
            let cands = Candidates::new(&p);
            let l = Lagrangian::new(&p, &cands);
            let m = l.zero();
            assert!(l.evaluate(&m).value + 1e-9 >= objective);
            for _ in 0..50 {
                let mut draw = |scale: f64| (rng.unit() - 0.5).max(0.0) * scale;
                let m = Multipliers {
                    buyer_slot: m.buyer_slot.iter().map(|_| draw(4.0)).collect(),
                    slot: m.slot.iter().map(|_| draw(4.0)).collect(),
                    buyer_cap: m.buyer_cap.iter().map(|_| draw(2.0)).collect(),
                    buyer_cover: m.buyer_cover.iter().map(|_| draw(6.0)).collect(),
                };
                let value = l.evaluate(&m).value;
                assert!(value + 1e-9 >= objective, "L = {value} < {objective}");
            }
            let best = l.minimise(0.0, 300).value;
            assert!(best + 1e-9 >= objective, "min L = {best} < {objective}");
        }
    }
}
