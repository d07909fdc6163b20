//! Who is there on the day, for the re-plan of a meeting block: the rule that turns check-ins,
//! an organiser's mark and a person's own word ("I arrive for the 11:00 slot", "I leave after
//! the 11:15 one") into "present for slot s", and which published meetings a re-plan keeps.
//!
//! Slots are named by their index in the event's slots in time order; the re-plan covers the
//! slots from `first` on (the next slot to start, or the one the organiser names).

use uuid::Uuid;

use crate::error::{Checker, Error};

/// What is known of one person's presence when the re-plan runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attendance {
    /// Checked in (its registration is `attended`).
    pub checked_in: bool,
    /// An organiser's mark for the rest of the block: `Some(true)` present, `Some(false)`
    /// absent; it wins over the check-in.
    pub marked_present: Option<bool>,
    /// The first slot the person is there for ("I will arrive at 11:00"): earlier slots are
    /// unavailable, and a person not checked in yet whose arrival is still to come is expected
    /// rather than absent.
    pub from_slot: Option<usize>,
    /// The last slot the person is there for ("I leave at 11:15"): later slots are unavailable.
    pub until_slot: Option<usize>,
}

/// Where a person stands for the rest of the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Checked in, or marked present by an organiser.
    Present,
    /// Not checked in, but said they arrive for a slot of the re-plan (`from_slot >= first`).
    Expected,
    /// Neither: absent for the rest of the block.
    Absent,
}

impl Attendance {
    /// Where the person stands when a re-plan starting at slot `first` runs.
    pub fn presence(&self, first: usize) -> Presence {
        match self.marked_present {
            Some(false) => Presence::Absent,
            Some(true) => Presence::Present,
            None if self.checked_in => Presence::Present,
            None if self.from_slot.is_some_and(|f| f >= first) => Presence::Expected,
            None => Presence::Absent,
        }
    }

    /// Whether the person is there (or expected) for slot `slot` of a re-plan starting at
    /// `first`: present or expected, and `slot` within their arrival and leaving.
    pub fn is_there_for(&self, slot: usize, first: usize) -> bool {
        self.presence(first) != Presence::Absent
            && self.from_slot.is_none_or(|f| slot >= f)
            && self.until_slot.is_none_or(|u| slot <= u)
    }
}

/// What a re-plan starting at slot `first` does with a published meeting in slot `slot`:
/// before `first` it is the past and stays; from `first` on it is kept exactly as it is when
/// both sides are there for its slot, else cancelled.
pub fn keeps_meeting(slot: usize, first: usize, buyer: &Attendance, supplier: &Attendance) -> bool {
    slot < first || (buyer.is_there_for(slot, first) && supplier.is_there_for(slot, first))
}

/// Checks a person's arrival and leaving slots against the event's slots in time order,
/// naming `from_slot_id` or `until_slot_id`: each must be a slot of the event, and the arrival
/// not after the leaving. Returns their indices.
pub fn parse_window(
    from_slot_id: Option<Uuid>,
    until_slot_id: Option<Uuid>,
    event_slots: &[Uuid],
) -> Result<(Option<usize>, Option<usize>), Error> {
    let mut check = Checker::new();
    let mut index = |field: &str, id: Option<Uuid>| -> Option<usize> {
        let id = id?;
        let found = event_slots.iter().position(|s| *s == id);
        check.ensure(found.is_some(), field, "unknown", "not a meeting slot of this event");
        found
    };
    let from = index("from_slot_id", from_slot_id);
    let until = index("until_slot_id", until_slot_id);
    if let (Some(f), Some(u)) = (from, until) {
        check.ensure(
            f <= u,
            "until_slot_id",
            "before_arrival",
            "the slot left after comes before the slot arrived for",
        );
    }
    check.finish(|| (from, until))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked_in() -> Attendance {
        Attendance {
            checked_in: true,
            ..Attendance::default()
        }
    }

    #[test]
    fn checked_in_is_present_and_not_checked_in_is_absent() {
        assert_eq!(checked_in().presence(2), Presence::Present);
        assert_eq!(Attendance::default().presence(2), Presence::Absent);
        assert!(checked_in().is_there_for(5, 2));
        assert!(!Attendance::default().is_there_for(2, 2));
    }

    #[test]
    fn an_organisers_mark_wins_over_the_check_in() {
        let marked_absent = Attendance {
            marked_present: Some(false),
            ..checked_in()
        };
        assert_eq!(marked_absent.presence(0), Presence::Absent);
        let marked_present = Attendance {
            marked_present: Some(true),
            ..Attendance::default()
        };
        assert_eq!(marked_present.presence(0), Presence::Present);
        assert!(marked_present.is_there_for(3, 0));
    }

    #[test]
    fn arriving_later_is_expected_from_the_arrival_only() {
        let later = Attendance {
            from_slot: Some(4),
            ..Attendance::default()
        };
        assert_eq!(later.presence(2), Presence::Expected);
        assert!(!later.is_there_for(3, 2));
        assert!(later.is_there_for(4, 2));
        assert!(later.is_there_for(6, 2));
        // The arrival has come and gone without a check-in: absent.
        assert_eq!(later.presence(5), Presence::Absent);
        assert!(!later.is_there_for(5, 5));
    }

    #[test]
    fn leaving_early_frees_the_later_slots() {
        let leaves = Attendance {
            until_slot: Some(3),
            ..checked_in()
        };
        assert!(leaves.is_there_for(3, 1));
        assert!(!leaves.is_there_for(4, 1));
    }

    #[test]
    fn a_replan_keeps_the_past_and_meetings_whose_sides_are_there() {
        let absent = Attendance::default();
        let leaves = Attendance {
            until_slot: Some(3),
            ..checked_in()
        };
        let later = Attendance {
            from_slot: Some(4),
            ..Attendance::default()
        };
        // The past stays whoever came.
        assert!(keeps_meeting(1, 2, &absent, &absent));
        assert!(keeps_meeting(2, 2, &checked_in(), &checked_in()));
        assert!(!keeps_meeting(2, 2, &checked_in(), &absent));
        assert!(keeps_meeting(3, 2, &leaves, &checked_in()));
        assert!(!keeps_meeting(4, 2, &leaves, &checked_in()));
        assert!(!keeps_meeting(3, 2, &checked_in(), &later));
        assert!(keeps_meeting(4, 2, &checked_in(), &later));
    }

    #[test]
    fn a_window_names_slots_of_the_event_in_order() {
        let slots: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        assert_eq!(
            parse_window(Some(slots[1]), Some(slots[3]), &slots),
            Ok((Some(1), Some(3)))
        );
        assert_eq!(parse_window(None, None, &slots), Ok((None, None)));
        let Err(Error::Invalid(errors)) = parse_window(Some(Uuid::now_v7()), None, &slots) else {
            panic!("an unknown slot is refused");
        };
        assert_eq!(errors[0].field, "from_slot_id");
        let Err(Error::Invalid(errors)) = parse_window(Some(slots[3]), Some(slots[1]), &slots) else {
            panic!("leaving before arriving is refused");
        };
        assert_eq!(errors[0].field, "until_slot_id");
    }
}
