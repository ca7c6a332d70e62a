from django import forms

from clinic.hooks import service_type_add_options
from clinic.models import (
    DURATION_MAX,
    DURATION_MIN,
    DURATION_STEP,
    AppointmentType,
    Clinic,
    ServiceType,
)
from core.concurrency import VersionedFormMixin
from core.forms import PlainChoicesMixin, clean_trimmed_name


class ClinicRowForm(PlainChoicesMixin, VersionedFormMixin, forms.ModelForm):
    """A form for a row of the user's clinic; the clinic never comes from the POST."""

    label = ""

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.instance.clinic = clinic

    def clean_name(self):
        return clean_trimmed_name(
            self, type(self.instance).objects.for_clinic(self.clinic), label=self.label
        )


class ServiceTypeForm(ClinicRowForm):
    label = "Service type"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            for option in service_type_add_options():
                self.fields[option.field] = forms.BooleanField(
                    label=option.label,
                    help_text=option.help_text,
                    initial=option.initial,
                    required=False,
                )

    def ticked_add_options(self):
        """The options of apps above clinic that the administrator left ticked."""
        return [
            option for option in service_type_add_options() if self.cleaned_data.get(option.field)
        ]

    class Meta:
        model = ServiceType
        fields = ["name", "is_active"]
        help_texts = {"is_active": "Inactive service types are not offered for new cases."}


class AppointmentTypeForm(ClinicRowForm):
    label = "Appointment type"

    default_duration_minutes = forms.IntegerField(
        label="Default duration (minutes)",
        min_value=DURATION_MIN,
        max_value=DURATION_MAX,
        step_size=DURATION_STEP,
        help_text=f"Whole minutes from {DURATION_MIN} to {DURATION_MAX}, in steps of 5.",
    )

    class Meta:
        model = AppointmentType
        fields = ["name", "default_duration_minutes", "is_active"]
        help_texts = {"is_active": "Inactive appointment types cannot be booked or requested."}


class RequestSettingsForm(PlainChoicesMixin, forms.ModelForm):
    """Admin > Basic Setup > Appointment Requests: the clinic-wide rules for portal requests.
    The bounds repeat the database's check constraints, to answer with a message."""

    request_horizon_days = forms.IntegerField(
        label="How far ahead patients may ask (days)",
        min_value=1,
        max_value=365,
        help_text="From 1 to 365 days.",
    )
    request_min_notice_hours = forms.IntegerField(
        label="Minimum notice (hours)",
        min_value=0,
        max_value=24 * 30,
        help_text="No slot starts sooner than this after the request. From 0 to 720 hours.",
    )
    request_max_pending = forms.IntegerField(
        label="Most pending requests per patient",
        min_value=1,
        max_value=50,
        help_text="From 1 to 50.",
    )
    request_pending_lifetime_days = forms.IntegerField(
        label="A pending request expires after (days)",
        min_value=1,
        max_value=90,
        help_text="Unanswered requests leave the queue as Expired. From 1 to 90 days.",
    )

    class Meta:
        model = Clinic
        fields = [
            "requests_enabled",
            "request_horizon_days",
            "request_min_notice_hours",
            "request_max_pending",
            "request_pending_lifetime_days",
        ]
        help_texts = {
            "requests_enabled": (
                "When on, patients and their families may request appointments from the "
                "portal, for the case types allowed under Patient Cases."
            )
        }
