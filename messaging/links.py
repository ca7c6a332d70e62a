"""Signed confirm and cancel links. A link names one appointment, the start it was sent for
and its purpose (the salt): a link made to confirm cannot cancel, a link for a visit that has
moved or started is expired, and one whose visit is already confirmed or cancelled is used.
Nothing is stored: the signature and the visit's own state decide."""

import datetime

from django.core import signing

PURPOSES = ("confirm", "cancel")


class LinkError(Exception):
    """A link that cannot be used; ``str()`` says why in plain words, ``status`` is the
    answer's (400 altered or unknown, 410 expired)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def make_token(*, appointment_id: int, visit_start: datetime.datetime, purpose: str) -> str:
    if purpose not in PURPOSES:
        raise ValueError(f"Unknown link purpose {purpose!r}.")
    return signing.dumps(
        [appointment_id, int(visit_start.timestamp())], salt=f"messaging.link.{purpose}"
    )


def read_token(token: str, *, purpose: str) -> tuple[int, int]:
    """The appointment id and the visit's start (epoch seconds) the link was made for."""
    try:
        appointment_id, start = signing.loads(token, salt=f"messaging.link.{purpose}")
        return int(appointment_id), int(start)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise LinkError(
            "This link is not valid. Copy the whole link from the message, or call the clinic."
        ) from error
