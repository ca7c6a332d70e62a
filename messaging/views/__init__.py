from messaging.views.family import cancel, confirm
from messaging.views.feeds import feed, feed_settings
from messaging.views.setup import contact_consent, portal_consent, reminder_settings
from messaging.views.texts import text_reply, text_status

__all__ = [
    "cancel",
    "confirm",
    "feed",
    "feed_settings",
    "contact_consent",
    "portal_consent",
    "reminder_settings",
    "text_reply",
    "text_status",
]
