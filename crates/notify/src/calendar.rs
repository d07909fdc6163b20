//! iCalendar (RFC 5545) rendering: an event's `.ics`, a person's meeting invitations, feeds.
//!
//! Pure functions that return the whole calendar as a `String` with CRLF line endings.
//! Written by hand rather than with the `ics` crate because correctness here lives in a few
//! details we want to see and test in one place: TEXT escaping that also drops bare CRs and
//! control characters (so a title cannot smuggle in a property), quoted `CN` parameters,
//! folding at 75 *octets* without cutting a UTF-8 character, and a `VTIMEZONE` whose rules
//! are checked against the tz database before they are written.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::{OffsetName, Tz};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

/// One `VEVENT`: an event of the programme, or anything already turned into one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEntry {
    /// Stable identifier, see [`uid_for`]. Never changes for the same event.
    pub uid: String,
    /// Revision number; every change a recipient must apply (time, place, cancellation) bumps it.
    pub sequence: u32,
    /// When this calendar object was created. Passed in so that output is reproducible.
    pub dtstamp: DateTime<Utc>,
    /// Start instant.
    pub starts_at: DateTime<Utc>,
    /// End instant.
    pub ends_at: DateTime<Utc>,
    /// Zone the times are written in (`DTSTART;TZID=…`), Europe/Paris for our events.
    #[serde(default = "default_timezone")]
    pub timezone: Tz,
    /// `SUMMARY`.
    pub title: String,
    /// `DESCRIPTION`, may span several lines.
    pub description: String,
    /// `LOCATION`: the venue as "name, address, postcode city", or an online link.
    pub location: Option<String>,
    /// `URL`: the public page of the event.
    pub url: Option<String>,
    /// `ORGANIZER`, required by clients for `REQUEST` and `CANCEL`.
    pub organizer: Option<Contact>,
    /// `ATTENDEE`s; for an invitation, at least the recipient.
    #[serde(default)]
    pub attendees: Vec<Contact>,
    /// `STATUS`.
    #[serde(default)]
    pub status: EventStatus,
}

fn default_timezone() -> Tz {
    chrono_tz::Europe::Paris
}

/// One side of a speed meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingParty {
    /// The person who sits at the table.
    pub person: String,
    /// Their organisation: the buyer (a Ville, an EPT…) or the ESS structure.
    pub organisation: String,
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
    /// Slot start.
    pub starts_at: DateTime<Utc>,
    /// Slot end.
    pub ends_at: DateTime<Utc>,
    /// Zone of the event.
    #[serde(default = "default_timezone")]
    pub timezone: Tz,
    /// Venue of the event, "name, address, postcode city".
    pub location: Option<String>,
    /// Link to the person's agenda.
    pub url: Option<String>,
    /// The event's organiser, who sends the invitation.
    pub organizer: Option<Contact>,
    /// Who the invitation is for (usually the recipient alone).
    #[serde(default)]
    pub attendees: Vec<Contact>,
    /// The meeting was cancelled (a participant left, the schedule was re-run).
    #[serde(default)]
    pub cancelled: bool,
}

impl MeetingEntry {
    /// The meeting as a `VEVENT`, its summary and description written in `locale`.
    pub fn to_event_entry(&self, locale: Locale, dtstamp: DateTime<Utc>) -> EventEntry {
        let span = locale::format_span(self.starts_at, self.ends_at, self.timezone, locale);
        let (title, description) = match locale {
            Locale::Fr => (
                format!(
                    "Rendez-vous {} × {} (table {})",
                    self.buyer.organisation, self.supplier.organisation, self.table
                ),
                format!(
                    "Speed meeting de «\u{a0}{}\u{a0}»\n{span}, table {}\nAcheteur\u{a0}: {} ({})\nStructure de l'ESS\u{a0}: {} ({})",
                    self.event_title,
                    self.table,
                    self.buyer.person,
                    self.buyer.organisation,
                    self.supplier.person,
                    self.supplier.organisation
                ),
            ),
            Locale::En => (
                format!(
                    "Meeting {} × {} (table {})",
                    self.buyer.organisation, self.supplier.organisation, self.table
                ),
                format!(
                    "Speed meeting at “{}”\n{span}, table {}\nBuyer: {} ({})\nESS structure: {} ({})",
                    self.event_title,
                    self.table,
                    self.buyer.person,
                    self.buyer.organisation,
                    self.supplier.person,
                    self.supplier.organisation
                ),
            ),
        };
        EventEntry {
            uid: self.uid.clone(),
            sequence: self.sequence,
            dtstamp,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            timezone: self.timezone,
            title,
            description,
            location: self.location.clone(),
            url: self.url.clone(),
            organizer: self.organizer.clone(),
            attendees: self.attendees.clone(),
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
    let mut out = ContentLines::default();
    out.line("BEGIN:VCALENDAR");
    out.property("PRODID", PRODID);
    out.property("VERSION", "2.0");
    out.property("CALSCALE", "GREGORIAN");
    out.property("METHOD", method.as_str());
    out.property("X-WR-CALNAME", &escape_text(calname));

    let zones = zone_rules(entries);
    for (name, rule) in &zones {
        write_vtimezone(&mut out, name, rule);
    }
    for entry in entries {
        let zoned = zones.contains_key(entry.timezone.name());
        write_vevent(&mut out, method, entry, zoned);
    }
    out.line("END:VCALENDAR");
    out.finish()
}

fn write_vevent(out: &mut ContentLines, method: Method, entry: &EventEntry, zoned: bool) {
    out.line("BEGIN:VEVENT");
    out.property("UID", &escape_text(&entry.uid));
    out.property("DTSTAMP", &utc_stamp(entry.dtstamp));
    out.property("SEQUENCE", &entry.sequence.to_string());
    for (name, at) in [("DTSTART", entry.starts_at), ("DTEND", entry.ends_at)] {
        if zoned {
            let local = entry.timezone.from_utc_datetime(&at.naive_utc());
            let params = format!("{name};TZID={}", entry.timezone.name());
            out.property(&params, &local.format("%Y%m%dT%H%M%S").to_string());
        } else {
            out.property(name, &utc_stamp(at));
        }
    }
    out.property("SUMMARY", &escape_text(&entry.title));
    if !entry.description.is_empty() {
        out.property("DESCRIPTION", &escape_text(&entry.description));
    }
    if let Some(location) = entry.location.as_deref().filter(|l| !l.is_empty()) {
        out.property("LOCATION", &escape_text(location));
    }
    if let Some(url) = entry.url.as_deref() {
        let url = sanitize_uri(url);
        if !url.is_empty() {
            out.property("URL", &url);
        }
    }
    if let Some(organizer) = &entry.organizer {
        out.property(
            &format!("ORGANIZER;CN={}", quote_param(&organizer.name)),
            &mailto(&organizer.email),
        );
    }
    for attendee in &entry.attendees {
        let params = format!(
            "ATTENDEE;CN={};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE",
            quote_param(&attendee.name)
        );
        out.property(&params, &mailto(&attendee.email));
    }
    let cancelled = method == Method::Cancel || entry.status == EventStatus::Cancelled;
    out.property("STATUS", if cancelled { "CANCELLED" } else { "CONFIRMED" });
    out.line("END:VEVENT");
}

fn utc_stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

fn mailto(email: &str) -> String {
    format!("mailto:{}", sanitize_uri(email))
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): `\` `;` `,` are backslash-escaped, a line break
/// (CRLF, LF or a lone CR) becomes `\n`, and other control characters except TAB are dropped
/// — a raw CR or LF would otherwise end the property and start a new one.
pub fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\r' => {
                // CRLF is one line break; a lone CR counts as one too.
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                escaped.push_str("\\n");
            }
            '\n' => escaped.push_str("\\n"),
            '\t' => escaped.push('\t'),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
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

/// Accumulates content lines, folding each at 75 octets and ending it with CRLF.
#[derive(Default)]
struct ContentLines {
    out: String,
}

impl ContentLines {
    fn line(&mut self, line: &str) {
        fold_into(&mut self.out, line);
        self.out.push_str("\r\n");
    }

    fn property(&mut self, name_and_params: &str, value: &str) {
        self.line(&format!("{name_and_params}:{value}"));
    }

    fn finish(self) -> String {
        self.out
    }
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
        let (_, list) = instants
            .entry(entry.timezone.name())
            .or_insert_with(|| (entry.timezone, Vec::new()));
        list.extend([entry.starts_at, entry.ends_at]);
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

fn write_vtimezone(out: &mut ContentLines, name: &str, rule: &ZoneRule) {
    out.line("BEGIN:VTIMEZONE");
    out.property("TZID", name);
    out.property("X-LIC-LOCATION", name);
    match rule {
        ZoneRule::Fixed { offset, abbreviation } => {
            out.line("BEGIN:STANDARD");
            out.property("TZOFFSETFROM", &utc_offset(*offset));
            out.property("TZOFFSETTO", &utc_offset(*offset));
            if !abbreviation.is_empty() {
                out.property("TZNAME", &escape_text(abbreviation));
            }
            out.property("DTSTART", "19700101T000000");
            out.line("END:STANDARD");
        }
        ZoneRule::EuropeanSummerTime {
            standard,
            standard_abbreviation,
            daylight_abbreviation,
        } => {
            let daylight = standard + 3600;
            // DTSTART is the local wall-clock time *before* each switch at 01:00 UTC.
            let wall = |offset: i32, month: u32| {
                let date = last_sunday(1970, month).unwrap_or_default();
                let at = date.and_hms_opt(1, 0, 0).unwrap_or_default() + Duration::seconds(i64::from(offset));
                at.format("%Y%m%dT%H%M%S").to_string()
            };
            out.line("BEGIN:DAYLIGHT");
            out.property("TZOFFSETFROM", &utc_offset(*standard));
            out.property("TZOFFSETTO", &utc_offset(daylight));
            if !daylight_abbreviation.is_empty() {
                out.property("TZNAME", &escape_text(daylight_abbreviation));
            }
            out.property("DTSTART", &wall(*standard, 3));
            out.property("RRULE", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU");
            out.line("END:DAYLIGHT");
            out.line("BEGIN:STANDARD");
            out.property("TZOFFSETFROM", &utc_offset(daylight));
            out.property("TZOFFSETTO", &utc_offset(*standard));
            if !standard_abbreviation.is_empty() {
                out.property("TZNAME", &escape_text(standard_abbreviation));
            }
            out.property("DTSTART", &wall(daylight, 10));
            out.property("RRULE", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU");
            out.line("END:STANDARD");
        }
    }
    out.line("END:VTIMEZONE");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Paris;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("test literal")
            .with_timezone(&Utc)
    }

    fn entry(title: &str) -> EventEntry {
        EventEntry {
            uid: "event-1@matinale".into(),
            sequence: 0,
            dtstamp: utc("2026-10-01T12:00:00Z"),
            starts_at: utc("2026-11-25T08:00:00Z"),
            ends_at: utc("2026-11-25T11:30:00Z"),
            timezone: Paris,
            title: title.into(),
            description: String::new(),
            location: None,
            url: None,
            organizer: None,
            attendees: vec![],
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
        e.timezone = chrono_tz::America::New_York;
        let ics = render_calendar(Method::Publish, &[e], "x");
        assert!(!ics.contains("VTIMEZONE"));
        assert!(ics.contains("DTSTART:20261125T080000Z\r\n"));
    }

    #[test]
    fn zones_without_summer_time_get_a_single_standard_rule() {
        let mut e = entry("La Réunion");
        e.timezone = chrono_tz::Indian::Reunion;
        let ics = render_calendar(Method::Publish, &[e], "x");
        assert!(ics.contains("TZID:Indian/Reunion\r\n"));
        assert!(ics.contains("TZOFFSETTO:+0400\r\n"));
        assert!(ics.contains("DTSTART;TZID=Indian/Reunion:20261125T120000\r\n"));
        assert!(!ics.contains("DAYLIGHT"));
    }

    #[test]
    fn paris_vtimezone_switches_at_2_and_3_local_time() {
        let ics = render_calendar(Method::Publish, &[entry("t")], "x");
        assert!(ics.contains(
            "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\n"
        ));
        assert!(ics.contains(
            "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\n"
        ));
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
        e.organizer = Some(Contact {
            name: "Ville \"Vitry\"; achats:\r\nX".into(),
            email: "achats@vitry.fr\r\nATTENDEE:mailto:x".into(),
        });
        let ics = render_calendar(Method::Request, &[e], "x").replace("\r\n ", "");
        assert!(ics.contains("ORGANIZER;CN=\"Ville 'Vitry'; achats:X\":mailto:achats@vitry.frATTENDEE:mailto:x\r\n"));
        assert!(!ics.contains("\r\nATTENDEE"));
    }
}
