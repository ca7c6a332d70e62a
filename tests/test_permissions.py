"""Every URL name times every role: who gets the page, who is refused and how.

Expected answers: anonymous → redirect to log in; a role not allowed → 403; an allowed role →
200; the administrator of another clinic asking for one of our rows → 404 (on screens without
a row they see their own clinic's page, 200). A new URL joins ``ROUTES`` or the test that
checks coverage fails.
"""

import pytest
from django.urls import get_resolver, reverse

from core.roles import ADMINISTRATOR, PATIENT, SCHEDULER, THERAPIST
from tests.factories import UserFactory
from tests.routes import ADMIN_ONLY, ROLE_FIXTURES, Route, all_routes

ROUTES, NOT_IN_MATRIX = all_routes()


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in {"admin", "djdt"}:
                continue
            yield from _url_names(pattern, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_name_is_in_the_matrix():
    covered = {route.name for route in ROUTES} | NOT_IN_MATRIX
    missing = set(_url_names()) - covered
    assert not missing, f"add these URL names to the permission matrix: {sorted(missing)}"


def expected_status(route: Route, role: str) -> int:
    if role == "anonymous":
        return 302
    # A role check comes first; a row the user may not see is then a 404.
    acting_as = {"other clinic": ADMINISTRATOR, "other discipline": THERAPIST}.get(role, role)
    if acting_as in route.sent_elsewhere:
        return 302
    if acting_as not in route.allowed:
        return 403
    if role in {"other clinic", "other discipline"} and route.names_a_row:
        return 404
    return route.ok_status


@pytest.mark.parametrize("role", list(ROLE_FIXTURES))
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_permission_matrix(route, role, client, request, administrator):
    url = route.url(request)
    fixture = ROLE_FIXTURES[role]
    if fixture:
        client.force_login(request.getfixturevalue(fixture))

    if route.method == "post":
        response = client.post(url, route.data)
    else:
        response = client.get(url)

    assert response.status_code == expected_status(route, role), url
    if role == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


def test_user_without_clinic_is_refused_clinic_screens(client, clinic):
    operator = UserFactory(clinic=None, roles=[ADMINISTRATOR])
    client.force_login(operator)
    assert client.get(reverse("clinic:servicetype_list")).status_code == 403


def test_post_without_csrf_token_is_refused(administrator):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(administrator)
    response = strict.post(reverse("clinic:servicetype_create"), {"name": "Music Therapy"})
    assert response.status_code == 403


@pytest.mark.parametrize("role", [SCHEDULER, THERAPIST, PATIENT, "anonymous"])
@pytest.mark.parametrize(
    "route", [route for route in ROUTES if route.allowed == ADMIN_ONLY], ids=lambda r: r.name
)
def test_writes_are_refused_to_other_roles(route, role, client, request):
    """A POST by a role without the right changes nothing, whatever it sends."""
    fixture = ROLE_FIXTURES[role]
    if fixture:
        client.force_login(request.getfixturevalue(fixture))
    speech_case = request.getfixturevalue("speech_case")

    response = client.post(route.url(request), {"name": "Hijacked"})

    assert response.status_code == (302 if role == "anonymous" else 403)
    speech_case.refresh_from_db()
    assert speech_case.name == "Speech Therapy"
    assert not speech_case.is_archived
