"""Optimistic concurrency, one mechanism for every edit screen of a row two people can open.

A versioned row carries ``version``. Its edit form sends back the version the screen was opened
at (``VersionedFormMixin``); the service claims that version with one conditional
``UPDATE ... SET version = version + 1 WHERE pk = ? AND version = <sent>`` before it writes
(``claim_version``). Of two saves made from the same screen state exactly one matches: on
PostgreSQL the second UPDATE waits for the first's row lock and then re-checks its WHERE against
the committed row; on SQLite writers are serialised. The loser gets ``VersionConflict`` and
nothing is written; ``keep_input`` puts the user's input back on the form, bound to the
current version, with what is saved now beside it, and the view answers 409.

Why not django-concurrency: its check lives in ``Model.save()`` and raises from there, while
our services save with ``update_fields`` on rows they re-read under ``SELECT ... FOR UPDATE``,
and some screens save no column of the row itself (a staff member's roles); an explicit claim
at the top of the service fits that, costs one UPDATE, and reads the same in every service.
``cases.services.case_update`` does the same with its own history entries.
"""

from django import forms
from django.db import models
from django.db.models import F

CONFLICT_MESSAGE = (
    "Someone else saved this after you opened it, so your changes were not saved. "
    "What is saved now is shown below; your input is kept in the form: check it and save again "
    "to apply it."
)
STALE_FORM = "This form is out of date: reload the page and try again."


class Versioned(models.Model):
    """A row whose edit screens refuse a save made from a stale screen."""

    # Raised by every save through a service; a save naming an older one is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class VersionConflict(Exception):
    """The row was saved by someone else after the screen was opened."""

    def __init__(self, current: models.Model):
        super().__init__("The row was changed by someone else.")
        self.current = current


def claim_version(instance: models.Model, expected_version: int | None) -> None:
    """Claim ``expected_version`` of the row (one conditional UPDATE that raises it by one), or
    raise ``VersionConflict`` with the row as it is now. Call it first in the service's
    transaction; ``instance.version`` follows, so a later ``save()`` keeps the new number."""
    model = type(instance)
    claimed = (
        expected_version is not None
        and model._base_manager.filter(pk=instance.pk, version=expected_version).update(
            version=F("version") + 1
        )
        == 1
    )
    if not claimed:
        current = model._base_manager.filter(pk=instance.pk).first()
        raise VersionConflict(current)
    instance.version = expected_version + 1


def bump_version(instance: models.Model) -> None:
    """Raise the version of a row changed by something other than its edit screen (a status
    set by signing a note), so a screen opened before it is refused too."""
    type(instance)._base_manager.filter(pk=instance.pk).update(version=F("version") + 1)


class VersionedFormMixin(forms.Form):
    """Adds the hidden ``version`` of the row the screen shows; a save without it is refused.
    (Not in ``Meta.fields``: a ModelForm never writes it, only ``claim_version`` does.)"""

    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            self.initial.setdefault("version", instance.version)
        else:
            # A new row has no version to check.
            del self.fields["version"]
        self.version_conflict = None

    def clean_version(self):
        version = self.cleaned_data.get("version")
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and version is None:
            raise forms.ValidationError(STALE_FORM)
        return version

    def conflict_values(self, row) -> dict[str, str]:
        """What the screen shows of ``row`` (or of the cleaned input, when ``row`` is None), in
        plain words: ``{label: value}``. Forms with fields that are not model fields override
        it."""
        values = {}
        model_fields = {field.name: field for field in self.instance._meta.get_fields()}
        for name, field in self.fields.items():
            model_field = model_fields.get(name)
            if name == "version" or model_field is None or not model_field.concrete:
                continue
            if row is None:
                value = self.cleaned_data.get(name)
            else:
                value = getattr(row, name)
                if model_field.many_to_many:
                    value = list(value.all())
                elif model_field.choices:
                    value = getattr(row, f"get_{name}_display")()
            values[str(field.label or name)] = _words(field, value)
        return values


def _words(field, value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, models.QuerySet | list | tuple):
        return ", ".join(sorted(str(item) for item in value))
    choices = dict(getattr(field, "choices", None) or ())
    if not isinstance(value, models.Model) and value in choices:
        return str(choices[value])
    return str(value)


def keep_input(form: VersionedFormMixin, conflict: VersionConflict) -> None:
    """Leave the user's input on ``form``, now bound to the current version (so saving again
    applies it over the other change), with the saved values that differ from it."""
    data = form.data.copy()
    data[form.add_prefix("version")] = conflict.current.version if conflict.current else ""
    form.data = data
    mine = form.conflict_values(None)
    theirs = form.conflict_values(conflict.current) if conflict.current else {}
    form.version_conflict = [
        (label, theirs.get(label, ""), value)
        for label, value in mine.items()
        if theirs.get(label, "") != value
    ]
    form.add_error(None, CONFLICT_MESSAGE)
