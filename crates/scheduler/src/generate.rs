//! Deterministic generator of instances shaped like real events.

use crate::model::{Instance, MeetingSlot, Participant, Side, Wish, DEFAULT_COVERAGE_BONUS};

/// Size and seed of a generated instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratorParams {
    /// Number of buyers.
    pub buyers: u32,
    /// Number of suppliers.
    pub suppliers: u32,
    /// Number of consecutive 10-minute slots.
    pub slots: u32,
    /// Tables in every slot.
    pub tables: u32,
    /// Seed of the pseudo-random generator; the same parameters give the same instance.
    pub seed: u64,
}

/// SplitMix64: tiny, fast, and identical on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next() % u64::from(hi - lo + 1)) as u32
    }

    fn chance(&mut self, numerator: u64, denominator: u64) -> bool {
        self.next() % denominator < numerator
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Adds values of `draw` not yet in `chosen` until it holds `k`, giving up after `tries`
    /// draws (a draw already chosen is one try spent).
    fn distinct(&mut self, chosen: &mut Vec<u32>, k: usize, tries: u32, draw: impl Fn(&mut Rng) -> u32) {
        let mut spent = 0;
        while chosen.len() < k && spent < tries {
            spent += 1;
            let x = draw(self);
            if !chosen.contains(&x) {
                chosen.push(x);
            }
        }
    }

    /// One wish from `from` to each of `to`, each weighing 1–3.
    fn wishes(&mut self, wishes: &mut Vec<Wish>, from: &str, to: impl IntoIterator<Item = String>) {
        for to in to {
            wishes.push(Wish {
                from: from.to_owned(),
                to,
                weight: i64::from(self.range(1, 3)),
            });
        }
    }
}

/// Generates an instance like a real event: a few popular buyers wished by about half the
/// suppliers, suppliers with 1–6 wishes, buyers with 3–15, weights 1–3, a fifth of the
/// participants available only for a window of 40–80 % of the block, and a cap on one
/// participant in ten (buyers: a third to two thirds of the slots; suppliers: 1–3 meetings).
pub fn generate(params: &GeneratorParams) -> Instance {
    let mut rng = Rng(params.seed ^ 0x6D61_7469_6E61_6C65);
    let (nb, ns, nt) = (params.buyers, params.suppliers, params.slots);
    let slots: Vec<MeetingSlot> = (0..nt)
        .map(|i| MeetingSlot {
            id: format!("s{:02}", i + 1),
            starts_at: clock(9 * 60 + 10 * i),
            ends_at: clock(9 * 60 + 10 * (i + 1)),
            tables: params.tables,
        })
        .collect();
    let buyer_id = |b: u32| format!("b{:04}", b + 1);
    let supplier_id = |s: u32| format!("e{:05}", s + 1);
    let mut participants = Vec::with_capacity((nb + ns) as usize);
    let availability = |rng: &mut Rng| -> Option<Vec<String>> {
        if nt < 2 || !rng.chance(1, 5) {
            return None;
        }
        let lo = ((nt as f64 * 0.4).ceil() as u32).max(1);
        let hi = ((nt as f64 * 0.8).floor() as u32).max(lo);
        let len = rng.range(lo, hi);
        let start = rng.range(0, nt - len);
        Some((start..start + len).map(|t| format!("s{:02}", t + 1)).collect())
    };
    for b in 0..nb {
        let available = availability(&mut rng);
        let max_meetings = (nt >= 3 && rng.chance(1, 10)).then(|| rng.range(nt / 3, 2 * nt / 3));
        participants.push(Participant {
            id: buyer_id(b),
            side: Side::Buyer,
            available,
            max_meetings,
            table: None,
        });
    }
    for s in 0..ns {
        let available = availability(&mut rng);
        let max_meetings = rng.chance(1, 10).then(|| rng.range(1, 3));
        participants.push(Participant {
            id: supplier_id(s),
            side: Side::Supplier,
            available,
            max_meetings,
            table: None,
        });
    }
    let mut wishes = Vec::new();
    let popular = (nb / 8).clamp(1, 5).min(nb);
    if nb > 0 {
        for s in 0..ns {
            let k = rng.range(1, 6).min(nb) as usize;
            let mut chosen: Vec<u32> = Vec::with_capacity(k);
            for b in 0..popular {
                if chosen.len() < k && rng.chance(1, 2) {
                    chosen.push(b);
                }
            }
            // Mild skew towards the first buyers: some are more sought after than others.
            rng.distinct(&mut chosen, k, 50, |rng| {
                ((rng.unit().powf(1.5) * f64::from(nb)) as u32).min(nb - 1)
            });
            rng.wishes(&mut wishes, &supplier_id(s), chosen.into_iter().map(buyer_id));
        }
    }
    if ns > 0 {
        for b in 0..nb {
            let k = rng.range(3, 15).min(ns) as usize;
            let mut chosen: Vec<u32> = Vec::with_capacity(k);
            rng.distinct(&mut chosen, k, 100, |rng| rng.range(0, ns - 1));
            rng.wishes(&mut wishes, &buyer_id(b), chosen.into_iter().map(supplier_id));
        }
    }
    Instance {
        coverage_bonus: DEFAULT_COVERAGE_BONUS,
        slots,
        participants,
        wishes,
        kept: Vec::new(),
    }
}

/// RFC 3339 time on 2026-11-25 (Paris winter time) at `minutes` after midnight, rolling over days.
fn clock(minutes: u32) -> String {
    let day = 25 + minutes / 1440;
    let m = minutes % 1440;
    format!("2026-11-{day:02}T{:02}:{:02}:00+01:00", m / 60, m % 60)
}
