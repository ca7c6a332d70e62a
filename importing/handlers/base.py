"""What every record kind's handler shares: the contexts a row is checked and written in, the
checks several kinds make, and the bulk-INSERT ``Handler`` most kinds are."""

import datetime
from dataclasses import dataclass, field

from importing.format import Row, columns_named, parse_datetime, parse_signed


@dataclass
class CleanContext:
    """What checking a row needs besides the row: the clinic's today and wall clock, and its
    appointment types by lower-case name."""

    today: datetime.date
    now: datetime.datetime  # naive, the clinic's wall clock
    appointment_types: dict[str, int] = field(default_factory=dict)
    # The clinic's locations by lower-case name (inactive ones too: history may name a
    # location since closed), and the one active location when there is exactly one.
    locations: dict[str, int] = field(default_factory=dict)
    only_location_id: int | None = None
    active_locations: int = 0
    # The clinic's active payers by lower-case name (authorization rows).
    payers: dict[str, int] = field(default_factory=dict)


@dataclass
class Item:
    row: Row
    chart_case_id: int


@dataclass
class WriteContext:
    clinic_id: int
    tzinfo: datetime.tzinfo
    # The user the import runs as (the uploader, or the command's --by).
    actor_id: int | None = None
    # For the rows written through scheduling's services (appointments): the clinic and the
    # actor themselves, and the file's name for their audit entries.
    clinic: object = None
    actor: object = None
    file_name: str = ""


@dataclass
class WriteResult:
    # (item, id of the row written)
    written: list = field(default_factory=list)
    # (item, why): single rows refused while writing (a clash with another appointment),
    # reported with their line number like the check's bad rows
    refused: list = field(default_factory=list)


def _aware(moment: datetime.datetime, tzinfo) -> datetime.datetime:
    return moment.replace(tzinfo=tzinfo)


def _noon(day: datetime.date, tzinfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=tzinfo)


# Only appointments use these.
APPOINTMENT_COLUMNS = ("start_time", "duration_minutes", "appointment_type", "location")


def _unused(raw: dict, names: tuple[str, ...], kind_label: str, errors: list[str]) -> None:
    """A value in a column this kind does not use is refused rather than silently dropped."""
    used = [name for name in names if raw.get(name, "").strip()]
    if used:
        errors.append(f"{kind_label} do not use {columns_named(used)}.")


def _not_in_future(day, label: str, ctx: CleanContext, errors: list[str]) -> None:
    if day is not None and day > ctx.today:
        errors.append(f"{label} {day:%Y-%m-%d} is in the future.")


def _signature(raw: dict, day, ctx: CleanContext, errors: list[str]) -> dict:
    signed = parse_signed(raw.get("signed", ""), errors)
    signed_at = parse_datetime(raw.get("signed_at", ""), "signed_at", errors)
    if signed_at is not None and not signed:
        errors.append("signed_at is given but signed is not yes.")
    if signed_at is not None and signed_at > ctx.now:
        errors.append("signed_at is in the future.")
    if signed_at is not None and day is not None and signed_at.date() < day:
        errors.append("signed_at is before the document's date.")
    return {"signed": signed, "signed_at": signed_at}


class Handler:
    kind = ""
    model = None

    def clean(self, raw: dict, day: datetime.date, ctx: CleanContext, errors: list[str]) -> dict:
        raise NotImplementedError

    def build(self, item: Item, context: WriteContext):
        raise NotImplementedError

    def write(self, items: list[Item], context: WriteContext) -> WriteResult:
        """Bulk insert: one INSERT per kind for a whole chunk of patients."""
        objects = [self.build(item, context) for item in items]
        self.model.objects.bulk_create(objects, batch_size=1000)
        return WriteResult(
            written=[(item, obj.pk) for item, obj in zip(items, objects, strict=True)]
        )
