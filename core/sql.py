"""Pieces of the written-out SQL that the busiest screens read with (issue 13): lists of names
read with their rows (a correlated subquery per list, instead of a prefetch query each), rows
as JSON, datetimes as epoch seconds, and the text values a raw cursor gives back on SQLite, on
both databases the product runs on.

Built with the ORM (``Subquery`` of an aggregate), such a subquery took about a millisecond of
Python a request to build and compile, more than the database took to run it (bench/)."""

import datetime
import functools
import json
import re

from django.db import connection

JSON_LIST = {
    # JSON so that no character of a name can break a list apart.
    "postgresql": "JSON_AGG({})::text",
    "sqlite": "JSON_GROUP_ARRAY({})",
}
JSON_PAIRS = {
    "postgresql": "JSON_AGG(JSON_BUILD_ARRAY({}, {}))::text",
    "sqlite": "JSON_GROUP_ARRAY(JSON_ARRAY({}, {}))",
}


def json_list(vendor: str, *expressions: str) -> str:
    """The aggregate, as JSON text, of one expression (a list) or two (a list of pairs), on the
    two databases the product runs on."""
    forms = JSON_LIST if len(expressions) == 1 else JSON_PAIRS
    if vendor not in forms:
        raise NotImplementedError(f"No JSON aggregate for {vendor}")
    return forms[vendor].format(*expressions)


def user_name(first_name: str, last_name: str, email: str) -> str:
    """A user as ``User.__str__`` shows one, from the three columns a raw row carries: the full
    name, or the e-mail address without one."""
    return f"{first_name} {last_name}".strip() or email


def read_json_list(text: str | None) -> list:
    """What ``json_list`` gave: a list (an aggregate over no rows is NULL on PostgreSQL)."""
    return json.loads(text) if text else []


def json_rows(vendor: str, columns: list[str], source: str, order: str) -> str:
    """A scalar subquery: the rows of ``SELECT columns FROM source`` in ``order`` as one JSON
    text of arrays (NULL when there is none)."""
    if vendor == "postgresql":
        return (
            f"(SELECT JSON_AGG(JSON_BUILD_ARRAY({', '.join(columns)}) ORDER BY {order})::text "
            f"FROM {source})"
        )
    if vendor == "sqlite":
        named = ", ".join(f"{column} AS c{index}" for index, column in enumerate(columns))
        aliases = ", ".join(f"c{index}" for index in range(len(columns)))
        return (
            f"(SELECT JSON_GROUP_ARRAY(JSON_ARRAY({aliases})) "
            f"FROM (SELECT {named} FROM {source} ORDER BY {order}))"
        )
    raise NotImplementedError(f"No JSON rows for {vendor}")


def table(model) -> str:
    return f'"{model._meta.db_table}"'


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


def time_or_none(value: str | None) -> datetime.time | None:
    return None if value is None else parse_time(value)


@functools.lru_cache(maxsize=512)
def parse_time(value: str) -> datetime.time:
    return datetime.time.fromisoformat(value)


@functools.lru_cache(maxsize=512)
def parse_date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def date_value(value) -> datetime.date:
    """A date column of a raw row: a date on PostgreSQL, ISO text on SQLite."""
    return value if isinstance(value, datetime.date) else parse_date(value)


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
