//! Property tests on random small instances, and exact comparison with exhaustive search.

mod support;

use matinale_scheduler::{schedule, schedule_greedy, verify};
use proptest::prelude::*;
use support::{exact_optimum, small_instance, without_millis};

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
