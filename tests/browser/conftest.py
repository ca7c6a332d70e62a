"""Fixtures for real-browser tests: one Chromium per session, a fresh context and page per test.

Fixtures (see also ``tests/conftest.py`` for the role users):

* ``browser``: the session's Chromium (``playwright.sync_api.Browser``).
* ``context``: a new ``BrowserContext`` per test, ``base_url`` set to the live server, so
  ``page.goto("/setup/")`` works. Every HTML document it loads is checked with axe.
* ``page``: a ``Page`` in that context. On failure a screenshot is saved and its path printed.
* ``visit(path, *, status=200) -> Response``: ``page.goto`` + status check + axe check.
* ``login(user) -> None``: logs ``user`` in without the form (``Client.force_login``, then the
  session cookie is copied into the browser context).
* ``a11y``: the ``A11yTracker`` of the test's context (rarely needed directly).

Accessibility: every HTML document the context loads is checked with axe; any violation fails
the test when its body ends (``tests/browser/a11y.py`` explains how).

Journey helpers to import: ``tests.browser.helpers`` (``log_in_with_form``, ``PASSWORD``) and
``tests.browser.a11y.check_a11y(page)`` for a live check of the page's current state.

Every test here gets a transactional database (the live server runs in another thread and must
see the test's rows) with serialized rollback, so that the role groups made by the data
migration are back at the start of each test after the previous test's flush.
"""

import os

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from tests.browser.a11y import A11yTracker, check_a11y, new_replay_page

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
# Short timeouts: a missing element fails in seconds, not in Playwright's default 30.
ACTION_TIMEOUT_MS = 5_000

TRACKER_KEY = pytest.StashKey[tuple]()
REPORT_KEY = pytest.StashKey[dict]()

expect.set_options(timeout=ACTION_TIMEOUT_MS)


@pytest.fixture(autouse=True)
def _browser_database(transactional_db, django_db_serialized_rollback):
    """Every browser test: rows committed for the live server, role groups restored."""


@pytest.fixture(scope="session")
def browser(django_db_setup):
    # Playwright's sync API marks an asyncio loop as running in this thread between its calls.
    # Django's connection handler then keeps connections in a context variable instead of a
    # thread-local, so test code would get new connection objects: ones without the serialized
    # data that serialized_rollback restores (the role groups would be gone from the second test
    # on), and for SQLite a second connection. Keep using the objects the test database was
    # set up with.
    pinned = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for alias, connection in pinned.items():
            connections[alias] = connection
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def _a11y_replay_page(browser, live_server):
    page = new_replay_page(browser, live_server.url)
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    yield page
    page.context.close()


@pytest.fixture
def context(browser, live_server, _a11y_replay_page, request):
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    tracker = A11yTracker.install(context, _a11y_replay_page)
    request.node.stash[TRACKER_KEY] = (tracker, context)
    yield context
    A11yTracker.uninstall(context)
    context.close()


@pytest.fixture
def a11y(context, request):
    return request.node.stash[TRACKER_KEY][0]


@pytest.fixture
def page(context, request, tmp_path_factory):
    page = context.new_page()
    yield page
    report = request.node.stash.get(REPORT_KEY, {}).get("call")
    if report is not None and report.failed and not page.is_closed():
        folder = tmp_path_factory.mktemp("browser-failure")
        page.screenshot(path=folder / "page.png", full_page=True)
        (folder / "page.html").write_text(page.content())
        print(f"\nBrowser at {page.url}; screenshot and HTML saved in {folder}")


@pytest.fixture
def visit(page):
    """``visit(path, *, status=200)``: open a page, check its status and its accessibility."""

    def _visit(path: str, *, status: int | None = 200):
        response = page.goto(path)
        assert response is not None, f"No response for {path}"
        if status is not None:
            assert response.status == status, (
                f"GET {path} answered {response.status} at {page.url}, expected {status}"
            )
        check_a11y(page)
        return response

    return _visit


@pytest.fixture
def login(context, live_server):
    """``login(user)``: the browser context gets a logged-in session for ``user``."""

    def _login(user) -> None:
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                    "httpOnly": settings.SESSION_COOKIE_HTTPONLY,
                    "secure": settings.SESSION_COOKIE_SECURE,
                    "sameSite": (settings.SESSION_COOKIE_SAMESITE or "None").capitalize(),
                }
            ]
        )

    return _login


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After the test body: axe-check the documents nobody checked; fail on any violation."""
    entry = item.stash.get(TRACKER_KEY, None)
    try:
        result = yield
    except BaseException:
        # The test's own failure comes first; the violations found so far are shown beside it.
        if entry is not None and entry[0].reports:
            item.add_report_section("call", "accessibility", "\n\n".join(entry[0].reports))
        raise
    if entry is not None:
        tracker, context = entry
        tracker.check_pending([page for page in context.pages if not page.is_closed()])
        tracker.raise_if_any()
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(REPORT_KEY, {})[report.when] = report
    return report
