"""Routes of the patient portal, the staff screen that invites to it, and the clinic's
appointment request settings. A portal user asking for another family's patient is a 404:
``tests/portal/test_portal_access.py`` (the matrix's roles are one per fixture)."""

from core.roles import PATIENT
from tests.routes import ADMIN_ONLY, FRONT_DESK, Route

PORTAL_USERS = frozenset({PATIENT})

ROUTES = [
    Route("portal:home", PORTAL_USERS),
    Route("portal:patient_detail", PORTAL_USERS, obj="portal_patient"),
    Route("portal:password_change", PORTAL_USERS),
    Route("portal:past_visits", PORTAL_USERS),
    # Another family's or clinic's visit is a 404: tests/portal/test_visits.py.
    Route("portal:visit_cancel", PORTAL_USERS, obj="portal_visit"),
    Route("portal:visit_cancel", PORTAL_USERS, obj="portal_visit", method="post"),
    Route("portal:visit_move", PORTAL_USERS, obj="portal_visit"),
    Route("portal:invite", FRONT_DESK, obj="charted_patient"),
    Route("clinic:request_settings", ADMIN_ONLY),
]

# Public pages (the password reset flow and the invitation link), tested in
# tests/accounts/test_password_reset.py and test_invitations.py.
NOT_IN_MATRIX = {
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:invitation_accept",
}
