"""One handler per record kind: what its columns must say, and how its rows are written.

Handlers are looked up by kind in ``HANDLERS``. Most write a whole chunk with one bulk INSERT;
appointments go one by one through scheduling's services, so that they keep its rules: a visit
of the past through ``appointment_record`` (the no-overlap rule, the therapist fits the case),
a future one through ``appointment_book`` (every booking rule: hours, availability...). A row
they refuse (a clash, a therapist who cannot take the case) is reported with its line and
never double-booked; each call is a savepoint of the chunk's transaction, so a refused row
leaves the others. Written rows join the ledger, so a second run skips them.
"""

import functools

from importing.format import DAILY_NOTE, column_name
from importing.handlers.appointments import AppointmentHandler
from importing.handlers.base import CleanContext, Handler, Item, WriteContext, WriteResult
from importing.handlers.charts import (
    DailyNoteHandler,
    EvaluationHandler,
    GoalHandler,
    ReminderHandler,
)

__all__ = [
    "HANDLERS",
    "AppointmentHandler",
    "CleanContext",
    "DailyNoteHandler",
    "EvaluationHandler",
    "GoalHandler",
    "Handler",
    "Item",
    "ReminderHandler",
    "WriteContext",
    "WriteResult",
    "kind_of",
    "register_handler",
]

HANDLERS: dict[str, Handler] = {}


def register_handler(handler: Handler) -> None:
    HANDLERS[handler.kind] = handler


for _handler in (
    GoalHandler(),
    DailyNoteHandler(),
    EvaluationHandler(),
    ReminderHandler(),
    AppointmentHandler(),
):
    register_handler(_handler)


@functools.lru_cache(maxsize=256)
def kind_of(text: str) -> str:
    """``Daily note``, ``daily-note`` and ``daily_note`` are the same kind; ``note`` too."""
    name = column_name(text)
    return {"note": DAILY_NOTE, "notes": DAILY_NOTE, "daily_notes": DAILY_NOTE}.get(name, name)
