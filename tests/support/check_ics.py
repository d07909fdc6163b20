#!/usr/bin/env python3
"""Parse an iCalendar document from stdin with an independent parser (the `icalendar`
package) and print what it understood as JSON, so that Rust tests can compare fields.

Output: {"components": [{"name": "VEVENT", "properties": [{"name", "params", "value"}],
         "vtimezone_mismatches": N (VTIMEZONE only)}], "problems": []}
Exit status: 0 when parsed and no structural problem was found, 1 otherwise, 2 when the
`icalendar` package is missing (the message says how to install it).

Besides parsing, it checks what a lenient parser would forgive: CRLF line endings, at most
75 octets per physical line, valid UTF-8, and, for every VTIMEZONE, that the zone its rules
describe gives the same UTC offsets as the tz database around every summer-time switch from
2024 to 2036.
"""

import json
import re
import sys
from datetime import date, datetime, timedelta, timezone

try:
    import icalendar
except ImportError:
    print("check_ics.py: the Python package `icalendar` is missing: "
          "python3 -m pip install icalendar", file=sys.stderr)
    sys.exit(2)

try:
    from zoneinfo import ZoneInfo
except ImportError:  # Python < 3.9
    ZoneInfo = None


def line_problems(raw: bytes):
    problems = []
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.append(f"not UTF-8: {error}")
    if not raw.endswith(b"\r\n"):
        problems.append("does not end with CRLF")
    lines = raw.split(b"\r\n")
    for number, line in enumerate(lines, start=1):
        if b"\n" in line or b"\r" in line:
            problems.append(f"line {number}: bare CR or LF")
        if len(line) > 75:
            problems.append(f"line {number}: {len(line)} octets (more than 75)")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"line {number}: folded inside a UTF-8 character")
    return problems


def plain(value):
    """A JSON-friendly rendering of a decoded property value."""
    if hasattr(value, "dt"):
        dt = value.dt
        if isinstance(dt, datetime):
            tzname = None
            if dt.tzinfo is not None:
                tzname = getattr(dt.tzinfo, "key", None) or getattr(dt.tzinfo, "zone", None) or str(dt.tzinfo)
            return {"datetime": dt.isoformat(), "tz": tzname,
                    "utc": dt.astimezone(timezone.utc).isoformat() if dt.tzinfo else None}
        if isinstance(dt, date):
            return {"date": dt.isoformat()}
        if isinstance(dt, timedelta):
            return {"duration_seconds": dt.total_seconds()}
        return str(dt)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if hasattr(value, "to_ical") and not isinstance(value, str):
        ical = value.to_ical()
        return ical.decode("utf-8") if isinstance(ical, bytes) else str(ical)
    return str(value)


def unescape_text(raw):
    """TEXT unescaping of RFC 5545 section 3.3.11, for properties icalendar keeps raw."""
    return re.sub(r"\\([\\;,nN])",
                  lambda m: "\n" if m.group(1) in "nN" else m.group(1), raw)


def properties(component):
    out = []
    for name, value in component.property_items(recursive=False):
        if name in ("BEGIN", "END"):
            continue
        params = dict(getattr(value, "params", {}) or {})
        decoded = plain(value)
        if name.startswith("X-WR-") and type(value).__name__ == "vUnknown":
            # Extension properties are kept raw by icalendar; X-WR-* are TEXT by convention.
            decoded = unescape_text(str(value))
        out.append({"name": name, "params": {k: str(v) for k, v in params.items()},
                    "value": decoded})
    return out


def instants_to_check():
    """Every 30 minutes over the three days around each last Sunday of March and October
    (where summer time switches) from 2024 to 2036, and noon on the 1st of every month."""
    for year in range(2024, 2037):
        for month in range(1, 13):
            yield datetime(year, month, 1, 12, tzinfo=timezone.utc)
        for month in (3, 10):
            last = date(year, month, 31)
            last -= timedelta(days=(last.weekday() + 1) % 7)
            at = datetime(last.year, last.month, last.day, tzinfo=timezone.utc) - timedelta(days=1)
            for _ in range(3 * 24 * 2):
                yield at
                at += timedelta(minutes=30)


def vtimezone_mismatches(component):
    """Offsets given by the VTIMEZONE's own rules against the tz database."""
    tzid = str(component.get("TZID"))
    if ZoneInfo is None:
        return None
    reference = ZoneInfo(tzid)
    try:
        described = component.to_tz(lookup_tzid=False)
    except TypeError:  # icalendar < 6 always builds the zone from the component
        described = component.to_tz()
    return sum(1 for at in instants_to_check()
               if at.astimezone(described).utcoffset() != at.astimezone(reference).utcoffset())


def main():
    raw = sys.stdin.buffer.read()
    problems = line_problems(raw)
    try:
        calendar = icalendar.Calendar.from_ical(raw)
    except Exception as error:  # the parser's own complaint is the answer
        print(json.dumps({"components": [], "problems": [f"parse error: {error}"]}))
        return 1
    components = []
    for component in calendar.walk():
        entry = {"name": component.name, "properties": properties(component)}
        for error in getattr(component, "errors", []) or []:
            problems.append(f"{component.name}: {error}")
        if component.name == "VTIMEZONE":
            entry["vtimezone_mismatches"] = vtimezone_mismatches(component)
            if entry["vtimezone_mismatches"]:
                problems.append(f"VTIMEZONE {component.get('TZID')}: "
                                f"{entry['vtimezone_mismatches']} offsets differ from tzdata")
        components.append(entry)
    print(json.dumps({"components": components, "problems": problems}, ensure_ascii=False))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
