"""A page of a list that is too long to count on every request.

Django's ``Paginator`` counts the whole list for "Page 3 of 2,000". For the Patients list that
count is most of the page's cost and grows with the clinic: at 500,000 patients it took 50 ms
for an administrator and over 200 ms for a therapist, whose visible patients are an ``EXISTS``
per patient (bench/). Reading one row more than a page tells whether there is a next page, so
the list costs the same at any size; the pager says "Page 3" with Previous and Next.
"""


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
