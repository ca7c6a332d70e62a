"""A clinic's reminder wording: a template naming only the values in ``WORDING_FIELDS``."""

import string

from messaging.models import WORDING_FIELDS


def wording_errors(text: str, *, show_service: bool) -> list[str]:
    allowed = set(WORDING_FIELDS) - (set() if show_service else {"service"})
    try:
        names = [name for _, name, spec, conv in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return ["Write each placeholder as {name}, with both braces; write {{ for a brace."]
    unknown = sorted({name for name in names if name not in allowed})
    if unknown:
        return [
            f"The wording may only name {', '.join('{' + n + '}' for n in sorted(allowed))}; "
            f"remove {', '.join('{' + (n or '') + '}' for n in unknown)}."
        ]
    return []


def render_wording(text: str, values: dict[str, str]) -> str:
    # The names were checked when the wording was saved (no attribute or index lookups).
    return text.format_map(values)
