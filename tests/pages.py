"""Reading a response as the user reads it: the page's text and the messages flashed."""

import html
import re

from django.contrib.messages import get_messages


def text(fragment: str) -> str:
    """Visible words of an HTML fragment: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def page_text(response) -> str:
    return text(response.content.decode())


def page_html(response) -> str:
    """The page's HTML with entities decoded, for a test that looks at its structure."""
    return html.unescape(response.content.decode())


def flash_messages(response) -> list[str]:
    """The messages the response shows, or (after a redirect) queues for the next page."""
    context = getattr(response, "context", None)
    if context is not None and "messages" in context:
        return [str(message) for message in context["messages"]]
    return [str(message) for message in get_messages(response.wsgi_request)]
