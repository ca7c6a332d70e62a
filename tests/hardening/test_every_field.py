"""Issue 26: no input reaches a 500. Every form field and every GET parameter of every screen
of the permission matrix is given, one at a time, a NUL, 10^30, the year 1 and a lookalike
digit ("²"), as each main role the screen lets in; every answer is below 500. The screens and
their fields are read from the pages as served, so a screen or a field added later is walked
without a line here.

Each route is a test of its own (a fresh database): a POST that succeeds changes the rows the
later ones see, which is fine; it must never be a 500.
"""

from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.test import Client

from core.roles import ADMINISTRATOR, PATIENT, SCHEDULER, THERAPIST
from tests.routes import ROLE_FIXTURES, all_routes

ROUTES, _ = all_routes()
MAIN_ROLES = (ADMINISTRATOR, SCHEDULER, THERAPIST, PATIENT)
BAD_VALUES = {
    "NUL": "Mornings\x00please",
    "10^30": str(10**30),
    "year 1": "0001-01-01",
    "lookalike digit": "²",
}
SKIPPED_FIELDS = {"csrfmiddlewaretoken"}


class _Forms(HTMLParser):
    """Every form of a page (but the log-out one) as (method, action, {name: [values]}), each
    field at the value a browser would send untouched (a select's or a radio group's first
    choice when none is chosen), and the query strings of the page's links."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, list[str]]]] = []
        self.links: set[str] = set()
        self._fields = None
        self._first = None  # {name: first choice} of the open form's selects and radios
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "?" in (attrs.get("href") or ""):
            self.links.add(attrs["href"])
        if tag == "form":
            action = attrs.get("action") or ""
            if "logout" not in action:
                self._fields, self._first = {}, {}
                self.forms.append(((attrs.get("method") or "get").lower(), action, self._fields))
            return
        if self._fields is None:
            return
        if tag == "option" and self._select:
            value = attrs.get("value", "")
            if value:
                self._first.setdefault(self._select, value)
            if "selected" in attrs:
                self._fields[self._select] = [value]
            return
        name = attrs.get("name")
        if not name or name in SKIPPED_FIELDS:
            return
        kind = attrs.get("type", "text")
        if tag == "input" and kind not in ("submit", "button", "reset", "image"):
            value = attrs.get("value") or ("on" if kind == "checkbox" else "")
            if kind == "radio":
                self._first.setdefault(name, value)
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                self._fields.setdefault(name, [])
                return
            self._fields.setdefault(name, []).append(value)
        elif tag in ("textarea", "select"):
            self._fields.setdefault(name, [])
            self._select = name if tag == "select" else None

    def handle_endtag(self, tag):
        if tag == "form" and self._fields is not None:
            for name, value in self._first.items():
                if not self._fields.get(name):
                    self._fields[name] = [value]
            self._fields = None
        if tag == "select":
            self._select = None


def _page(client, url, data=None):
    response = client.get(url, data)
    reader = _Forms()
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        reader.feed(response.content.decode())
    return reader


def _forms_and_links(client, url, extra_query):
    """The page's forms and links, and those of the pages its GET forms lead to as sent
    untouched (a portal request's second step) or with ``extra_query``."""
    first = _page(client, url)
    found = [(url, first)]
    if extra_query:
        found.append((url, _page(client, url, extra_query)))
    for method, action, fields in first.forms:
        if method == "get":
            target = urljoin(url, action) if action else url
            found.append((target, _page(client, target, fields)))
    return found


def _tries(url, reader):
    """(method, url, data) for each field of each form and each parameter of each link, with
    each bad value in turn."""
    for method, action, fields in reader.forms:
        target = urljoin(url, action) if action else url
        for name in fields:
            for value in BAD_VALUES.values():
                yield method, target, {**fields, name: [value]}
    for href in reader.links:
        target = urljoin(url, href)
        split = urlsplit(target)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        for name in params:
            for value in BAD_VALUES.values():
                yield "get", split.path, {**params, name: value}


def _ask(client, method, url, data):
    if method == "post":
        return client.post(url, data)
    return client.get(url, data)


# Screens whose form shows only once a parameter names a row: {route: {parameter: fixture}}.
FOLLOW = {
    "scheduling:appointment_create": {"patient": "speech_patient", "therapist": "therapist"},
    "charts:unsigned_list": {"author": "therapist"},
}


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_no_field_or_parameter_of_a_screen_is_a_500(route, request, db):
    url = route.url(request)
    failures = []
    for role in sorted(route.allowed & set(MAIN_ROLES)):
        user = request.getfixturevalue(ROLE_FIXTURES[role])
        client = Client(raise_request_exception=False)
        client.force_login(user)
        if route.method == "post":
            fields = {**route.data, "version": "1"}
            tries = [
                ("post", url, {**fields, name: value})
                for name in fields
                for value in BAD_VALUES.values()
            ]
        else:
            extra = {
                name: request.getfixturevalue(fixture).pk
                for name, fixture in FOLLOW.get(route.name, {}).items()
            }
            tries = [
                attempt
                for page_url, reader in _forms_and_links(client, url, extra)
                for attempt in _tries(page_url, reader)
            ]
        for method, target, data in tries:
            response = _ask(client, method, target, data)
            if response.status_code >= 500:
                failures.append((role, method, target, data, response.status_code))
            if "_auth_user_id" not in client.session:  # a write ended the session
                client.force_login(user)
    assert not failures, "\n".join(map(repr, failures))
