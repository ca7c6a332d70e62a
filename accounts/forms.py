from django import forms
from django.contrib.auth.models import Group

from accounts.models import User
from clinic.models import ServiceType
from core.concurrency import VersionedFormMixin
from core.forms import PlainChoicesMixin
from core.roles import STAFF_ROLES, THERAPIST

EMAIL_UNUSABLE = "This e-mail address cannot be used for a new account here. Use another one."


class StaffForm(PlainChoicesMixin, VersionedFormMixin, forms.ModelForm):
    roles = forms.ModelMultipleChoiceField(
        queryset=Group.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="A person may hold several roles.",
        error_messages={"required": "Choose at least one role."},
    )
    service_types = forms.ModelMultipleChoiceField(
        queryset=ServiceType.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Service types",
        help_text="Therapists see the patient cases of these service types.",
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "credentials", "email"]

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        self.fields["roles"].queryset = Group.objects.filter(name__in=STAFF_ROLES).order_by("name")
        # An inactive service type the person already has stays ticked and may be kept.
        services = ServiceType.objects.for_clinic(clinic).active()
        if self.instance.pk:
            services = services | ServiceType.objects.for_clinic(clinic).filter(
                pk__in=self.instance.service_types.values("pk")
            )
            self.initial.setdefault("roles", list(self.instance.groups.all()))
            self.initial.setdefault("service_types", list(self.instance.service_types.all()))
        self.fields["service_types"].queryset = services.distinct().order_by("name")

    def conflict_values(self, row) -> dict[str, str]:
        values = super().conflict_values(row)
        roles = self.cleaned_data.get("roles") or [] if row is None else row.groups.all()
        values["Roles"] = ", ".join(sorted(role.name for role in roles))
        return values

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        clash = User.objects.filter(email__iexact=email)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            # The same words whatever the reason, and whichever clinic has the address: the
            # screen must not tell an administrator that an account exists elsewhere.
            raise forms.ValidationError(EMAIL_UNUSABLE)
        return email

    def clean(self):
        cleaned = super().clean()
        roles = cleaned.get("roles") or []
        if any(role.name == THERAPIST for role in roles) and not cleaned.get("service_types"):
            if self.fields["service_types"].queryset.exists():
                self.add_error("service_types", "A therapist needs at least one service type.")
            else:
                # A checkbox list with no boxes shows no message (crispy prints a field's errors
                # under its last box), so the one field the user can act on carries it.
                self.add_error(
                    "roles",
                    "A therapist needs at least one service type, and your clinic has none "
                    "active yet: add them under Service Types first.",
                )
        return cleaned


class StaffCreateForm(StaffForm):
    """No password here: the new staff member sets their own from the invitation e-mail."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = (
            "An invitation to set their own password is e-mailed to this address "
            "(the link works once, for 72 hours)."
        )


class PasswordResetRequestForm(PlainChoicesMixin, forms.Form):
    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
