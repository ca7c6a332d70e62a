from messaging.views.family import cancel, confirm
from messaging.views.setup import contact_consent, portal_consent, reminder_settings

__all__ = ["cancel", "confirm", "contact_consent", "portal_consent", "reminder_settings"]
