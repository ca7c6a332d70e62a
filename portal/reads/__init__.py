"""The portal's reads, as querysets shaped for its two busy pages: the home (``home``) and the
request screen (``request``). See docs/architecture.md, "The portal's two busy pages"."""

from portal.reads.home import Family, Home, home, past_visits
from portal.reads.request import (
    Choices,
    Place,
    Rule,
    Therapist,
    Week,
    request_choices,
    request_rows,
    week_starts,
)

__all__ = [
    "Choices",
    "Family",
    "Home",
    "Place",
    "Rule",
    "Therapist",
    "Week",
    "home",
    "past_visits",
    "request_choices",
    "request_rows",
    "week_starts",
]
