"""Routes of insurance: payers and settings (Basic Setup), a chart case's authorizations and
shared limits."""

from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST
from tests.routes import ADMIN_ONLY, CC, FRONT_DESK, Route

READERS = frozenset({ADMINISTRATOR, SCHEDULER, THERAPIST})

ROUTES = [
    Route("insurance:payer_list", ADMIN_ONLY),
    Route("insurance:payer_create", ADMIN_ONLY),
    Route("insurance:payer_update", ADMIN_ONLY, obj="payer"),
    Route("insurance:settings", ADMIN_ONLY),
    Route("insurance:report", FRONT_DESK),
    Route("insurance:authorization_list", READERS, params=CC),
    Route("insurance:authorization_create", FRONT_DESK, params=CC),
    Route("insurance:authorization_update", FRONT_DESK, obj="authorization"),
    Route("insurance:shared_limit_create", FRONT_DESK, params=CC),
    Route(
        "insurance:shared_limit_update",
        FRONT_DESK,
        params={**CC, "limit_pk": "shared_limit"},
    ),
]
