from django.conf import settings
from django.db import models
from django.utils import timezone

from charts.models import Patient
from clinic.models import ClinicOwned
from core.tenancy import ClinicQuerySet, clinic_scoped


class PortalLinkQuerySet(ClinicQuerySet):
    def of_user(self, user):
        """The links of one portal user: the patients they act for, nobody else's."""
        return self.for_clinic(user.clinic_id).filter(user=user)


class PortalLink(ClinicOwned):
    """A portal user (role Patient) may act for this patient: themselves, or a child or ward.
    A parent of two children has two links; two parents of one child are two users."""

    class Relationship(models.TextChoices):
        SELF = "self", "Self"
        PARENT = "parent", "Parent"
        GUARDIAN = "guardian", "Guardian"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="portal_links"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="portal_links")
    relationship = models.CharField(max_length=16, choices=Relationship.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = clinic_scoped(PortalLinkQuerySet)

    class Meta:
        ordering = ["patient__last_name", "patient__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "clinic", "user", "patient", name="portallink_unique_user_patient"
            ),
            models.CheckConstraint(
                condition=models.Q(relationship__in=["self", "parent", "guardian"]),
                name="portallink_relationship_valid",
            ),
        ]
        indexes = [models.Index(fields=["clinic", "patient"])]

    def __str__(self) -> str:
        return f"{self.user.email} for {self.patient} ({self.get_relationship_display()})"
