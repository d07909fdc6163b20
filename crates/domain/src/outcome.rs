//! What came of a speed meeting: whether it took place (attendance, marked by an organiser or
//! derived from check-ins once its block is over) and what each side reports afterwards
//! (a quote asked for, a contract signed, a reserved market awarded, for how many euros).

use chrono::{DateTime, Utc};

use crate::error::{bounded_text, Checker};
use crate::meeting::Side;
use crate::Error;

/// Longest comment on an outcome.
pub const MAX_COMMENT: usize = 2000;
/// Largest amount an outcome may state, in euros (a regional framework agreement stays well
/// under it; anything above is a typing error).
pub const MAX_AMOUNT_EUR: i64 = 100_000_000;
/// Most days after an event its follow-up mail may wait.
pub const MAX_FOLLOW_UP_DAYS: i64 = 365;
/// Days after an event its follow-up mail goes out unless the event says otherwise.
pub const DEFAULT_FOLLOW_UP_DAYS: i64 = 30;
/// Outcomes kept per side of a meeting: recording one more drops the oldest of that side, so
/// that a token cannot grow a meeting's history without bound.
pub const MAX_OUTCOMES_PER_SIDE: usize = 20;

/// Whether a meeting takes an outcome: only one that took place (`held`). A meeting still
/// planned, a no-show or a cancelled one is a conflict naming `meeting`.
pub fn check_takes_outcome(attendance: Attendance, cancelled: bool) -> Result<(), Error> {
    let why = match (cancelled, attendance) {
        (true, _) => "was cancelled",
        (false, Attendance::Held) => return Ok(()),
        (false, Attendance::Planned) => {
            "has not taken place yet (mark it held, or wait for the check-ins once its block is over)"
        }
        (false, Attendance::NoShow) => "did not take place (no-show)",
    };
    Err(Error::Conflict(format!(
        "meeting: this meeting {why}; it takes no outcome"
    )))
}

/// Which outcomes a reader may see: an organiser (`None`) both sides', a side (its manage
/// token) its own only, comments included.
pub fn readable_by(reader: Option<Side>, outcome_side: Side) -> bool {
    reader.is_none_or(|own| own == outcome_side)
}

text_enum! {
    /// Attendance an organiser marks on a meeting.
    MarkedAttendance {
        /// Both people met.
        Held => "held",
        /// One side or both did not come.
        NoShow => "no_show",
    }
}

text_enum! {
    /// Who was missing at a meeting marked `no_show`.
    Absent {
        /// The buyer.
        Buyer => "buyer",
        /// The ESS structure.
        Supplier => "supplier",
        /// Neither came.
        Both => "both",
    }
}

text_enum! {
    /// Where a published meeting stands as far as reports are concerned.
    Attendance {
        /// Not over yet, and not marked.
        Planned => "planned",
        /// Took place.
        Held => "held",
        /// A side (or both) did not come.
        NoShow => "no_show",
    }
}

text_enum! {
    /// What one side says came of a meeting, from least to most.
    OutcomeKind {
        /// Nothing (yet).
        None => "none",
        /// The buyer asked for a quote.
        QuoteRequested => "quote_requested",
        /// A contract was signed.
        ContractSigned => "contract_signed",
        /// A market reserved under L2113-12 or L2113-13 was awarded.
        ReservedMarketAwarded => "reserved_market_awarded",
    }
}

impl OutcomeKind {
    /// Whether the meeting got at least as far as a quote (a contract implies one).
    pub fn reached_quote(self) -> bool {
        !matches!(self, OutcomeKind::None)
    }

    /// Whether the meeting led to a contract (a reserved market awarded is one).
    pub fn reached_contract(self) -> bool {
        matches!(self, OutcomeKind::ContractSigned | OutcomeKind::ReservedMarketAwarded)
    }
}

/// The text of a side, as stored and in JSON.
pub fn side_text(side: Side) -> &'static str {
    match side {
        Side::Buyer => "buyer",
        Side::Supplier => "supplier",
    }
}

/// A side read back from its text.
pub fn side_from_text(text: &str) -> Option<Side> {
    match text {
        "buyer" => Some(Side::Buyer),
        "supplier" => Some(Side::Supplier),
        _ => None,
    }
}

/// An organiser's mark: `held`, or `no_show` with who was absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttendanceMark {
    /// Held or not.
    pub status: MarkedAttendance,
    /// Who was missing; `Some` exactly when `status` is `no_show`.
    pub absent: Option<Absent>,
}

impl AttendanceMark {
    /// `absent` is required for a no-show and refused for a held meeting.
    pub fn parse(status: MarkedAttendance, absent: Option<Absent>) -> Result<Self, Error> {
        match (status, absent) {
            (MarkedAttendance::Held, Some(_)) => Err(Error::field(
                "absent",
                "not_allowed",
                "a held meeting has nobody absent; leave absent out",
            )),
            (MarkedAttendance::NoShow, None) => Err(Error::field(
                "absent",
                "required",
                "say who was absent: buyer, supplier or both",
            )),
            (status, absent) => Ok(Self { status, absent }),
        }
    }
}

/// What is known of a meeting's attendance, to derive its effective one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttendanceFacts {
    /// The organiser's mark, if any.
    pub marked: Option<AttendanceMark>,
    /// End of the meeting's block.
    pub block_ends_at: DateTime<Utc>,
    /// The buyer checked in.
    pub buyer_checked_in: bool,
    /// The ESS structure checked in.
    pub supplier_checked_in: bool,
}

impl AttendanceFacts {
    /// The effective attendance at `now`: the organiser's mark; else, once the block has
    /// ended, `held` when both people checked in and `no_show` (with the absent side) when
    /// one did not; before that, `planned`. The one place this rule lives: reports, outcomes
    /// and the follow-up mail all ask here.
    pub fn effective(&self, now: DateTime<Utc>) -> (Attendance, Option<Absent>) {
        if let Some(mark) = self.marked {
            return match mark.status {
                MarkedAttendance::Held => (Attendance::Held, None),
                MarkedAttendance::NoShow => (Attendance::NoShow, mark.absent),
            };
        }
        if now < self.block_ends_at {
            return (Attendance::Planned, None);
        }
        match (self.buyer_checked_in, self.supplier_checked_in) {
            (true, true) => (Attendance::Held, None),
            (false, true) => (Attendance::NoShow, Some(Absent::Buyer)),
            (true, false) => (Attendance::NoShow, Some(Absent::Supplier)),
            (false, false) => (Attendance::NoShow, Some(Absent::Both)),
        }
    }
}

/// An amount in euro cents, 0 to [`MAX_AMOUNT_EUR`], with at most two decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct AmountCents(i64);

impl AmountCents {
    /// Parses an amount in euros as sent in JSON. JSON numbers arrive as `f64`: an amount with
    /// at most two decimals is the double nearest to `cents / 100`, which is checked exactly
    /// by going back and forth (every amount up to 100 M€ has cent precision in a double).
    pub fn parse_eur(field: &str, euros: f64) -> Result<Self, Error> {
        if !euros.is_finite() || euros < 0.0 {
            return Err(Error::field(field, "out_of_range", "an amount is 0 or more euros"));
        }
        if euros > MAX_AMOUNT_EUR as f64 {
            return Err(Error::field(
                field,
                "out_of_range",
                format!("an amount is at most {MAX_AMOUNT_EUR} euros"),
            ));
        }
        let cents = (euros * 100.0).round();
        if cents / 100.0 != euros {
            return Err(Error::field(
                field,
                "too_precise",
                "an amount has at most 2 decimals (cents)",
            ));
        }
        // In range and whole: the cast is exact.
        Ok(Self(cents as i64))
    }

    /// From stored cents.
    pub fn from_cents(cents: i64) -> Self {
        Self(cents)
    }

    /// In cents.
    pub fn cents(self) -> i64 {
        self.0
    }

    /// In euros, for JSON (exact for every amount up to the maximum to the cent).
    pub fn euros(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// "1234.50": euros with two decimals, for CSV and charts.
    pub fn to_decimal_string(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// An outcome as a side or an organiser reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutcome {
    /// What came of it.
    pub outcome: OutcomeKind,
    /// For how much, if said.
    pub amount: Option<AmountCents>,
    /// A note.
    pub comment: Option<String>,
}

impl NewOutcome {
    /// Checks the amount and the comment, naming each fault's field.
    pub fn parse(outcome: OutcomeKind, amount_eur: Option<f64>, comment: Option<&str>) -> Result<Self, Error> {
        let mut check = Checker::new();
        let amount = amount_eur.and_then(|a| check.take(AmountCents::parse_eur("amount_eur", a)));
        let comment = comment
            .and_then(|c| check.take(bounded_text("comment", c, MAX_COMMENT)))
            .filter(|c| !c.is_empty());
        check.finish(|| Self {
            outcome,
            amount,
            comment,
        })
    }
}

/// Checks an event's `follow_up_days`.
pub fn parse_follow_up_days(days: i64) -> Result<u32, Error> {
    if (0..=MAX_FOLLOW_UP_DAYS).contains(&days) {
        Ok(u32::try_from(days).unwrap_or(0))
    } else {
        Err(Error::field(
            "follow_up_days",
            "out_of_range",
            format!("0 to {MAX_FOLLOW_UP_DAYS} days after the event"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn field_of(e: Error) -> String {
        match e {
            Error::Invalid(errors) => errors[0].field.clone(),
            Error::Conflict(m) => m,
        }
    }

    #[test]
    fn amounts_are_exact_cents_within_bounds() {
        assert_eq!(AmountCents::parse_eur("a", 0.29).unwrap().cents(), 29);
        assert_eq!(AmountCents::parse_eur("a", 12_345.5).unwrap().cents(), 1_234_550);
        assert_eq!(
            AmountCents::parse_eur("a", 100_000_000.0).unwrap().cents(),
            10_000_000_000
        );
        assert_eq!(
            AmountCents::parse_eur("a", 99_999_999.99).unwrap().cents(),
            9_999_999_999
        );
        assert!(AmountCents::parse_eur("a", 12.345).is_err());
        assert!(AmountCents::parse_eur("a", 99_999_999.999).is_err());
        assert!(AmountCents::parse_eur("a", -0.01).is_err());
        assert!(AmountCents::parse_eur("a", 100_000_000.01).is_err());
        assert_eq!(AmountCents::from_cents(1_234_505).to_decimal_string(), "12345.05");
    }

    #[test]
    fn a_long_comment_is_refused_by_name() {
        let long = "é".repeat(MAX_COMMENT + 1);
        let e = NewOutcome::parse(OutcomeKind::None, None, Some(&long)).unwrap_err();
        assert_eq!(field_of(e), "comment");
        assert!(NewOutcome::parse(OutcomeKind::None, None, Some(&"é".repeat(MAX_COMMENT))).is_ok());
    }

    #[test]
    fn absent_goes_with_no_show_only() {
        assert!(AttendanceMark::parse(MarkedAttendance::NoShow, None).is_err());
        assert!(AttendanceMark::parse(MarkedAttendance::Held, Some(Absent::Buyer)).is_err());
        assert!(AttendanceMark::parse(MarkedAttendance::NoShow, Some(Absent::Both)).is_ok());
    }

    #[test]
    fn attendance_is_derived_from_check_ins_once_the_block_is_over() {
        let end = Utc::now();
        let facts = |b, s| AttendanceFacts {
            marked: None,
            block_ends_at: end,
            buyer_checked_in: b,
            supplier_checked_in: s,
        };
        let before = end - Duration::minutes(1);
        assert_eq!(facts(true, true).effective(before), (Attendance::Planned, None));
        assert_eq!(facts(true, true).effective(end), (Attendance::Held, None));
        assert_eq!(
            facts(true, false).effective(end),
            (Attendance::NoShow, Some(Absent::Supplier))
        );
        assert_eq!(
            facts(false, false).effective(end),
            (Attendance::NoShow, Some(Absent::Both))
        );
        let marked = AttendanceFacts {
            marked: Some(AttendanceMark::parse(MarkedAttendance::Held, None).unwrap()),
            ..facts(false, false)
        };
        assert_eq!(marked.effective(before), (Attendance::Held, None));
    }

    #[test]
    fn only_a_held_meeting_takes_an_outcome() {
        assert!(check_takes_outcome(Attendance::Held, false).is_ok());
        for (attendance, cancelled) in [
            (Attendance::Planned, false),
            (Attendance::NoShow, false),
            (Attendance::Held, true),
        ] {
            match check_takes_outcome(attendance, cancelled) {
                Err(Error::Conflict(detail)) => assert!(detail.starts_with("meeting:"), "{detail}"),
                other => panic!("{attendance:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_side_reads_its_own_outcomes_only() {
        assert!(readable_by(None, Side::Buyer));
        assert!(readable_by(Some(Side::Buyer), Side::Buyer));
        assert!(!readable_by(Some(Side::Supplier), Side::Buyer));
    }
}
