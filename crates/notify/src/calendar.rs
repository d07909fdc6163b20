//! iCalendar (RFC 5545) rendering: an event's `.ics`, a person's meeting invitations, feeds.
//!
//! Pure functions that return the whole calendar as a `String` with CRLF line endings. The
//! components, properties and parameters are built with the `ics` crate; three thin layers
//! around it keep the guarantees our tests check with an independent parser:
//! - TEXT values go through `ics::escape_text` after control characters other than line
//!   breaks and TAB are dropped (so a title cannot smuggle in a property; `ics` escapes
//!   only `\ ; ,` and line breaks);
//! - `CN` parameters are quoted here (`ics` writes parameter values as given);
//! - lines are folded again at 75 octets *including* the leading space of a continuation
//!   (`ics` folds after 75 octets of content, so its continuation lines reach 76, over the
//!   RFC 5545 §3.1 limit), never inside a UTF-8 character;
//! - a `VTIMEZONE` is written only when its rules agree with the tz database.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::{OffsetName, Tz};
use matinale_domain::partner::PartyView;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use ics::components::{Parameter, Property};
use ics::properties::{
    Attendee, CalScale, Description, Location, Organizer, RRule, Sequence, Status, Summary, TzName, URL,
};
use ics::{Daylight, Event, ICalendar, Standard, TimeZone as VTimeZone};

use crate::locale::{self, Locale};

/// `PRODID` of every calendar we produce.
pub const PRODID: &str = "-//Matinale//Matinale ESS events//FR";

/// The longest physical line, in octets, before folding (RFC 5545 §3.1).
const MAX_LINE_OCTETS: usize = 75;

/// The iTIP method of a calendar (RFC 5546): what the receiving client should do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Information to show or subscribe to: an event's `.ics`, an agenda, a feed.
    Publish,
    /// An invitation the recipient's calendar should add or update (meeting invitations).
    Request,
    /// Withdraws events previously sent with the same UID; `SEQUENCE` must have grown.
    Cancel,
}

impl Method {
    /// The value of the `METHOD` property and of the `method=` MIME parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Publish => "PUBLISH",
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }

    /// The MIME type of a calendar sent with this method, for a mail attachment.
    pub fn content_type(self) -> String {
        format!("text/calendar; method={}; charset=UTF-8", self.as_str())
    }
}

/// Whether an event still takes place (`STATUS` of a `VEVENT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// It takes place.
    #[default]
    Confirmed,
    /// It was cancelled; always the case inside a `METHOD:CANCEL` calendar.
    Cancelled,
}

/// A named mailbox, used for `ORGANIZER` and `ATTENDEE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Display name, e.g. "Grand-Orly Seine Bièvre — service achats".
    pub name: String,
    /// Email address, written as a `mailto:` URI.
    pub email: String,
}

/// When something takes place: `DTSTART`, `DTEND` and the zone they are written in. Its
/// fields are flattened into the JSON of what holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// Start instant.
    pub starts_at: DateTime<Utc>,
    /// End instant.
    pub ends_at: DateTime<Utc>,
    /// Zone the times are written in (`DTSTART;TZID=…`), Europe/Paris for our events.
    #[serde(default = "default_timezone")]
    pub timezone: Tz,
}

/// Where to go, where to read more, who invites and who is invited: what the `VEVENT` of an
/// event and of a meeting say alike. Its fields are flattened into the JSON of what holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Invitation {
    /// `LOCATION`: the venue as "name, address, postcode city" (after the table, for a
    /// meeting), or an online link.
    pub location: Option<String>,
    /// `URL`: the public page of the event, or the person's agenda for a meeting.
    pub url: Option<String>,
    /// `ORGANIZER`, the event's organiser; required by clients for `REQUEST` and `CANCEL`.
    pub organizer: Option<Contact>,
    /// `ATTENDEE`s; for an invitation, at least the recipient (usually the recipient alone).
    #[serde(default)]
    pub attendees: Vec<Contact>,
}

/// One `VEVENT`: an event of the programme, or anything already turned into one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEntry {
    /// Stable identifier, see [`uid_for`]. Never changes for the same event.
    pub uid: String,
    /// Revision number; every change a recipient must apply (time, place, cancellation) bumps it.
    pub sequence: u32,
    /// When this calendar object was created. Passed in so that output is reproducible.
    pub dtstamp: DateTime<Utc>,
    /// `DTSTART`, `DTEND` and their zone.
    #[serde(flatten)]
    pub span: Span,
    /// `SUMMARY`.
    pub title: String,
    /// `DESCRIPTION`, may span several lines.
    pub description: String,
    /// `LOCATION`, `URL`, `ORGANIZER`, `ATTENDEE`s.
    #[serde(flatten)]
    pub invitation: Invitation,
    /// `STATUS`.
    #[serde(default)]
    pub status: EventStatus,
}

fn default_timezone() -> Tz {
    chrono_tz::Europe::Paris
}

/// One side of a speed meeting, as the recipient of the entry may see it
/// (`matinale_domain::partner`): their own side in full, the other with a name only if that
/// person consented to share it, an organisation only once its claim is confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingParty {
    /// What may be shown.
    pub shown: PartyView,
    /// This side is the one the entry is for.
    #[serde(default)]
    pub recipient: bool,
}

/// A speed meeting between a public buyer and an ESS structure, at a numbered table during
/// one time slot of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingEntry {
    /// Stable identifier (`meeting-<uuid>@…`), kept when the meeting moves or is cancelled.
    pub uid: String,
    /// Revision number; moving or cancelling the meeting bumps it.
    pub sequence: u32,
    /// Title of the event the meeting belongs to.
    pub event_title: String,
    /// The public buyer.
    pub buyer: MeetingParty,
    /// The ESS structure.
    pub supplier: MeetingParty,
    /// Table number, as printed on the tables in the room.
    pub table: u32,
    /// The slot, in the event's zone.
    #[serde(flatten)]
    pub span: Span,
    /// The table and venue, the person's agenda, the organiser and who it is for.
    #[serde(flatten)]
    pub invitation: Invitation,
    /// The meeting was cancelled (a participant left, the schedule was re-run).
    #[serde(default)]
    pub cancelled: bool,
}

impl MeetingEntry {
    /// The meeting as a `VEVENT`, its summary and description written in `locale`.
    pub fn to_event_entry(&self, locale: Locale, dtstamp: DateTime<Utc>) -> EventEntry {
        let Span {
            starts_at,
            ends_at,
            timezone,
        } = self.span;
        let span = locale::format_span(starts_at, ends_at, timezone, locale);
        let (event, table) = (&self.event_title, self.table);
        let domain_locale = locale.domain();
        let (buyer, buyer_org) = (
            self.buyer.shown.label(domain_locale),
            self.buyer.shown.short(domain_locale),
        );
        let (supplier, supplier_org) = (
            self.supplier.shown.label(domain_locale),
            self.supplier.shown.short(domain_locale),
        );
        let (title, description) = match locale {
            Locale::Fr => (
                format!("Rendez-vous {buyer_org} × {supplier_org} (table {table})"),
                format!(
                    "Speed meeting de «\u{a0}{event}\u{a0}»\n{span}, table {table}\nAcheteur\u{a0}: {buyer}\nStructure de l'ESS\u{a0}: {supplier}"
                ),
            ),
            Locale::En => (
                format!("Meeting {buyer_org} × {supplier_org} (table {table})"),
                format!(
                    "Speed meeting at “{event}”\n{span}, table {table}\nBuyer: {buyer}\nESS structure: {supplier}"
                ),
            ),
        };
        EventEntry {
            uid: self.uid.clone(),
            sequence: self.sequence,
            dtstamp,
            span: self.span,
            title,
            description,
            invitation: self.invitation.clone(),
            status: if self.cancelled {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            },
        }
    }
}

/// What a UID identifies; the prefix keeps UIDs of different things apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UidKind {
    /// An event of a series.
    Event,
    /// A speed meeting.
    Meeting,
}

/// A stable UID such as `event-0190f…@matinale`. `domain` should be a constant of the
/// deployment (e.g. the public host name): changing it would duplicate every event in
/// calendars that already hold it.
pub fn uid_for(kind: UidKind, id: Uuid, domain: &str) -> String {
    let prefix = match kind {
        UidKind::Event => "event",
        UidKind::Meeting => "meeting",
    };
    format!("{prefix}-{}@{domain}", id.as_hyphenated())
}

/// Renders a whole `VCALENDAR` with CRLF line endings.
///
/// Entries whose zone has known yearly rules get `DTSTART;TZID=…` and one `VTIMEZONE` per
/// zone; the others (and UTC) are written in UTC. Under [`Method::Cancel`] every `VEVENT` is
/// marked `STATUS:CANCELLED`, whatever its own status says.
pub fn render_calendar(method: Method, entries: &[EventEntry], calname: &str) -> String {
    let mut calendar = ICalendar::new("2.0", PRODID);
    calendar.push(CalScale::new("GREGORIAN"));
    calendar.push(ics::properties::Method::new(method.as_str()));
    calendar.push(Property::new("X-WR-CALNAME", escape_text(calname)));

    let zones = zone_rules(entries);
    for (name, rule) in &zones {
        calendar.add_timezone(vtimezone(name, rule));
    }
    for entry in entries {
        let zoned = zones.contains_key(entry.span.timezone.name());
        calendar.add_event(vevent(method, entry, zoned));
    }
    refold(&calendar.to_string())
}

fn vevent(method: Method, entry: &EventEntry, zoned: bool) -> Event<'static> {
    let mut event = Event::new(escape_text(&entry.uid), utc_stamp(entry.dtstamp));
    event.push(Sequence::new(entry.sequence.to_string()));
    let Span {
        starts_at,
        ends_at,
        timezone,
    } = entry.span;
    for (name, at) in [("DTSTART", starts_at), ("DTEND", ends_at)] {
        let property = if zoned {
            let local = timezone.from_utc_datetime(&at.naive_utc());
            let mut property = Property::new(name, local.format("%Y%m%dT%H%M%S").to_string());
            property.add(Parameter::new("TZID", timezone.name()));
            property
        } else {
            Property::new(name, utc_stamp(at))
        };
        event.push(property);
    }
    event.push(Summary::new(escape_text(&entry.title)));
    if !entry.description.is_empty() {
        event.push(Description::new(escape_text(&entry.description)));
    }
    let invitation = &entry.invitation;
    if let Some(location) = invitation.location.as_deref().filter(|l| !l.is_empty()) {
        event.push(Location::new(escape_text(location)));
    }
    if let Some(url) = invitation.url.as_deref() {
        let url = sanitize_uri(url);
        if !url.is_empty() {
            event.push(URL::new(url));
        }
    }
    if let Some(organizer) = &invitation.organizer {
        let mut property = Organizer::new(mailto(&organizer.email));
        property.add(Parameter::new("CN", quote_param(&organizer.name)));
        event.push(property);
    }
    for attendee in &invitation.attendees {
        let mut property = Attendee::new(mailto(&attendee.email));
        property.add(Parameter::new("CN", quote_param(&attendee.name)));
        property.add(Parameter::new("ROLE", "REQ-PARTICIPANT"));
        property.add(Parameter::new("PARTSTAT", "NEEDS-ACTION"));
        property.add(Parameter::new("RSVP", "FALSE"));
        event.push(property);
    }
    let cancelled = method == Method::Cancel || entry.status == EventStatus::Cancelled;
    event.push(if cancelled {
        Status::cancelled()
    } else {
        Status::confirmed()
    });
    event
}

/// Unfolds what `ics` wrote and folds every line again at 75 octets (see the module docs).
fn refold(folded: &str) -> String {
    let unfolded = folded.replace("\r\n ", "");
    let mut out = String::with_capacity(unfolded.len() + unfolded.len() / 70 * 3);
    for line in unfolded.split("\r\n").filter(|l| !l.is_empty()) {
        fold_into(&mut out, line);
        out.push_str("\r\n");
    }
    out
}

fn utc_stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

fn mailto(email: &str) -> String {
    format!("mailto:{}", sanitize_uri(email))
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): control characters other than line breaks and
/// TAB are dropped, then `ics::escape_text` backslash-escapes `\` `;` `,` and turns every line
/// break (CRLF, LF or a lone CR) into `\n` — a raw CR or LF would otherwise end the property
/// and start a new one.
pub fn escape_text(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\r' | '\n' | '\t'))
        .collect();
    ics::escape_text(kept).into_owned()
}

/// A parameter value (such as `CN`) in double quotes. Quoted strings cannot hold `"` or
/// control characters (RFC 5545 §3.1), so those are replaced or dropped.
fn quote_param(value: &str) -> String {
    let inner: String = value
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '"' { '\'' } else { c })
        .collect();
    format!("\"{inner}\"")
}

/// URIs are not escaped in iCalendar; what must never get through is a line break, so
/// control characters and white space (never valid in a URI) are removed.
fn sanitize_uri(uri: &str) -> String {
    uri.chars().filter(|c| !c.is_control() && !c.is_whitespace()).collect()
}

/// Folds one content line (RFC 5545 §3.1): no physical line longer than 75 octets, each
/// continuation starting with one space (which counts toward its 75), and never a cut inside
/// a multi-octet UTF-8 character. Returns the folded line without the final CRLF.
pub fn fold_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    fold_into(&mut out, line);
    out
}

fn fold_into(out: &mut String, line: &str) {
    let mut rest = line;
    let mut budget = MAX_LINE_OCTETS;
    loop {
        if rest.len() <= budget {
            out.push_str(rest);
            return;
        }
        let mut cut = budget;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        budget = MAX_LINE_OCTETS - 1;
    }
}

/// Yearly rules of a zone, as a `VTIMEZONE` can state them.
#[derive(Debug, Clone, PartialEq)]
enum ZoneRule {
    /// No daylight saving time (e.g. Indian/Reunion, America/Martinique).
    Fixed { offset: i32, abbreviation: String },
    /// European Union summer time: from the last Sunday of March to the last Sunday of
    /// October, switching at 01:00 UTC, one hour ahead of standard time.
    EuropeanSummerTime {
        standard: i32,
        standard_abbreviation: String,
        daylight_abbreviation: String,
    },
}

impl ZoneRule {
    /// Offset from UTC in seconds that this rule gives at `at`.
    fn offset_at(&self, at: DateTime<Utc>) -> i32 {
        match self {
            ZoneRule::Fixed { offset, .. } => *offset,
            ZoneRule::EuropeanSummerTime { standard, .. } => {
                let (begins, ends) = european_summer_time(at.year());
                if begins <= at && at < ends {
                    standard + 3600
                } else {
                    *standard
                }
            }
        }
    }
}

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }?;
    let last = first_of_next.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    Some(last - Duration::days(i64::from(back)))
}

/// Start and end of EU summer time in `year`, both at 01:00 UTC.
fn european_summer_time(year: i32) -> (DateTime<Utc>, DateTime<Utc>) {
    let at_one = |date: Option<NaiveDate>| {
        date.and_then(|d| d.and_hms_opt(1, 0, 0))
            .map(|naive| Utc.from_utc_datetime(&naive))
            // Only out-of-range years get here; an empty interval means "no summer time".
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    };
    (at_one(last_sunday(year, 3)), at_one(last_sunday(year, 10)))
}

fn tz_offset(tz: Tz, at: DateTime<Utc>) -> (i32, String) {
    let offset = tz.offset_from_utc_datetime(&at.naive_utc());
    let abbreviation = offset.abbreviation().unwrap_or_default().to_owned();
    (offset.fix().local_minus_utc(), abbreviation)
}

/// Finds rules for `tz` and keeps them only if they agree with the tz database at every
/// instant in `instants` and at both summer-time switches of every year involved.
fn rule_for(tz: Tz, instants: &[DateTime<Utc>]) -> Option<ZoneRule> {
    if matches!(tz, Tz::UTC | Tz::Etc__UTC | Tz::Etc__GMT | Tz::GMT) {
        return None;
    }
    let year = instants.first()?.year();
    let mid_winter = Utc.with_ymd_and_hms(year, 1, 15, 12, 0, 0).single()?;
    let mid_summer = Utc.with_ymd_and_hms(year, 7, 15, 12, 0, 0).single()?;
    let (winter, winter_name) = tz_offset(tz, mid_winter);
    let (summer, summer_name) = tz_offset(tz, mid_summer);
    let rule = if winter == summer {
        ZoneRule::Fixed {
            offset: winter,
            abbreviation: winter_name,
        }
    } else if summer == winter + 3600 {
        ZoneRule::EuropeanSummerTime {
            standard: winter,
            standard_abbreviation: winter_name,
            daylight_abbreviation: summer_name,
        }
    } else {
        return None;
    };

    let mut checks: Vec<DateTime<Utc>> = instants.to_vec();
    for year in instants.iter().map(|at| at.year()) {
        let (begins, ends) = european_summer_time(year);
        for switch in [begins, ends] {
            checks.extend([switch - Duration::seconds(1), switch]);
        }
    }
    let agrees = checks.iter().all(|&at| rule.offset_at(at) == tz_offset(tz, at).0);
    agrees.then_some(rule)
}

/// One rule per zone name that can be written as a `VTIMEZONE`; zones missing here are
/// written in UTC.
fn zone_rules(entries: &[EventEntry]) -> BTreeMap<&'static str, ZoneRule> {
    let mut instants: BTreeMap<&'static str, (Tz, Vec<DateTime<Utc>>)> = BTreeMap::new();
    for entry in entries {
        let Span {
            starts_at,
            ends_at,
            timezone,
        } = entry.span;
        let (_, list) = instants
            .entry(timezone.name())
            .or_insert_with(|| (timezone, Vec::new()));
        list.extend([starts_at, ends_at]);
    }
    instants
        .into_iter()
        .filter_map(|(name, (tz, list))| rule_for(tz, &list).map(|rule| (name, rule)))
        .collect()
}

fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.unsigned_abs();
    let (hours, minutes) = (seconds / 3600, seconds % 3600 / 60);
    format!("{sign}{hours:02}{minutes:02}")
}

fn vtimezone(name: &'static str, rule: &ZoneRule) -> VTimeZone<'static> {
    let named = |abbreviation: &str, push: &mut dyn FnMut(TzName<'static>)| {
        if !abbreviation.is_empty() {
            push(TzName::new(escape_text(abbreviation)));
        }
    };
    let mut zone = match rule {
        ZoneRule::Fixed { offset, abbreviation } => {
            let mut standard = Standard::new("19700101T000000", utc_offset(*offset), utc_offset(*offset));
            named(abbreviation, &mut |p| standard.push(p));
            VTimeZone::standard(name, standard)
        }
        ZoneRule::EuropeanSummerTime {
            standard,
            standard_abbreviation,
            daylight_abbreviation,
        } => {
            let daylight_offset = standard + 3600;
            // DTSTART is the local wall-clock time *before* each switch at 01:00 UTC.
            let wall = |offset: i32, month: u32| {
                let date = last_sunday(1970, month).unwrap_or_default();
                let at = date.and_hms_opt(1, 0, 0).unwrap_or_default() + Duration::seconds(i64::from(offset));
                at.format("%Y%m%dT%H%M%S").to_string()
            };
            let mut daylight = Daylight::new(wall(*standard, 3), utc_offset(*standard), utc_offset(daylight_offset));
            named(daylight_abbreviation, &mut |p| daylight.push(p));
            daylight.push(RRule::new("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"));
            let mut winter = Standard::new(
                wall(daylight_offset, 10),
                utc_offset(daylight_offset),
                utc_offset(*standard),
            );
            named(standard_abbreviation, &mut |p| winter.push(p));
            winter.push(RRule::new("FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"));
            let mut zone = VTimeZone::daylight(name, daylight);
            zone.add_standard(winter);
            zone
        }
    };
    zone.push(Property::new("X-LIC-LOCATION", name));
    zone
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Paris;

    use crate::testing::utc;

    fn entry(title: &str) -> EventEntry {
        EventEntry {
            uid: "event-1@matinale".into(),
            sequence: 0,
            dtstamp: utc("2026-10-01T12:00:00Z"),
            span: Span {
                starts_at: utc("2026-11-25T08:00:00Z"),
                ends_at: utc("2026-11-25T11:30:00Z"),
                timezone: Paris,
            },
            title: title.into(),
            description: String::new(),
            invitation: Invitation::default(),
            status: EventStatus::Confirmed,
        }
    }

    #[test]
    fn text_escaping_neutralises_line_breaks_and_separators() {
        assert_eq!(
            escape_text("a,b;c\\d\r\nATTENDEE:mailto:x\ny\rz"),
            "a\\,b\\;c\\\\d\\nATTENDEE:mailto:x\\ny\\nz"
        );
        assert_eq!(escape_text("bell\u{7}\u{0}"), "bell");
    }

    #[test]
    fn folding_never_exceeds_75_octets_nor_splits_a_character() {
        let line = format!("SUMMARY:{}", "Matinale des achats responsables éàç€ ".repeat(10));
        let folded = fold_line(&line);
        for physical in folded.split("\r\n") {
            assert!(physical.len() <= 75, "{} octets: {physical:?}", physical.len());
        }
        let unfolded = folded.replace("\r\n ", "");
        assert_eq!(unfolded, line);
    }

    #[test]
    fn folding_handles_four_octet_characters_at_the_boundary() {
        for pad in 0..8 {
            let line = format!("{}{}", "x".repeat(70 + pad), "🌱".repeat(40));
            let folded = fold_line(&line);
            assert!(folded.split("\r\n").all(|l| l.len() <= 75));
            assert_eq!(folded.replace("\r\n ", ""), line);
        }
    }

    #[test]
    fn the_paris_rule_matches_the_tz_database_hour_by_hour_for_twenty_years() {
        let rule = rule_for(Paris, &[utc("2026-11-25T08:00:00Z")]).expect("Paris has a rule");
        let mut at = utc("2020-01-01T00:00:00Z");
        while at < utc("2040-01-01T00:00:00Z") {
            assert_eq!(rule.offset_at(at), tz_offset(Paris, at).0, "at {at}");
            at += Duration::minutes(30);
        }
    }

    #[test]
    fn zones_without_eu_rules_are_written_in_utc() {
        let mut e = entry("New York");
        e.span.timezone = chrono_tz::America::New_York;
        let ics = render_calendar(Method::Publish, &[e], "x");
        assert!(!ics.contains("VTIMEZONE"));
        assert!(ics.contains("DTSTART:20261125T080000Z\r\n"));
    }

    #[test]
    fn zones_without_summer_time_get_a_single_standard_rule() {
        let mut e = entry("La Réunion");
        e.span.timezone = chrono_tz::Indian::Reunion;
        let ics = render_calendar(Method::Publish, &[e], "x");
        assert!(ics.contains("TZID:Indian/Reunion\r\n"));
        assert!(ics.contains("TZOFFSETTO:+0400\r\n"));
        assert!(ics.contains("DTSTART;TZID=Indian/Reunion:20261125T120000\r\n"));
        assert!(!ics.contains("DAYLIGHT"));
    }

    #[test]
    fn paris_vtimezone_switches_at_2_and_3_local_time() {
        let ics = render_calendar(Method::Publish, &[entry("t")], "x");
        // Each line expected in the block `name` (DAYLIGHT or STANDARD).
        let block_has = |name: &str, expected: [&str; 4]| {
            let begin = ics.find(&format!("BEGIN:{name}\r\n")).expect("the block");
            let end = ics[begin..].find(&format!("END:{name}\r\n")).expect("its end");
            let block: Vec<&str> = ics[begin..begin + end].lines().collect();
            for line in expected {
                assert!(block.contains(&line), "{line} in {block:?}");
            }
        };
        block_has(
            "DAYLIGHT",
            [
                "TZOFFSETFROM:+0100",
                "TZOFFSETTO:+0200",
                "TZNAME:CEST",
                "DTSTART:19700329T020000",
            ],
        );
        block_has(
            "STANDARD",
            [
                "TZOFFSETFROM:+0200",
                "TZOFFSETTO:+0100",
                "TZNAME:CET",
                "DTSTART:19701025T030000",
            ],
        );
        assert!(ics.contains("DTSTART;TZID=Europe/Paris:20261125T090000\r\n"));
        assert!(ics.contains("DTEND;TZID=Europe/Paris:20261125T123000\r\n"));
    }

    #[test]
    fn a_cancel_calendar_marks_every_event_cancelled() {
        let ics = render_calendar(Method::Cancel, &[entry("t")], "x");
        assert!(ics.contains("METHOD:CANCEL\r\n"));
        assert!(ics.contains("STATUS:CANCELLED\r\n"));
    }

    #[test]
    fn every_line_ends_with_crlf() {
        let ics = render_calendar(Method::Publish, &[entry("a\nb")], "x");
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'));
        assert!(!ics.replace("\r\n", "").contains('\r'));
    }

    #[test]
    fn uids_are_prefixed_by_kind() {
        let id = Uuid::nil();
        assert_eq!(
            uid_for(UidKind::Meeting, id, "matinale"),
            "meeting-00000000-0000-0000-0000-000000000000@matinale"
        );
    }

    #[test]
    fn names_with_quotes_stay_inside_the_cn_parameter() {
        let mut e = entry("t");
        e.invitation.organizer = Some(Contact {
            name: "Ville \"Vitry\"; achats:\r\nX".into(),
            email: "achats@vitry.fr\r\nATTENDEE:mailto:x".into(),
        });
        let ics = render_calendar(Method::Request, &[e], "x").replace("\r\n ", "");
        assert!(ics.contains("ORGANIZER;CN=\"Ville 'Vitry'; achats:X\":mailto:achats@vitry.frATTENDEE:mailto:x\r\n"));
        assert!(!ics.contains("\r\nATTENDEE"));
    }
}
