"""What every resource type of the API is made of: its search parameters, how it reads its
rows through the owning app's querysets, and how a row becomes FHIR JSON."""

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Max, Q

from core.models import AuditEntry
from fhir.errors import bad_request, not_found
from fhir.params import DateBound, Ref, Token, parse_int_id

# Code systems of this product's own codes: ids of rows of a clinic, shown with their names.
SYSTEM_BASE = "urn:fusion-patient-cases:"
SERVICE_TYPE_SYSTEM = f"{SYSTEM_BASE}service-type"
APPOINTMENT_TYPE_SYSTEM = f"{SYSTEM_BASE}appointment-type"
PATIENT_CASE_SYSTEM = f"{SYSTEM_BASE}patient-case"
PATIENT_SYSTEM = f"{SYSTEM_BASE}patient"
STAFF_SYSTEM = f"{SYSTEM_BASE}staff"
ICD10CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"


@dataclass(frozen=True)
class SearchParam:
    """One search parameter: ``apply(state, value, ctx)`` narrows the search state with a
    parsed value (``list[Token]``, ``list[Ref]``, ``list[DateBound]``, ``(modifier,
    [text, ...])`` or ``bool``). ``repeatable``: a repeat narrows further (an element with
    several values); otherwise repeats with different values contradict each other."""

    name: str
    kind: str
    apply: Callable
    doc: str
    targets: tuple[str, ...] = ()
    repeatable: bool = False
    modifiers: tuple[str, ...] = ()


@dataclass
class Context:
    """One request: who asks (``access``), the API's base URL, the clinic's time zone."""

    access: object
    base: str
    cache: dict = field(default_factory=dict)

    @property
    def clinic(self):
        return self.access.clinic

    def url(self, resource_type: str, resource_id) -> str:
        return f"{self.base}{resource_type}/{resource_id}"


def instant(moment: datetime.datetime | None, tz) -> str | None:
    """A FHIR instant/dateTime with its offset, in ``tz`` (the wall clock the clinic reads)."""
    if moment is None:
        return None
    return moment.astimezone(tz).isoformat(timespec="seconds")


def coding(system: str, code, display: str) -> dict:
    return {"system": system, "code": str(code), "display": display}


def concept(system: str, code, display: str) -> dict:
    return {"coding": [coding(system, code, display)], "text": display}


def reference(resource_type: str, pk, display: str | None = None) -> dict:
    ref = {"reference": f"{resource_type}/{pk}"}
    if display:
        ref["display"] = display
    return ref


def content_version(body: dict) -> str:
    """A version for a resource whose row keeps none: a digest of what it says."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def with_meta(body: dict, *, version, last_updated: str | None) -> dict:
    meta = {"versionId": str(version) if version is not None else content_version(body)}
    if last_updated:
        meta["lastUpdated"] = last_updated
    return {"resourceType": body.pop("resourceType"), "id": body.pop("id"), "meta": meta, **body}


def changed_times(ctx, object_type: str | tuple[str, ...], ids) -> dict[tuple[str, str], str]:
    """When each row last changed, from the one audit trail: its newest entry that is not a
    read, ``{(object_type, id): instant}``. One grouped query on the (clinic, object_type,
    object_id, -at) index for a page of rows: as a correlated subquery per row it cost
    PostgreSQL 8 ms of planning for a page of appointments (bench/fhir_api.py)."""
    types = (object_type,) if isinstance(object_type, str) else object_type
    ids = [str(pk) for pk in ids]
    if not ids:
        return {}
    rows = (
        AuditEntry.objects.filter(clinic_id=ctx.clinic.pk, object_type__in=types, object_id__in=ids)
        .exclude(action="access")
        .order_by()
        .values_list("object_type", "object_id")
        .annotate(at=Max("at"))
    )
    return {(kind, pk): at.isoformat(timespec="seconds") for kind, pk, at in rows}


def attach_changed(ctx, object_type: str, rows) -> list:
    """``rows`` (model instances), each with ``changed_at`` from ``changed_times``."""
    rows = list(rows)
    times = changed_times(ctx, object_type, [row.pk for row in rows])
    for row in rows:
        row.changed_at = times.get((object_type, str(row.pk)))
    return rows


def token_codes(name: str, tokens: list[Token], system: str) -> list[str]:
    """The codes of ``tokens`` that may be ours (a token of another system matches nothing)."""
    return [t.code for t in tokens if t.system in (None, system)]


def token_ids(name: str, tokens: list[Token], system: str) -> list[int]:
    ids = []
    for code in token_codes(name, tokens, system):
        value = parse_int_id(code)
        if value is None:
            raise bad_request(f"{name}: {code!r} is not one of our codes (a whole number).")
        ids.append(value)
    return ids


def ref_ids(name: str, refs: list[Ref], resource_type: str) -> list[int]:
    """The ids of ``refs`` to ``resource_type``; a reference to another type is refused."""
    ids = []
    for ref in refs:
        if ref.resource_type not in (None, resource_type):
            raise bad_request(
                f"{name}: a {ref.resource_type} cannot be one; name a {resource_type}."
            )
        value = parse_int_id(ref.id)
        if value is None:
            raise bad_request(f"{name}: {ref.id!r} is not the id of a {resource_type}.")
        ids.append(value)
    return ids


def string_q(fields: tuple[str, ...], value: tuple[str | None, list[str]]) -> Q:
    """FHIR string matching on any of ``fields``: starts with (default), ``:contains`` or
    ``:exact``, each word of the value (names are matched word by word), OR over commas."""
    modifier, texts = value
    lookup = {None: "istartswith", "contains": "icontains", "exact": "exact"}[modifier]
    condition = Q()
    for text in texts:
        words = [text] if modifier == "exact" else text.split()
        match = Q()
        for word in words:
            any_field = Q()
            for name in fields:
                any_field |= Q(**{f"{name}__{lookup}": word})
            match &= any_field
        condition |= match
    return condition


def moment_q(field_name: str, bound: DateBound) -> Q:
    """A point in time (or a date field, given dates) against one date search value."""
    lo, hi = bound.lo, bound.hi
    return {
        "eq": Q(**{f"{field_name}__gte": lo, f"{field_name}__lt": hi}),
        "ne": ~Q(**{f"{field_name}__gte": lo, f"{field_name}__lt": hi}),
        "gt": Q(**{f"{field_name}__gte": hi}),
        "ge": Q(**{f"{field_name}__gte": lo}),
        "lt": Q(**{f"{field_name}__lt": lo}),
        "le": Q(**{f"{field_name}__lt": hi}),
    }[bound.prefix]


def as_dates(bound: DateBound, tz) -> DateBound:
    """A date search value on a date field: the clinic's calendar days it covers."""
    lo = bound.lo.astimezone(tz)
    hi = bound.hi.astimezone(tz)
    last = hi.date() if (hi.time() != datetime.time()) else hi.date() - datetime.timedelta(days=1)
    return DateBound(bound.prefix, lo.date(), last + datetime.timedelta(days=1))


class ModelResource:
    """A resource type read from one queryset: subclasses name ``resource_type``,
    ``params``, ``rows(ctx)`` (the visible rows, shaped for ``to_fhir``), ``order`` and
    ``to_fhir(row, ctx)``."""

    resource_type = ""
    # The audit trail's name for the rows' kind, for meta.lastUpdated (None: not recorded).
    audit_type: str | None = None
    params: dict[str, SearchParam] = {}
    order: tuple[str, ...] = ("pk",)
    interactions = ("read", "search-type")
    profile_doc = ""

    def rows(self, ctx):
        raise NotImplementedError

    def start(self, ctx):
        return self.rows(ctx)

    def filter_ids(self, state, ids: list[str], ctx):
        pks = [pk for pk in (parse_int_id(i) for i in ids) if pk is not None]
        return state.filter(pk__in=pks)

    def page(self, state, ctx, offset: int, count: int):
        total = state.count()
        rows = list(state.order_by(*self.order)[offset : offset + count]) if total > offset else []
        return total, self._changed(ctx, rows)

    def _changed(self, ctx, rows):
        return attach_changed(ctx, self.audit_type, rows) if self.audit_type else rows

    def read(self, ctx, resource_id: str):
        pk = parse_int_id(resource_id)
        row = self.rows(ctx).filter(pk=pk).first() if pk is not None else None
        if row is None:
            raise not_found(self.resource_type, resource_id)
        return self._changed(ctx, [row])[0]

    def render(self, rows, ctx) -> list[dict]:
        return [self.to_fhir(row, ctx) for row in rows]

    def to_fhir(self, row, ctx) -> dict:
        raise NotImplementedError

    def object_of(self, row) -> tuple[str, object]:
        """What a read of ``row`` is in the audit trail: ``(object_type, object_id)``."""
        return (self.audit_type or str(row._meta.verbose_name), row.pk)

    def patient_of(self, row):
        """The patient a read of ``row`` is about, for the audit trail; None if none."""
        return None
