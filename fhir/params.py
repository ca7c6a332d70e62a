"""Search parameters as the FHIR specification writes them, parsed into plain values.

Every value a client sends is checked here before any query runs: a malformed date or prefix,
an id that is not a number, ``_count`` outside 1-200, a parameter given twice with different
values where the element holds one value: each is a ``FhirError`` 400 naming the parameter.
"""

import datetime
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from fhir.errors import bad_request

COUNT_DEFAULT = 50
COUNT_MAX = 200
OFFSET_MAX = 1_000_000
# An id in a URL or a reference: our rows' ids are positive integers that fit a bigint.
ID_MAX = 2**63 - 1
CONTROL = {"_count", "_offset", "_format", "_pretty", "_elements", "_summary"}
JSON_FORMATS = {"json", "application/json", "application/fhir+json"}

DATE_PATTERN = re.compile(
    r"^(?P<year>\d{4})(-(?P<month>\d{2})(-(?P<day>\d{2})"
    r"(T(?P<hour>\d{2}):(?P<minute>\d{2})(:(?P<second>\d{2})(?P<fraction>\.\d{1,9})?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)
PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le")
UNSUPPORTED_PREFIXES = ("sa", "eb", "ap")


def parse_int_id(text: str) -> int | None:
    """A row id from the text of an id, or None when it cannot be one of ours."""
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= ID_MAX else None


@dataclass(frozen=True)
class DateBound:
    """One date search value: its prefix and the moments its precision covers, [lo, hi)."""

    prefix: str
    lo: datetime.datetime
    hi: datetime.datetime


def _add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    month = moment.month - 1 + months
    return moment.replace(year=moment.year + month // 12, month=month % 12 + 1)


def parse_date(name: str, raw: str, tz: ZoneInfo) -> DateBound:
    """``[prefix]YYYY[-MM[-DD[Thh:mm[:ss[.f]]±hh:mm]]]``; a date without a time is a day of
    the clinic's calendar (``tz``)."""
    prefix, text = "eq", raw
    if raw[:2] in PREFIXES:
        prefix, text = raw[:2], raw[2:]
    elif raw[:2] in UNSUPPORTED_PREFIXES:
        raise bad_request(
            f"{name}: the prefix {raw[:2]!r} is not supported; use eq, ne, gt, lt, ge or le.",
            code="not-supported",
        )
    # A "+" of an offset that reached us unencoded was read as a space.
    text = re.sub(r" (\d{2}:\d{2})$", r"+\1", text)
    match = DATE_PATTERN.match(text)
    if not match:
        raise bad_request(
            f"{name}: {raw!r} is not a FHIR date or dateTime, such as 2026-12-07 or "
            "ge2026-12-07T09:00:00-05:00."
        )
    parts = match.groupdict()
    if parts["hour"] is not None and parts["tz"] is None:
        raise bad_request(
            f"{name}: {raw!r} has a time but no time zone; add one, such as Z or -05:00."
        )
    try:
        return _bounds(prefix, parts, tz)
    except (ValueError, OverflowError) as error:
        raise bad_request(f"{name}: {raw!r} is not a valid date ({error}).") from None


def _bounds(prefix: str, parts: dict, tz: ZoneInfo) -> DateBound:
    year = int(parts["year"])
    if parts["month"] is None:
        lo = datetime.datetime(year, 1, 1, tzinfo=tz)
        return DateBound(prefix, lo, lo.replace(year=year + 1))
    month = int(parts["month"])
    if parts["day"] is None:
        lo = datetime.datetime(year, month, 1, tzinfo=tz)
        return DateBound(prefix, lo, _add_months(lo, 1))
    day = datetime.date(year, month, int(parts["day"]))
    if parts["hour"] is None:
        lo = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
        next_day = datetime.datetime.combine(
            day + datetime.timedelta(days=1), datetime.time(), tzinfo=tz
        )
        return DateBound(prefix, lo, next_day)
    offset = datetime.UTC
    if parts["tz"] != "Z":
        sign = -1 if parts["tz"][0] == "-" else 1
        hours, minutes = int(parts["tz"][1:3]), int(parts["tz"][4:6])
        if hours > 14 or minutes > 59:
            raise ValueError("the time zone offset is out of range")
        offset = datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))
    second = int(parts["second"] or 0)
    fraction = parts["fraction"] or ""
    lo = datetime.datetime(
        year, month, day.day, int(parts["hour"]), int(parts["minute"]), second, tzinfo=offset
    )
    step = (
        datetime.timedelta(minutes=1) if parts["second"] is None else datetime.timedelta(seconds=1)
    )
    if fraction:
        micro = int((fraction[1:] + "000000")[:6])
        lo = lo.replace(microsecond=micro)
        step = datetime.timedelta(microseconds=1)
    return DateBound(prefix, lo.astimezone(datetime.UTC), (lo + step).astimezone(datetime.UTC))


def date_range(bounds) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """The span every value of ``bounds`` allows together, [lower, upper); None: unbounded
    (``ne`` values set no bound)."""
    lower = [
        b.lo if b.prefix in ("ge", "eq") else b.hi for b in bounds if b.prefix in ("ge", "gt", "eq")
    ]
    upper = [
        b.hi if b.prefix in ("le", "eq") else b.lo for b in bounds if b.prefix in ("le", "lt", "eq")
    ]
    return (max(lower) if lower else None, min(upper) if upper else None)


def check_date_bounds(name: str, bounds: list[DateBound]) -> None:
    """Repeated date values are all applied (a range is ``ge...&le...``); values that no
    moment satisfies together are a contradiction, refused rather than answered empty."""
    lower, upper = date_range(bounds)
    if lower is not None and upper is not None and lower >= upper:
        raise bad_request(
            f"{name} is given more than once and its values contradict each other: no moment "
            "satisfies all of them."
        )


@dataclass(frozen=True)
class Token:
    """A token value: ``code`` or ``system|code`` (``|code``: no system)."""

    system: str | None
    code: str


def parse_tokens(name: str, raw: str) -> list[Token]:
    tokens = []
    for part in raw.split(","):
        system, bar, code = part.rpartition("|")
        if not code:
            raise bad_request(f"{name}: {raw!r} has an empty value.")
        tokens.append(Token(system if bar else None, code))
    return tokens


@dataclass(frozen=True)
class Ref:
    """A reference value: ``Type/id``, an absolute URL ending so, or a bare id."""

    resource_type: str | None
    id: str


def parse_references(name: str, raw: str) -> list[Ref]:
    refs = []
    for part in raw.split(","):
        pieces = part.rstrip("/").split("/")
        if len(pieces) >= 2 and pieces[-2]:
            refs.append(Ref(pieces[-2], pieces[-1]))
        elif pieces[-1]:
            refs.append(Ref(None, pieces[-1]))
        else:
            raise bad_request(f"{name}: {raw!r} is not a reference such as Patient/12.")
    return refs


def parse_bool(name: str, raw: str) -> bool:
    if raw not in ("true", "false"):
        raise bad_request(f"{name}: {raw!r} must be true or false.")
    return raw == "true"


def parse_count(values: list[str]) -> int:
    return _single_int("_count", values, COUNT_DEFAULT, 1, COUNT_MAX)


def parse_offset(values: list[str]) -> int:
    return _single_int("_offset", values, 0, 0, OFFSET_MAX)


def _single_int(name: str, values: list[str], default: int, low: int, high: int) -> int:
    if not values:
        return default
    if len(set(values)) > 1:
        raise bad_request(f"{name} is given more than once with different values.")
    text = values[0]
    if not text.isascii() or not text.isdigit() or len(text) > 9 or not low <= int(text) <= high:
        raise bad_request(f"{name} must be a whole number from {low} to {high}; it was {text!r}.")
    return int(text)


@dataclass
class Query:
    """A search, checked: the parameters the resource knows, with their raw values in order;
    what a next page's link repeats."""

    values: dict[str, list[str]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    count: int = COUNT_DEFAULT
    offset: int = 0
