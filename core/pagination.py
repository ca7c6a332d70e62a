"""Pages of lists without the cost of Django's ``Paginator`` counting them apart.

Django's ``Paginator`` counts the whole list for "Page 3 of 2,000". For the Patients list that
count is most of the page's cost and grows with the clinic: at 500,000 patients it took 50 ms
for an administrator and over 200 ms for a therapist, whose visible patients are an ``EXISTS``
per patient (bench/). Reading one row more than a page tells whether there is a next page, so
the list costs the same at any size; the pager says "Page 3" with Previous and Next.

Short lists that do say "Page 3 of 6" (Patient Cases) take their count with the page's own
query instead (``counted_page``).
"""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window

# A page number past any list, short of an offset the database refuses: at 100 rows a page the
# offset stays under 2^31 (10^30 as an OFFSET overflows PostgreSQL's bigint and SQLite's
# integer, and was a 500).
MAX_PAGE = 10_000_000


def page_number(value) -> int:
    """The page asked for in ``?page=`` (or any pager parameter), as every paged list reads it:
    no number, or one below 1, is the first page; one past ``MAX_PAGE`` is ``MAX_PAGE``, which
    is past the end of any list."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()):  # "²" is a digit to isdigit() alone
        return 1
    if len(text) > len(str(MAX_PAGE)):  # past any list, however many digits
        return MAX_PAGE
    return min(max(1, int(text)), MAX_PAGE)


class UncountedPage:
    def __init__(self, queryset, per_page: int, number: str | int | None):
        self.number = page_number(number)
        start = (self.number - 1) * per_page
        rows = list(queryset[start : start + per_page + 1])
        self.object_list = rows[:per_page]
        self.has_next = len(rows) > per_page
        self.has_previous = self.number > 1
        self.next_page_number = self.number + 1
        self.previous_page_number = self.number - 1
        self.has_other_pages = self.has_next or self.has_previous

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


LIST_TOTAL = "list_total"
# Beyond this page number the count is taken first, as Django's Paginator does.
FAR_PAGE = 10_000


def counted_page(queryset, per_page: int, number: str | int | None, *, fields=()) -> Page:
    """Django's ``Paginator.get_page`` ("Page 3 of 6") from one query, not two: the rows of the
    page carry the length of the whole list (``COUNT(*) OVER ()``), so the paginator's count
    needs no query of its own. ``queryset`` is ordered; with ``fields`` the rows are named
    tuples of those columns (``values_list(*fields, named=True)``), else model instances. A
    page beyond the end (no rows, so no count) is answered as ``get_page`` answers it, with
    the last page, at the cost of the count; a page number that is no number, or below 1,
    with the first."""
    paginator = Paginator(queryset, per_page)
    number = page_number(number)
    if number > FAR_PAGE:  # An offset past any list, perhaps past what the database takes.
        return paginator.get_page(number)
    counted = queryset.annotate(**{LIST_TOTAL: Window(Count("*"))})
    if fields:
        counted = counted.values_list(*fields, LIST_TOTAL, named=True)
    bottom = (number - 1) * per_page
    rows = list(counted[bottom : bottom + per_page])
    if not rows and number > 1:
        return paginator.get_page(number)
    paginator.count = getattr(rows[0], LIST_TOTAL) if rows else 0
    return Page(rows, number, paginator)
