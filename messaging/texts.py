"""Text messages through a backend named in settings, as ``EMAIL_BACKEND`` names e-mail's.

``TEXT_BACKEND`` is ``messaging.texts.ConsoleBackend`` (development: the text is printed) or
``messaging.texts.TwilioBackend``: Twilio's Messages API over HTTPS with its account SID and
auth token; its delivery callbacks and replies come back signed (``X-Twilio-Signature``,
HMAC-SHA1 over the callback's URL and sorted form fields with the auth token), checked by
``valid_signature`` before anything is read. ``TWILIO_API_URL`` points the client at another
server (the tests run a local one on 127.0.0.1)."""

import base64
import hashlib
import hmac
import json
import secrets
import sys
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

# The provider's words for "stop all texts" (Twilio's standard opt-out keywords).
OPT_OUT_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
# A reply that cancels the visit the text was about.
CANCEL_WORDS = {"C"}


class TextError(Exception):
    """The provider refused or could not be reached; retried by the caller."""


class ConsoleBackend:
    def send(self, *, to: str, body: str, callback_url: str = "") -> str:
        message_id = f"console-{secrets.token_hex(8)}"
        sys.stdout.write(f"Text to {to} ({message_id}):\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return message_id


class TwilioBackend:
    def send(self, *, to: str, body: str, callback_url: str = "") -> str:
        sid = settings.TWILIO_ACCOUNT_SID
        url = f"{settings.TWILIO_API_URL.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise TextError("TWILIO_API_URL must be https (or a local test server).")
        fields = {"To": to, "From": settings.TWILIO_FROM_NUMBER, "Body": body}
        if callback_url:
            fields["StatusCallback"] = callback_url
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url, data=urllib.parse.urlencode(fields).encode(), method="POST"
        )
        token = base64.b64encode(f"{sid}:{settings.TWILIO_AUTH_TOKEN}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=settings.TEXT_TIMEOUT) as response:  # noqa: S310 - checked above
                answer = json.loads(response.read().decode())
        except (OSError, ValueError) as error:
            raise TextError(f"The text provider could not be reached: {error}") from error
        if not answer.get("sid"):
            raise TextError(f"The text provider refused the message: {answer}")
        return answer["sid"]


def backend():
    return import_string(settings.TEXT_BACKEND)()


def signature(url: str, fields: dict[str, str], token: str) -> str:
    payload = url + "".join(f"{key}{fields[key]}" for key in sorted(fields))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def valid_signature(url: str, fields: dict[str, str], given: str) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    if not token or not given:
        return False
    return hmac.compare_digest(signature(url, fields, token), given)


def digits(phone: str) -> str:
    """A phone number's last ten digits: how a contact's number and the provider's E.164 one
    are compared."""
    return "".join(ch for ch in phone if ch.isdigit())[-10:]
