//! Registrations to an event: who registers, in which category, and the states a
//! registration goes through (confirmed, waitlisted, cancelled, attended, no-show).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{bounded_text, optional_text, required_text, Checker};
use crate::event::{Category, Event, EventStatus, Quotas};
use crate::user::Email;
use crate::Error;

text_enum! {
    /// Where a registration stands.
    RegistrationStatus {
        /// Holds a seat.
        Confirmed => "confirmed",
        /// Waits for a seat of its category.
        Waitlisted => "waitlisted",
        /// Cancelled by the person or the organiser.
        Cancelled => "cancelled",
        /// Checked in on the day.
        Attended => "attended",
        /// Held a seat but did not come.
        NoShow => "no_show",
    }
}

text_enum! {
    /// The language of the mail a person receives.
    Locale {
        /// French (default).
        Fr => "fr",
        /// English.
        En => "en",
    }
}

impl RegistrationStatus {
    /// The transition to `to`, or a conflict naming both states.
    pub fn transition_to(self, to: RegistrationStatus) -> Result<RegistrationStatus, Error> {
        use RegistrationStatus::*;
        let allowed = matches!(
            (self, to),
            (Waitlisted, Confirmed)
                | (Confirmed, Cancelled)
                | (Waitlisted, Cancelled)
                | (Confirmed, Attended)
                | (Confirmed, NoShow)
                | (NoShow, Attended)
        );
        if allowed {
            Ok(to)
        } else {
            Err(Error::Conflict(format!("a {self} registration cannot become {to}")))
        }
    }
}

/// The seat pool a category draws from: its own seats when it has a quota, the seats left
/// over (capacity minus every quota) otherwise. With `Σ quotas ≤ capacity` (an event rule)
/// this makes "quota per category, capacity in total" exact with one seat row per seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatPool {
    /// The seats of one category with a quota.
    Quota(Category),
    /// The seats shared by the categories without a quota.
    Open,
}

impl SeatPool {
    /// The pool of `category` under `quotas`.
    pub fn of(category: Category, quotas: &Quotas) -> Self {
        match quotas.of(category) {
            Some(_) => SeatPool::Quota(category),
            None => SeatPool::Open,
        }
    }

    /// The text stored in the seat rows.
    pub fn as_str(self) -> &'static str {
        match self {
            SeatPool::Quota(c) => c.as_str(),
            SeatPool::Open => "open",
        }
    }

    /// How many seats each pool holds for an event of `capacity` with `quotas`.
    pub fn sizes(capacity: u32, quotas: &Quotas) -> Vec<(SeatPool, u32)> {
        let mut sizes = Vec::new();
        let mut reserved = 0u32;
        for category in Category::ALL {
            if let Some(q) = quotas.of(*category) {
                sizes.push((SeatPool::Quota(*category), q));
                reserved = reserved.saturating_add(q);
            }
        }
        sizes.push((SeatPool::Open, capacity.saturating_sub(reserved)));
        sizes
    }
}

/// The person behind a registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// E-mail, unique per event among live registrations.
    pub email: Email,
    /// Phone, free text.
    pub phone: Option<String>,
}

impl Person {
    /// Parses a person; errors are reported under `person.*`.
    pub fn parse(first_name: &str, last_name: &str, email: &str, phone: Option<&str>) -> Result<Self, Error> {
        let mut check = Checker::new();
        let first_name = check.take(required_text("person.first_name", first_name, 100));
        let last_name = check.take(required_text("person.last_name", last_name, 100));
        let email = check.take(Email::parse("person.email", email));
        let phone = check.take(optional_text("person.phone", phone, 40));
        if let Some(Some(p)) = &phone {
            check.ensure(
                p.chars().all(|c| c.is_ascii_digit() || " +.-()".contains(c)),
                "person.phone",
                "invalid",
                "digits, spaces and + . - ( ) only",
            );
        }
        match (first_name, last_name, email, phone) {
            (Some(first_name), Some(last_name), Some(email), Some(phone)) if check.is_clean() => Ok(Self {
                first_name,
                last_name,
                email,
                phone,
            }),
            _ => Err(check.into_error()),
        }
    }
}

/// What the person agreed to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Consents {
    /// Share contact details with meeting partners.
    pub share_contact: bool,
}

/// A registration request, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRegistration {
    /// Category.
    pub category: Category,
    /// The person.
    pub person: Person,
    /// Their organisation, if known.
    pub organisation_id: Option<Uuid>,
    /// Language of their mail.
    pub locale: Locale,
    /// Free text for the organiser.
    pub accessibility_needs: Option<String>,
    /// Consents.
    pub consents: Consents,
}

/// The fields a registrant may change afterwards (not the category nor the e-mail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationDetails {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Phone.
    pub phone: Option<String>,
    /// Organisation.
    pub organisation_id: Option<Uuid>,
    /// Locale.
    pub locale: Locale,
    /// Accessibility needs.
    pub accessibility_needs: Option<String>,
    /// Consents.
    pub consents: Consents,
}

/// Parses the free-text accessibility needs (at most 1000 characters).
pub fn accessibility_needs(value: Option<&str>) -> Result<Option<String>, Error> {
    optional_text("accessibility_needs", value, 1000)
}

/// Parses a name for a PATCH.
pub fn name(field: &str, value: &str) -> Result<String, Error> {
    required_text(field, value, 100).and_then(|v| bounded_text(field, &v, 100))
}

/// Whether `event` takes registrations at `now`: published (else a conflict) and inside its
/// registration window (else a 422 naming the window bound).
pub fn check_open(event: &Event, now: DateTime<Utc>) -> Result<(), Error> {
    if event.status != EventStatus::Published {
        return Err(Error::Conflict(format!(
            "the event is {}: it takes no registrations",
            event.status
        )));
    }
    if let Some(opens) = event.fields.registration_opens_at {
        if now < opens {
            return Err(Error::field(
                "registration_opens_at",
                "not_open",
                format!("registrations open at {}", opens.to_rfc3339()),
            ));
        }
    }
    let closes = event.fields.registration_closes_at.unwrap_or(event.fields.starts_at);
    if now >= closes {
        return Err(Error::field(
            "registration_closes_at",
            "closed",
            format!("registrations closed at {}", closes.to_rfc3339()),
        ));
    }
    Ok(())
}

/// A registration as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// Id.
    pub id: Uuid,
    /// Event.
    pub event_id: Uuid,
    /// Category.
    pub category: Category,
    /// Status.
    pub status: RegistrationStatus,
    /// 1-based place on the waiting list of its event and category, when waitlisted.
    pub waitlist_position: Option<u32>,
    /// Editable details.
    pub details: RegistrationDetails,
    /// E-mail.
    pub email: String,
    /// Version for `If-Match`.
    pub version: i32,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// One recorded state change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// When.
    pub at: DateTime<Utc>,
    /// Who: a user id, `registrant` or `system`.
    pub actor: String,
    /// From (none at creation).
    pub from: Option<RegistrationStatus>,
    /// To.
    pub to: RegistrationStatus,
    /// Why.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use RegistrationStatus::*;

    #[test]
    fn only_the_documented_transitions_are_allowed() {
        assert!(Waitlisted.transition_to(Confirmed).is_ok());
        assert!(Confirmed.transition_to(Attended).is_ok());
        assert!(Cancelled.transition_to(Confirmed).is_err());
        assert!(Attended.transition_to(Cancelled).is_err());
    }

    #[test]
    fn pools_split_the_capacity() {
        let quotas = Quotas {
            buyer: Some(10),
            ess_structure: Some(20),
            partner: None,
            visitor: None,
        };
        assert_eq!(SeatPool::of(Category::Partner, &quotas), SeatPool::Open);
        let sizes = SeatPool::sizes(50, &quotas);
        assert_eq!(
            sizes,
            vec![
                (SeatPool::Quota(Category::Buyer), 10),
                (SeatPool::Quota(Category::EssStructure), 20),
                (SeatPool::Open, 20)
            ]
        );
    }

    #[test]
    fn a_person_needs_names_and_a_valid_email() {
        let err = Person::parse(" ", "Dupont", "nope", Some("abc")).unwrap_err();
        let Error::Invalid(errors) = err else { panic!() };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["person.first_name", "person.email", "person.phone"]);
        assert!(Person::parse("Marie", "Dupont", "marie@orly.fr", Some("+33 1 02")).is_ok());
    }
}
