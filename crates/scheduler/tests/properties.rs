//! Property tests on random small instances, and exact comparison with exhaustive search.

mod support;

use matinale_scheduler::{schedule, schedule_greedy, verify};
use proptest::prelude::*;
use support::{exact_optimum, small_instance, with_own_tables, without_millis};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn every_schedule_keeps_every_hard_constraint_and_stays_under_its_bound(seed in any::<u64>()) {
        let instance = small_instance(seed, 12);
        let solution = schedule(&instance).expect("generated instances are valid");
        prop_assert_eq!(verify(&instance, &solution), Ok(()));
        let greedy = schedule_greedy(&instance).expect("generated instances are valid");
        prop_assert_eq!(verify(&instance, &greedy), Ok(()));
        prop_assert!(greedy.objective <= solution.objective);
    }

    #[test]
    fn buyers_with_tables_of_their_own_sit_there_and_nobody_else_does(seed in any::<u64>()) {
        let instance = with_own_tables(small_instance(seed, 12), seed);
        let solution = schedule(&instance).expect("generated instances are valid");
        prop_assert_eq!(verify(&instance, &solution), Ok(()));
        let greedy = schedule_greedy(&instance).expect("generated instances are valid");
        prop_assert_eq!(verify(&instance, &greedy), Ok(()));
        prop_assert!(greedy.objective <= solution.objective);
    }

    #[test]
    fn the_same_instance_gives_the_same_schedule(seed in any::<u64>()) {
        let instance = small_instance(seed, 12);
        let first = without_millis(schedule(&instance).expect("valid"));
        let second = without_millis(schedule(&instance.clone()).expect("valid"));
        prop_assert_eq!(first, second);
    }

    #[test]
    fn the_bound_is_above_the_exact_optimum_and_the_solver_reaches_it(seed in any::<u64>()) {
        let instance = small_instance(seed, 7);
        let exact = exact_optimum(&instance);
        let solution = schedule(&instance).expect("valid");
        prop_assert!(solution.upper_bound + 1e-6 >= exact as f64,
            "bound {} below optimum {}", solution.upper_bound, exact);
        prop_assert!(solution.objective <= exact);
    }
}

/// The solver is a heuristic: on a fixed corpus of small instances, it must reach the exact
/// optimum almost always and lose almost nothing in total.
#[test]
fn on_small_instances_the_solver_almost_always_reaches_the_exact_optimum() {
    let (mut optimal, mut total, mut total_exact) = (0, 0i64, 0i64);
    let n = 500;
    for seed in 0..n {
        let instance = small_instance(seed, 7);
        let exact = exact_optimum(&instance);
        let objective = schedule(&instance).expect("valid").objective;
        optimal += usize::from(objective == exact);
        total += objective;
        total_exact += exact;
    }
    eprintln!("optimal on {optimal}/{n}, total {total}/{total_exact}");
    assert!(optimal * 100 >= 97 * n as usize, "optimal on {optimal}/{n} only");
    assert!(total as f64 >= 0.995 * total_exact as f64);
}

#[test]
fn generated_event_instances_are_valid_and_deterministic() {
    use matinale_scheduler::{generate, GeneratorParams};
    let params = GeneratorParams {
        buyers: 20,
        suppliers: 60,
        slots: 12,
        tables: 20,
        seed: 7,
    };
    let instance = generate(&params);
    assert_eq!(instance, generate(&params));
    let solution = schedule(&instance).expect("generated instances are valid");
    assert_eq!(verify(&instance, &solution), Ok(()));
    assert!(solution.objective as f64 >= 0.98 * solution.upper_bound);
    assert_eq!(
        without_millis(solution),
        without_millis(schedule(&instance).expect("valid"))
    );
}

#[test]
fn a_buyer_keeps_its_own_table_while_another_takes_the_shared_one() {
    use matinale_scheduler::{Instance, MeetingSlot, Participant, Side, Wish};
    let slot = |i: u32| MeetingSlot {
        id: format!("s{i}"),
        starts_at: format!("2026-11-25T10:{:02}:00+01:00", 10 * i),
        ends_at: format!("2026-11-25T10:{:02}:00+01:00", 10 * i + 10),
        tables: 2,
    };
    let person = |id: &str, side, table| Participant {
        id: id.into(),
        side,
        available: None,
        max_meetings: None,
        table,
    };
    let wish = |from: &str, to: &str| Wish {
        from: from.into(),
        to: to.into(),
        weight: 3,
    };
    let instance = Instance {
        coverage_bonus: 5,
        slots: vec![slot(0), slot(1)],
        participants: vec![
            person("open", Side::Buyer, None),
            person("stand", Side::Buyer, Some(1)),
            person("other", Side::Buyer, None),
            person("e1", Side::Supplier, None),
            person("e2", Side::Supplier, None),
        ],
        wishes: vec![
            wish("e1", "open"),
            wish("e2", "open"),
            wish("e1", "stand"),
            wish("e2", "stand"),
            wish("e1", "other"),
        ],
        kept: vec![],
    };
    let solution = schedule(&instance).expect("valid");
    assert_eq!(verify(&instance, &solution), Ok(()));
    for m in &solution.meetings {
        assert_eq!(m.table == 1, m.buyer == "stand", "{m:?}");
    }
    // Table 2 is the only shared one: "open" and "other" share its two slots, "stand" meets
    // both structures at table 1.
    assert_eq!(solution.meetings.iter().filter(|m| m.buyer == "stand").count(), 2);
    assert_eq!(solution.meetings.len(), 4);
}
