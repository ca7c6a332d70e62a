import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Exists, OuterRef, Q
from django.forms.renderers import Jinja2

from accounts.models import User
from cases.models import PatientCase
from charts.models import PatientChartCase
from clinic.forms import ClinicRowForm
from clinic.models import DURATION_MAX, DURATION_MIN, DURATION_STEP, AppointmentType
from core.forms import PlainChoicesMixin
from scheduling import slots
from scheduling.models import (
    WEEKDAYS,
    Appointment,
    AvailabilityException,
    ClinicClosure,
    ClinicHours,
    Location,
    TherapistAvailability,
)
from scheduling.services import MAX_OCCURRENCES, case_therapists

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Every form's DateField is held to the product's range by ``core.inputs`` (1900-2999); kept
# empty so the fields below that name it need no change.
DATE_RANGE: list = []
TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")


def bootstrap_widgets(form: forms.Form) -> None:
    """The classes crispy-forms would give the widgets, for a form the template lays out with
    ``scheduling/includes/fields.html`` (a loop over the fields: a fraction of crispy's
    templates per field, on a page opened for every request the queue holds). Django marks
    a field with errors ``aria-invalid`` and points ``aria-describedby`` at its message."""
    for field in form.fields.values():
        kind = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs["class"] = kind


class LocationForm(ClinicRowForm):
    label = "Location"

    class Meta:
        model = Location
        fields = ["name", "address", "time_zone", "is_active", "available_for_requests"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"time_zone": "For example America/New_York. Times are shown in it."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault("time_zone", self.clinic.time_zone)


class _LocationRowForm(PlainChoicesMixin, forms.ModelForm):
    def __init__(self, *args, location, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.clinic_id = location.clinic_id
        self.instance.location = location


def _end_after_start(form):
    """The database refuses it too; this puts the message next to the End field."""
    start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
    if start and end and end <= start:
        form.add_error("end", "The end must be after the start.")
    elif bool(start) != bool(end):
        form.add_error("end" if start else "start", "Give both a start and an end, or neither.")


class ClinicHoursForm(_LocationRowForm):
    class Meta:
        model = ClinicHours
        fields = ["weekday", "start", "end"]
        widgets = {"start": TIME_WIDGET, "end": TIME_WIDGET}

    def clean(self):
        data = super().clean()
        _end_after_start(self)
        return data


class ClinicClosureForm(_LocationRowForm):
    class Meta:
        model = ClinicClosure
        fields = ["date", "reason"]
        widgets = {"date": DATE_WIDGET}

    def _get_validation_exclusions(self):
        # The view sets the location, not a field, so Django would skip the model's
        # once-a-day constraint and the save would hit it in the database (a 500).
        return super()._get_validation_exclusions() - {"clinic", "location"}

    def _post_clean(self):
        super()._post_clean()
        # The constraint's message is about the date: it stands beside it.
        if NON_FIELD_ERRORS in self._errors and "date" in self.cleaned_data:
            self.add_error("date", self._errors.pop(NON_FIELD_ERRORS))


class _TherapistRowForm(PlainChoicesMixin, forms.ModelForm):
    def __init__(self, *args, therapist, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.clinic_id = therapist.clinic_id
        self.instance.therapist = therapist
        if "location" in self.fields:
            self.fields["location"].queryset = Location.objects.for_clinic(
                therapist.clinic_id
            ).active()


class TherapistAvailabilityForm(_TherapistRowForm):
    class Meta:
        model = TherapistAvailability
        fields = ["location", "weekday", "start", "end"]
        widgets = {"start": TIME_WIDGET, "end": TIME_WIDGET}

    def clean(self):
        data = super().clean()
        _end_after_start(self)
        return data


class AvailabilityExceptionForm(_TherapistRowForm):
    empty_labels = {"location": "Any location"}

    class Meta:
        model = AvailabilityException
        fields = ["date", "kind", "start", "end", "location", "reason"]
        widgets = {"date": DATE_WIDGET, "start": TIME_WIDGET, "end": TIME_WIDGET}
        help_texts = {
            "start": "Leave start and end empty for a whole day off.",
            "location": "Where the extra hours are.",
        }

    def clean(self):
        data = super().clean()
        _end_after_start(self)
        return data


def _shared_service_ids(therapists) -> set[int] | None:
    """The active service types every chosen therapist has (None: no therapist chosen)."""
    service_ids = None
    for therapist in therapists:
        ids = set(therapist.service_types.filter(is_active=True).values_list("pk", flat=True))
        service_ids = ids if service_ids is None else service_ids & ids
    return service_ids


def _preselect(on_chart, others, service_ids) -> str | None:
    """The only chart case, or else the only case whose services are just the therapists'."""
    if not service_ids:
        return None
    if len(on_chart) == 1:
        return f"chart:{on_chart[0].pk}"
    if on_chart:
        return None
    only_type = [case for case in others if {s.pk for s in case.service_types.all()} <= service_ids]
    return f"case:{only_type[0].pk}" if len(only_type) == 1 else None


def case_choices(*, patient, therapists) -> tuple[list, str | None]:
    """The Patient Case field: first the patient's active chart cases sharing the therapists'
    service type, then the clinic's other active cases of that type (booking one adds it to
    the chart). Archived cases and cases discharged on this chart are never offered. The
    value to preselect when exactly one fits (``_preselect``)."""
    service_ids = _shared_service_ids(therapists)
    on_chart = (
        PatientChartCase.objects.for_clinic(patient.clinic_id)
        .filter(patient=patient)
        .bookable()
        .select_related("case")
        .order_by("case__name")
    )
    on_this_chart = PatientChartCase.objects.filter(
        clinic_id=patient.clinic_id, patient=patient, case=OuterRef("pk")
    )
    others = (
        PatientCase.objects.for_clinic(patient.clinic_id)
        .pickable()
        .exclude(Exists(on_this_chart))
        .prefetch_related("service_types")
        .order_by("name")
    )
    if service_ids is not None:
        on_chart = on_chart.filter(case__service_types__in=service_ids).distinct()
        others = others.filter(service_types__in=service_ids).distinct()
    on_chart, others = list(on_chart), list(others)
    groups = [
        (f"On {patient}'s chart", [(f"chart:{row.pk}", row.case.name) for row in on_chart]),
        (
            "Other cases of the clinic (added to the chart when booked)",
            [(f"case:{case.pk}", case.name) for case in others],
        ),
    ]
    choices = [(label, options) for label, options in groups if options]
    return choices, _preselect(on_chart, others, service_ids)


def authorization_override_field() -> forms.CharField:
    """Shown only once the booking said the visit is over or outside the chart case's
    authorizations (or a reason was given): the templates skip it otherwise."""
    return forms.CharField(
        label="Book over the authorization because",
        required=False,
        max_length=300,
        help_text="The reason is kept on the appointment and in the audit trail.",
    )


class AppointmentForm(PlainChoicesMixin, forms.Form):
    therapists = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        label="Therapist",
        help_text="One or more, all of one service type. Choose, then Show cases.",
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    location = forms.ModelChoiceField(queryset=Location.objects.none(), empty_label=None)
    appointment_type = forms.ModelChoiceField(
        queryset=AppointmentType.objects.none(), empty_label="Choose a type"
    )
    date = forms.DateField(widget=DATE_WIDGET, validators=DATE_RANGE)
    time = forms.TimeField(label="Start time", widget=TIME_WIDGET)
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)",
        required=False,
        min_value=DURATION_MIN,
        max_value=DURATION_MAX,
        step_size=DURATION_STEP,
        help_text="Empty: the appointment type's usual length. 5–480, in steps of 5.",
    )
    case = forms.ChoiceField(label="Patient Case")
    override_reason = forms.CharField(
        label="Book outside hours or availability because",
        required=False,
        max_length=300,
        help_text="Administrators only; leave empty to keep to the hours.",
    )
    authorization_override = authorization_override_field()
    repeat = forms.BooleanField(label="Repeat weekly", required=False)
    every_weeks = forms.IntegerField(
        label="Every … weeks", min_value=1, max_value=12, initial=1, required=False
    )
    weekdays = forms.TypedMultipleChoiceField(
        label="On",
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Empty: the start date's weekday.",
    )
    until = forms.DateField(
        label="Until", required=False, widget=DATE_WIDGET, validators=DATE_RANGE
    )
    count = forms.IntegerField(
        label="Or for … occurrences",
        required=False,
        min_value=1,
        help_text=f"At most {MAX_OCCURRENCES}.",
    )

    def __init__(self, *args, patient, user, allow_override: bool, therapists=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient
        clinic_id = patient.clinic_id
        self.fields["therapists"].queryset = User.objects.active_therapists(clinic_id)
        self.fields["location"].queryset = Location.objects.for_clinic(clinic_id).active()
        self.fields["appointment_type"].queryset = AppointmentType.objects.for_clinic(
            clinic_id
        ).active()
        choices, preselect = case_choices(patient=patient, therapists=therapists)
        self.fields["case"].choices = [("", "Choose a case"), *choices]
        if preselect and not self.is_bound:
            self.initial["case"] = preselect
        self.preselected = preselect
        if not allow_override:
            del self.fields["override_reason"]

    def clean_count(self):
        count = self.cleaned_data.get("count")
        if count and count > MAX_OCCURRENCES:
            raise forms.ValidationError(f"A series has at most {MAX_OCCURRENCES} occurrences.")
        return count

    def clean(self):
        data = super().clean()
        if data.get("repeat") and not (data.get("until") or data.get("count")):
            self.add_error("count", "Give an end date or a number of occurrences.")
        if data.get("repeat") and data.get("until") and data.get("date"):
            if data["until"] < data["date"]:
                self.add_error("until", "The series cannot end before it starts.")
        return data

    def start(self) -> datetime.datetime:
        location = self.cleaned_data["location"]
        return slots.wall(self.cleaned_data["date"], self.cleaned_data["time"], location.tzinfo)

    def duration(self) -> int:
        return (
            self.cleaned_data.get("duration_minutes")
            or self.cleaned_data["appointment_type"].default_duration_minutes
        )


class RescheduleForm(PlainChoicesMixin, forms.Form):
    date = forms.DateField(widget=DATE_WIDGET, validators=DATE_RANGE)
    time = forms.TimeField(label="Start time", widget=TIME_WIDGET)
    # Not sent (an older screen, a script): the appointment keeps its therapist and location.
    therapist = forms.ModelChoiceField(
        queryset=User.objects.none(),
        empty_label=None,
        required=False,
        error_messages={"invalid_choice": "Choose a therapist who can take this case."},
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(),
        empty_label=None,
        required=False,
        error_messages={"invalid_choice": "Choose one of the clinic's open locations."},
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)",
        min_value=DURATION_MIN,
        max_value=DURATION_MAX,
        step_size=DURATION_STEP,
    )
    reason = forms.CharField(max_length=300, label="Reason")
    following = forms.BooleanField(
        label="Also move the later appointments of this series",
        required=False,
    )
    override_reason = forms.CharField(
        label="Book outside hours or availability because", required=False, max_length=300
    )
    authorization_override = authorization_override_field()

    def __init__(self, *args, appointment, allow_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        local = appointment.local_start
        self.initial.update(
            date=local.date(),
            time=local.time(),
            duration_minutes=appointment.duration_minutes,
            therapist=appointment.therapist_id,
            location=appointment.location_id,
        )
        # Who may take the case (``who_may_take``), and the therapist booked now.
        may_take = case_therapists(appointment.chart_case).values("pk")
        self.fields["therapist"].queryset = User.objects.active_therapists(
            appointment.clinic_id
        ).filter(Q(pk__in=may_take) | Q(pk=appointment.therapist_id))
        self.fields["location"].queryset = (
            Location.objects.for_clinic(appointment.clinic_id)
            .filter(Q(is_active=True) | Q(pk=appointment.location_id))
            .order_by("name")
        )
        if not appointment.series_id:
            del self.fields["following"]
        if not allow_override:
            del self.fields["override_reason"]


class CancelForm(PlainChoicesMixin, forms.Form):
    status = forms.ChoiceField(
        label="Cancelled by",
        choices=[
            (Appointment.Status.PATIENT_CANCELLED, "The patient"),
            (Appointment.Status.CLINIC_CANCELLED, "The clinic"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(max_length=300, label="Reason")
    following = forms.BooleanField(
        label="Also cancel the later appointments of this series", required=False
    )

    def __init__(self, *args, appointment, **kwargs):
        super().__init__(*args, **kwargs)
        if not appointment.series_id:
            del self.fields["following"]


class CalendarForm(PlainChoicesMixin, forms.Form):
    """The date picker and location of the calendar (a GET form)."""

    # A date outside DATE_RANGE is read like one that is not a date: the calendar shows today.
    date = forms.DateField(required=False, widget=DATE_WIDGET, validators=DATE_RANGE)
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), required=False, empty_label=None
    )

    def __init__(self, *args, clinic_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.for_clinic(clinic_id).active()


# Django's own Jinja2 form renderer (its widget templates in Jinja2): a request's page, opened
# for every request the queue holds, renders its selects' options without a Django template
# include per option, the larger part of the page's own time (bench/).
JINJA2_FORMS = Jinja2()


class RequestApproveForm(PlainChoicesMixin, forms.Form):
    """What the scheduler books for a request: as asked, or changed first (a field left
    empty keeps the request's value)."""

    default_renderer = JINJA2_FORMS
    empty_labels = dict.fromkeys(["appointment_type", "therapist", "location"], "As requested")

    appointment_type = forms.ModelChoiceField(
        label="Appointment type", queryset=AppointmentType.objects.none(), required=False
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)",
        min_value=DURATION_MIN,
        max_value=DURATION_MAX,
        step_size=DURATION_STEP,
        required=False,
    )
    therapist = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False)
    date = forms.DateField(widget=DATE_WIDGET, required=False, validators=DATE_RANGE)
    time = forms.TimeField(label="Start time", widget=TIME_WIDGET, required=False)
    authorization_override = authorization_override_field()

    def __init__(self, *args, clinic_id, chart_case=None, choices=None, **kwargs):
        """``choices`` (``request_reads.approve_choices``) are what the page offers, read
        with the request: a form only shown needs no query of its own. A bound form checks
        the posted ids against the same rows (``chart_case`` names the case); a posted id
        outside them is the field's error."""
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)
        if self.is_bound or choices is None:
            self.fields["appointment_type"].queryset = (
                AppointmentType.objects.for_clinic(clinic_id).active().order_by("name")
            )
            # The therapists the booking accepts for this case (its service types), not
            # every therapist of the clinic: a short list, and no choice the booking refuses.
            self.fields["therapist"].queryset = case_therapists(chart_case)
            self.fields["location"].queryset = (
                Location.objects.for_clinic(clinic_id).active().order_by("name")
            )
        if choices is not None:
            self.offer(choices)

    def offer(self, choices: dict) -> None:
        """Show ``choices`` (``{field name: [(id, label), ...]}``) as the options, rather
        than the model rows of each field's queryset (read and rendered one by one)."""
        for name, options in choices.items():
            field = self.fields[name]
            field.widget.choices = [("", field.empty_label), *options]

    def changes(self, request) -> dict:
        """The booking's arguments: the form's values, the request's where left empty."""
        data = self.cleaned_data
        location = data["location"] or request.location
        local = request.start.astimezone(location.tzinfo)
        return {
            "appointment_type": data["appointment_type"] or request.appointment_type,
            "duration_minutes": data["duration_minutes"] or request.duration_minutes,
            "therapist": data["therapist"] or request.therapist,
            "location": location,
            "start": slots.wall(
                data["date"] or local.date(), data["time"] or local.time(), location.tzinfo
            ),
            "authorization_override": data.get("authorization_override") or None,
        }


class RequestDeclineForm(PlainChoicesMixin, forms.Form):
    default_renderer = JINJA2_FORMS

    reason = forms.CharField(
        label="Reason (the patient reads it)",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason the patient will read."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)
