"""Reading what a user sees on a rendered page: the message next to a field, the boxes offered.

``tests/accounts`` uses these too (accounts sits below clinic in the app order).
"""

import re

from tests.pages import flash_messages, page_text  # noqa: F401 (re-exported)
from tests.pages import text as _text


def field_error(response, field: str) -> str:
    """The text of the message crispy renders next to ``field`` (its ``invalid-feedback``).

    Empty when the field has no message, so ``assert "..." in field_error(...)`` fails if the
    message is only shown elsewhere on the page (e.g. at the top of the form).
    """
    match = re.search(
        rf'<div id="id_{field}_error" class="invalid-feedback">(.*?)</div>',
        response.content.decode(),
        flags=re.S,
    )
    return _text(match.group(1)) if match else ""


def choice_labels(response, field: str) -> list[str]:
    """The labels of the checkboxes (or radio buttons) offered for ``field``."""
    return [
        _text(label)
        for label in re.findall(
            rf'<label for="id_{field}_\d+"[^>]*>(.*?)</label>', response.content.decode(), re.S
        )
    ]


def checked_labels(response, field: str) -> list[str]:
    """The labels of the boxes for ``field`` that the page shows ticked."""
    content = response.content.decode()
    labels = []
    for tag in re.findall(rf'<input[^>]*name="{field}"[^>]*>', content):
        box_id = re.search(r'id="([^"]+)"', tag).group(1)
        if re.search(r"\schecked[\s>]", tag):
            label = re.search(rf'<label for="{box_id}"[^>]*>(.*?)</label>', content, re.S)
            labels.append(_text(label.group(1)))
    return labels
