"""The few places where application code meets SQL by hand: ``clinic_rows``, the one way to
run a statement written out (none today; docs/architecture.md, "SQL written by hand"), and
``epoch``, a datetime as epoch seconds for the ORM expression ``EpochSeconds``
(scheduling/reads/availability.py) on both databases. ``user_name`` and ``read_json_list``
turn plain values read with ``.values()`` or ``JSONList`` back into what a screen shows."""

import json
import re

from django.db import connection


def user_name(first_name: str, last_name: str, email: str) -> str:
    """A user as ``User.__str__`` shows one, from the three columns a raw row carries: the full
    name, or the e-mail address without one."""
    return f"{first_name} {last_name}".strip() or email


def read_json_list(text: str | None) -> list:
    """What ``core.aggregates.JSONList`` gave, as a list (an aggregate over no rows is NULL on
    PostgreSQL)."""
    return json.loads(text) if text else []


def epoch(vendor: str, column: str, up: bool) -> str:
    """A datetime column as epoch seconds, rounded down (a start) or up (an end): a busy
    interval never shrinks."""
    if vendor == "postgresql":
        # DATE_PART is a double, exact to well under a microsecond at today's epochs, and
        # quicker than EXTRACT's numeric.
        return f"{'CEIL' if up else 'FLOOR'}(DATE_PART('epoch', {column}))::bigint"
    # SQLite keeps UTC text, with a fraction only when there are microseconds.
    seconds = f"CAST(STRFTIME('%%s', {column}) AS INTEGER)"
    return f"({seconds} + (LENGTH({column}) > 19))" if up else seconds


_POSITIONAL = re.compile(r"(?<!%)%s")


def clinic_rows(sql: str, *, clinic, **params) -> list[tuple]:
    """The one way application code runs SQL written by hand (docs/architecture.md lists each
    statement and why the ORM cannot say it).

    The statement names its clinic as ``%(clinic)s`` on every table it reads (raw SQL has no
    django-scopes check to catch one that forgets), and every other value as a named
    parameter: never positional, so that no value can slide into another's place."""
    if "%(clinic)s" not in sql:
        raise ValueError("A statement written by hand must name %(clinic)s")
    if _POSITIONAL.search(sql):
        raise ValueError("Parameters of a statement written by hand are named: %(name)s")
    clinic_id = clinic if isinstance(clinic, int) else clinic.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "clinic": clinic_id})
        return cursor.fetchall()
