"""The free-time finder's form: the patient's case, the appointment type, a location,
optionally therapists, and the days to search."""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.forms.widgets import ChoiceWidget

from accounts.models import User
from charts.models import PatientChartCase
from clinic.models import AppointmentType
from core.forms import ChoicesOnce, PlainChoicesMixin
from core.inputs import parse_id
from scheduling.forms import DATE_WIDGET
from scheduling.models import Location
from scheduling.reads.free_times import MAX_DAYS
from scheduling.services import DayChange, case_therapists

DEFAULT_DAYS = 7  # a week a page: "Later days" shows the next


class OnceChoiceField(forms.ModelChoiceField):
    """A short list of choices read once (``ChoicesOnce``), and the chosen one found in it
    rather than asked of the database again (Django's ``to_python`` runs a ``get``)."""

    iterator = ChoicesOnce

    def to_python(self, value):
        if value in self.empty_values:
            return None
        for choice in self.queryset:
            if str(choice.pk) == str(value).strip():
                return choice
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class OnceMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = ChoicesOnce


class ChartCaseField(OnceChoiceField):
    def label_from_instance(self, obj):
        return obj.case.name


class FreeTimeForm(PlainChoicesMixin, forms.Form):
    chart_case = ChartCaseField(
        label="Patient Case",
        queryset=PatientChartCase.objects.none(),
        empty_label="Choose a case",
        error_messages={"invalid_choice": "Choose one of this patient's open cases."},
    )
    appointment_type = OnceChoiceField(
        queryset=AppointmentType.objects.none(),
        empty_label="Choose an appointment type",
        error_messages={"invalid_choice": "Choose one of the clinic's appointment types."},
    )
    location = OnceChoiceField(
        queryset=Location.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of the clinic's open locations."},
    )
    therapists = OnceMultipleChoiceField(
        queryset=None,
        required=False,
        label="Therapists (leave empty for everyone who can take the case)",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose therapists who can take this case."},
    )
    first = forms.DateField(label="From", widget=DATE_WIDGET)
    last = forms.DateField(label="To", widget=DATE_WIDGET)

    def __init__(self, *args, patient, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        clinic_id = patient.clinic_id
        self.fields["chart_case"].queryset = (
            PatientChartCase.objects.for_clinic(clinic_id)
            .filter(patient=patient)
            .bookable()
            .select_related("case", "patient", "clinic")
            .order_by("case__name", "pk")
        )
        self.fields["appointment_type"].queryset = (
            AppointmentType.objects.for_clinic(clinic_id).active().order_by("name")
        )
        self.fields["location"].queryset = (
            Location.objects.for_clinic(clinic_id).active().order_by("name")
        )
        self.initial.setdefault("first", today)
        self.initial.setdefault("last", today + datetime.timedelta(days=DEFAULT_DAYS - 1))
        if self.is_bound:
            self.data = self._with_defaults(self.data)
        chart_case = self._chosen_chart_case()
        # Only those who may take the chosen case (``User.objects.who_may_take``).
        self.fields["therapists"].queryset = (
            case_therapists(chart_case) if chart_case else User.objects.none()
        )

    def _with_defaults(self, data):
        """The query with the first type and location (of the choices, read once for the
        page) and the default days filled in where missing, so that **Book** on the patient
        page shows free times at once."""
        data = data.copy()
        for name in ("appointment_type", "location"):
            if not data.get(name):
                chosen = next(iter(self.fields[name].queryset), None)
                data[name] = "" if chosen is None else chosen.pk
        for name in ("first", "last"):
            if not data.get(name):
                data[name] = self.initial[name].isoformat()
        return data

    def _chosen_chart_case(self):
        """The chart case the data names, if it is one of the choices (for the therapists the
        form offers); the field's own cleaning gives the message otherwise. The choices are
        read once, for this, the cleaning and the page."""
        pk = parse_id((self.data or self.initial).get("chart_case"))
        if pk is None:
            return None
        return next((cc for cc in self.fields["chart_case"].queryset if cc.pk == pk), None)

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last:
            if last < first:
                self.add_error("last", "The last day cannot be before the first.")
            elif (last - first).days + 1 > MAX_DAYS:
                self.add_error(
                    "last", f"Search at most {MAX_DAYS} days at once. Choose an earlier last day."
                )
        chart_case = data.get("chart_case")
        if chart_case and not data.get("therapists"):
            data["therapists"] = list(self.fields["therapists"].queryset)
        if chart_case and not data["therapists"]:
            self.add_error(
                "chart_case",
                f"No therapist can take “{chart_case.case.name}” yet. Ask an administrator to "
                "give a therapist one of its services.",
            )
        return data


@dataclass
class ShownField:
    """A field of the finder's form as its page writes it
    (``scheduling/jinja2/scheduling/free_time_fields.html``: the markup of crispy's Bootstrap 5
    field template, which the page's recordings hold), in plain values: the widget's
    attributes and value as Django builds them, its options (value, label, attributes)."""

    id: str
    name: str
    label: str
    required: bool
    errors: list
    help_text: str
    attrs: dict
    value: str | None = None
    options: list = field(default_factory=list)
    describedby: str = ""


def shown_fields(form: FreeTimeForm) -> dict[str, ShownField]:
    """Each field of ``form`` as plain values for its page, by Django's widget rules (which
    attributes, which options are chosen), so that the page's template writes them without
    Django's widget templates and crispy's (a third of the page's time)."""
    shown = {}
    for name, css in FIELD_CLASSES.items():
        bound = form[name]
        widget = bound.field.widget
        errors = list(bound.errors)
        attrs = bound.build_widget_attrs({"class": f"{css} is-invalid" if errors else css})
        attrs.setdefault("id", bound.auto_id)
        value = widget.format_value(bound.value())
        options = []
        if isinstance(widget, ChoiceWidget):
            own = bound.build_widget_attrs({"id": bound.auto_id})
            for _, group, _ in widget.optgroups(bound.html_name, value, own):
                options += [(str(each["value"]), each["label"], each["attrs"]) for each in group]
        shown[name] = ShownField(
            id=bound.auto_id,
            name=bound.html_name,
            label=bound.label,
            required=bound.field.required,
            errors=errors,
            help_text=bound.help_text,
            attrs=attrs,
            value=None if options else value,
            options=options,
            describedby=bound.aria_describedby if bound.use_fieldset else "",
        )
    return shown


# The class crispy gives each field's widget: its own (the widget's name) and Bootstrap's.
FIELD_CLASSES = {
    "chart_case": "select form-select",
    "appointment_type": "select form-select",
    "location": "select form-select",
    "first": "dateinput form-control",
    "last": "dateinput form-control",
    "therapists": "form-check-input",
}


KEEP, CANCEL, NEXT = "", "cancel", "next"


def _shown(suggestion) -> str:
    """A next free time as the page carries it: its therapist and start."""
    return f"{suggestion.therapist.pk}@{suggestion.start.isoformat()}"


GONE = (
    "Someone else changed a visit of this day after you opened it. Look at the day again and "
    "repeat your changes."
)


class DayMoveForm(PlainChoicesMixin, forms.Form):
    """One choice a visit of the day (keep, move to a therapist free at its time, move to the
    next free time when nobody is, cancel), the version of each visit as the page showed it,
    and the reason every change carries."""

    reason = forms.CharField(
        max_length=300, label="Reason (kept with every change)", initial="Therapist out"
    )

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.stale = False
        for visit, free, suggestion in rows:
            self.fields[f"visit_{visit.pk}"] = forms.ChoiceField(
                label=(
                    f"{visit.local_start:%-I:%M %p} · {visit.patient} · "
                    f"{visit.appointment_type} · {visit.chart_case.case.name}"
                ),
                choices=self._choices(free, suggestion),
                required=False,
                error_messages={
                    "invalid_choice": "Choose a therapist offered for this visit, keep it or "
                    "cancel it."
                },
            )
            self.fields[f"version_{visit.pk}"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=visit.version, required=False
            )
            if suggestion is not None:
                self.fields[f"next_{visit.pk}"] = forms.CharField(
                    widget=forms.HiddenInput, initial=_shown(suggestion), required=False
                )

    @staticmethod
    def _choices(free, suggestion) -> list[tuple[str, str]]:
        choices = [(KEEP, "Keep as it is")]
        choices += [(str(t.pk), f"Move to {t} (free then)") for t in free]
        if suggestion is not None:
            when = f"{suggestion.start:%a %b %-d, %-I:%M %p}"
            choices.append((NEXT, f"Move to {when} with {suggestion.therapist} (next free time)"))
        choices.append((CANCEL, "Cancel (by the clinic)"))
        return choices

    def clean(self):
        data = super().clean()
        # A change asked for a visit the page showed that is no longer the therapist's
        # scheduled visit of the day (moved or cancelled by someone else meanwhile).
        # Or one the page showed at another version (moved to another time meanwhile).
        shown = {str(visit.pk): visit.version for visit, _, _ in self.rows}
        for key, value in self.data.items():
            name, _, pk = key.partition("_")
            if name != "visit" or not value:
                continue
            version = data.get(f"version_{pk}")
            if pk not in shown or version not in (None, shown[pk]):
                self.stale = True
                raise forms.ValidationError(GONE)
        self._check_suggestions(data)
        return data

    def _check_suggestions(self, data) -> None:
        """A next free time picked as the page showed it: when it was taken meanwhile and
        another is offered now, the visit's choice is refused with the new time, shown on the
        page for the next save (never a silent move to a time the person did not see)."""
        for visit, _, suggestion in self.rows:
            if data.get(f"visit_{visit.pk}") != NEXT or suggestion is None:
                continue
            if data.get(f"next_{visit.pk}") not in (None, "", _shown(suggestion)):
                self.data = self.data.copy()
                self.data[f"next_{visit.pk}"] = _shown(suggestion)
                self.add_error(
                    f"visit_{visit.pk}",
                    "The free time shown was taken a moment ago. The next one now is "
                    f"{suggestion.start:%a %b %-d, %-I:%M %p} with {suggestion.therapist}: "
                    "save again to move the visit there.",
                )

    def changes(self):
        """The ``DayChange`` of each visit not kept, with the version the page showed."""
        changes = []
        for visit, free, suggestion in self.rows:
            choice = self.cleaned_data.get(f"visit_{visit.pk}") or KEEP
            version = self.cleaned_data.get(f"version_{visit.pk}")
            if choice == KEEP:
                continue
            if choice == CANCEL:
                changes.append(DayChange(visit, version=version))
            elif choice == NEXT:
                changes.append(
                    DayChange(visit, suggestion.therapist, suggestion.start, version=version)
                )
            else:
                therapist = next(t for t in free if str(t.pk) == choice)
                changes.append(DayChange(visit, therapist, visit.start, version=version))
        return changes
