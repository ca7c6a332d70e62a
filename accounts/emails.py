"""The e-mails that carry a one-time link to set a password: invitations and resets.

The link holds Django's signed token (``default_token_generator``): it expires after
``PASSWORD_RESET_TIMEOUT`` (72 hours) and dies as soon as the password changes, so it works
once. The message is rendered here, in the request's transaction, and queued to be sent by the
worker after the commit (``core.mail.queue_email``).
"""

from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.mail import queue_email

# kind: (URL name of the link, default template, default subject)
KINDS = {
    "staff_invitation": (
        "accounts:invitation_accept",
        "accounts/email/staff_invitation.txt",
        "You are invited to Fusion Patient Cases",
    ),
    "invitation": (
        "accounts:invitation_accept",
        "accounts/email/staff_invitation.txt",
        "You are invited to Fusion Patient Cases",
    ),
    "password_reset": (
        "accounts:password_reset_confirm",
        "accounts/email/password_reset.txt",
        "Reset your Fusion Patient Cases password",
    ),
}


def set_password_url(*, user, base_url: str, url_name: str) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse(url_name, kwargs={"uidb64": uidb64, "token": token})
    return base_url.rstrip("/") + path


def queue_password_email(
    *,
    user,
    kind: str,
    base_url: str,
    template: str | None = None,
    subject: str | None = None,
    context: dict | None = None,
    sender_name: str = "",
) -> None:
    url_name, default_template, default_subject = KINDS[kind]
    body = render_to_string(
        template or default_template,
        {
            "user": user,
            "clinic": user.clinic,
            "link": set_password_url(user=user, base_url=base_url, url_name=url_name),
            "login_url": base_url.rstrip("/") + reverse("accounts:login"),
            "hours": 72,
            **(context or {}),
        },
    )
    queue_email(
        to=user.email, subject=subject or default_subject, body=body, sender_name=sender_name
    )
