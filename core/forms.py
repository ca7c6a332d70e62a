"""Pieces shared by the forms of every app."""

from django import forms
from django.db.models import Value
from django.db.models.functions import Lower

from core.inputs import normalise_name


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
