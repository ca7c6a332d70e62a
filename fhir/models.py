"""A clinic's registered integrations: an OAuth2 client of the FHIR API, bound to one clinic."""

from django.conf import settings
from django.db import models
from oauth2_provider.models import Application

from clinic.models import ClinicOwned, ClinicQuerySet, clinic_scoped


class IntegrationQuerySet(ClinicQuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class Integration(ClinicOwned):
    """An OAuth2 client (django-oauth-toolkit's ``Application``) registered by an administrator
    of the clinic. Its tokens see that clinic's data only: a back-end's tokens (client
    credentials) all of it, an app's tokens (authorization code) what their user sees.

    Revoking keeps the row (the audit trail names it) and ends every token it holds."""

    class Kind(models.TextChoices):
        BACKEND = "backend", "A back-end service of the clinic (client credentials)"
        APP = "app", "An app acting for a staff member (authorization code with PKCE)"

    # Not a one-to-one: its unique index would not lead with clinic_id (docs/scaling.md); the
    # (clinic, application) constraint below keeps one integration per application.
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    objects = clinic_scoped(IntegrationQuerySet)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "application"], name="integration_one_per_application"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["backend", "app"]), name="integration_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["clinic", "-created_at"])]

    def __str__(self) -> str:
        return self.application.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
