"""The import file's columns and how one row's values are read: pure functions, no ORM.

docs/import-format.md describes the same format for people; keep the two together.
"""

import datetime
import functools
import hashlib
import re
from dataclasses import dataclass, field

from django.utils.translation import ngettext

REQUIRED_COLUMNS = (
    "patient_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "service_type",
    "kind",
    "date",
    "author_email",
)
OPTIONAL_COLUMNS = (
    "record_id",
    "subtype",
    "end_date",
    "start_time",
    "duration_minutes",
    "appointment_type",
    "text",
    "subjective",
    "objective",
    "assessment",
    "plan",
    "recommendations",
    "status",
    "signed",
    "signed_at",
    "location",
    "payer",
    "authorization_number",
    "quantity",
    "unit",
    "authorization_override",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# Only authorization rows use these (issue 21).
AUTHORIZATION_COLUMNS = ("payer", "authorization_number", "quantity", "unit")
# Only a future appointment uses this: why it is booked over or outside the chart case's
# authorizations (issue 21), as the + Appointment form's "Book over the authorization because".
OVERRIDE_COLUMN = "authorization_override"
# The columns whose values make a row without a ``record_id`` the same record on a second run,
# as they were before ``location`` came (which joins the key only when given), so that a file
# imported then is still recognised. The override reason is no part of what the visit is.
KEY_COLUMNS = tuple(
    name
    for name in COLUMNS
    if name
    not in (
        "first_name",
        "last_name",
        "date_of_birth",
        "location",
        OVERRIDE_COLUMN,
        *AUTHORIZATION_COLUMNS,
    )
)

GOAL = "goal"
DAILY_NOTE = "daily_note"
EVALUATION = "evaluation"
REMINDER = "reminder"
APPOINTMENT = "appointment"
AUTHORIZATION = "authorization"
# In the order a chunk is written: authorizations before the visits they count.
KINDS = (GOAL, DAILY_NOTE, EVALUATION, REMINDER, AUTHORIZATION, APPOINTMENT)
KIND_LABELS = {
    GOAL: "goals",
    DAILY_NOTE: "daily notes",
    EVALUATION: "evaluations",
    REMINDER: "reminders",
    APPOINTMENT: "appointments",
    AUTHORIZATION: "authorizations",
}

MAX_NAME = 100
MAX_ID = 100
MAX_TEXT = 20_000
YES = {"yes", "y", "true", "1", "signed"}
NO = {"", "no", "n", "false", "0", "unsigned"}


class HeaderError(Exception):
    pass


def columns_named(names: list[str]) -> str:
    """The columns, for a message about them: "the column text", "the columns text, date"."""
    return f"{ngettext('the column', 'the columns', len(names))} {', '.join(names)}"


@functools.lru_cache(maxsize=1024)
def column_name(text: str) -> str:
    """``Date of birth`` and ``date_of_birth`` name the same column."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower().replace("e-mail", "email"))


def read_header(fields: list[str]) -> list[str]:
    """The header's column names, or ``HeaderError`` saying what is missing or unknown."""
    names = [column_name(value) for value in fields]
    problems = []
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        problems.append("missing columns: " + ", ".join(missing))
    unknown = [name or "(empty)" for name in names if name not in COLUMNS]
    if unknown:
        problems.append("unknown columns: " + ", ".join(unknown[:10]))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        problems.append("columns given twice: " + ", ".join(repeated))
    if problems:
        raise HeaderError(
            "; ".join(problems) + " (the columns are listed in docs/import-format.md)."
        )
    return names


def kind_name(text: str) -> str:
    return column_name(text)


def parse_date(value: str, label: str, errors: list[str]) -> datetime.date | None:
    """A date as YYYY-MM-DD (or MM/DD/YYYY); says whether it is malformed or impossible."""
    value = value.strip()
    if not value:
        errors.append(f"{label} is missing.")
        return None
    if len(value) == 10 and value[4] == "-":
        try:
            return datetime.date.fromisoformat(value)  # the usual case, fast
        except ValueError:
            pass  # said precisely below
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    us = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif us:
        month, day, year = (int(part) for part in us.groups())
    else:
        errors.append(f"{label} “{value[:40]}” is not a date: write YYYY-MM-DD.")
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        errors.append(f"{label} “{value}” is not a real date.")
        return None


def parse_optional_date(value: str, label: str, errors: list[str]) -> datetime.date | None:
    return parse_date(value, label, errors) if value.strip() else None


def parse_time(value: str, label: str, errors: list[str]) -> datetime.time | None:
    value = value.strip()
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    if not value:
        errors.append(f"{label} is missing.")
        return None
    if not match:
        errors.append(f"{label} “{value[:20]}” is not a time: write HH:MM (24-hour).")
        return None
    try:
        return datetime.time(int(match[1]), int(match[2]))
    except ValueError:
        errors.append(f"{label} “{value}” is not a real time.")
        return None


def parse_datetime(value: str, label: str, errors: list[str]) -> datetime.datetime | None:
    """``YYYY-MM-DD HH:MM`` (or ISO with ``T``), naive: the clinic's wall clock."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        errors.append(f"{label} “{value[:40]}” is not a date and time: write YYYY-MM-DD HH:MM.")
        return None
    return moment


def parse_signed(value: str, errors: list[str]) -> bool:
    value = value.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    errors.append(f"signed “{value[:20]}” must be yes or no.")
    return False


def parse_choice(value: str, choices: dict[str, str], default: str, label: str, errors) -> str:
    value = column_name(value)
    if not value:
        return default
    if value in choices:
        return choices[value]
    errors.append(f"{label} “{value[:30]}” must be one of: {', '.join(sorted(set(choices)))}.")
    return default


def text_field(value: str, label: str, errors: list[str], *, limit: int = MAX_TEXT) -> str:
    """Kept exactly as written (a cell such as ``=HYPERLINK(...)`` is text, never a formula),
    only trimmed at the ends."""
    value = value.strip()
    if len(value) > limit:
        errors.append(f"{label} is longer than {limit:,} characters.")
    return value


@dataclass
class Row:
    """One valid row: who, which service, which kind, and the kind's own values."""

    line: int
    patient_id: str
    first_name: str
    last_name: str
    date_of_birth: datetime.date
    service_type_id: int
    service_type_name: str
    kind: str
    date: datetime.date
    author_id: int
    key: str
    values: dict = field(default_factory=dict)


def import_key(raw: dict[str, str]) -> str:
    """What makes a row the same record on a second run: its ``record_id`` when the file has
    one, otherwise everything it says. Hashed to 64 characters whatever the input."""
    record_id = raw.get("record_id", "").strip()
    if record_id:
        material = "id\x00" + kind_name(raw.get("kind", "")) + "\x00" + record_id
    else:
        material = "row\x00" + "\x00".join(
            column_name(raw.get(name, ""))
            if name in ("kind", "service_type")
            else raw.get(name, "").strip()
            for name in KEY_COLUMNS
        )
        location = raw.get("location", "").strip().lower()
        if location:
            material += "\x00location\x00" + location
        for name in AUTHORIZATION_COLUMNS:
            if raw.get(name, "").strip():
                material += f"\x00{name}\x00" + raw[name].strip()
    return hashlib.sha256(material.encode("utf-8")).hexdigest()
