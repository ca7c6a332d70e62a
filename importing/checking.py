"""Checking an import file row by row, as it streams: every bad row with its line number and
why. The same checker runs again while importing, so the import skips exactly the rows the
check reported. It keeps one patient's row keys and one entry per patient seen; never the rows.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from importing.format import (
    APPOINTMENT,
    AUTHORIZATION,
    AUTHORIZATION_COLUMNS,
    KINDS,
    MAX_ID,
    MAX_NAME,
    OVERRIDE_COLUMN,
    HeaderError,
    Row,
    columns_named,
    import_key,
    parse_date,
    read_header,
)
from importing.handlers import HANDLERS, CleanContext, kind_of
from importing.reader import FatalFileError, read_records

# The report keeps this many bad rows (all are counted).
ERRORS_KEPT = 200
# Without --skip-invalid nothing will be written once a row is bad: stop reading at this many.
MAX_ERRORS = 1000
# A file whose first rows are all bad is not an import file: stop there, whatever the options.
GARBAGE_ROWS = 1000


@dataclass
class Lookups:
    """The clinic's names a row may use, loaded once: service types that may take records
    (active, or with a default case), appointment types, and staff by e-mail."""

    service_types: dict[str, tuple[int, str]]
    inactive_service_types: set[str]
    authors: dict[str, int]
    clean: CleanContext


@dataclass
class Report:
    rows: int = 0
    valid_rows: int = 0
    error_count: int = 0
    errors: list = field(default_factory=list)
    fatal: str = ""
    stopped_early: str = ""
    patients: int = 0
    per_kind: Counter = field(default_factory=Counter)
    service_type_ids: set = field(default_factory=set)
    sha256: str = ""
    size: int = 0

    @property
    def ok(self) -> bool:
        return not self.fatal and not self.error_count

    def add_error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append([line, message])

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "valid_rows": self.valid_rows,
            "bad_rows": self.error_count,
            "patients": self.patients,
            "per_kind": dict(self.per_kind),
            "stopped_early": self.stopped_early,
        }


class RowChecker:
    """Checks one row at a time, in file order. A patient's rows must come together (the whole
    patient is then written in one transaction); a second row saying the same as an earlier row
    of the patient is a duplicate."""

    def __init__(self, lookups: Lookups):
        self.lookups = lookups
        self.columns: list[str] = []
        self.current: str | None = None
        self.identity: tuple | None = None
        self.identity_line = 0
        self.keys: dict[str, int] = {}
        self.last_line = 0
        # patient id -> the last line of their rows, once other patients' rows follow
        self.finished: dict[str, int] = {}

    def header(self, fields: list[str]) -> None:
        self.columns = read_header(fields)

    def check(self, line: int, fields: list[str]) -> Row | list[str]:
        if len(fields) != len(self.columns):
            return [f"{len(fields)} values, but the header has {len(self.columns)} columns."]
        raw = dict(zip(self.columns, fields, strict=True))
        errors: list[str] = []
        lookups = self.lookups
        patient_id, names, born = self._patient(raw, errors)
        service = self._service_type(raw["service_type"].strip(), errors)
        kind = kind_of(raw["kind"])
        handler = HANDLERS.get(kind)
        if handler is None:
            errors.append(f"kind “{raw['kind'][:40]}” must be one of: {', '.join(KINDS)}.")
        day = parse_date(raw["date"], "date", errors)
        author_id = self._author(raw["author_email"].strip(), errors)
        values = handler.clean(raw, day, lookups.clean, errors) if handler else {}
        if kind != AUTHORIZATION:
            used = [name for name in AUTHORIZATION_COLUMNS if raw.get(name, "").strip()]
            if used:
                errors.append(f"only authorizations use {columns_named(used)}.")
        if kind != APPOINTMENT and raw.get(OVERRIDE_COLUMN, "").strip():
            errors.append(f"only appointments use the column {OVERRIDE_COLUMN}.")
        key = import_key(raw)
        if patient_id:
            errors.extend(self._patient_rows(line, patient_id, names, born, key))
        self.last_line = line
        if errors:
            return errors
        return Row(
            line=line,
            patient_id=patient_id,
            first_name=names["first_name"],
            last_name=names["last_name"],
            date_of_birth=born,
            service_type_id=service[0],
            service_type_name=service[1],
            kind=kind,
            date=day,
            author_id=author_id,
            key=key,
            values=values,
        )

    def _patient(self, raw: dict, errors: list[str]) -> tuple[str, dict, object]:
        """The patient's id, names and date of birth."""
        patient_id = raw["patient_id"].strip()
        if not patient_id:
            errors.append("patient_id is missing.")
        elif len(patient_id) > MAX_ID:
            errors.append(f"patient_id is longer than {MAX_ID} characters.")
        names = {}
        for column in ("first_name", "last_name"):
            names[column] = raw[column].strip()
            if not names[column]:
                errors.append(f"{column} is missing.")
            elif len(names[column]) > MAX_NAME:
                errors.append(f"{column} is longer than {MAX_NAME} characters.")
        born = parse_date(raw["date_of_birth"], "date_of_birth", errors)
        if born is not None and born > self.lookups.clean.today:
            errors.append("date_of_birth is in the future.")
        return patient_id, names, born

    def _service_type(self, service_name: str, errors: list[str]) -> tuple[int, str] | None:
        service = self.lookups.service_types.get(service_name.lower())
        if not service_name:
            errors.append("service_type is missing.")
        elif service is None:
            if service_name.lower() in self.lookups.inactive_service_types:
                errors.append(
                    f"service_type “{service_name[:MAX_NAME]}” is inactive and has no default case."
                )
            else:
                errors.append(
                    f"service_type “{service_name[:MAX_NAME]}” is not one of the clinic's "
                    "service types."
                )
        return service

    def _author(self, email: str, errors: list[str]) -> int | None:
        author_id = self.lookups.authors.get(email.lower())
        if not email:
            errors.append("author_email is missing.")
        elif author_id is None:
            errors.append(f"author_email “{email[:100]}” is not a user of this clinic.")
        return author_id

    def _patient_rows(self, line, patient_id, names, born, key) -> list[str]:
        if patient_id != self.current:
            if patient_id in self.finished:
                return [
                    f"the rows of patient {patient_id[:MAX_ID]} must come together: they were "
                    f"already listed (last on line {self.finished[patient_id]}), then other "
                    "patients'. Sort the file by patient_id."
                ]
            if self.current is not None:
                self.finished[self.current] = self.last_line
            self.current, self.identity, self.keys = patient_id, None, {}
        errors = []
        identity = (names["first_name"], names["last_name"], born)
        if all(identity):
            if self.identity is None:
                self.identity, self.identity_line = identity, line
            elif identity != self.identity:
                errors.append(
                    f"the name or date of birth of patient {patient_id[:MAX_ID]} differs from "
                    f"line {self.identity_line}."
                )
        if key in self.keys:
            errors.append(f"duplicate of line {self.keys[key]}.")
        else:
            self.keys[key] = line
        return errors


def checked_rows(
    binary,
    lookups: Lookups,
    report: Report,
    *,
    skip_invalid: bool,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[Row]:
    """The file's valid rows, in order; every bad row goes to ``report``. Stops (``report.fatal``
    or ``report.stopped_early`` set) where reading on would be pointless."""
    digest = hashlib.sha256()

    def count(data: bytes) -> None:
        digest.update(data)
        report.size += len(data)
        if on_bytes:
            on_bytes(len(data))

    checker = RowChecker(lookups)
    header_seen = False
    patients_seen = None
    try:
        for record in read_records(binary, on_bytes=count):
            if not header_seen:
                header_seen = True
                try:
                    checker.header(record.fields)
                except HeaderError as error:
                    raise FatalFileError(record.line, str(error)) from error
                continue
            report.rows += 1
            result = checker.check(record.line, record.fields)
            if isinstance(result, list):
                report.add_error(record.line, " ".join(result))
                stop = _stop_reason(report, record.line, skip_invalid)
                if stop:
                    report.stopped_early = stop
                    return
                continue
            report.valid_rows += 1
            report.per_kind[result.kind] += 1
            report.service_type_ids.add(result.service_type_id)
            if result.patient_id != patients_seen:
                patients_seen = result.patient_id
                report.patients += 1
            yield result
    except FatalFileError as error:
        report.fatal = str(error)
        return
    if not header_seen:
        report.fatal = "The file is empty."
    elif not report.rows:
        report.fatal = "The file has a header but no records."
    report.sha256 = digest.hexdigest()


def _stop_reason(report: Report, line: int, skip_invalid: bool) -> str:
    """Why reading on after this bad row would be pointless, or "" to read on."""
    if report.error_count >= GARBAGE_ROWS and not report.valid_rows:
        return (
            f"Stopped reading at line {line}: none of the first "
            f"{report.error_count:,} rows could be read. This does not look like an "
            "import file."
        )
    if report.error_count >= MAX_ERRORS and not skip_invalid:
        return (
            f"Stopped reading at line {line} after {report.error_count:,} bad "
            "rows: correct these first."
        )
    return ""


def patient_groups(rows: Iterator[Row]) -> Iterator[list[Row]]:
    """Consecutive rows of one patient, as lists (the checker made sure they come together)."""
    group: list[Row] = []
    for row in rows:
        if group and row.patient_id != group[0].patient_id:
            yield group
            group = []
        group.append(row)
    if group:
        yield group
