from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from clinic.models import Clinic, ServiceType
from core.roles import STAFF_ROLES, role_names


class UserQuerySet(models.QuerySet):
    def for_clinic(self, clinic):
        return self.filter(clinic=clinic)

    def visible_to(self, user):
        """The users of a staff member's own clinic; nobody else's, and none for a portal
        user or an operator without a clinic."""
        if user.clinic_id is None or not role_names(user) & set(STAFF_ROLES):
            return self.none()
        return self.for_clinic(user.clinic_id)

    def staff(self):
        return self.filter(groups__name__in=STAFF_ROLES).distinct()


class FusionUserManager(UserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in, by e-mail. Staff and portal users alike belong to one clinic."""

    email = models.EmailField("E-mail", max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    # Shown after the name in a signature: "Dana Reyes, CCC-SLP".
    credentials = models.CharField(
        max_length=50, blank=True, help_text="Optional, shown in signatures, e.g. CCC-SLP."
    )
    # Only a site operator made with createsuperuser has no clinic; they see no clinic data.
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    service_types = models.ManyToManyField(
        ServiceType, blank=True, related_name="therapists", verbose_name="Service types"
    )
    is_active = models.BooleanField("Active", default=True)
    # Django's own admin site, for operators; clinic staff never need it.
    is_staff = models.BooleanField("Operator (Django admin)", default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = FusionUserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        indexes = [models.Index(fields=["clinic", "last_name", "first_name"])]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_unique_email_any_case")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email
