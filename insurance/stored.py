"""The counts stored on each authorization: the one rule's result (``counting.tally``), written
only by ``store`` in the transaction of every write that changes them (``insurance.signals``),
read by the authorizations report's lists and the home's alerts."""

import contextlib
import contextvars
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django_scopes import scope

from insurance.counting import grants, settings_for, statuses, tally, usage, visits
from insurance.models import Authorization

# What ``store`` writes on each authorization: the rule's result, for the report's lists.
STORED = ["used", "booked", "remaining", "override_count", "override_reasons"]
CHUNK = 500

# The chart cases to recount when the outermost ``recount_once`` block ends, by clinic.
_pending: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "insurance_recount_pending", default=None
)


@contextlib.contextmanager
def recount_once():
    """Within the block, ``recount`` only notes the chart cases; they are recounted once each
    when the block ends without an error (an import's chunk, a series, an authorization saved
    with its types). Use it inside the transaction of the writes."""
    if _pending.get() is not None:
        yield
        return
    pending = defaultdict(set)
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for clinic_id, chart_case_ids in pending.items():
        _store_chart_cases(clinic_id, chart_case_ids)


def recount(clinic_id: int, chart_case_ids: Iterable) -> None:
    """The stored counts of these chart cases' authorizations are made again from their visits
    (now, or at the end of the ``recount_once`` block around)."""
    ids = {pk for pk in chart_case_ids if pk is not None}
    if not ids:
        return
    pending = _pending.get()
    if pending is not None:
        pending[clinic_id] |= ids
        return
    _store_chart_cases(clinic_id, ids)


def _store_chart_cases(clinic_id: int, ids) -> None:
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        store(clinic_id, Q(chart_case_id__in=ids[start : start + CHUNK]))


def store(clinic_id: int, where: Q) -> int:
    """Count the authorizations matching ``where`` (whole chart cases: a visit counts against
    an authorization of its own chart case only) with ``tally`` and store the result. Locks
    them first (in id order, as ``booking_problems``), so that of two writers the second counts
    after the first commits and never stores a count missing the other's visit. Returns how
    many were stored."""
    with scope(clinic=clinic_id), transaction.atomic(savepoint=False):
        grant_list = grants(clinic_id, where, lock=True)
        if not grant_list:
            return 0
        settings = settings_for(clinic_id)
        counts = tally(
            grants=grant_list,
            shared={},
            visits=visits(clinic_id, grant_list),
            count_no_shows=settings.count_no_shows,
            statuses=statuses(),
        )
        rows = []
        for grant in grant_list:
            counted, reasons = counts.authorizations[grant.pk], counts.reasons.get(grant.pk, [])
            rows.append(
                Authorization(
                    pk=grant.pk,
                    clinic_id=clinic_id,
                    used=counted.used,
                    booked=counted.booked,
                    remaining=counted.left,
                    override_count=len(reasons),
                    override_reasons=reasons,
                )
            )
        Authorization.objects.bulk_update(rows, STORED, batch_size=CHUNK)
        return len(rows)


def recount_clinic(clinic_id: int) -> int:
    """Store the counts of every authorization of the clinic again (the no-show setting
    changed; the backfill; ``manage.py recount_authorizations`` if a count is ever wrong), a
    chunk of patients at a time, each patient's authorizations in one chunk."""
    with scope(clinic=clinic_id):
        patient_ids = sorted(
            set(
                Authorization.objects.filter(clinic_id=clinic_id).values_list(
                    "patient_id", flat=True
                )
            )
        )
    stored = 0
    for start in range(0, len(patient_ids), CHUNK):
        stored += store(clinic_id, Q(patient_id__in=patient_ids[start : start + CHUNK]))
    return stored


def stale(clinic_id: int) -> list[int]:
    """The authorizations of the clinic whose stored counts differ from a fresh ``tally``
    (``manage.py recount_authorizations --check``; the tests)."""
    with scope(clinic=clinic_id):
        found = usage(clinic_id, Q())
        stored = {
            row[0]: list(row[1:])
            for row in Authorization.objects.filter(clinic_id=clinic_id).values_list("pk", *STORED)
        }
    wrong = []
    for grant in found.grants:
        counted, reasons = found.of(grant.pk), found.counts.reasons.get(grant.pk, [])
        fresh = [counted.used, counted.booked, counted.left, len(reasons), reasons]
        if stored[grant.pk] != fresh:
            wrong.append(grant.pk)
    return sorted(wrong)
