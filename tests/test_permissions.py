"""Every URL name times every role: who gets the page, who is refused and how.

Expected answers: anonymous → redirect to log in; a role not allowed → 403; an allowed role →
200; the administrator of another clinic asking for one of our rows → 404 (on screens without
a row they see their own clinic's page, 200). A new URL joins ``ROUTES`` or the test that
checks coverage fails.
"""

from dataclasses import dataclass, field

import pytest
from django.urls import get_resolver, reverse

from core.roles import ADMINISTRATOR, PATIENT, SCHEDULER, THERAPIST
from tests.factories import UserFactory

ROLE_FIXTURES = {
    "anonymous": None,
    ADMINISTRATOR: "administrator",
    SCHEDULER: "scheduler",
    THERAPIST: "therapist",
    PATIENT: "patient_user",
    # An occupational therapist: the speech-only chart case is not theirs to see.
    "other discipline": "ot_therapist",
    "other clinic": "other_admin",
}

STAFF = {ADMINISTRATOR, SCHEDULER, THERAPIST, PATIENT}


@dataclass(frozen=True)
class Route:
    name: str
    allowed: frozenset
    # The fixture whose row the URL names as ``pk``, if any.
    obj: str | None = None
    kwargs: dict = field(default_factory=dict)
    # Other URL arguments taken from fixtures: {"goal_pk": "speech_goal"}.
    params: dict = field(default_factory=dict)
    # POST-only screens are tried with a POST of ``data``; success is then a redirect.
    method: str = "get"
    data: dict = field(default_factory=dict)

    @property
    def names_a_row(self) -> bool:
        return bool(self.obj or self.params)

    @property
    def ok_status(self) -> int:
        return 302 if self.method == "post" else 200

    def url(self, request) -> str:
        kwargs = dict(self.kwargs)
        if self.obj:
            kwargs["pk"] = request.getfixturevalue(self.obj).pk
        for name, fixture in self.params.items():
            kwargs[name] = request.getfixturevalue(fixture).pk
        return reverse(self.name, kwargs=kwargs)


ADMIN_ONLY = frozenset({ADMINISTRATOR})
ANY_USER = frozenset(STAFF)
STAFF_ONLY = frozenset({ADMINISTRATOR, SCHEDULER, THERAPIST})
FRONT_DESK = frozenset({ADMINISTRATOR, SCHEDULER})
THERAPISTS = frozenset({THERAPIST})
READERS = frozenset({ADMINISTRATOR, THERAPIST})
CC = {"pk": "speech_chart_case"}
NOTE = {"kind": "notes"}

ROUTES = [
    Route("home", ANY_USER),
    Route("accounts:password_change", ANY_USER),
    Route("clinic:setup_home", ADMIN_ONLY),
    Route("clinic:servicetype_list", ADMIN_ONLY),
    Route("clinic:servicetype_create", ADMIN_ONLY),
    Route("clinic:servicetype_update", ADMIN_ONLY, obj="speech"),
    Route("clinic:servicetype_delete", ADMIN_ONLY, obj="speech"),
    Route("clinic:appointmenttype_list", ADMIN_ONLY),
    Route("clinic:appointmenttype_create", ADMIN_ONLY),
    Route("clinic:appointmenttype_update", ADMIN_ONLY, obj="treatment"),
    Route("clinic:appointmenttype_delete", ADMIN_ONLY, obj="treatment"),
    Route("cases:case_list", ADMIN_ONLY),
    Route("cases:case_create", ADMIN_ONLY),
    Route("cases:case_update", ADMIN_ONLY, obj="speech_case"),
    Route("cases:case_delete", ADMIN_ONLY, obj="speech_case"),
    Route("cases:case_archive", ADMIN_ONLY, obj="speech_case"),
    Route("cases:case_restore", ADMIN_ONLY, obj="speech_case"),
    Route("cases:case_history", ADMIN_ONLY, obj="speech_case"),
    Route("charts:patient_list", STAFF_ONLY),
    Route("charts:patient_create", FRONT_DESK),
    Route("charts:patient_detail", STAFF_ONLY, obj="charted_patient"),
    Route("charts:patient_update", FRONT_DESK, obj="charted_patient"),
    Route("charts:chart_case_add", THERAPISTS, obj="charted_patient"),
    Route(
        "charts:chart_case_detail",
        STAFF_ONLY,
        obj="charted_patient",
        params={"chart_case_pk": "speech_chart_case"},
    ),
    Route("charts:chart_case_discharge", THERAPISTS, params=CC),
    Route("charts:chart_case_reopen", THERAPISTS, params=CC),
    Route("charts:chart_case_history", READERS, params=CC),
    Route("charts:goal_create", THERAPISTS, params=CC),
    Route("charts:goal_update", THERAPISTS, params={**CC, "goal_pk": "speech_goal"}),
    Route("charts:note_create", THERAPISTS, params=CC),
    Route("charts:note_update", THERAPISTS, params={**CC, "doc_pk": "unsigned_note"}),
    Route("charts:evaluation_create", THERAPISTS, params=CC),
    Route(
        "charts:evaluation_update",
        THERAPISTS,
        params={**CC, "doc_pk": "unsigned_evaluation"},
    ),
    Route("charts:document_detail", READERS, kwargs=NOTE, params={**CC, "doc_pk": "unsigned_note"}),
    Route(
        "charts:document_sign",
        THERAPISTS,
        kwargs=NOTE,
        params={**CC, "doc_pk": "unsigned_note"},
        method="post",
    ),
    Route(
        "charts:document_delete", THERAPISTS, kwargs=NOTE, params={**CC, "doc_pk": "unsigned_note"}
    ),
    Route(
        "charts:document_addendum",
        THERAPISTS,
        kwargs=NOTE,
        params={**CC, "doc_pk": "signed_note"},
        method="post",
        data={"text": "Corrected the accuracy figure."},
    ),
    Route("charts:reminder_create", THERAPISTS, params=CC),
    Route(
        "charts:reminder_done",
        THERAPISTS,
        params={**CC, "reminder_pk": "speech_reminder"},
        method="post",
    ),
    Route("accounts:staff_list", ADMIN_ONLY),
    Route("accounts:staff_create", ADMIN_ONLY),
    Route("accounts:staff_update", ADMIN_ONLY, obj="scheduler"),
    Route("accounts:staff_deactivate", ADMIN_ONLY, obj="scheduler"),
    Route("accounts:staff_reactivate", ADMIN_ONLY, obj="scheduler"),
]

# Public or POST-only pages, tested on their own.
NOT_IN_MATRIX = {"accounts:login", "accounts:logout"}


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
