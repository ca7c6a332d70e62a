"""Issue 26, item 1: a page number past the end of a list, past what the database's integers
hold, below 1, or no number at all is the last page, the first, or a 404 (an uncounted list
says it has nothing that far and links back to its start); never a 500.

Every GET screen of the permission matrix is asked, as each role it lets in, with each of those
page numbers, so a list added later is covered without a line here.
"""

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from core.pagination import MAX_PAGE, page_number
from tests.routes import ROLE_FIXTURES, all_routes

ROUTES, _ = all_routes()
GET_ROUTES = [route for route in ROUTES if route.method == "get"]

# 10^30 overflows the database's 64-bit integers as an OFFSET; 1e9 is a float to ``int()``.
PAGES = [str(10**30), "-1", "1e9", "abc", "9" * 400, "0", "1.5", "\x00", "²"]


@pytest.mark.parametrize("route", GET_ROUTES, ids=lambda route: route.name)
def test_no_page_number_is_a_500(route, request, db):
    url = route.url(request)
    for role in sorted(route.allowed):
        client = Client()
        client.force_login(request.getfixturevalue(ROLE_FIXTURES[role]))
        for page in PAGES:
            response = client.get(url, {"page": page})
            # A NUL is refused by the query string guard before any view (400).
            expected = {400} if page == "\x00" else {200, 404}
            assert response.status_code in expected, (role, url, page)


@given(st.one_of(st.text(), st.integers(), st.none()))
def test_a_page_number_is_always_a_page_the_database_can_offset_to(value):
    assert 1 <= page_number(value) <= MAX_PAGE
