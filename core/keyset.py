"""Pages of a list newest first, read by keyset: a page after the first continues from the
last row the reader saw (``WHERE (at, pk) < (seen)``), so a deep page costs what the first
does, where ``OFFSET`` read and threw away every row before it (issue 26: page 1,000 of a
100,000-entry Audit Log was 7.6x the bare view, the first page 2.3x).

The pager's links carry the row to continue from beside the page number: Next
``?page=3&after=<cursor of the last row shown>``, Previous ``?page=2&before=<cursor of the
first>``. The number only says which entries are shown ("Entries 51–100"). A link with a page
number and no cursor (an older bookmark, a number typed in) is still served, by ``OFFSET``, as
before. A cursor is ``<microseconds since 1970 UTC>_<pk>``; one that is not one is ignored.

The list is ordered by ``-at, -pk``, the order of ``AuditEntry`` and its ``(clinic, -at)``
index, which PostgreSQL reads from the cursor onwards."""

import datetime
import re

from django.db.models import Q

from core.pagination import page_number

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
ONE = datetime.timedelta(microseconds=1)
_CURSOR = re.compile(r"(-?[0-9]{1,19})_([0-9]{1,19})")


def cursor(at: datetime.datetime, pk: int) -> str:
    return f"{(at - EPOCH) // ONE}_{pk}"


def parse_cursor(text: str | None) -> tuple[datetime.datetime, int] | None:
    """``(at, pk)`` of a cursor, or None for anything that is not one (past the calendar's
    ends or the database's integers included)."""
    match = _CURSOR.fullmatch(text or "")
    if match is None or int(match[2]) >= 2**63:
        return None
    try:
        return EPOCH + int(match[1]) * ONE, int(match[2])
    except OverflowError:
        return None


class KeysetPage:
    """One page of ``queryset`` (ordered ``-at, -pk``; its rows have ``at`` and ``pk``) as the
    query string asks for it: ``page`` with ``after`` or ``before``, or ``page`` alone."""

    def __init__(self, queryset, per_page: int, query):
        self.number = page_number(query.get("page"))
        after, before = parse_cursor(query.get("after")), parse_cursor(query.get("before"))
        rows = None
        if self.number > 1 and after:
            rows = list(queryset.filter(_older(*after))[: per_page + 1])
            self.has_next = len(rows) > per_page
        elif self.number > 1 and before:
            rows = _newer(queryset, before, per_page)
            self.has_next = True  # the row the reader came from, at least
        if rows is None:
            if after or before:
                self.number = 1  # a Previous back to the newest rows, or a cursor on page 1
            start = (self.number - 1) * per_page
            rows = list(queryset[start : start + per_page + 1])
            self.has_next = len(rows) > per_page
        self.object_list = rows[:per_page]
        self.has_previous = self.number > 1
        self.has_other_pages = self.has_next or self.has_previous
        self.previous_page_number = self.number - 1
        self.next_page_number = self.number + 1

    @property
    def after(self) -> str:
        """The cursor of the Next link: the last row shown."""
        last = self.object_list[-1]
        return cursor(last.at, last.pk)

    @property
    def before(self) -> str | None:
        """The cursor of the Previous link (none back to the first page, which needs none)."""
        if self.previous_page_number <= 1 or not self.object_list:
            return None
        first = self.object_list[0]
        return cursor(first.at, first.pk)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def _older(at, pk) -> Q:
    # ``at <= seen`` as well: a bound the index is read from (the OR alone is a filter, and
    # PostgreSQL read the clinic's entries from the newest to get there).
    return Q(at__lte=at) & (Q(at__lt=at) | Q(pk__lt=pk))


def _newer(queryset, seen, per_page: int) -> list | None:
    """The page before the row ``seen``: the ``per_page`` rows just newer, newest first; None
    when there are no more than that (the page is then the first, read as such)."""
    at, pk = seen
    newer = queryset.filter(Q(at__gte=at) & (Q(at__gt=at) | Q(pk__gt=pk))).reverse()
    rows = list(newer[: per_page + 1])
    if len(rows) <= per_page:
        return None
    return rows[:per_page][::-1]
