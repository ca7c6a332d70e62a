"""The Basic Setup lists: a fixed number of queries whatever their length, and pages of 50."""

import pytest

from tests.clinic.helpers import page_text
from tests.clinic.kinds import KINDS

per_kind = pytest.mark.parametrize("kind", KINDS, ids=str)

# Session, user (with their clinic and roles), the count for the pager, the page of
# rows, the session saved again for the idle timeout (savepoint, update, release), and the
# Schedule tab's pending-request count.
LIST_QUERIES = 8


@per_kind
@pytest.mark.parametrize("rows", [2, 40])
def test_the_list_takes_the_same_queries_at_any_length(
    kind, rows, administrator_client, clinic, django_assert_num_queries
):
    kind.factory.create_batch(rows, clinic=clinic)

    with django_assert_num_queries(LIST_QUERIES):
        response = administrator_client.get(kind.url("list"))

    assert response.status_code == 200
    assert len(response.context["object_list"]) == rows


@per_kind
def test_the_list_shows_only_the_clinics_own_rows(kind, administrator_client, clinic, other_clinic):
    kind.factory(clinic=clinic, name="Feeding Therapy")
    kind.factory(clinic=other_clinic, name="Hippotherapy")

    text = page_text(administrator_client.get(kind.url("list")))

    assert "Feeding Therapy" in text
    assert "Hippotherapy" not in text


@per_kind
def test_sixty_rows_make_two_pages(kind, administrator_client, clinic):
    for number in range(60):
        kind.factory(clinic=clinic, name=f"Row {number:02}")

    first = administrator_client.get(kind.url("list"))
    second = administrator_client.get(kind.url("list"), {"page": 2})

    assert "Page 1 of 2" in page_text(first)
    assert "Row 49" in page_text(first)
    assert "Row 50" not in page_text(first)
    assert second.status_code == 200
    assert "Page 2 of 2" in page_text(second)
    assert [row.name for row in second.context["object_list"]] == [
        f"Row {number}" for number in range(50, 60)
    ]
    assert administrator_client.get(kind.url("list"), {"page": 3}).status_code == 404


@per_kind
def test_an_empty_list_says_so(kind, administrator_client):
    assert "None yet." in page_text(administrator_client.get(kind.url("list")))
