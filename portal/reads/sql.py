"""Helpers of the portal's written-out SQL: JSON rows on both databases the product runs on,
epoch seconds, and the text values a raw cursor gives back on SQLite."""

import datetime
import functools


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
    raise NotImplementedError(f"No portal SQL for {vendor}")


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
