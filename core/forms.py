"""Pieces shared by the forms of every app."""

from django import forms
from django.db.models import BLANK_CHOICE_DASH, Value
from django.db.models.functions import Lower
from django.forms.models import ModelChoiceIterator
from django.forms.utils import pretty_name
from django.utils.choices import BaseChoiceIterator

from core.inputs import normalise_name


class ChoicesOnce(ModelChoiceIterator):
    """The choices from the field's queryset as read once (its result cache), where Django's
    iterator reads the queryset again each time the choices are listed (on PostgreSQL through
    a server-side cursor, a DECLARE and a FETCH). For a field's ``iterator``."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


def same_name(queryset, name: str):
    """The rows of ``queryset`` whose name equals ``name`` under the rule the database's unique
    constraint uses (``Lower`` of the stored name), so the form's check and the constraint
    never disagree (``iexact`` folds with ``UPPER`` on PostgreSQL, ``Lower`` with ``LOWER``:
    they differ on letters such as the Kelvin sign)."""
    return queryset.alias(_folded_name=Lower("name")).filter(_folded_name=Lower(Value(name)))


def clean_trimmed_name(form: forms.ModelForm, queryset, *, label: str) -> str:
    """Normalise the name (NFKC, trimmed, single spaces, no invisible characters) and refuse
    one the clinic already has, whatever its case.

    The database holds the same rule as a constraint; this check is what gives the user a
    message next to the field instead of an error page. ``queryset`` must already be limited
    to the form's clinic.
    """
    # The field is required, so a blank name never gets here.
    name = normalise_name(form.cleaned_data["name"])
    if not name:
        raise forms.ValidationError("Enter a name.")
    duplicates = same_name(queryset, name)
    if form.instance.pk:
        duplicates = duplicates.exclude(pk=form.instance.pk)
    if duplicates.exists():
        raise forms.ValidationError(f"{label} “{name}” already exists in this clinic.")
    return name


DASHES = BLANK_CHOICE_DASH[0][1]


def empty_choice_label(label: str, *, required: bool) -> str:
    """The words of a select's empty choice, from the field's label: what to do when the
    field must be chosen ("Choose a therapist"), what leaving it means when it may be left
    empty ("None")."""
    if not required:
        return "None"
    noun = label.strip().lower()
    article = "an" if noun[:1] in "aeiou" else "a"
    return f"Choose {article} {noun}"


class PlainChoicesMixin:
    """Every select of the form offers its empty choice in words instead of Django's
    "---------" (a ``ModelChoiceField``'s ``empty_label``, and the blank choice Django puts
    before a model field's ``choices``). ``empty_labels`` names the words for a field where
    ``empty_choice_label``'s are not the right ones ("Any location" on a filter, "As
    requested" where an empty field keeps the request's value).

    A form that sets a field's choices or ``empty_label`` itself after ``__init__`` says its
    own words; the page test (``tests/test_wording.py``) finds any dashes left."""

    empty_labels: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            words = self.empty_labels.get(name) or empty_choice_label(
                str(field.label or pretty_name(name)), required=field.required
            )
            plain_empty_choice(field, words)


def plain_empty_choice(field: forms.Field, words: str) -> None:
    """Put ``words`` where ``field`` would offer "---------"."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DASHES:
            field.empty_label = words
    elif isinstance(field, forms.ChoiceField):
        choices = list(field.choices)
        if any(value == "" and text == DASHES for value, text in choices):
            field.choices = [
                (value, words if value == "" and text == DASHES else text)
                for value, text in choices
            ]


class Pairs(BaseChoiceIterator):
    """Choices already in Django's ``(value, label)`` form, passed through as they are: a plain
    list is normalised pair by pair twice (for the field and for its widget), which for the
    Audit Log's ~300 staff members cost half a millisecond a page."""

    def __init__(self, pairs: list[tuple]):
        self.pairs = pairs

    def __iter__(self):
        return iter(self.pairs)


class WithOptions:
    """A filter form whose selects the template writes itself (``core/jinja2/core/options.html``),
    for choices that run to hundreds (the clinic's staff)."""

    def with_options(self) -> list[tuple]:
        """``(bound field, options)`` for each field, ``options`` a choice field's choices as
        ``(value, label, selected)`` with the one the query string chose selected (None for any
        other field), for the template to write out: the template's comparison of filters an
        option, over the ~300 staff members, was a tenth of the page's time."""
        found = []
        for name, field in self.fields.items():
            bound = self[name]
            options = None
            if isinstance(field, forms.ChoiceField):
                options = _options(field.choices, bound.value())
            found.append((bound, options))
        return found


class AuditLogFilterForm(WithOptions, forms.Form):
    """The Audit Log's filters, read from the query string. Anything the form refuses (an
    unknown action, a date like 2026-13-45, another clinic's staff member) is a message next
    to the field and an empty result, never another clinic's entries.

    ``staff`` is the clinic's staff as ``(pk, name)`` pairs, read once by the view: the staff
    member is a plain choice of those (its cleaned value the pk), not a ``ModelChoiceField``,
    which would build a user a choice and read the chosen one again to clean it."""

    patient = forms.CharField(
        label="Patient (name or number)",
        required=False,
        max_length=100,
    )
    actor = forms.TypedChoiceField(
        label="Staff member",
        coerce=int,
        required=False,
        empty_value=None,
        # ModelChoiceField's words: the refused value is not repeated back.
        error_messages={
            "invalid_choice": "Select a valid choice. That choice is not one of the available"
            " choices."
        },
    )
    action = forms.ChoiceField(label="Action", required=False)
    kind = forms.ChoiceField(label="Kind of record", required=False)
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, staff, **kwargs):
        from core.audit import ACTION_LABELS, OBJECT_TYPES  # core.audit imports the models

        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = Pairs([("", "Anyone"), *staff])
        self.fields["action"].choices = Pairs(
            [("", "Any action"), *sorted(ACTION_LABELS.items(), key=lambda item: item[1])]
        )
        self.fields["kind"].choices = Pairs(
            [("", "Any kind"), *sorted(OBJECT_TYPES.items(), key=lambda item: item[1])]
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the range cannot be before its start.")
        return cleaned


def _options(choices, chosen) -> list[tuple]:
    """The choices as ``(value, label, selected)``, the first of the chosen value selected
    (values are unique)."""
    chosen = "" if chosen is None else str(chosen)
    options = []
    found = False
    for value, text in choices:
        selected = not found and str(value) == chosen
        found = found or selected
        options.append((value, text, selected))
    return options
