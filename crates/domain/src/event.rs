//! Events, their status, venue, capacity, quotas and programme.

use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{bounded_line, bounded_text, required_line, url, Checker, FieldError};
use crate::user::Actor;
use crate::Error;

text_enum! {
    /// What kind of event it is.
    EventKind {
        /// A morning of responsible purchasing (matinale des achats responsables).
        Matinale => "matinale",
        /// A forum.
        Forum => "forum",
        /// A sector meeting (rencontre filière).
        RencontreFiliere => "rencontre_filiere",
        /// An online seminar.
        Webinaire => "webinaire",
        /// A workshop.
        Atelier => "atelier",
        /// A site visit.
        Visite => "visite",
    }
}

text_enum! {
    /// Life cycle: draft → published → closed, and cancelled from any state but itself.
    EventStatus {
        /// Visible to its organisers only.
        Draft => "draft",
        /// Public; registrations may open.
        Published => "published",
        /// Public, registrations closed.
        Closed => "closed",
        /// Called off; registrants are told.
        Cancelled => "cancelled",
    }
}

impl EventStatus {
    /// The status after a requested change, or a conflict naming both states.
    pub fn transition_to(self, to: EventStatus) -> Result<EventStatus, Error> {
        use EventStatus::*;
        let allowed = matches!(
            (self, to),
            (Draft, Published)
                | (Published, Closed)
                | (Closed, Published)
                | (Draft, Cancelled)
                | (Published, Cancelled)
                | (Closed, Cancelled)
        );
        if allowed {
            Ok(to)
        } else {
            Err(Error::Conflict(format!(
                "an event cannot go from {} to {}",
                self.as_str(),
                to.as_str()
            )))
        }
    }

    /// Whether the public may see an event in this status.
    pub fn is_public(self) -> bool {
        self != EventStatus::Draft
    }
}

text_enum! {
    /// The categories people register in, each with its own quota.
    Category {
        /// A public buyer.
        Buyer => "buyer",
        /// An ESS structure (supplier).
        EssStructure => "ess_structure",
        /// A partner.
        Partner => "partner",
        /// A visitor.
        Visitor => "visitor",
    }
}

/// Seats reserved per category; `None` means no limit beyond the capacity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quotas {
    /// Public buyers.
    pub buyer: Option<u32>,
    /// ESS structures.
    pub ess_structure: Option<u32>,
    /// Partners.
    pub partner: Option<u32>,
    /// Visitors.
    pub visitor: Option<u32>,
}

impl Quotas {
    /// The quota of one category.
    pub fn of(&self, category: Category) -> Option<u32> {
        match category {
            Category::Buyer => self.buyer,
            Category::EssStructure => self.ess_structure,
            Category::Partner => self.partner,
            Category::Visitor => self.visitor,
        }
    }
}

/// Where an event takes place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Venue {
    /// Name of the place.
    pub name: String,
    /// Street address.
    pub address: String,
    /// French postcode, five digits.
    pub postcode: String,
    /// Commune.
    pub city: String,
}

/// Raw venue values as received.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VenueDraft {
    /// Name.
    pub name: String,
    /// Address.
    pub address: String,
    /// Postcode.
    pub postcode: String,
    /// City.
    pub city: String,
}

/// Raw event values as received, before any rule is checked (also the JSON a PATCH is merged
/// over).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDraft {
    /// Series the event belongs to.
    pub series_id: Option<Uuid>,
    /// Kind.
    pub kind: EventKind,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Start.
    pub starts_at: DateTime<FixedOffset>,
    /// End.
    pub ends_at: DateTime<FixedOffset>,
    /// IANA time zone name.
    pub timezone: String,
    /// Venue.
    pub venue: Option<VenueDraft>,
    /// Link for online events.
    pub online_url: Option<String>,
    /// Total seats.
    pub capacity: i64,
    /// Quotas per category, in the order of [`Category::ALL`]; in JSON an object by category.
    #[serde(with = "quotas_by_category")]
    pub quotas: [Option<i64>; 4],
    /// Registration opening.
    pub registration_opens_at: Option<DateTime<FixedOffset>>,
    /// Registration closing.
    pub registration_closes_at: Option<DateTime<FixedOffset>>,
    /// Days after the event its follow-up mail goes out (default 30).
    pub follow_up_days: Option<i64>,
}

/// Quotas in JSON: `{"buyer": 10, "ess_structure": null, …}`, as clients send them.
mod quotas_by_category {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Default, Serialize, Deserialize)]
    #[serde(default)]
    struct ByCategory {
        buyer: Option<i64>,
        ess_structure: Option<i64>,
        partner: Option<i64>,
        visitor: Option<i64>,
    }

    pub fn serialize<S: Serializer>(q: &[Option<i64>; 4], s: S) -> Result<S::Ok, S::Error> {
        let [buyer, ess_structure, partner, visitor] = *q;
        ByCategory {
            buyer,
            ess_structure,
            partner,
            visitor,
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[Option<i64>; 4], D::Error> {
        let q = ByCategory::deserialize(d)?;
        Ok([q.buyer, q.ess_structure, q.partner, q.visitor])
    }
}

/// Largest capacity an event may declare.
pub const MAX_CAPACITY: i64 = 100_000;

/// Validated event fields, shared by creation and update.
#[derive(Debug, Clone, PartialEq)]
pub struct EventFields {
    /// Series.
    pub series_id: Option<Uuid>,
    /// Kind.
    pub kind: EventKind,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End, after the start.
    pub ends_at: DateTime<Utc>,
    /// Time zone in which times are shown.
    pub timezone: Tz,
    /// Venue, unless online only.
    pub venue: Option<Venue>,
    /// Online link.
    pub online_url: Option<String>,
    /// Total seats.
    pub capacity: u32,
    /// Quotas.
    pub quotas: Quotas,
    /// Registration opening.
    pub registration_opens_at: Option<DateTime<Utc>>,
    /// Registration closing.
    pub registration_closes_at: Option<DateTime<Utc>>,
    /// Days after the event its follow-up mail goes out, 0 to 365.
    pub follow_up_days: u32,
}

fn venue(draft: &VenueDraft) -> Result<Venue, Error> {
    let mut check = Checker::new();
    let name = check.take(required_line("venue.name", &draft.name, 200));
    let address = check.take(bounded_line("venue.address", &draft.address, 300));
    let postcode = draft.postcode.trim().to_owned();
    check.ensure(
        postcode.len() == 5 && postcode.bytes().all(|b| b.is_ascii_digit()),
        "venue.postcode",
        "invalid",
        "must be a five-digit French postcode",
    );
    let city = check.take(required_line("venue.city", &draft.city, 120));
    match (name, address, city) {
        (Some(name), Some(address), Some(city)) => check.finish(|| Venue {
            name,
            address,
            postcode,
            city,
        }),
        _ => Err(check.into_error()),
    }
}

/// Parses an IANA time zone name such as `Europe/Paris`.
pub fn timezone(field: &str, name: &str) -> Result<Tz, Error> {
    name.parse::<Tz>()
        .map_err(|_| Error::field(field, "invalid", "must be an IANA time zone such as Europe/Paris"))
}

impl EventFields {
    /// Checks every rule: non-empty title, start before end, a venue or an online link,
    /// capacity 1..=100000, each quota within the capacity and all of them together too, a registration window that opens
    /// before it closes and closes no later than the event ends.
    pub fn parse(draft: EventDraft) -> Result<Self, Error> {
        let mut check = Checker::new();
        let title = check.take(required_line("title", &draft.title, 200));
        let description = check.take(bounded_text("description", &draft.description, 20_000));
        let tz = check.take(timezone("timezone", &draft.timezone));
        let starts_at = draft.starts_at.with_timezone(&Utc);
        let ends_at = draft.ends_at.with_timezone(&Utc);
        check.ensure(ends_at > starts_at, "ends_at", "order", "must be after starts_at");
        let venue = match &draft.venue {
            Some(v) => check.take(venue(v)).map(Some),
            None => Some(None),
        };
        let online_url = match draft.online_url.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(link) => check.take(url("online_url", link)).map(Some),
        };
        if draft.venue.is_none() && draft.online_url.as_deref().is_none_or(|u| u.trim().is_empty()) {
            check.push(FieldError::new("venue", "required", "give a venue or an online_url"));
        }
        let capacity_ok = (1..=MAX_CAPACITY).contains(&draft.capacity);
        check.ensure(capacity_ok, "capacity", "out_of_range", "must be between 1 and 100000");
        let mut quotas = [None; 4];
        for (i, category) in Category::ALL.iter().enumerate() {
            if let Some(q) = draft.quotas[i] {
                if q < 0 || (capacity_ok && q > draft.capacity) || q > MAX_CAPACITY {
                    check.push(FieldError::new(
                        format!("quotas.{}", category.as_str()),
                        "out_of_range",
                        "must be between 0 and the capacity",
                    ));
                } else {
                    quotas[i] = Some(q as u32);
                }
            }
        }
        // Quotas reserve seats, so together they fit in the capacity: that keeps "quota per
        // category, capacity in total" exact with one seat row per seat.
        let all_quotas_ok = draft
            .quotas
            .iter()
            .zip(quotas.iter())
            .all(|(d, q)| d.is_none() || q.is_some());
        let reserved: i64 = quotas.iter().flatten().map(|q| i64::from(*q)).sum();
        if capacity_ok && all_quotas_ok && reserved > draft.capacity {
            check.push(FieldError::new(
                "quotas",
                "out_of_range",
                "the quotas together must not exceed the capacity",
            ));
        }
        let opens = draft.registration_opens_at.map(|t| t.with_timezone(&Utc));
        let closes = draft.registration_closes_at.map(|t| t.with_timezone(&Utc));
        if let (Some(o), Some(c)) = (opens, closes) {
            check.ensure(
                c > o,
                "registration_closes_at",
                "order",
                "must be after registration_opens_at",
            );
        }
        if let Some(c) = closes {
            check.ensure(
                c <= ends_at,
                "registration_closes_at",
                "order",
                "must not be after ends_at",
            );
        }
        if let Some(o) = opens {
            check.ensure(o < ends_at, "registration_opens_at", "order", "must be before ends_at");
        }
        let follow_up_days = check.take(crate::outcome::parse_follow_up_days(
            draft.follow_up_days.unwrap_or(crate::outcome::DEFAULT_FOLLOW_UP_DAYS),
        ));
        match (title, description, tz, venue, online_url, follow_up_days) {
            (Some(title), Some(description), Some(timezone), Some(venue), Some(online_url), Some(follow_up_days)) => {
                check.finish(|| EventFields {
                    series_id: draft.series_id,
                    kind: draft.kind,
                    title,
                    description,
                    starts_at,
                    ends_at,
                    timezone,
                    venue,
                    online_url,
                    capacity: draft.capacity.clamp(0, MAX_CAPACITY) as u32,
                    quotas: Quotas {
                        buyer: quotas[0],
                        ess_structure: quotas[1],
                        partner: quotas[2],
                        visitor: quotas[3],
                    },
                    registration_opens_at: opens,
                    registration_closes_at: closes,
                    follow_up_days,
                })
            }
            _ => Err(check.into_error()),
        }
    }

    /// Turns the fields back into a draft, so that an update can be merged and re-checked.
    pub fn to_draft(&self) -> EventDraft {
        let local = |t: DateTime<Utc>| t.with_timezone(&self.timezone).fixed_offset();
        EventDraft {
            series_id: self.series_id,
            kind: self.kind,
            title: self.title.clone(),
            description: self.description.clone(),
            starts_at: local(self.starts_at),
            ends_at: local(self.ends_at),
            timezone: self.timezone.name().to_owned(),
            venue: self.venue.as_ref().map(|v| VenueDraft {
                name: v.name.clone(),
                address: v.address.clone(),
                postcode: v.postcode.clone(),
                city: v.city.clone(),
            }),
            online_url: self.online_url.clone(),
            capacity: i64::from(self.capacity),
            quotas: [
                self.quotas.buyer.map(i64::from),
                self.quotas.ess_structure.map(i64::from),
                self.quotas.partner.map(i64::from),
                self.quotas.visitor.map(i64::from),
            ],
            registration_opens_at: self.registration_opens_at.map(local),
            registration_closes_at: self.registration_closes_at.map(local),
            follow_up_days: Some(i64::from(self.follow_up_days)),
        }
    }
}

/// Whether a new event is announced as coming or recorded as a past edition.
///
/// An event that has already ended when it is created is almost always a typo in its dates
/// (its registrations would be closed at once), so it is refused unless the request says it
/// records a past edition.
pub fn check_new_event_dates(fields: &EventFields, past_edition: bool, now: DateTime<Utc>) -> Result<(), Error> {
    if fields.ends_at <= now && !past_edition {
        return Err(Error::field(
            "ends_at",
            "in_the_past",
            "the event has already ended; send \"past\": true to record a past edition",
        ));
    }
    Ok(())
}

/// An event as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Identifier.
    pub id: Uuid,
    /// Its fields.
    pub fields: EventFields,
    /// Status.
    pub status: EventStatus,
    /// The organiser who created it.
    pub created_by: Uuid,
    /// Other organisers who may edit it.
    pub co_organisers: Vec<Uuid>,
    /// Incremented on every change; the ETag.
    pub version: i32,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// What a caller may do with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Not even know it exists (a draft of someone else): answer 404.
    Hidden,
    /// Read only: answer 403 to writes.
    Read,
    /// Read and change.
    Edit,
}

impl Event {
    /// Whether `actor` organises this event (creator, co-organiser) or is an admin.
    pub fn is_organised_by(&self, actor: &Actor) -> bool {
        actor.is_admin() || self.created_by == actor.user_id || self.co_organisers.contains(&actor.user_id)
    }

    /// The access of a caller, anonymous when `actor` is `None`.
    pub fn access(&self, actor: Option<&Actor>) -> Access {
        match actor {
            Some(a) if self.is_organised_by(a) => Access::Edit,
            _ if self.status.is_public() => Access::Read,
            _ => Access::Hidden,
        }
    }
}

text_enum! {
    /// What a programme item is.
    ProgrammeItemKind {
        /// A talk.
        Talk => "talk",
        /// A quiz.
        Quiz => "quiz",
        /// Testimonies.
        Testimony => "testimony",
        /// Stands forum.
        Stands => "stands",
        /// Speed meetings.
        SpeedMeetings => "speed_meetings",
        /// A break.
        Break => "break",
    }
}

/// A validated programme item, within its event's times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProgrammeItem {
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: ProgrammeItemKind,
    /// Speakers' names.
    pub speakers: Vec<String>,
}

impl NewProgrammeItem {
    /// Parses an item: start before end, both within the event, up to 20 speakers.
    pub fn parse(
        event: &EventFields,
        starts_at: DateTime<FixedOffset>,
        ends_at: DateTime<FixedOffset>,
        title: &str,
        kind: ProgrammeItemKind,
        speakers: &[String],
    ) -> Result<Self, Error> {
        let mut check = Checker::new();
        let starts_at = starts_at.with_timezone(&Utc);
        let ends_at = ends_at.with_timezone(&Utc);
        let title = check.take(required_line("title", title, 200));
        check.ensure(ends_at > starts_at, "ends_at", "order", "must be after starts_at");
        check.ensure(
            starts_at >= event.starts_at && starts_at < event.ends_at,
            "starts_at",
            "out_of_range",
            "must fall within the event",
        );
        check.ensure(
            ends_at <= event.ends_at,
            "ends_at",
            "out_of_range",
            "must fall within the event",
        );
        check.ensure(speakers.len() <= 20, "speakers", "too_long", "at most 20 speakers");
        let mut names = Vec::new();
        for (i, s) in speakers.iter().enumerate() {
            if let Some(name) = check.take(required_line(&format!("speakers[{i}]"), s, 200)) {
                names.push(name);
            }
        }
        match title {
            Some(title) => check.finish(|| NewProgrammeItem {
                starts_at,
                ends_at,
                title,
                kind,
                speakers: names,
            }),
            None => Err(check.into_error()),
        }
    }
}

/// A programme item as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeItem {
    /// Identifier.
    pub id: Uuid,
    /// Event.
    pub event_id: Uuid,
    /// The item.
    pub item: NewProgrammeItem,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn draft() -> EventDraft {
        EventDraft {
            series_id: None,
            kind: EventKind::Matinale,
            title: "4e matinale des achats responsables".into(),
            description: String::new(),
            starts_at: t("2026-11-25T09:00:00+01:00"),
            ends_at: t("2026-11-25T12:30:00+01:00"),
            timezone: "Europe/Paris".into(),
            venue: Some(VenueDraft {
                name: "Hôtel de ville".into(),
                address: "7 avenue Adrien Raynal".into(),
                postcode: "94310".into(),
                city: "Orly".into(),
            }),
            online_url: None,
            capacity: 80,
            quotas: [Some(20), Some(40), None, None],
            registration_opens_at: Some(t("2026-10-01T09:00:00+02:00")),
            registration_closes_at: Some(t("2026-11-24T18:00:00+01:00")),
            follow_up_days: None,
        }
    }

    fn fields_of(err: Error) -> Vec<String> {
        match err {
            Error::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_valid_matinale_parses_and_round_trips() {
        let fields = EventFields::parse(draft()).unwrap();
        assert_eq!(fields.quotas.of(Category::Buyer), Some(20));
        assert_eq!(EventFields::parse(fields.to_draft()).unwrap(), fields);
    }

    #[test]
    fn an_event_must_end_after_it_starts() {
        let mut d = draft();
        d.ends_at = d.starts_at;
        assert_eq!(fields_of(EventFields::parse(d).unwrap_err()), ["ends_at"]);
    }

    #[test]
    fn an_event_that_has_ended_is_refused_unless_it_records_a_past_edition() {
        let fields = EventFields::parse(draft()).unwrap();
        let after = t("2026-11-25T12:30:00+01:00").with_timezone(&Utc);
        let before = t("2026-11-25T12:29:59+01:00").with_timezone(&Utc);
        assert_eq!(
            fields_of(check_new_event_dates(&fields, false, after).unwrap_err()),
            ["ends_at"]
        );
        assert!(check_new_event_dates(&fields, true, after).is_ok());
        assert!(check_new_event_dates(&fields, false, before).is_ok());
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut d = draft();
        d.title = " ".into();
        d.timezone = "Mars/Olympus".into();
        d.capacity = 0;
        d.quotas[0] = Some(-1);
        d.venue.as_mut().unwrap().postcode = "9431".into();
        d.registration_closes_at = Some(t("2026-12-01T00:00:00+01:00"));
        let fields = fields_of(EventFields::parse(d).unwrap_err());
        for f in [
            "title",
            "timezone",
            "capacity",
            "quotas.buyer",
            "venue.postcode",
            "registration_closes_at",
        ] {
            assert!(fields.contains(&f.to_string()), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn a_quota_may_not_exceed_the_capacity() {
        let mut d = draft();
        d.quotas[1] = Some(81);
        assert_eq!(fields_of(EventFields::parse(d).unwrap_err()), ["quotas.ess_structure"]);
    }

    #[test]
    fn the_quotas_together_fit_in_the_capacity() {
        let mut d = draft();
        d.quotas = [Some(40), Some(40), Some(1), None];
        assert_eq!(fields_of(EventFields::parse(d.clone()).unwrap_err()), ["quotas"]);
        d.quotas[2] = None;
        assert!(EventFields::parse(d).is_ok());
    }

    #[test]
    fn a_venue_or_a_link_is_required() {
        let mut d = draft();
        d.venue = None;
        assert_eq!(fields_of(EventFields::parse(d.clone()).unwrap_err()), ["venue"]);
        d.online_url = Some("https://visio.example.org/matinale".into());
        assert!(EventFields::parse(d).is_ok());
    }

    #[test]
    fn status_transitions() {
        use EventStatus::*;
        assert_eq!(Draft.transition_to(Published), Ok(Published));
        assert_eq!(Published.transition_to(Closed), Ok(Closed));
        assert_eq!(Closed.transition_to(Published), Ok(Published));
        assert!(Published.transition_to(Cancelled).is_ok());
        assert!(Cancelled.transition_to(Published).is_err());
        assert!(Cancelled.transition_to(Cancelled).is_err());
        assert!(Published.transition_to(Draft).is_err());
        assert!(Draft.transition_to(Closed).is_err());
    }

    #[test]
    fn programme_items_fall_within_the_event() {
        let event = EventFields::parse(draft()).unwrap();
        let ok = NewProgrammeItem::parse(
            &event,
            t("2026-11-25T09:00:00+01:00"),
            t("2026-11-25T09:30:00+01:00"),
            "Quiz",
            ProgrammeItemKind::Quiz,
            &[],
        );
        assert!(ok.is_ok());
        let late = NewProgrammeItem::parse(
            &event,
            t("2026-11-25T12:00:00+01:00"),
            t("2026-11-25T13:00:00+01:00"),
            "Trop tard",
            ProgrammeItemKind::Talk,
            &[],
        );
        assert_eq!(fields_of(late.unwrap_err()), ["ends_at"]);
    }

    #[test]
    fn access_to_a_draft() {
        let owner = Uuid::now_v7();
        let other = Actor {
            user_id: Uuid::now_v7(),
            role: crate::user::Role::Organiser,
        };
        let mut event = Event {
            id: Uuid::now_v7(),
            fields: EventFields::parse(draft()).unwrap(),
            status: EventStatus::Draft,
            created_by: owner,
            co_organisers: vec![],
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert_eq!(event.access(None), Access::Hidden);
        assert_eq!(event.access(Some(&other)), Access::Hidden);
        event.co_organisers.push(other.user_id);
        assert_eq!(event.access(Some(&other)), Access::Edit);
        event.co_organisers.clear();
        event.status = EventStatus::Published;
        assert_eq!(event.access(Some(&other)), Access::Read);
        assert_eq!(event.access(None), Access::Read);
    }
}
