//! An independent checker of the hard constraints, working on the files' ids (not on the
//! solver's indices), used by tests and available to callers.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::model::{Instance, Side, Solution};

/// A hard constraint broken by a solution, or a figure that does not add up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation(pub String);

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Violation {}

/// Checks `solution` against every hard constraint of `instance` (assumed valid), the
/// recomputed scores, objective and statistics, and `objective ≤ upper_bound`.
pub fn verify(instance: &Instance, solution: &Solution) -> Result<(), Violation> {
    let fail = |m: String| Err(Violation(m));
    let slots: BTreeMap<&str, u32> = instance.slots.iter().map(|s| (s.id.as_str(), s.tables)).collect();
    let people: BTreeMap<&str, _> = instance.participants.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut weight: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for w in &instance.wishes {
        weight.insert((w.from.as_str(), w.to.as_str()), w.weight);
    }
    let kept: BTreeSet<(&str, &str, &str, u32)> = instance
        .kept
        .iter()
        .filter(|k| people.contains_key(k.buyer.as_str()) && people.contains_key(k.supplier.as_str()))
        .map(|k| (k.buyer.as_str(), k.supplier.as_str(), k.slot.as_str(), k.table))
        .collect();
    let owners: BTreeMap<u32, &str> = instance
        .participants
        .iter()
        .filter_map(|p| Some((p.table?, p.id.as_str())))
        .collect();
    let mut pairs = BTreeSet::new();
    let mut busy = BTreeSet::new();
    let mut tables = BTreeSet::new();
    let mut count: BTreeMap<&str, u32> = BTreeMap::new();
    let mut objective = 0i64;
    let mut wishes_met = 0;
    for m in &solution.meetings {
        let key = (m.buyer.as_str(), m.supplier.as_str(), m.slot.as_str(), m.table);
        let is_kept = kept.contains(&key);
        let (Some(b), Some(s)) = (people.get(m.buyer.as_str()), people.get(m.supplier.as_str())) else {
            return fail(format!("meeting {key:?}: unknown participant"));
        };
        if b.side != Side::Buyer || s.side != Side::Supplier {
            return fail(format!("meeting {key:?}: sides are wrong"));
        }
        let Some(&n_tables) = slots.get(m.slot.as_str()) else {
            return fail(format!("meeting {key:?}: unknown slot"));
        };
        if m.table == 0 || m.table > n_tables {
            return fail(format!("meeting {key:?}: no such table"));
        }
        if !is_kept {
            if let Some(own) = b.table {
                if m.table != own {
                    return fail(format!("meeting {key:?}: the buyer's own table is {own}"));
                }
            } else if let Some(owner) = owners.get(&m.table) {
                return fail(format!("meeting {key:?}: table {} is {owner:?}'s own", m.table));
            }
        }
        if !tables.insert((m.slot.as_str(), m.table)) {
            return fail(format!("meeting {key:?}: table used twice"));
        }
        if !pairs.insert((m.buyer.as_str(), m.supplier.as_str())) {
            return fail(format!("meeting {key:?}: pair meets twice"));
        }
        let wb = weight.get(&(m.buyer.as_str(), m.supplier.as_str())).copied();
        let ws = weight.get(&(m.supplier.as_str(), m.buyer.as_str())).copied();
        if wb.is_none() && ws.is_none() && !is_kept {
            return fail(format!("meeting {key:?}: nobody wished it"));
        }
        let score = wb.unwrap_or(0) + ws.unwrap_or(0);
        if i64::from(m.score) != score {
            return fail(format!("meeting {key:?}: score {} instead of {score}", m.score));
        }
        objective += score;
        wishes_met += u32::from(wb.is_some()) + u32::from(ws.is_some());
        for p in [b, s] {
            if !busy.insert((p.id.as_str(), m.slot.as_str())) {
                return fail(format!("meeting {key:?}: {:?} twice in the slot", p.id));
            }
            let available = p.available.as_ref().is_none_or(|a| a.iter().any(|x| x == &m.slot));
            if !available && !is_kept {
                return fail(format!("meeting {key:?}: {:?} is not available", p.id));
            }
            *count.entry(p.id.as_str()).or_insert(0) += 1;
        }
    }
    for k in &kept {
        if !solution
            .meetings
            .iter()
            .any(|m| (m.buyer.as_str(), m.supplier.as_str(), m.slot.as_str(), m.table) == *k)
        {
            return fail(format!("kept meeting {k:?} is missing"));
        }
    }
    let kept_of = |id: &str| kept.iter().filter(|k| k.0 == id || k.1 == id).count() as u32;
    for (id, &n) in &count {
        if let Some(cap) = people[id].max_meetings {
            if n > cap.max(kept_of(id)) {
                return fail(format!("{id:?} has {n} meetings, above its cap {cap}"));
            }
        }
    }
    objective += instance.coverage_bonus * count.len() as i64;
    if objective != solution.objective {
        return fail(format!("objective {} instead of {objective}", solution.objective));
    }
    if solution.stats.participants_met != count.len() as u32 {
        return fail("participants_met is wrong".into());
    }
    if solution.stats.wishes_met != wishes_met {
        return fail("wishes_met is wrong".into());
    }
    if (solution.objective as f64) > solution.upper_bound + 1e-6 {
        return fail(format!(
            "objective {} above upper bound {}",
            solution.objective, solution.upper_bound
        ));
    }
    Ok(())
}
