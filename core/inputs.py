"""No 500 from input: what every text field and query parameter is checked for.

``install()`` (run once by ``CoreConfig.ready``) makes the checks apply to every form of every
app, so no screen can forget them:

- every ``forms.CharField`` refuses control characters (NUL included: PostgreSQL cannot store
  it and its search fails on it) other than tab and line breaks, and text longer than
  ``TEXT_MAX_LENGTH`` when the field has no smaller bound of its own;
- every ``forms.DateField`` refuses a date outside ``DATE_MIN``-``DATE_MAX``, the range the
  product uses: at the ends of ``datetime.date`` the day before or after (the next midnight, a
  visit's end, the week around it) is an ``OverflowError``;
- a model choice field given an id that ``parse_id`` refuses (10^30, outside the 64-bit range
  the database holds; "²", a digit to ``str.isdigit()`` but no number to ``int()``) answers its
  "not one of the choices" error instead of an overflow or a ``ValueError`` in the database
  layer.

Ids, versions and other whole numbers read straight from ``request.GET``/``request.POST`` go
through ``parse_id``: the one place that says what a number typed into a URL or form is.

Query strings are checked by ``core.middleware.QueryStringGuardMiddleware``.
"""

import datetime
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.forms import models as model_forms

# A SOAP section or a goal is a few paragraphs; this is far above any of them, and it bounds
# what one field may make the server store.
TEXT_MAX_LENGTH = 20_000
QUERY_VALUE_MAX_LENGTH = 1_000
ID_MIN, ID_MAX = -(2**63), 2**63 - 1
ALLOWED_CONTROLS = {"\t", "\n", "\r"}
# Dates of birth, visits, notes and plans: wide enough for any of them, far enough from the
# ends of ``datetime.date`` that a day, a week or a year either side is still a date.
DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2999, 12, 31)
DATE_RANGE_MESSAGE = (
    f"Give a date between {DATE_MIN:%b %-d, %Y} and {DATE_MAX:%b %-d, %Y} (year first: YYYY-MM-DD)."
)

CONTROL_MESSAGE = (
    "Remove the control characters (such as NUL) from this text: they cannot be stored."
)
INVISIBLE_MESSAGE = (
    "Remove the invisible characters (zero-width spaces or text-direction marks) from the name: "
    "they make names that look the same but are not."
)


def has_control_characters(value: str) -> bool:
    return any(
        unicodedata.category(char) in ("Cc", "Cs") and char not in ALLOWED_CONTROLS
        for char in value
    )


def validate_text(value) -> None:
    if not isinstance(value, str):
        return
    if has_control_characters(value):
        raise ValidationError(CONTROL_MESSAGE, code="control_characters")
    if len(value) > TEXT_MAX_LENGTH:
        raise ValidationError(
            f"Keep this to {TEXT_MAX_LENGTH:,} characters at most (it has {len(value):,}).",
            code="max_length",
        )


def validate_date_in_range(value) -> None:
    if isinstance(value, datetime.date) and not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_out_of_range")


def normalise_name(value: str) -> str:
    """A name as stored and compared: Unicode NFKC (so the Kelvin sign is a K and a
    full-width letter a letter), no invisible format characters, single spaces, trimmed."""
    value = unicodedata.normalize("NFKC", value)
    if any(unicodedata.category(char) == "Cf" for char in value):
        raise ValidationError(INVISIBLE_MESSAGE, code="invisible_characters")
    if has_control_characters(value):
        raise ValidationError(CONTROL_MESSAGE, code="control_characters")
    return " ".join(value.split())


def parse_id(value) -> int | None:
    """An id, a version or another whole number as typed into a URL or form: ASCII digits only
    (``"²"`` and ``"٣"`` pass ``str.isdigit()``; the first then fails ``int()``), surrounding
    spaces ignored, at most what the database's 64-bit integers hold. ``None`` for anything
    else, which the caller answers as it answers a missing value."""
    text = value.strip() if isinstance(value, str) else str(value) if isinstance(value, int) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(ID_MAX)):
        return None
    number = int(text)
    return number if number <= ID_MAX else None


def parse_ids(values) -> list[int]:
    """The ids among ``values`` (a list of posted values), each read by ``parse_id``."""
    return [number for number in map(parse_id, values or ()) if number is not None]


def id_out_of_range(value) -> bool:
    """True for a value a model choice field must refuse before it reaches the database: one
    ``int()`` reads as a number but ``parse_id`` not as an id (beyond 64 bits, negative, or in
    digits other than 0-9, such as "٣"). Other text is left to the field's own message."""
    try:
        int(str(value).strip())
    except (TypeError, ValueError):
        return False
    return parse_id(value) is None


def _not_an_id(field, value) -> bool:
    # A model instance (or a value of another key, with ``to_field_name``) is the field's own
    # business; only typed text is read as an id here.
    return (
        isinstance(value, str | int)
        and not field.to_field_name
        and value not in field.empty_values
        and id_out_of_range(value)
    )


def _choice_to_python(original):
    def to_python(self, value):
        if _not_an_id(self, value):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return original(self, value)

    return to_python


def _multiple_check_values(original):
    def _check_values(self, value):
        for item in value if isinstance(value, list | tuple) else ():
            if _not_an_id(self, item):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return original(self, value)

    return _check_values


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    forms.CharField.default_validators = [*forms.CharField.default_validators, validate_text]
    forms.DateField.default_validators = [
        *forms.DateField.default_validators,
        validate_date_in_range,
    ]
    model_forms.ModelChoiceField.to_python = _choice_to_python(
        model_forms.ModelChoiceField.to_python
    )
    model_forms.ModelMultipleChoiceField._check_values = _multiple_check_values(
        model_forms.ModelMultipleChoiceField._check_values
    )
