"""Options that apps above clinic offer on the Add Service Type screen.

clinic sits below cases, so the screen cannot call cases' services itself: cases registers an
option here from its ``AppConfig.ready()`` ("Create a default patient case for it"); the form
shows one checkbox per option and the view calls each ticked one in the same transaction as the
save, so the service type and what the option makes are written together or not at all.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceTypeAddOption:
    field: str
    label: str
    # ``apply(service_type=..., by=...)``, called inside the save's transaction.
    apply: Callable
    help_text: str = ""
    initial: bool = True


_options: dict[str, ServiceTypeAddOption] = {}


def register_service_type_add_option(option: ServiceTypeAddOption) -> None:
    _options[option.field] = option


def service_type_add_options() -> list[ServiceTypeAddOption]:
    return list(_options.values())
