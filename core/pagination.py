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


class UncountedPage:
    def __init__(self, queryset, per_page: int, number: str | int | None):
        try:
            self.number = max(1, int(number))
        except (TypeError, ValueError):
            self.number = 1
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
    # A page answered by the paginator itself (past the end) has rows of the same shape.
    paginator = Paginator(
        queryset.values_list(*fields, named=True) if fields else queryset, per_page
    )
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
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
