"""The permission matrix's routes, one module per app: each module here has ``ROUTES`` (and, if
it needs, ``NOT_IN_MATRIX``), and ``tests/test_permissions.py`` tries every one of them for
every role. An app's new URL joins its module, or the coverage test fails.
"""

import importlib
import pkgutil
from dataclasses import dataclass, field

from django.urls import reverse

from core.roles import ADMINISTRATOR, PATIENT, SCHEDULER, THERAPIST

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
    # Roles sent to their own screens instead (302): a portal user opening the staff home.
    sent_elsewhere: frozenset = frozenset()

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


def all_routes() -> tuple[list, set]:
    """Every module's routes, and the URL names tested elsewhere."""
    routes, elsewhere = [], set()
    for module in pkgutil.iter_modules(__path__):
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        routes.extend(getattr(loaded, "ROUTES", []))
        elsewhere |= set(getattr(loaded, "NOT_IN_MATRIX", set()))
    return routes, elsewhere
