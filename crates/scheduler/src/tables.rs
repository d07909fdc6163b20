//! Table numbers, chosen after the timetable so that buyers keep one table when possible.

use crate::problem::{Problem, NONE};

/// Tables of every pair's meeting (NONE when unmet) and the number of buyer table changes.
///
/// A buyer with a table of its own has it as home table; each other buyer gets a home table (the
/// table of its first kept meeting, or the next table not yet anyone's home while tables last);
/// in every slot, kept meetings keep their table, then buyers sit at their home table, else at
/// the table they had last, else at the lowest free table that is nobody's home, else at the
/// lowest free table that is no buyer's own. Buyers with a table of their own are always at
/// home (the timetable left it free for them), and the others fit in the shared tables (the
/// timetable counted them). The timetable, hence the objective, is untouched.
pub(crate) fn assign_tables(p: &Problem, slot_of: &[u32]) -> (Vec<u32>, u32) {
    let nt = p.slots();
    let nb = p.buyer_ids.len();
    let mut table_of = vec![NONE; p.pairs.len()];
    let mut by_slot: Vec<Vec<usize>> = vec![Vec::new(); nt];
    for (e, &t) in slot_of.iter().enumerate() {
        if t != NONE {
            by_slot[t as usize].push(e);
        }
    }
    let max_tables = p.tables.iter().copied().max().unwrap_or(0) as usize;
    let mut home = vec![NONE; nb];
    let mut is_home = vec![false; max_tables + 1];
    for (b, &pin) in p.pin.iter().enumerate() {
        if pin != NONE {
            home[b] = pin;
            is_home[pin as usize] = true;
        }
    }
    let is_pin = |x: u32| p.is_pin.get(x as usize).copied().unwrap_or(false);
    let mut fixed_pair = vec![false; p.pairs.len()];
    let mut fixed_sorted: Vec<_> = p.fixed.iter().collect();
    fixed_sorted.sort_by_key(|f| (f.slot, f.table));
    for f in fixed_sorted {
        fixed_pair[f.pair as usize] = true;
        table_of[f.pair as usize] = f.table;
        let b = p.pairs[f.pair as usize].buyer as usize;
        if home[b] == NONE && !is_home[f.table as usize] {
            home[b] = f.table;
            is_home[f.table as usize] = true;
        }
    }
    let mut meetings = vec![0u32; nb];
    for (e, &t) in slot_of.iter().enumerate() {
        if t != NONE {
            meetings[p.pairs[e].buyer as usize] += 1;
        }
    }
    let mut order: Vec<usize> = (0..nb).filter(|&b| meetings[b] > 0).collect();
    order.sort_by_key(|&b| (std::cmp::Reverse(meetings[b]), b));
    let mut next = 1;
    for &b in &order {
        if home[b] != NONE {
            continue;
        }
        while next <= max_tables && is_home[next] {
            next += 1;
        }
        if next > max_tables {
            break;
        }
        home[b] = next as u32;
        is_home[next] = true;
    }
    let mut last = vec![NONE; nb];
    let mut changes = 0;
    let mut taken = vec![false; max_tables + 1];
    for (t, pairs) in by_slot.iter_mut().enumerate() {
        let c = p.tables[t] as usize;
        taken[..].fill(false);
        pairs.sort_by_key(|&e| p.pairs[e].buyer);
        for &e in pairs.iter() {
            if fixed_pair[e] {
                taken[table_of[e] as usize] = true;
            }
        }
        let free = |x: u32, taken: &[bool]| x != NONE && (x as usize) <= c && !taken[x as usize];
        // Home tables first, then last tables, then the rest, so nobody takes a table
        // another buyer of this slot holds by right.
        for pass in 0..3 {
            for &e in pairs.iter() {
                if table_of[e] != NONE {
                    continue;
                }
                let b = p.pairs[e].buyer as usize;
                let pick = match pass {
                    0 => Some(home[b]).filter(|&x| free(x, &taken)),
                    1 => Some(last[b]).filter(|&x| free(x, &taken) && !is_pin(x)),
                    _ => (1..=c as u32)
                        .find(|&x| !taken[x as usize] && !is_home[x as usize])
                        .or_else(|| (1..=c as u32).find(|&x| !taken[x as usize] && !is_pin(x))),
                };
                if let Some(x) = pick {
                    table_of[e] = x;
                    taken[x as usize] = true;
                }
            }
        }
        for &e in pairs.iter() {
            let b = p.pairs[e].buyer as usize;
            if last[b] != NONE && last[b] != table_of[e] {
                changes += 1;
            }
            last[b] = table_of[e];
        }
    }
    (table_of, changes)
}
