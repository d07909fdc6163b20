//! Exact maximum-weight matching of a few rows (pairs of one participant) into slots, with at
//! most `k` rows matched: the participant's subproblem of the Lagrangian bound.

use crate::problem::NONE;

/// A participant's subproblem: row `r` (one of its pairs) may take any edge
/// `edges[rows[r].0..rows[r].1]` = (slot, weight), among `slots` slots.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rows<'a> {
    pub rows: &'a [(u32, u32)],
    pub edges: &'a [(u32, f64)],
    pub slots: usize,
}

impl Rows<'_> {
    /// The edges of row `r`.
    fn of(&self, r: usize) -> &[(u32, f64)] {
        &self.edges[self.rows[r].0 as usize..self.rows[r].1 as usize]
    }
}

/// Scratch space for [`SmallMatcher::solve`], reused across calls.
#[derive(Debug, Clone, Default)]
pub(crate) struct SmallMatcher {
    row_match: Vec<u32>,
    slot_match: Vec<u32>,
    slot_weight: Vec<f64>,
    dist_row: Vec<f64>,
    dist_slot: Vec<f64>,
    pred_row: Vec<u32>,
    pred_slot: Vec<u32>,
}

impl SmallMatcher {
    /// Maximum weight of a matching of rows to slots using at most `k` rows. Only edges of
    /// positive weight should be given (the others never help). Writes each row's slot (or
    /// NONE) into `assigned` and returns the weight.
    ///
    /// Successive longest augmenting paths (Bellman–Ford on the residual graph): after i
    /// augmentations the matching is a heaviest one with i rows, and the heaviest weight is a
    /// concave function of i, so stopping at the first non-positive gain (or at `k`) is exact.
    pub fn solve(&mut self, g: Rows, k: usize, assigned: &mut Vec<u32>) -> f64 {
        let slots = g.slots;
        let n = unassigned(&g, assigned);
        // A matching never has more edges than there are slots.
        let k = k.min(slots);
        if n == 0 || k == 0 {
            return 0.0;
        }
        // One row: its best edge.
        if n == 1 {
            let mut best = 0.0;
            for &(t, a) in g.of(0) {
                if a > best {
                    best = a;
                    assigned[0] = t;
                }
            }
            return best;
        }
        self.clear_matching(n, slots);
        self.slot_weight.clear();
        self.slot_weight.resize(slots, 0.0);
        if let Some(v) = self.best_edges_fit(g, k, assigned) {
            return v;
        }
        self.row_match.fill(NONE);
        self.slot_match.fill(NONE);
        let mut value = 0.0;
        let mut size = 0;
        while size < k.min(n) {
            self.dist_row.clear();
            self.dist_row.resize(n, f64::NEG_INFINITY);
            self.dist_slot.clear();
            self.dist_slot.resize(slots, f64::NEG_INFINITY);
            self.pred_row.clear();
            self.pred_row.resize(n, NONE);
            self.pred_slot.clear();
            self.pred_slot.resize(slots, NONE);
            for r in 0..n {
                if self.row_match[r] == NONE {
                    self.dist_row[r] = 0.0;
                }
            }
            // Longest paths; the residual graph has no positive cycle (the matching is optimal
            // for its size), so n + slots rounds suffice.
            for _ in 0..n + slots {
                let mut changed = false;
                for r in 0..n {
                    let d = self.dist_row[r];
                    if d == f64::NEG_INFINITY {
                        continue;
                    }
                    for &(t, a) in g.of(r) {
                        let t = t as usize;
                        if self.slot_match[t] == r as u32 {
                            continue;
                        }
                        if d + a > self.dist_slot[t] + 1e-12 {
                            self.dist_slot[t] = d + a;
                            self.pred_slot[t] = r as u32;
                            changed = true;
                        }
                    }
                }
                for t in 0..slots {
                    let r = self.slot_match[t];
                    if r == NONE || self.dist_slot[t] == f64::NEG_INFINITY {
                        continue;
                    }
                    let d = self.dist_slot[t] - self.slot_weight[t];
                    if d > self.dist_row[r as usize] + 1e-12 {
                        self.dist_row[r as usize] = d;
                        self.pred_row[r as usize] = t as u32;
                        changed = true;
                    }
                }
                if !changed {
                    break;
                }
            }
            let mut end = NONE;
            let mut gain = 1e-12;
            for t in 0..slots {
                if self.slot_match[t] == NONE && self.dist_slot[t] > gain {
                    gain = self.dist_slot[t];
                    end = t as u32;
                }
            }
            if end == NONE {
                break;
            }
            // Augment along the path, from its free slot back to its free row.
            let mut t = end as usize;
            loop {
                let r = self.pred_slot[t] as usize;
                let previous = self.row_match[r];
                let a = g.of(r).iter().find(|&&(x, _)| x as usize == t).map_or(0.0, |&(_, a)| a);
                self.row_match[r] = t as u32;
                self.slot_match[t] = r as u32;
                self.slot_weight[t] = a;
                if previous == NONE {
                    break;
                }
                t = self.pred_row[r] as usize;
                debug_assert_eq!(t, previous as usize);
                self.slot_match[t] = NONE;
            }
            size += 1;
            value += gain;
        }
        let mut exact = 0.0;
        for (slot, &t) in assigned.iter_mut().zip(&self.row_match) {
            *slot = t;
            if t != NONE {
                exact += self.slot_weight[t as usize];
            }
        }
        // The sum of the matched weights, recomputed (the path gains only add up to it).
        debug_assert!((exact - value).abs() < 1e-6 * (1.0 + value.abs()));
        exact
    }
}

impl SmallMatcher {
    /// The same maximum when every edge of a row has the row's weight, and rows come by
    /// non-increasing weight: matchable row sets form a (truncated transversal) matroid, so
    /// the greedy that keeps each row, heaviest first, whenever an augmenting path (Kuhn) still
    /// finds it a slot is exact. O(rows × edges) at worst, for any number of rows.
    pub fn solve_uniform(&mut self, g: Rows, k: usize, assigned: &mut Vec<u32>) -> f64 {
        let (rows, edges, slots) = (g.rows, g.edges, g.slots);
        let n = unassigned(&g, assigned);
        self.clear_matching(n, slots);
        let k = k.min(slots);
        let mut value = 0.0;
        let mut size = 0;
        for r in 0..n {
            if size == k {
                break;
            }
            let (lo, hi) = (rows[r].0 as usize, rows[r].1 as usize);
            let Some(&(_, weight)) = edges[lo..hi].first() else {
                continue;
            };
            if weight <= 0.0 {
                break;
            }
            // Kuhn's augmenting path from row r (iterative depth-first search); pred_slot
            // marks the slots reached and the row that reached them.
            self.pred_slot.clear();
            self.pred_slot.resize(slots, NONE);
            // Stack of (row, next edge index).
            let mut stack: Vec<(usize, usize)> = vec![(r, lo)];
            let mut end = NONE;
            while let Some(&mut (row, ref mut next)) = stack.last_mut() {
                let hi_row = rows[row].1 as usize;
                if *next >= hi_row {
                    stack.pop();
                    continue;
                }
                let t = edges[*next].0 as usize;
                *next += 1;
                if self.pred_slot[t] != NONE {
                    continue;
                }
                self.pred_slot[t] = row as u32;
                match self.slot_match[t] {
                    NONE => {
                        end = t as u32;
                        break;
                    }
                    other => stack.push((other as usize, rows[other as usize].0 as usize)),
                }
            }
            if end == NONE {
                continue;
            }
            // Flip the path: each row on it takes the slot it reached.
            let mut t = end as usize;
            loop {
                let row = self.pred_slot[t] as usize;
                let previous = self.row_match[row];
                self.row_match[row] = t as u32;
                self.slot_match[t] = row as u32;
                if row == r {
                    break;
                }
                t = previous as usize;
            }
            size += 1;
            value += weight;
        }
        assigned[..n].copy_from_slice(&self.row_match[..n]);
        value
    }

    /// The common easy case: the `k` rows with the heaviest best edges can each take one of
    /// their heaviest edges in distinct slots. No matching weighs more than the sum of the `k`
    /// largest row maxima, so that matching is then optimal. Returns None otherwise.
    fn best_edges_fit(&mut self, g: Rows, k: usize, assigned: &mut [u32]) -> Option<f64> {
        let n = g.rows.len();
        // Row maxima, rows by decreasing maximum (ties by index); dist_row is free scratch here.
        self.dist_row.clear();
        self.pred_row.clear();
        for r in 0..n {
            let best = g.of(r).iter().fold(f64::NEG_INFINITY, |m, e| m.max(e.1));
            self.dist_row.push(best);
            self.pred_row.push(r as u32);
        }
        let maxima = &self.dist_row;
        self.pred_row
            .sort_by(|&x, &y| maxima[y as usize].total_cmp(&maxima[x as usize]).then(x.cmp(&y)));
        let mut value = 0.0;
        for &r in self.pred_row.iter().take(k.min(n).min(self.slot_match.len())) {
            let r = r as usize;
            let best = self.dist_row[r];
            if best <= 0.0 {
                break;
            }
            let free = g
                .of(r)
                .iter()
                .find(|&&(t, a)| a >= best && self.slot_match[t as usize] == NONE);
            let &(t, a) = free?;
            self.slot_match[t as usize] = r as u32;
            self.row_match[r] = t;
            value += a;
        }
        assigned[..n].copy_from_slice(&self.row_match[..n]);
        Some(value)
    }

    /// No row matched among `n`, no slot taken among `slots`.
    fn clear_matching(&mut self, n: usize, slots: usize) {
        self.row_match.clear();
        self.row_match.resize(n, NONE);
        self.slot_match.clear();
        self.slot_match.resize(slots, NONE);
    }
}

/// Sets every row of `g` unassigned in `assigned`; returns the number of rows.
fn unassigned(g: &Rows, assigned: &mut Vec<u32>) -> usize {
    let n = g.rows.len();
    assigned.clear();
    assigned.resize(n, NONE);
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exhaustive maximum over all matchings with at most k rows.
    fn brute(rows: &[(u32, u32)], edges: &[(u32, f64)], k: usize) -> f64 {
        fn go(i: usize, rows: &[(u32, u32)], edges: &[(u32, f64)], used: u32, k: usize) -> f64 {
            if i == rows.len() || k == 0 {
                return 0.0;
            }
            let mut best = go(i + 1, rows, edges, used, k);
            for &(t, a) in &edges[rows[i].0 as usize..rows[i].1 as usize] {
                if used & (1 << t) == 0 {
                    best = best.max(a + go(i + 1, rows, edges, used | (1 << t), k - 1));
                }
            }
            best
        }
        go(0, rows, edges, 0, k)
    }

    /// A linear congruential generator, enough to draw small test cases.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u32 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) as u32
        }
    }

    /// Rows and their edges, as [`Rows`] borrows them.
    type Owned = (Vec<(u32, u32)>, Vec<(u32, f64)>);

    /// `n` rows, each with an edge to each of `slots` slots with probability 2/3, weighing
    /// `weight(row, rng)`.
    fn random_rows(rng: &mut Lcg, n: usize, slots: usize, weight: impl Fn(usize, &mut Lcg) -> f64) -> Owned {
        let mut rows = Vec::new();
        let mut edges = Vec::new();
        for r in 0..n {
            let lo = edges.len() as u32;
            for t in 0..slots {
                if !rng.next().is_multiple_of(3) {
                    edges.push((t as u32, weight(r, rng)));
                }
            }
            rows.push((lo, edges.len() as u32));
        }
        (rows, edges)
    }

    #[test]
    fn matches_exhaustive_search() {
        let mut rng = Lcg(12345);
        let mut m = SmallMatcher::default();
        let mut assigned = Vec::new();
        for _ in 0..3000 {
            let n = 1 + rng.next() as usize % 5;
            let slots = 1 + rng.next() as usize % 5;
            let k = rng.next() as usize % 6;
            let (rows, edges) = random_rows(&mut rng, n, slots, |_, rng| 0.5 + f64::from(rng.next() % 40) / 4.0);
            let v = m.solve(
                Rows {
                    rows: &rows,
                    edges: &edges,
                    slots,
                },
                k,
                &mut assigned,
            );
            assert!((v - brute(&rows, &edges, k)).abs() < 1e-9);
            let mut used = vec![false; slots];
            let mut total = 0.0;
            let mut count = 0;
            for (r, &t) in assigned.iter().enumerate() {
                if t != NONE {
                    assert!(!used[t as usize]);
                    used[t as usize] = true;
                    count += 1;
                    let g = Rows {
                        rows: &rows,
                        edges: &edges,
                        slots,
                    };
                    total += g.of(r).iter().find(|e| e.0 == t).unwrap().1;
                }
            }
            assert!(count <= k);
            assert!((total - v).abs() < 1e-9);
        }
    }

    #[test]
    fn the_uniform_greedy_matches_exhaustive_search() {
        let mut rng = Lcg(777);
        let mut m = SmallMatcher::default();
        let mut assigned = Vec::new();
        for _ in 0..3000 {
            let n = 1 + rng.next() as usize % 7;
            let slots = 1 + rng.next() as usize % 4;
            let k = rng.next() as usize % 6;
            let mut weights: Vec<f64> = (0..n).map(|_| f64::from(rng.next() % 8) - 1.0).collect();
            weights.sort_by(|a, b| b.total_cmp(a));
            let (rows, edges) = random_rows(&mut rng, n, slots, |r, _| weights[r]);
            let g = Rows {
                rows: &rows,
                edges: &edges,
                slots,
            };
            let v = m.solve_uniform(g, k, &mut assigned);
            assert!(
                (v - brute(&rows, &edges, k)).abs() < 1e-9,
                "{v} vs {}",
                brute(&rows, &edges, k)
            );
            let general = m.solve(g, k, &mut Vec::new());
            assert!((v - general).abs() < 1e-9);
        }
    }
}
