from messaging.views.family import cancel, confirm
from messaging.views.feeds import feed, feed_settings
from messaging.views.setup import contact_consent, portal_consent, reminder_settings

__all__ = [
    "cancel",
    "confirm",
    "feed",
    "feed_settings",
    "contact_consent",
    "portal_consent",
    "reminder_settings",
]
