from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from clinic.models import Clinic, ServiceType
from core.aggregates import json_list_of
from core.concurrency import Versioned
from core.roles import STAFF_ROLES, THERAPIST, role_names
from core.sql import user_name
from core.tenancy import ClinicQuerySet


class UserQuerySet(ClinicQuerySet):
    def visible_to(self, user):
        """The users of a staff member's own clinic; nobody else's, and none for a portal
        user or an operator without a clinic."""
        if user.clinic_id is None or not role_names(user) & set(STAFF_ROLES):
            return self.none()
        return self.for_clinic(user.clinic_id)

    def with_role(self, *roles: str):
        """Users holding any of ``roles``. EXISTS, not a join and DISTINCT: the paginator's
        count over a DISTINCT of every column was most of the Staff list's SQL at 300 staff
        (bench/)."""
        memberships = User.groups.through.objects.filter(
            user_id=models.OuterRef("pk"), group__name__in=roles
        )
        return self.filter(models.Exists(memberships))

    def staff(self):
        """Users with a staff role (administrator, scheduler, therapist)."""
        return self.with_role(*STAFF_ROLES)

    def therapists(self):
        """Users with the therapist role (active or not: a past visit keeps its therapist). A
        join, not ``with_role``'s EXISTS: a user holds a role once, so no row repeats, and
        the join is half the ORM's work of building the EXISTS (bench/)."""
        return self.filter(groups__name=THERAPIST)

    def active_therapists(self, clinic_id):
        """A clinic's active therapists, by name: whom the booking forms, the calendar's
        columns and availability offer."""
        return (
            self.for_clinic(clinic_id)
            .filter(is_active=True)
            .therapists()
            .order_by("last_name", "first_name")
        )

    def who_may_take(self, case):
        """The therapists who may take a patient case (``case``: a ``PatientCase``, or its
        id with ``clinic_id`` given by a preceding ``for_clinic``): active, of the case's
        clinic, with the therapist role and one of the case's service types; by last and
        first name. The booking, the approve form and the portal's choices read this."""
        case_id = getattr(case, "pk", case)
        users = self.for_clinic(case.clinic_id) if hasattr(case, "clinic_id") else self
        # Through the case's services (cases sits above accounts: named, not imported); a
        # therapist of two services of a shared case is one row (DISTINCT over a few rows).
        return (
            users.filter(is_active=True, service_types__patient_cases=case_id)
            .therapists()
            .distinct()
            .order_by("last_name", "first_name", "pk")
        )

    def with_role_names(self):
        """Each user with ``role_names_json``: their roles' names (``read_json_list``), in the
        same query: the session's user reads its roles this way on every request."""
        memberships = User.groups.through.objects.all()
        return self.annotate(role_names_json=json_list_of(memberships, "user", "group__name"))

    def with_service_names(self):
        """Each user with ``service_types_json``: their service types' names, of the user's
        own clinic only."""
        links = User.service_types.through.objects.filter(
            servicetype__clinic=models.OuterRef("clinic")
        )
        return self.annotate(service_names_json=json_list_of(links, "user", "servicetype__name"))


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


class User(Versioned, AbstractBaseUser, PermissionsMixin):
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
    # Raised when the account is deactivated: every session opened before no longer matches
    # (``get_session_auth_hash``), so reactivating does not bring them back.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = FusionUserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        indexes = [models.Index(fields=["clinic", "last_name", "first_name"])]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_unique_email_any_case")]

    def __str__(self) -> str:
        return user_name(self.first_name, self.last_name, self.email)

    def get_session_auth_hash(self) -> str:
        if not self.session_generation:
            # Unchanged for accounts never deactivated: their sessions stay valid on upgrade.
            return super().get_session_auth_hash()
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_generation}",
            algorithm="sha256",
        ).hexdigest()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class PasswordResetRequest(models.Model):
    """One "Forgot your password?" request, kept for an hour so that one client address, and
    one e-mail address, can ask only so often (``accounts.services.password_reset_request``). Asked
    before anyone knows the clinic, so it belongs to none."""

    client_address = models.GenericIPAddressField(null=True)
    email = models.CharField(max_length=254)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["client_address", "at"], name="reset_request_by_address"),
            models.Index(fields=["email", "at"], name="reset_request_by_email"),
            # Requests older than the window are deleted as new ones come.
            models.Index(fields=["at"], name="reset_request_at"),
        ]

    def __str__(self) -> str:
        return f"Reset asked for {self.email} from {self.client_address} at {self.at:%H:%M}"
