//! RFC 5545 output: golden files, and every calendar read back by an independent parser
//! (Python `icalendar`, through `tests/support/check_ics.py`) and compared field by field.

mod common;

use common::{check_ics, matinale, meeting, prop, props, utc};
use matinale_notify::calendar::{render_calendar, EventStatus, Method};
use matinale_notify::templates::EventInfo;
use matinale_notify::Locale;

const INJECTED_TITLE: &str = "Matinale, achats; réemploi \\ ESS\r\nATTENDEE:mailto:intrus@example.org\r\nX-EVIL:1";

fn dtstamp() -> chrono::DateTime<chrono::Utc> {
    utc("2026-10-01T08:30:00Z")
}

/// `event` alone in a calendar sent with `method`, created at [`dtstamp`].
fn event_calendar(method: Method, event: &EventInfo, calname: &str) -> String {
    render_calendar(
        method,
        &[event.to_event_entry(dtstamp(), EventStatus::Confirmed)],
        calname,
    )
}

fn golden(ics: &str) -> String {
    // Snapshots are stored with LF; CRLF itself is asserted by check_ics.py on every line.
    ics.replace("\r\n", "\n")
}

#[test]
fn an_event_ics_is_golden_and_reads_back_field_by_field() {
    let event = matinale();
    let ics = event_calendar(Method::Publish, &event, &event.title);
    insta::assert_snapshot!("event_publish_ics", golden(&ics));

    let Some(parsed) = check_ics(&ics) else {
        return;
    };
    let calendar = parsed.component("VCALENDAR");
    assert_eq!(prop(calendar, "METHOD")["value"], "PUBLISH");
    assert_eq!(prop(calendar, "VERSION")["value"], "2.0");
    assert_eq!(prop(calendar, "X-WR-CALNAME")["value"], event.title.as_str());
    assert_eq!(parsed.component("VTIMEZONE")["vtimezone_mismatches"], 0);

    let vevent = parsed.component("VEVENT");
    assert_eq!(prop(vevent, "UID")["value"], event.uid.as_str());
    assert_eq!(prop(vevent, "SEQUENCE")["value"], 0);
    let dtstart = prop(vevent, "DTSTART");
    assert_eq!(dtstart["params"]["TZID"], "Europe/Paris");
    assert_eq!(dtstart["value"]["datetime"], "2026-11-25T09:00:00+01:00");
    assert_eq!(dtstart["value"]["utc"], "2026-11-25T08:00:00+00:00");
    assert_eq!(prop(vevent, "DTEND")["value"]["utc"], "2026-11-25T11:30:00+00:00");
    assert_eq!(prop(vevent, "DTSTAMP")["value"]["utc"], "2026-10-01T08:30:00+00:00");
    assert_eq!(prop(vevent, "SUMMARY")["value"], event.title.as_str());
    assert_eq!(prop(vevent, "DESCRIPTION")["value"], event.description.as_str());
    assert_eq!(
        prop(vevent, "LOCATION")["value"],
        "Hôtel de ville, 2 avenue Youri-Gagarine, 94400 Vitry-sur-Seine"
    );
    assert_eq!(
        prop(vevent, "URL")["value"],
        "https://matinale.example.org/events/0190f3c4"
    );
    let organizer = prop(vevent, "ORGANIZER");
    assert_eq!(organizer["params"]["CN"], "Grand-Orly Seine Bièvre");
    assert_eq!(organizer["value"], "mailto:ess@grandorlyseinebievre.example");
    assert_eq!(prop(vevent, "STATUS")["value"], "CONFIRMED");
}

#[test]
fn a_hostile_title_stays_one_summary_and_creates_no_attendee() {
    let mut event = matinale();
    event.title = INJECTED_TITLE.into();
    event.description = "Ligne 1\nLigne 2\r\nLigne 3; avec, virgules".into();
    let ics = event_calendar(Method::Publish, &event, INJECTED_TITLE);
    assert!(!ics.contains("\r\nATTENDEE"), "a raw ATTENDEE line was written:\n{ics}");
    assert!(!ics.contains("\r\nX-EVIL"));

    let Some(parsed) = check_ics(&ics) else {
        return;
    };
    let vevent = parsed.component("VEVENT");
    assert!(props(vevent, "ATTENDEE").is_empty(), "ATTENDEE appeared: {vevent}");
    assert!(props(vevent, "X-EVIL").is_empty());
    assert!(props(parsed.component("VCALENDAR"), "ATTENDEE").is_empty());
    // Commas, semicolons and the backslash come back intact; CRLF comes back as one "\n".
    let title = "Matinale, achats; réemploi \\ ESS\nATTENDEE:mailto:intrus@example.org\nX-EVIL:1";
    assert_eq!(prop(vevent, "SUMMARY")["value"], title);
    assert_eq!(prop(parsed.component("VCALENDAR"), "X-WR-CALNAME")["value"], title);
    assert_eq!(
        prop(vevent, "DESCRIPTION")["value"],
        "Ligne 1\nLigne 2\nLigne 3; avec, virgules"
    );
}

#[test]
fn long_french_text_is_folded_on_character_boundaries_and_reads_back_whole() {
    let mut event = matinale();
    event.description = "Acheteurs publics et structures de l'économie sociale et solidaire \
        (SIAE, EA, ESAT, SCOP, SCIC) se rencontrent : réemploi, impressions durables, \
        collecte des biodéchets, matériel informatique reconditionné, événementiel \
        responsable — à Vitry-sur-Seine, L'Haÿ-les-Roses, Choisy-le-Roi… 🌱"
        .repeat(3);
    let ics = event_calendar(Method::Publish, &event, "Mois de l'ESS 2026");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line}", line.len());
    }
    let Some(parsed) = check_ics(&ics) else {
        return;
    };
    assert_eq!(
        prop(parsed.component("VEVENT"), "DESCRIPTION")["value"],
        event.description.as_str()
    );
}

#[test]
fn a_meeting_invitation_then_its_cancellation_keep_the_uid_and_raise_the_sequence() {
    let mut invitation = meeting(1, "2026-11-25T10:00:00+01:00", "2026-11-25T10:15:00+01:00", 4);
    let request = render_calendar(
        Method::Request,
        &[invitation.to_event_entry(Locale::Fr, dtstamp())],
        "Matinale",
    );
    insta::assert_snapshot!("meeting_request_ics", golden(&request));

    invitation.sequence += 1;
    invitation.cancelled = true;
    let cancel = render_calendar(
        Method::Cancel,
        &[invitation.to_event_entry(Locale::Fr, utc("2026-11-20T16:00:00Z"))],
        "Matinale",
    );
    insta::assert_snapshot!("meeting_cancel_ics", golden(&cancel));

    let (Some(request), Some(cancel)) = (check_ics(&request), check_ics(&cancel)) else {
        return;
    };
    assert_eq!(prop(request.component("VCALENDAR"), "METHOD")["value"], "REQUEST");
    assert_eq!(prop(cancel.component("VCALENDAR"), "METHOD")["value"], "CANCEL");
    let (before, after) = (request.component("VEVENT"), cancel.component("VEVENT"));
    assert_eq!(prop(before, "UID")["value"], prop(after, "UID")["value"]);
    assert_eq!(prop(before, "SEQUENCE")["value"], 0);
    assert_eq!(prop(after, "SEQUENCE")["value"], 1);
    assert_eq!(prop(before, "STATUS")["value"], "CONFIRMED");
    assert_eq!(prop(after, "STATUS")["value"], "CANCELLED");
    assert_eq!(
        prop(before, "SUMMARY")["value"],
        "Rendez-vous Ville d'Ivry-sur-Seine × Rejoué (table 4)"
    );
    let attendee = prop(before, "ATTENDEE");
    assert_eq!(attendee["value"], "mailto:claire.dubois@ivry.example");
    assert_eq!(attendee["params"]["CN"], "Claire Dubois");
    assert_eq!(
        prop(before, "DTSTART")["value"]["datetime"],
        "2026-11-25T10:00:00+01:00"
    );
}

#[test]
fn an_agenda_across_both_summer_time_switches_gets_the_right_local_times() {
    let entries = [
        // The day before and the day after the spring switch (29 March 2026),
        // and after the autumn one (25 October 2026).
        meeting(1, "2026-03-28T09:00:00+01:00", "2026-03-28T09:15:00+01:00", 1),
        meeting(2, "2026-03-30T09:00:00+02:00", "2026-03-30T09:15:00+02:00", 2),
        meeting(3, "2026-10-26T09:00:00+01:00", "2026-10-26T09:15:00+01:00", 3),
    ]
    .map(|m| m.to_event_entry(Locale::En, dtstamp()));
    let ics = render_calendar(Method::Publish, &entries, "Agenda");
    assert_eq!(ics.matches("BEGIN:VTIMEZONE").count(), 1);

    let Some(parsed) = check_ics(&ics) else {
        return;
    };
    assert_eq!(parsed.component("VTIMEZONE")["vtimezone_mismatches"], 0);
    let starts: Vec<_> = parsed
        .components("VEVENT")
        .iter()
        .map(|e| {
            prop(e, "DTSTART")["value"]["datetime"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(
        starts,
        [
            "2026-03-28T09:00:00+01:00",
            "2026-03-30T09:00:00+02:00",
            "2026-10-26T09:00:00+01:00"
        ]
    );
}

#[test]
fn an_event_outside_known_zone_rules_is_written_in_utc() {
    let mut event = matinale();
    event.span.timezone = chrono_tz::America::New_York;
    let ics = event_calendar(Method::Publish, &event, "x");
    let Some(parsed) = check_ics(&ics) else {
        return;
    };
    assert!(parsed.components("VTIMEZONE").is_empty());
    assert_eq!(
        prop(parsed.component("VEVENT"), "DTSTART")["value"]["utc"],
        "2026-11-25T08:00:00+00:00"
    );
}

#[test]
fn a_cancelled_event_calendar_says_cancel() {
    let mut event = matinale();
    event.sequence = 3;
    let ics = event_calendar(Method::Cancel, &event, &event.title);
    let Some(parsed) = check_ics(&ics) else {
        return;
    };
    assert_eq!(prop(parsed.component("VCALENDAR"), "METHOD")["value"], "CANCEL");
    let vevent = parsed.component("VEVENT");
    assert_eq!(prop(vevent, "STATUS")["value"], "CANCELLED");
    assert_eq!(prop(vevent, "SEQUENCE")["value"], 3);
}
