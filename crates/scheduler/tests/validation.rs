//! Every refusal of bad input, with the message a user reads.

use matinale_scheduler::{schedule, Instance, InstanceError};
use serde_json::{json, Value};

fn base() -> Value {
    json!({
        "slots": [
            {"id": "s01", "starts_at": "2026-11-25T10:00:00+01:00", "ends_at": "2026-11-25T10:10:00+01:00", "tables": 2},
            {"id": "s02", "starts_at": "2026-11-25T10:10:00+01:00", "ends_at": "2026-11-25T10:20:00+01:00", "tables": 2}
        ],
        "participants": [
            {"id": "b1", "side": "buyer"}, {"id": "b2", "side": "buyer"},
            {"id": "e1", "side": "supplier"}, {"id": "e2", "side": "supplier"}
        ],
        "wishes": [{"from": "e1", "to": "b1", "weight": 3}, {"from": "b2", "to": "e2", "weight": 1}]
    })
}

fn refusal(edit: impl FnOnce(&mut Value)) -> String {
    let mut v = base();
    edit(&mut v);
    let instance: Instance = serde_json::from_value(v).expect("well-formed JSON");
    match schedule(&instance) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("instance accepted"),
    }
}

#[test]
fn the_example_of_the_contract_scores_13() {
    let instance: Instance = serde_json::from_value(json!({"coverage_bonus": 5,
        "slots": [{"id": "s01", "starts_at": "2026-11-25T10:00:00+01:00", "ends_at": "2026-11-25T10:10:00+01:00", "tables": 30}],
        "participants": [{"id": "b1", "side": "buyer", "available": ["s01"], "max_meetings": 8},
                         {"id": "e1", "side": "supplier"}],
        "wishes": [{"from": "e1", "to": "b1", "weight": 3}],
        "kept": [{"buyer": "b1", "supplier": "e1", "slot": "s01", "table": 4}]}))
    .expect("valid JSON");
    let s = schedule(&instance).expect("valid");
    assert_eq!(s.objective, 13);
    assert_eq!(s.upper_bound, 13.0);
    assert_eq!(s.meetings.len(), 1);
    assert_eq!((s.meetings[0].table, s.meetings[0].score), (4, 3));
    assert_eq!((s.stats.participants_met, s.stats.wishes_met), (2, 1));
}

#[test]
fn a_wish_naming_an_unknown_participant_is_refused() {
    let m = refusal(|v| v["wishes"][1]["to"] = json!("x9"));
    assert_eq!(m, r#"wish 2: "x9" is not a participant"#);
}

#[test]
fn duplicate_ids_are_refused() {
    let m = refusal(|v| v["participants"][3]["id"] = json!("e1"));
    assert_eq!(m, r#"participant "e1" appears twice"#);
    let m = refusal(|v| v["slots"][1]["id"] = json!("s01"));
    assert_eq!(m, r#"slot "s01" appears twice"#);
}

#[test]
fn a_wish_between_two_buyers_is_refused() {
    let m = refusal(|v| v["wishes"][0] = json!({"from": "b2", "to": "b1", "weight": 2}));
    assert!(m.starts_with(r#"wish 1: "b2" and "b1" are both buyers"#), "{m}");
}

#[test]
fn weights_outside_one_to_three_are_refused() {
    for w in [0, -1, 4] {
        let m = refusal(|v| v["wishes"][0]["weight"] = json!(w));
        assert_eq!(m, format!("wish 1: weight {w} is outside 1..3"));
    }
}

#[test]
fn a_repeated_wish_is_refused() {
    let m = refusal(|v| v["wishes"][1] = json!({"from": "e1", "to": "b1", "weight": 1}));
    assert_eq!(m, "wish 2: repeats wish 1 (same from and to)");
}

#[test]
fn slots_that_end_before_they_start_or_overlap_are_refused() {
    let m = refusal(|v| v["slots"][0]["ends_at"] = json!("2026-11-25T09:59:00+01:00"));
    assert_eq!(m, r#"slot "s01" does not end after it starts"#);
    let m = refusal(|v| v["slots"][1]["starts_at"] = json!("2026-11-25T10:05:00+01:00"));
    assert_eq!(m, r#"slots "s01" and "s02" overlap"#);
    let m = refusal(|v| v["slots"][1]["starts_at"] = json!("tomorrow"));
    assert_eq!(m, r#"slot "s02": starts_at "tomorrow" is not an RFC 3339 time"#);
}

#[test]
fn an_unknown_available_slot_is_refused() {
    let m = refusal(|v| v["participants"][0]["available"] = json!(["s09"]));
    assert_eq!(m, r#"participant "b1": available slot "s09" is not a slot"#);
}

#[test]
fn kept_meetings_that_clash_are_refused() {
    let m = refusal(|v| {
        v["kept"] = json!([
            {"buyer": "b1", "supplier": "e1", "slot": "s01", "table": 1},
            {"buyer": "b1", "supplier": "e2", "slot": "s01", "table": 2}])
    });
    assert_eq!(
        m,
        r#"kept meeting 2 clashes with kept meeting 1: buyer "b1" twice in slot "s01""#
    );
    let m = refusal(|v| {
        v["kept"] = json!([
            {"buyer": "b1", "supplier": "e1", "slot": "s01", "table": 1},
            {"buyer": "b2", "supplier": "e1", "slot": "s01", "table": 2}])
    });
    assert!(m.contains(r#"supplier "e1" twice in slot "s01""#), "{m}");
    let m = refusal(|v| {
        v["kept"] = json!([
            {"buyer": "b1", "supplier": "e1", "slot": "s01", "table": 1},
            {"buyer": "b2", "supplier": "e2", "slot": "s01", "table": 1}])
    });
    assert!(m.contains(r#"table 1 of slot "s01" used twice"#), "{m}");
    let m = refusal(|v| {
        v["kept"] = json!([
            {"buyer": "b1", "supplier": "e1", "slot": "s01", "table": 1},
            {"buyer": "b1", "supplier": "e1", "slot": "s02", "table": 1}])
    });
    assert!(m.contains("would meet twice"), "{m}");
}

#[test]
fn kept_meetings_beyond_the_table_count_are_refused() {
    let m = refusal(|v| v["kept"] = json!([{"buyer": "b1", "supplier": "e1", "slot": "s01", "table": 3}]));
    assert_eq!(
        m,
        r#"kept meeting 1: table 3 does not exist in slot "s01" (tables 1..2)"#
    );
    let m = refusal(|v| v["kept"] = json!([{"buyer": "b1", "supplier": "e1", "slot": "s01", "table": 0}]));
    assert!(m.contains("table 0 does not exist"), "{m}");
}

#[test]
fn kept_meetings_with_an_unknown_slot_or_side_are_refused() {
    let m = refusal(|v| v["kept"] = json!([{"buyer": "b1", "supplier": "e1", "slot": "s7", "table": 1}]));
    assert_eq!(m, r#"kept meeting 1: "s7" is not a slot"#);
    let m = refusal(|v| v["kept"] = json!([{"buyer": "e2", "supplier": "e1", "slot": "s01", "table": 1}]));
    assert_eq!(m, r#"kept meeting 1: "e2" is not a buyer"#);
}

#[test]
fn a_negative_coverage_bonus_is_refused() {
    let m = refusal(|v| v["coverage_bonus"] = json!(-1));
    assert_eq!(m, "coverage_bonus -1 is negative");
}

#[test]
fn kept_meetings_of_absent_participants_are_dropped_and_the_rest_kept() {
    let mut v = base();
    v["kept"] = json!([
        {"buyer": "b1", "supplier": "gone", "slot": "s01", "table": 1},
        {"buyer": "b2", "supplier": "e1", "slot": "s02", "table": 2}]);
    let instance: Instance = serde_json::from_value(v).expect("valid JSON");
    let s = schedule(&instance).expect("valid");
    assert_eq!((s.stats.kept, s.stats.dropped_kept), (1, 1));
    assert!(s.meetings.iter().any(|m| m.buyer == "b2"
        && m.supplier == "e1"
        && m.slot == "s02"
        && m.table == 2
        && m.score == 0));
    assert_eq!(matinale_scheduler::verify(&instance, &s), Ok(()));
}

#[test]
fn errors_are_std_errors() {
    fn is_error<E: std::error::Error>(_: &E) {}
    is_error(&InstanceError::DuplicateSlot("s".into()));
}

#[test]
fn own_tables_are_for_buyers_distinct_and_within_the_slots() {
    assert_eq!(
        refusal(|v| v["participants"][2]["table"] = json!(1)),
        "participant \"e1\": a supplier has no table of its own"
    );
    assert_eq!(
        refusal(|v| v["participants"][0]["table"] = json!(3)),
        "participant \"b1\": table 3 does not exist (tables 1..2)"
    );
    assert_eq!(
        refusal(|v| v["participants"][0]["table"] = json!(0)),
        "participant \"b1\": table 0 does not exist (tables 1..2)"
    );
    assert_eq!(
        refusal(|v| {
            v["participants"][0]["table"] = json!(2);
            v["participants"][1]["table"] = json!(2);
        }),
        "participant \"b2\": table 2 is already \"b1\"'s"
    );
}
