//! Registrations to an event: who registers, in which category, and the states a
//! registration goes through (confirmed, waitlisted, cancelled, attended, no-show).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{optional_line, optional_text, required_line, Checker};
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
        // Names go into mail headers and bodies, calendars and CSV files: one line each.
        let first_name = check.take(required_line("person.first_name", first_name, 100));
        let last_name = check.take(required_line("person.last_name", last_name, 100));
        let email = check.take(Email::parse("person.email", email));
        let phone = check.take(optional_line("person.phone", phone, 40));
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

/// Whether a registration may speak for the organisation it names (its claim is confirmed):
/// an organiser of its event or a member of the organisation `approved` it, or its `email` is
/// proven (`email_verified`: its person used a link only ever sent to that address, or
/// registered signed in as the account of that address) and is the login of one of the
/// organisation's `member_emails` or in one of its `verified_domains`. An address typed into a
/// form proves nothing by itself. E-mails and domains are compared in lower case.
pub fn organisation_claim_confirmed(
    email: &str,
    email_verified: bool,
    approved: bool,
    member_emails: &[String],
    verified_domains: &[String],
) -> bool {
    let email = email.trim().to_lowercase();
    let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
    approved
        || (email_verified
            && (member_emails.iter().any(|m| m.trim().to_lowercase() == email)
                || (!domain.is_empty() && verified_domains.iter().any(|d| d.eq_ignore_ascii_case(domain)))))
}

/// Whether registering proves the registered `email` by itself: the caller is signed in with
/// the account of that address (`account_email`, compared in lower case) and that account is a
/// member of the organisation the registration names (`member_of_organisation`). A public
/// registration proves nothing: its address is proven by the confirmation mail's link.
pub fn email_proven_by_account(email: &str, account_email: Option<&str>, member_of_organisation: bool) -> bool {
    member_of_organisation && account_email.is_some_and(|account| account.trim().eq_ignore_ascii_case(email.trim()))
}

/// What the person agreed to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Whether registering proves the e-mail by itself ([`email_proven_by_account`]); false
    /// for a public registration, whose address the confirmation mail's link proves.
    pub email_proven: bool,
}

/// The fields a registrant may change afterwards (not the category nor the e-mail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

impl RegistrationDetails {
    /// Checks changed details as a registration is checked: names and phone as
    /// [`Person::parse`] does (with the registration's `email`), then the accessibility needs.
    pub fn parse(email: &str, raw: RegistrationDetails) -> Result<Self, Error> {
        let mut check = Checker::new();
        let person = check.take(Person::parse(
            &raw.first_name,
            &raw.last_name,
            email,
            raw.phone.as_deref(),
        ));
        let needs = check.take(accessibility_needs(raw.accessibility_needs.as_deref()));
        match (person, needs) {
            (Some(person), Some(accessibility_needs)) => Ok(Self {
                first_name: person.first_name,
                last_name: person.last_name,
                phone: person.phone,
                accessibility_needs,
                ..raw
            }),
            _ => Err(check.into_error()),
        }
    }
}

/// Parses the free-text accessibility needs (at most 1000 characters).
pub fn accessibility_needs(value: Option<&str>) -> Result<Option<String>, Error> {
    optional_text("accessibility_needs", value, 1000)
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
    /// Whether its `organisation_id` is confirmed ([`organisation_claim_confirmed`]): only
    /// then does the registration speak for the organisation (interests, wishes).
    pub organisation_confirmed: bool,
    /// E-mail.
    pub email: String,
    /// Whether its e-mail is proven: its person used the verification link of the
    /// confirmation mail, or registered signed in as the member account of that address.
    pub email_verified: bool,
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

    #[test]
    fn names_are_one_line_without_control_characters() {
        for (first, last, field) in [
            ("Marie\r\nBcc: x@y.fr", "Dupont", "person.first_name"),
            ("Marie", "Du\u{7}pont", "person.last_name"),
            ("Marie", "Dupont\u{2028}Cc", "person.last_name"),
        ] {
            let Error::Invalid(errors) = Person::parse(first, last, "m@orly.fr", None).unwrap_err() else {
                panic!()
            };
            assert_eq!(errors[0].field, field);
        }
        assert!(Person::parse("Marie-Éloïse", "D'Arc", "m@orly.fr", None).is_ok());
    }

    #[test]
    fn an_organisation_claim_is_confirmed_by_approval_membership_or_domain() {
        let members = vec!["awa@rejoue.org".to_owned()];
        let domains = vec!["rejoue.org".to_owned()];
        assert!(organisation_claim_confirmed("x@imposteur.fr", false, true, &[], &[]));
        assert!(organisation_claim_confirmed(
            "AWA@rejoue.org",
            true,
            false,
            &members,
            &[]
        ));
        assert!(organisation_claim_confirmed(
            "paul@Rejoue.org",
            true,
            false,
            &[],
            &domains
        ));
        assert!(!organisation_claim_confirmed(
            "paul@rejoue.org.evil.fr",
            true,
            false,
            &members,
            &domains
        ));
        assert!(!organisation_claim_confirmed(
            "paul@evil.fr",
            true,
            false,
            &members,
            &domains
        ));
    }

    #[test]
    fn an_address_typed_into_a_form_proves_nothing_until_its_link_is_used() {
        let members = vec!["awa@rejoue.org".to_owned()];
        let domains = vec!["rejoue.org".to_owned()];
        assert!(!organisation_claim_confirmed(
            "awa@rejoue.org",
            false,
            false,
            &members,
            &[]
        ));
        assert!(!organisation_claim_confirmed(
            "paul@rejoue.org",
            false,
            false,
            &[],
            &domains
        ));
        // An approval needs no proven address.
        assert!(organisation_claim_confirmed("paul@ailleurs.fr", false, true, &[], &[]));
    }

    #[test]
    fn only_the_member_signed_in_with_that_address_proves_it_by_registering() {
        assert!(email_proven_by_account("Awa@rejoue.org", Some("awa@REJOUE.org"), true));
        assert!(!email_proven_by_account(
            "awa@rejoue.org",
            Some("awa@rejoue.org"),
            false
        ));
        assert!(!email_proven_by_account(
            "awa@rejoue.org",
            Some("paul@rejoue.org"),
            true
        ));
        assert!(!email_proven_by_account("awa@rejoue.org", None, true));
    }
}

/// The text of the check-in QR code printed on a badge or shown on a phone:
/// `matinale:registration:<id>`. It identifies the registration and grants nothing by itself:
/// only an organiser of the event may check it in.
pub fn check_in_qr(id: Uuid) -> String {
    format!("{CHECK_IN_QR_PREFIX}{id}")
}

const CHECK_IN_QR_PREFIX: &str = "matinale:registration:";

/// Who arrives at the door, as the organiser's scanner or search names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arrival {
    /// By registration id (a search in the list).
    Id(Uuid),
    /// By the registration's manage token (the person shows their management link).
    ManageToken(String),
}

impl Arrival {
    /// Exactly one of `registration_id`, `token` (a manage token, `mr_…`) or `qr` (a
    /// [`check_in_qr`] text); anything else is a 422 naming the field.
    pub fn parse(registration_id: Option<Uuid>, token: Option<&str>, qr: Option<&str>) -> Result<Self, Error> {
        match (registration_id, token, qr) {
            (Some(id), None, None) => Ok(Arrival::Id(id)),
            (None, Some(token), None) => {
                let token = token.trim();
                if token.starts_with("mr_") && token.len() > 3 {
                    Ok(Arrival::ManageToken(token.to_owned()))
                } else {
                    Err(Error::field(
                        "token",
                        "format",
                        "a registration's manage token starts with mr_",
                    ))
                }
            }
            (None, None, Some(qr)) => qr
                .trim()
                .strip_prefix(CHECK_IN_QR_PREFIX)
                .and_then(|id| Uuid::parse_str(id).ok())
                .map(Arrival::Id)
                .ok_or_else(|| {
                    Error::field(
                        "qr",
                        "format",
                        format!("a check-in code reads {CHECK_IN_QR_PREFIX}<registration id>"),
                    )
                }),
            (None, None, None) => Err(Error::field(
                "registration_id",
                "required",
                "give registration_id, token or qr",
            )),
            _ => Err(Error::field(
                "registration_id",
                "exclusive",
                "give only one of registration_id, token and qr",
            )),
        }
    }
}

#[cfg(test)]
mod arrival_tests {
    use super::*;

    #[test]
    fn a_qr_code_names_its_registration() {
        let id = Uuid::now_v7();
        assert_eq!(Arrival::parse(None, None, Some(&check_in_qr(id))), Ok(Arrival::Id(id)));
        assert!(Arrival::parse(None, None, Some("matinale:registration:nope")).is_err());
        assert!(Arrival::parse(None, None, Some(&id.to_string())).is_err());
    }

    #[test]
    fn exactly_one_way_to_name_the_person() {
        let id = Uuid::now_v7();
        assert!(Arrival::parse(None, None, None).is_err());
        assert!(Arrival::parse(Some(id), Some("mr_x"), None).is_err());
        assert_eq!(
            Arrival::parse(None, Some("mr_abc"), None),
            Ok(Arrival::ManageToken("mr_abc".into()))
        );
        assert!(Arrival::parse(None, Some("mt_abc"), None).is_err());
    }
}
