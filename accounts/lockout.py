"""Log-in lock-out with two limits (django-axes keeps the counts).

Failures are counted per e-mail address and client address together (``AXES_FAILURE_LIMIT``,
5 by default): a stranger elsewhere cannot lock a known user out. They are also counted per
client address alone, at a higher limit (``AXES_ADDRESS_FAILURE_LIMIT``, 20): one address
trying one password against every account (spraying) is stopped too. Axes compares a single
number with a single limit, so ``get_failures`` reports the pair's count, or the limit itself
once the address alone has reached its own.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        # In the order of AXES_LOCKOUT_PARAMETERS: (e-mail and address), (address).
        pair = counts[0] if counts else 0
        address = counts[1] if len(counts) > 1 else 0
        if address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(pair, settings.AXES_FAILURE_LIMIT)
        return pair


# The lock-out store's column holds 255 characters; no account's address is longer than 254.
USERNAME_MAX_LENGTH = 254


def lockout_username(request, credentials=None) -> str | None:
    """The name failures are counted under, from any log-in form (ours bounds it first; the
    operators' Django admin log-in does not): lower-case, as addresses are stored, and cut to
    what the store holds, so an overlong name is a refused log-in and never a database error."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = getattr(request, "data", request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    if username is None:
        return None
    return str(username).lower()[:USERNAME_MAX_LENGTH]
