"""The Jinja2 environment for the few large grids that Django's template language renders too
slowly (the calendar, long tables): Django's own ``Jinja2`` backend, autoescape on, with the
same helpers a Django template has (``url``, ``link``, ``static``, messages; the backend
adds ``request``, ``csrf_input`` and ``csrf_token`` itself).

Templates for it live in ``<app>/jinja2/<app>/`` (the backend's ``APP_DIRS``), so a reader
knows from a template's folder which engine renders it. Zulip renders its server pages this
way for speed (``zproject/computed_settings.py``)."""

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import date_format
from jinja2 import Environment

from core.links import link


def _url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options) -> Environment:
    # Django's backend turns autoescape on unless told otherwise, and settings say so again.
    env = Environment(**options)  # noqa: S701 - autoescape on (settings.TEMPLATES)
    env.globals.update(
        {
            "url": _url,
            "link": link,
            "static": static,
            "get_messages": get_messages,
        }
    )
    env.filters["date"] = date_format
    return env
