//! Shared by the integration tests: small random instances and an exact solver.
#![allow(dead_code)]

use matinale_scheduler::{Instance, KeptMeeting, MeetingSlot, Participant, Side, Solution, Wish};
use std::collections::BTreeSet;

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A small random instance: up to `max_pairs` wished pairs, partial availability, caps, kept.
pub fn small_instance(seed: u64, max_pairs: usize) -> Instance {
    let mut rng = Rng(seed);
    let nb = 1 + rng.below(3) as usize;
    let ns = 1 + rng.below(4) as usize;
    let nt = 1 + rng.below(3) as usize;
    let slots: Vec<MeetingSlot> = (0..nt)
        .map(|t| MeetingSlot {
            id: format!("s{t}"),
            starts_at: format!("2026-11-25T10:{:02}:00+01:00", 10 * t),
            ends_at: format!("2026-11-25T10:{:02}:00+01:00", 10 * t + 10),
            tables: rng.below(3) as u32 + u32::from(rng.below(4) != 0),
        })
        .collect();
    let mut participants = Vec::new();
    for (side, n, prefix) in [(Side::Buyer, nb, "b"), (Side::Supplier, ns, "e")] {
        for i in 0..n {
            let available =
                (rng.below(3) == 0).then(|| (0..nt).filter(|_| rng.below(2) == 0).map(|t| format!("s{t}")).collect());
            let max_meetings = (rng.below(4) == 0).then(|| rng.below(3) as u32);
            participants.push(Participant {
                id: format!("{prefix}{i}"),
                side,
                available,
                max_meetings,
                table: None,
            });
        }
    }
    let mut wishes = Vec::new();
    let mut pairs = BTreeSet::new();
    for b in 0..nb {
        for s in 0..ns {
            if pairs.len() >= max_pairs || rng.below(3) == 0 {
                continue;
            }
            pairs.insert((b, s));
            let dir = rng.below(3);
            if dir != 1 {
                wishes.push(Wish {
                    from: format!("b{b}"),
                    to: format!("e{s}"),
                    weight: 1 + rng.below(3) as i64,
                });
            }
            if dir != 0 {
                wishes.push(Wish {
                    from: format!("e{s}"),
                    to: format!("b{b}"),
                    weight: 1 + rng.below(3) as i64,
                });
            }
        }
    }
    // Kept meetings that do not clash, sometimes with a participant who left.
    let mut kept = Vec::new();
    let mut used = BTreeSet::new();
    for _ in 0..rng.below(3) {
        let (b, s, t) = (
            rng.below(nb as u64 + 1),
            rng.below(ns as u64),
            rng.below(nt as u64) as usize,
        );
        let table = 1 + rng.below(u64::from(slots[t].tables.max(1))) as u32;
        if slots[t].tables == 0
            || !used.insert(("b", b, t as u64))
            || !used.insert(("e", s, t as u64))
            || !used.insert(("t", u64::from(table), t as u64))
            || !used.insert(("p", b, s))
        {
            continue;
        }
        kept.push(KeptMeeting {
            buyer: format!("b{b}"),
            supplier: format!("e{s}"),
            slot: format!("s{t}"),
            table,
        });
    }
    Instance {
        coverage_bonus: rng.below(7) as i64,
        slots,
        participants,
        wishes,
        kept,
    }
}

/// The best objective over all timetables, by exhaustive search (tables are then always
/// assignable, since a slot never holds more meetings than tables).
pub fn exact_optimum(instance: &Instance) -> i64 {
    let id = |side: Side| -> Vec<&Participant> { instance.participants.iter().filter(|p| p.side == side).collect() };
    let (buyers, suppliers) = (id(Side::Buyer), id(Side::Supplier));
    let slots: Vec<&str> = instance.slots.iter().map(|s| s.id.as_str()).collect();
    let nt = slots.len();
    let avail = |p: &Participant, t: usize| p.available.as_ref().is_none_or(|a| a.iter().any(|x| x == slots[t]));
    let weight = |from: &str, to: &str| {
        instance
            .wishes
            .iter()
            .find(|w| w.from == from && w.to == to)
            .map_or(0, |w| w.weight)
    };
    let mut busy = vec![vec![false; nt]; buyers.len() + suppliers.len()];
    let mut count = vec![0u32; buyers.len() + suppliers.len()];
    let mut used = vec![0u32; nt];
    let mut kept_pairs = BTreeSet::new();
    let pos = |list: &[&Participant], id: &str| list.iter().position(|p| p.id == id);
    let mut base = 0;
    for k in &instance.kept {
        let (Some(b), Some(s)) = (pos(&buyers, &k.buyer), pos(&suppliers, &k.supplier)) else {
            continue;
        };
        let t = slots.iter().position(|x| *x == k.slot).unwrap();
        busy[b][t] = true;
        busy[buyers.len() + s][t] = true;
        count[b] += 1;
        count[buyers.len() + s] += 1;
        used[t] += 1;
        kept_pairs.insert((b, s));
        base += weight(&k.buyer, &k.supplier) + weight(&k.supplier, &k.buyer);
    }
    let mut pairs = Vec::new();
    for (b, pb) in buyers.iter().enumerate() {
        for (s, ps) in suppliers.iter().enumerate() {
            let score = weight(&pb.id, &ps.id) + weight(&ps.id, &pb.id);
            if score > 0 && !kept_pairs.contains(&(b, s)) {
                let ok: Vec<usize> = (0..nt).filter(|&t| avail(pb, t) && avail(ps, t)).collect();
                pairs.push((b, buyers.len() + s, score, ok));
            }
        }
    }
    let caps: Vec<u32> = buyers
        .iter()
        .chain(&suppliers)
        .map(|p| p.max_meetings.unwrap_or(u32::MAX))
        .collect();
    let tables: Vec<u32> = instance.slots.iter().map(|s| s.tables).collect();
    #[allow(clippy::too_many_arguments)]
    fn go(
        i: usize,
        pairs: &[(usize, usize, i64, Vec<usize>)],
        busy: &mut Vec<Vec<bool>>,
        count: &mut Vec<u32>,
        used: &mut Vec<u32>,
        caps: &[u32],
        tables: &[u32],
        score: i64,
        bonus: i64,
    ) -> i64 {
        if i == pairs.len() {
            return score + bonus * count.iter().filter(|&&c| c > 0).count() as i64;
        }
        let mut best = go(i + 1, pairs, busy, count, used, caps, tables, score, bonus);
        let (b, s, w, ref ok) = pairs[i];
        if count[b] < caps[b] && count[s] < caps[s] {
            for &t in ok {
                if !busy[b][t] && !busy[s][t] && used[t] < tables[t] {
                    busy[b][t] = true;
                    busy[s][t] = true;
                    count[b] += 1;
                    count[s] += 1;
                    used[t] += 1;
                    best = best.max(go(i + 1, pairs, busy, count, used, caps, tables, score + w, bonus));
                    busy[b][t] = false;
                    busy[s][t] = false;
                    count[b] -= 1;
                    count[s] -= 1;
                    used[t] -= 1;
                }
            }
        }
        best
    }
    go(
        0,
        &pairs,
        &mut busy,
        &mut count,
        &mut used,
        &caps,
        &tables,
        base,
        instance.coverage_bonus,
    )
}

/// The solution without its only machine-dependent field.
pub fn without_millis(mut s: Solution) -> Solution {
    s.stats.millis = 0;
    s
}

/// `instance` with some buyers given a table of their own (distinct, within the largest slot).
pub fn with_own_tables(mut instance: Instance, seed: u64) -> Instance {
    let mut rng = Rng(seed ^ 0x5EED);
    let tables = instance.slots.iter().map(|s| s.tables).max().unwrap_or(0);
    let mut taken = BTreeSet::new();
    for p in instance.participants.iter_mut().filter(|p| p.side == Side::Buyer) {
        if tables == 0 || rng.below(2) == 0 {
            continue;
        }
        let table = 1 + rng.below(u64::from(tables)) as u32;
        if taken.insert(table) {
            p.table = Some(table);
        }
    }
    instance
}
