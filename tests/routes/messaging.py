"""Routes of messaging: reminder settings, a contact's consent, a parent's own opt-out."""

from core.roles import PATIENT
from tests.routes import ADMIN_ONLY, FRONT_DESK, STAFF_ONLY, Route

ROUTES = [
    Route("messaging:reminder_settings", ADMIN_ONLY),
    Route("messaging:contact_consent", FRONT_DESK, obj="consenting_contact"),
    Route("messaging:portal_consent", frozenset({PATIENT})),
    Route("messaging:feed_settings", STAFF_ONLY),
]

# Public pages behind a signed link or token, tested in tests/messaging/test_links.py and
# test_feed.py.
# The text provider's signed callbacks: tests/messaging/test_texts.py.
NOT_IN_MATRIX = {
    "messaging:confirm",
    "messaging:cancel",
    "messaging:feed",
    "messaging:text_status",
    "messaging:text_reply",
}
