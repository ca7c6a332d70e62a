import datetime

from django import forms
from django.core.exceptions import ValidationError

from core.forms import PlainChoicesMixin
from portal.models import PortalLink
from scheduling.models import AppointmentRequest


class PortalInviteForm(PlainChoicesMixin, forms.Form):
    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        help_text="The invitation with a link to set a password goes to this address.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    relationship = forms.ChoiceField(
        label="Relationship to the patient",
        choices=PortalLink.Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the relationship to the patient."},
    )
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class AppointmentRequestForm(PlainChoicesMixin, forms.Form):
    """The request screen, step by step: the type, then the location (asked only once a type
    is chosen) and a preferred therapist, among ``choices`` (``portal.reads.Choices``);
    posted, also the start and the note. The screen writes its own inputs (radio buttons, a
    week of times); this checks what comes back. Errors are keyed as ``scheduling.services.
    request_create`` keys its own (``errors_by_key``)."""

    type = forms.ChoiceField(
        required=False,
        error_messages={
            "invalid_choice": "This appointment type cannot be requested for this case."
        },
    )
    location = forms.CharField(required=False)
    therapist = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": "Choose a therapist of this case, or any therapist."},
    )
    start = forms.CharField(required=False)
    note = forms.CharField(
        required=False,
        max_length=AppointmentRequest.NOTE_MAX,
        error_messages={
            "max_length": (f"Keep the note to {AppointmentRequest.NOTE_MAX} characters or fewer.")
        },
    )

    def __init__(self, data, *, choices, posted: bool):
        super().__init__(data)
        self.choices = choices
        self.posted = posted
        self.fields["type"].choices = [(str(r.appointment_type_id), "") for r in choices.rules]
        self.fields["therapist"].choices = [(str(each.pk), "") for each in choices.therapists]
        if not posted:
            del self.fields["start"], self.fields["note"]

    def clean_type(self):
        value = self.cleaned_data["type"]
        return next((r for r in self.choices.rules if str(r.appointment_type_id) == value), None)

    def clean_location(self):
        value = self.cleaned_data["location"]
        if not value or not self.cleaned_data.get("type"):
            return None  # the location is asked once a type is chosen
        location = next((each for each in self.choices.locations if str(each.pk) == value), None)
        if location is None:
            raise ValidationError("This location does not take requests. Choose another.")
        return location

    def clean_therapist(self):
        value = self.cleaned_data["therapist"]
        return next((each for each in self.choices.therapists if str(each.pk) == value), None)

    def clean_start(self):
        """An aware moment (the buttons post UTC); anything else is no choice. A moment the
        calendar cannot hold in UTC (year 1 east of Greenwich) is none either."""
        try:
            start = datetime.datetime.fromisoformat(self.cleaned_data["start"])
            return start.astimezone(datetime.UTC) if start.tzinfo is not None else None
        except (ValueError, OverflowError):
            return None

    def clean(self):
        data = super().clean()
        if not self.posted or self.errors:
            return data
        # One thing at a time, in the order the screen asks for them.
        if not data.get("type"):
            self.add_error("type", "Choose the type of appointment.")
        elif not data.get("location"):
            self.add_error("location", "Choose a location.")
        elif not data.get("start"):
            self.add_error("start", "Choose one of the offered times.")
        return data

    def errors_by_key(self) -> dict[str, str]:
        """``{key: message}`` as the template and ``request_create`` name them."""
        names = {"type": "appointment_type"}
        return {names.get(key, key): " ".join(value) for key, value in self.errors.items()}
