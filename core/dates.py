"""Dates in the words the pages use, without Django's ``date`` filter a cell.

``{{ day|date:"M j, Y" }}`` looks the format and the month's name up in the active language
each time (about 20 microseconds a date, a third of the authorizations report's rows); the
staff pages are in English only (``LANGUAGE_CODE``), so the month's short name is a lookup."""

import datetime

MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(day: datetime.date | None) -> str:
    """``{{ day|date:"M j, Y" }}``: "Nov 5, 2026"; "" for no date."""
    return f"{MONTHS[day.month]} {day.day}, {day.year:04d}" if day else ""
