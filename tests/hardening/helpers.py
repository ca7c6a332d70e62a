"""Reading a rendered form back as a browser would post it, and running code in parallel."""

import html
import re
import threading
from html.parser import HTMLParser

from django.db import connection
from django.test import Client
from django_scopes import scopes_disabled


class _FormReader(HTMLParser):
    """The fields of the page's first POST form other than the log-out one."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.inside = False
        self.done = False
        self.textarea = None
        self.select = None
        self.select_value = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and attrs.get("method") == "post":
            self.inside = "logout" not in (attrs.get("action") or "")
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button"):
                return
            value = attrs.get("value")
            if value is None:
                value = "on" if kind in ("checkbox", "radio") else ""
            self.data.setdefault(name, []).append(value)
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = [""]
        elif tag == "select" and name:
            self.select, self.select_value = name, None
        elif tag == "option" and self.select:
            if self.select_value is None or "selected" in attrs:
                if "selected" in attrs or self.select_value is None:
                    self.select_value = attrs.get("value", "")

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea:
            value = self.data[self.textarea][0]
            self.data[self.textarea] = [value[1:] if value.startswith("\n") else value]
            self.textarea = None
        elif tag == "select" and self.select:
            self.data[self.select] = [self.select_value or ""]
            self.select = None
        elif tag == "form" and self.inside:
            self.inside = False
            self.done = True


def form_data(response) -> dict[str, list[str]]:
    reader = _FormReader()
    reader.feed(response.content.decode())
    reader.data.pop("csrfmiddlewaretoken", None)
    return reader.data


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def in_parallel(*calls):
    """Run each call in its own thread (so on its own database connection), all released at
    once; return what each returned or raised, in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            with scopes_disabled():
                barrier.wait(timeout=10)
                results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test looks at what each call raised
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
