"""Routes of appointment requests: the portal's request form and cancel (portal users, for
their own patients only; another family's are 404s in tests/portal/test_requests.py) and the
staff queue (schedulers and administrators)."""

from core.roles import PATIENT
from tests.routes import FRONT_DESK, Route

PORTAL_USERS = frozenset({PATIENT})
REQUEST = {"pk": "pending_request"}

ROUTES = [
    Route("portal:request_create", PORTAL_USERS, obj="portal_chart_case"),
    Route("portal:request_cancel", PORTAL_USERS, params=REQUEST, method="post"),
    Route("scheduling:request_list", FRONT_DESK),
    Route("scheduling:request_detail", FRONT_DESK, params=REQUEST),
    Route(
        "scheduling:request_approve",
        FRONT_DESK,
        params=REQUEST,
        method="post",
        # Empty fields book the request as asked.
    ),
    Route(
        "scheduling:request_decline",
        FRONT_DESK,
        params=REQUEST,
        method="post",
        data={"reason": "The therapist is away that week."},
    ),
]
