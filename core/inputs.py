"""No 500 from input: what every text field and query parameter is checked for.

``install()`` (run once by ``CoreConfig.ready``) makes the checks apply to every form of every
app, so no screen can forget them:

- every ``forms.CharField`` refuses control characters (NUL included: PostgreSQL cannot store
  it and its search fails on it) other than tab and line breaks, and text longer than
  ``TEXT_MAX_LENGTH`` when the field has no smaller bound of its own;
- a model choice field given an id outside the 64-bit range the database holds (10^30) answers
  its "not one of the choices" error instead of an overflow in the database driver.

Query strings are checked by ``core.middleware.QueryStringGuardMiddleware``.
"""

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


def normalise_name(value: str) -> str:
    """A name as stored and compared: Unicode NFKC (so the Kelvin sign is a K and a
    full-width letter a letter), no invisible format characters, single spaces, trimmed."""
    value = unicodedata.normalize("NFKC", value)
    if any(unicodedata.category(char) == "Cf" for char in value):
        raise ValidationError(INVISIBLE_MESSAGE, code="invisible_characters")
    if has_control_characters(value):
        raise ValidationError(CONTROL_MESSAGE, code="control_characters")
    return " ".join(value.split())


def id_out_of_range(value) -> bool:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return False
    return not ID_MIN <= number <= ID_MAX


def _choice_to_python(original):
    def to_python(self, value):
        if value not in self.empty_values and id_out_of_range(value):
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
            if id_out_of_range(item):
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
    model_forms.ModelChoiceField.to_python = _choice_to_python(
        model_forms.ModelChoiceField.to_python
    )
    model_forms.ModelMultipleChoiceField._check_values = _multiple_check_values(
        model_forms.ModelMultipleChoiceField._check_values
    )
