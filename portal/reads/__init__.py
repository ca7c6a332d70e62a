"""The portal's reads, as SQL written out (issue 13): the home (``home``) and the request
screen (``request``). See docs/architecture.md, "The portal's two busy pages"."""

from portal.reads.home import Family, home_families
from portal.reads.request import (
    CHOICES_PARAMS,
    Choices,
    Place,
    Rule,
    SlotInputs,
    Therapist,
    choices_sql,
    parse_choices,
    request_chart_case,
    slot_inputs,
)

__all__ = [
    "CHOICES_PARAMS",
    "Choices",
    "Family",
    "Place",
    "Rule",
    "SlotInputs",
    "Therapist",
    "choices_sql",
    "home_families",
    "parse_choices",
    "request_chart_case",
    "slot_inputs",
]
