"""Review of the screens rewritten as written-out SQL and HTML built in Python (issue 13):
input the ORM used to absorb (an id past the database's integers, a date at the end of the
calendar) is a 404 or a form error, never a 500, on SQLite as on PostgreSQL."""

from django.urls import reverse

from tests.hardening.helpers import logged_in

HUGE_ID = str(10**30)
PAST_BIGINT = str(2**63)


def _get(user, path, data=None):
    client = logged_in(user)
    client.raise_request_exception = False
    return client.get(path, data)


def test_an_out_of_range_request_id_is_a_404(scheduler, pending_request):
    for pk in (HUGE_ID, PAST_BIGINT):
        assert _get(scheduler, f"/schedule/requests/{pk}/").status_code == 404


def test_an_out_of_range_chart_case_id_on_the_portal_is_a_404(patient_user, portal_chart_case):
    for pk in (HUGE_ID, PAST_BIGINT):
        assert _get(patient_user, f"/portal/cases/{pk}/request/").status_code == 404


def test_an_out_of_range_therapist_in_the_week_is_a_404(scheduler, location, therapist):
    for pk in (HUGE_ID, PAST_BIGINT):
        response = _get(scheduler, reverse("scheduling:calendar_week"), {"therapist": pk})
        assert response.status_code == 404
