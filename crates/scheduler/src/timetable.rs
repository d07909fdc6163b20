//! The timetable under construction (who meets whom in which slot) and the local search on it.
//!
//! Tables are assigned afterwards (see `tables`): the timetable only counts, per slot, the
//! meetings at the tables buyers share (a buyer with a table of its own needs no count: its
//! table is free whenever the buyer is).

use crate::problem::{Problem, NONE};

/// Candidate slots of every pair, in compressed rows: slots where both sides are available and
/// not held by a kept meeting, with a table left after kept meetings. Empty for kept pairs and
/// for pairs whose participants have no meeting left under their cap.
#[derive(Debug, Clone)]
pub(crate) struct Candidates {
    start: Vec<u32>,
    slots: Vec<u32>,
    /// Pairs of each buyer, compressed rows.
    buyer_start: Vec<u32>,
    buyer_pairs: Vec<u32>,
    /// Pairs of each supplier, compressed rows.
    supplier_start: Vec<u32>,
    supplier_pairs: Vec<u32>,
}

impl Candidates {
    pub fn new(p: &Problem) -> Candidates {
        let nt = p.slots();
        let (nb, ns) = (p.buyer_ids.len(), p.supplier_ids.len());
        let mut kept_buyer = vec![false; nb * nt];
        let mut kept_supplier = vec![false; ns * nt];
        let mut kept_per_slot = vec![0u32; nt];
        let mut kept_pair = vec![false; p.pairs.len()];
        let mut kept_b = vec![0u32; nb];
        let mut kept_s = vec![0u32; ns];
        for f in &p.fixed {
            let pair = p.pairs[f.pair as usize];
            kept_buyer[pair.buyer as usize * nt + f.slot as usize] = true;
            kept_supplier[pair.supplier as usize * nt + f.slot as usize] = true;
            if p.takes_shared[f.pair as usize] {
                kept_per_slot[f.slot as usize] += 1;
            }
            kept_pair[f.pair as usize] = true;
            kept_b[pair.buyer as usize] += 1;
            kept_s[pair.supplier as usize] += 1;
        }
        let mut start = Vec::with_capacity(p.pairs.len() + 1);
        let mut slots = Vec::new();
        start.push(0);
        for (e, pair) in p.pairs.iter().enumerate() {
            let (b, s) = (pair.buyer as usize, pair.supplier as usize);
            let open = !kept_pair[e] && pair.score > 0 && kept_b[b] < p.buyer_cap[b] && kept_s[s] < p.supplier_cap[s];
            if open {
                for t in 0..nt {
                    if p.buyer_available[b * nt + t]
                        && p.supplier_available[s * nt + t]
                        && !kept_buyer[b * nt + t]
                        && !kept_supplier[s * nt + t]
                        && (!p.takes_shared[e] || p.shared_tables[t] > kept_per_slot[t])
                    {
                        slots.push(t as u32);
                    }
                }
            }
            start.push(slots.len() as u32);
        }
        let rows = |n: usize, side: &dyn Fn(usize) -> usize| {
            let mut count = vec![0u32; n + 1];
            for e in 0..p.pairs.len() {
                count[side(e) + 1] += 1;
            }
            for i in 0..n {
                count[i + 1] += count[i];
            }
            let mut fill = count.clone();
            let mut items = vec![0u32; p.pairs.len()];
            for e in 0..p.pairs.len() {
                let x = side(e);
                items[fill[x] as usize] = e as u32;
                fill[x] += 1;
            }
            (count, items)
        };
        let (buyer_start, buyer_pairs) = rows(nb, &|e| p.pairs[e].buyer as usize);
        let (supplier_start, supplier_pairs) = rows(ns, &|e| p.pairs[e].supplier as usize);
        Candidates {
            start,
            slots,
            buyer_start,
            buyer_pairs,
            supplier_start,
            supplier_pairs,
        }
    }

    pub fn of(&self, pair: usize) -> &[u32] {
        &self.slots[self.start[pair] as usize..self.start[pair + 1] as usize]
    }

    pub fn total(&self) -> usize {
        self.slots.len()
    }

    pub fn of_buyer(&self, b: usize) -> &[u32] {
        &self.buyer_pairs[self.buyer_start[b] as usize..self.buyer_start[b + 1] as usize]
    }

    pub fn of_supplier(&self, s: usize) -> &[u32] {
        &self.supplier_pairs[self.supplier_start[s] as usize..self.supplier_start[s + 1] as usize]
    }
}

/// Who meets whom when; tables are only counted.
#[derive(Debug, Clone)]
pub(crate) struct Timetable<'p> {
    pub p: &'p Problem,
    nt: usize,
    /// `[buyer * slots + slot]` → pair or NONE.
    pub buyer_at: Vec<u32>,
    /// `[supplier * slots + slot]` → pair or NONE.
    pub supplier_at: Vec<u32>,
    /// Meetings at shared tables per slot, kept ones included.
    pub used: Vec<u32>,
    pub buyer_meetings: Vec<u32>,
    pub supplier_meetings: Vec<u32>,
    /// Slot of each pair's meeting, or NONE.
    pub slot_of: Vec<u32>,
    pub fixed: Vec<bool>,
    at_slot: Vec<Vec<u32>>,
    position: Vec<u32>,
    /// Slots with a free shared table.
    spare_slots: usize,
    pub objective: i64,
    journal: Vec<(u32, u32, bool)>,
}

impl<'p> Timetable<'p> {
    /// A timetable holding only the kept meetings.
    pub fn new(p: &'p Problem) -> Timetable<'p> {
        let nt = p.slots();
        let mut tt = Timetable {
            p,
            nt,
            buyer_at: vec![NONE; p.buyer_ids.len() * nt],
            supplier_at: vec![NONE; p.supplier_ids.len() * nt],
            used: vec![0; nt],
            buyer_meetings: vec![0; p.buyer_ids.len()],
            supplier_meetings: vec![0; p.supplier_ids.len()],
            slot_of: vec![NONE; p.pairs.len()],
            fixed: vec![false; p.pairs.len()],
            at_slot: vec![Vec::new(); nt],
            position: vec![NONE; p.pairs.len()],
            spare_slots: p.shared_tables.iter().filter(|&&c| c > 0).count(),
            objective: 0,
            journal: Vec::new(),
        };
        for f in &p.fixed {
            tt.add(f.pair as usize, f.slot as usize);
            tt.fixed[f.pair as usize] = true;
        }
        tt.journal.clear();
        tt
    }

    fn ends(&self, e: usize) -> (usize, usize) {
        let pair = self.p.pairs[e];
        (pair.buyer as usize, pair.supplier as usize)
    }

    /// Objective gained by adding pair `e` now.
    pub fn gain(&self, e: usize) -> i64 {
        let (b, s) = self.ends(e);
        let mut g = i64::from(self.p.pairs[e].score);
        if self.buyer_meetings[b] == 0 {
            g += self.p.bonus;
        }
        if self.supplier_meetings[s] == 0 {
            g += self.p.bonus;
        }
        g
    }

    /// Objective lost by removing pair `e` now.
    pub fn loss(&self, e: usize) -> i64 {
        let (b, s) = self.ends(e);
        let mut l = i64::from(self.p.pairs[e].score);
        if self.buyer_meetings[b] == 1 {
            l += self.p.bonus;
        }
        if self.supplier_meetings[s] == 1 {
            l += self.p.bonus;
        }
        l
    }

    pub fn caps_allow(&self, e: usize) -> bool {
        let (b, s) = self.ends(e);
        self.buyer_meetings[b] < self.p.buyer_cap[b] && self.supplier_meetings[s] < self.p.supplier_cap[s]
    }

    /// Both sides free and a table left in slot `t` (caps not checked).
    pub fn is_open(&self, e: usize, t: usize) -> bool {
        // The table count first: a small array, and the usual reason to refuse in full slots.
        if self.p.takes_shared[e] && self.used[t] >= self.p.shared_tables[t] {
            return false;
        }
        let (b, s) = self.ends(e);
        self.buyer_at[b * self.nt + t] == NONE && self.supplier_at[s * self.nt + t] == NONE
    }

    pub fn add(&mut self, e: usize, t: usize) {
        debug_assert!(self.slot_of[e] == NONE);
        self.objective += self.gain(e);
        let (b, s) = self.ends(e);
        self.buyer_at[b * self.nt + t] = e as u32;
        self.supplier_at[s * self.nt + t] = e as u32;
        if self.p.takes_shared[e] {
            self.used[t] += 1;
            if self.used[t] == self.p.shared_tables[t] {
                self.spare_slots -= 1;
            }
        }
        self.buyer_meetings[b] += 1;
        self.supplier_meetings[s] += 1;
        self.slot_of[e] = t as u32;
        self.position[e] = self.at_slot[t].len() as u32;
        self.at_slot[t].push(e as u32);
        self.journal.push((e as u32, t as u32, true));
    }

    pub fn remove(&mut self, e: usize) {
        let t = self.slot_of[e] as usize;
        debug_assert!(t != NONE as usize && !self.fixed[e]);
        self.objective -= self.loss(e);
        let (b, s) = self.ends(e);
        self.buyer_at[b * self.nt + t] = NONE;
        self.supplier_at[s * self.nt + t] = NONE;
        if self.p.takes_shared[e] {
            if self.used[t] == self.p.shared_tables[t] {
                self.spare_slots += 1;
            }
            self.used[t] -= 1;
        }
        self.buyer_meetings[b] -= 1;
        self.supplier_meetings[s] -= 1;
        self.slot_of[e] = NONE;
        let pos = self.position[e] as usize;
        self.at_slot[t].swap_remove(pos);
        if let Some(&moved) = self.at_slot[t].get(pos) {
            self.position[moved as usize] = pos as u32;
        }
        self.position[e] = NONE;
        self.journal.push((e as u32, t as u32, false));
    }

    pub fn mark(&self) -> usize {
        self.journal.len()
    }

    /// Undoes every change made since `mark`.
    pub fn rollback(&mut self, mark: usize) {
        while self.journal.len() > mark {
            let Some((e, t, added)) = self.journal.pop() else {
                break;
            };
            if added {
                self.remove(e as usize);
            } else {
                self.add(e as usize, t as usize);
            }
            self.journal.pop();
        }
    }

    /// Forgets the undo history (the current state becomes final).
    pub fn commit(&mut self) {
        self.journal.clear();
    }

    pub fn meetings_at(&self, t: usize) -> &[u32] {
        &self.at_slot[t]
    }
}

/// Local search: insert unmet pairs, moving or replacing meetings in the way, and accept a
/// change only if the objective strictly increases (so it terminates).
pub(crate) struct Search<'a, 'p> {
    pub tt: Timetable<'p>,
    pub cands: &'a Candidates,
    /// Deterministic work budget (inner-loop steps), never a clock.
    pub work: u64,
    nt: usize,
}

impl<'a, 'p> Search<'a, 'p> {
    pub fn new(tt: Timetable<'p>, cands: &'a Candidates, work: u64) -> Self {
        let nt = tt.p.slots();
        Search { tt, cands, work, nt }
    }

    fn spend(&mut self, units: usize) -> bool {
        self.work = self.work.saturating_sub(units as u64);
        self.work > 0
    }

    /// Moves meeting `g` to another candidate slot where everything is free.
    fn relocate(&mut self, g: usize) -> bool {
        if self.tt.fixed[g] {
            return false;
        }
        let current = self.tt.slot_of[g];
        let slots = self.cands.of(g);
        self.spend(slots.len());
        for &t in slots {
            if t != current && self.tt.is_open(g, t as usize) {
                self.tt.remove(g);
                self.tt.add(g, t as usize);
                return true;
            }
        }
        false
    }

    /// Frees a table in slot `t` by moving one of its meetings elsewhere.
    fn free_table(&mut self, t: usize) -> bool {
        if self.tt.spare_slots == 0 {
            return false;
        }
        let n = self.tt.meetings_at(t).len();
        for i in 0..n {
            let Some(&g) = self.tt.meetings_at(t).get(i) else {
                break;
            };
            // Moving a buyer's meeting at its own table frees no shared table.
            if self.tt.p.takes_shared[g as usize] && self.relocate(g as usize) {
                return true;
            }
            if self.work == 0 {
                break;
            }
        }
        false
    }

    /// Places pair `e`, moving (never removing) meetings in the way.
    pub fn insert(&mut self, e: usize) -> bool {
        if self.tt.slot_of[e] != NONE || !self.tt.caps_allow(e) {
            return false;
        }
        let slots = self.cands.of(e);
        self.spend(slots.len());
        for &t in slots {
            if self.tt.is_open(e, t as usize) {
                self.tt.add(e, t as usize);
                return true;
            }
        }
        let pair = self.tt.p.pairs[e];
        let (b, s) = (pair.buyer as usize, pair.supplier as usize);
        for &t in slots {
            let t = t as usize;
            let mark = self.tt.mark();
            let g = self.tt.buyer_at[b * self.nt + t];
            if g != NONE && !self.relocate(g as usize) {
                self.tt.rollback(mark);
                continue;
            }
            let h = self.tt.supplier_at[s * self.nt + t];
            if h != NONE && !self.relocate(h as usize) {
                self.tt.rollback(mark);
                continue;
            }
            if self.tt.p.takes_shared[e] && self.tt.used[t] >= self.tt.p.shared_tables[t] && !self.free_table(t) {
                self.tt.rollback(mark);
                continue;
            }
            self.tt.add(e, t);
            return true;
        }
        false
    }

    /// The meeting with the smallest loss among `pairs` (not kept).
    fn cheapest(&self, pairs: impl Iterator<Item = u32>) -> Option<usize> {
        let mut best: Option<(i64, usize)> = None;
        for g in pairs {
            let g = g as usize;
            if self.tt.fixed[g] || self.tt.slot_of[g] == NONE {
                continue;
            }
            let l = self.tt.loss(g);
            if best.is_none_or(|(bl, _)| l < bl) {
                best = Some((l, g));
            }
        }
        best.map(|(_, g)| g)
    }

    /// Places pair `e` in some slot by removing what is in the way, then tries to re-place the
    /// removed meetings and to meet participants left without any; keeps the change only if the
    /// objective strictly increases.
    pub fn replace(&mut self, e: usize) -> bool {
        if self.tt.slot_of[e] != NONE {
            return false;
        }
        let pair = self.tt.p.pairs[e];
        let (b, s) = (pair.buyer as usize, pair.supplier as usize);
        let before = self.tt.objective;
        let slots = self.cands.of(e);
        for &t in slots {
            if self.work == 0 {
                return false;
            }
            let t = t as usize;
            let mark = self.tt.mark();
            let mut removed: Vec<usize> = Vec::with_capacity(4);
            let mut ok = true;
            for g in [self.tt.buyer_at[b * self.nt + t], self.tt.supplier_at[s * self.nt + t]] {
                if g != NONE && self.tt.slot_of[g as usize] != NONE {
                    if self.tt.fixed[g as usize] {
                        ok = false;
                        break;
                    }
                    self.tt.remove(g as usize);
                    removed.push(g as usize);
                }
            }
            if ok && self.tt.p.takes_shared[e] && self.tt.used[t] >= self.tt.p.shared_tables[t] {
                self.spend(self.tt.meetings_at(t).len());
                let shared = self.tt.p.takes_shared.as_slice();
                match self.cheapest(self.tt.meetings_at(t).iter().copied().filter(|&g| shared[g as usize])) {
                    Some(g) => {
                        self.tt.remove(g);
                        removed.push(g);
                    }
                    None => ok = false,
                }
            }
            if ok && self.tt.buyer_meetings[b] >= self.tt.p.buyer_cap[b] {
                let row = &self.tt.buyer_at[b * self.nt..(b + 1) * self.nt];
                match self.cheapest(row.iter().copied().filter(|&g| g != NONE)) {
                    Some(g) => {
                        self.tt.remove(g);
                        removed.push(g);
                    }
                    None => ok = false,
                }
            }
            if ok && self.tt.supplier_meetings[s] >= self.tt.p.supplier_cap[s] {
                let row = &self.tt.supplier_at[s * self.nt..(s + 1) * self.nt];
                match self.cheapest(row.iter().copied().filter(|&g| g != NONE)) {
                    Some(g) => {
                        self.tt.remove(g);
                        removed.push(g);
                    }
                    None => ok = false,
                }
            }
            if !ok {
                self.tt.rollback(mark);
                continue;
            }
            self.tt.add(e, t);
            for &g in &removed {
                self.insert(g);
            }
            for &g in &removed {
                let (gb, gs) = {
                    let q = self.tt.p.pairs[g];
                    (q.buyer as usize, q.supplier as usize)
                };
                if self.tt.buyer_meetings[gb] == 0 {
                    self.meet_someone(self.cands.of_buyer(gb));
                }
                if self.tt.supplier_meetings[gs] == 0 {
                    self.meet_someone(self.cands.of_supplier(gs));
                }
            }
            if self.tt.objective > before {
                return true;
            }
            self.tt.rollback(mark);
        }
        false
    }

    /// Books pair `e` in the first candidate slot where everything is free.
    fn place_directly(&mut self, e: usize) -> bool {
        if !self.tt.caps_allow(e) {
            return false;
        }
        let slots = self.cands.of(e);
        match slots.iter().find(|&&t| self.tt.is_open(e, t as usize)) {
            Some(&t) => {
                self.tt.add(e, t as usize);
                self.tt.commit();
                true
            }
            None => false,
        }
    }

    fn meet_someone(&mut self, pairs: &[u32]) {
        for &f in pairs {
            if self.tt.slot_of[f as usize] == NONE && self.insert(f as usize) {
                return;
            }
        }
    }

    /// Repeats insertion and replacement over unmet pairs, best gain first, until nothing
    /// improves or the work budget is spent.
    pub fn improve(&mut self) {
        let mut order: Vec<usize> = Vec::new();
        loop {
            order.clear();
            order.extend(
                (0..self.tt.p.pairs.len()).filter(|&e| self.tt.slot_of[e] == NONE && !self.cands.of(e).is_empty()),
            );
            order.sort_by_key(|&e| (std::cmp::Reverse(self.tt.gain(e)), e));
            let before = self.tt.objective;
            for &e in &order {
                if self.tt.slot_of[e] != NONE {
                    continue;
                }
                if self.work == 0 {
                    // Out of budget: still book any free common slot (cheap), nothing more.
                    self.place_directly(e);
                    continue;
                }
                if !self.insert(e) {
                    self.replace(e);
                }
                self.tt.commit();
            }
            if self.tt.objective <= before || self.work == 0 {
                break;
            }
        }
        self.tt.commit();
    }
}
