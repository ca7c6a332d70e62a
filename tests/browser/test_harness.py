"""The harness itself: cookies survive on http://localhost, axe really fails a bad page."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.a11y import AccessibilityViolation, check_a11y
from tests.browser.helpers import log_in_with_form

pytestmark = pytest.mark.browser

BROKEN_PAGE = """<!doctype html>
<html lang="en"><head><title>Broken</title></head>
<body><main><h1>Broken</h1><form><input type="text" name="nameless"></form></main></body>
</html>"""


def serve_broken_page(page, live_server) -> str:
    url = f"{live_server.url}/__broken__/"
    page.route(url, lambda route: route.fulfill(body=BROKEN_PAGE, content_type="text/html"))
    return url


def test_secure_session_and_csrf_cookies_work_on_localhost(page, administrator):
    """Settings with DEBUG off mark both cookies Secure; Chromium keeps and sends them."""
    log_in_with_form(page, administrator.email)

    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    session = cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] is settings.SESSION_COOKIE_SECURE is True
    assert session["httpOnly"] is True
    assert cookies[settings.CSRF_COOKIE_NAME]["secure"] is True


def test_login_fixture_gives_a_logged_in_session(page, login, visit, scheduler):
    login(scheduler)

    visit("/")

    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()


def test_live_check_records_a_violation_and_fails_the_test(page, a11y, live_server):
    page.goto(serve_broken_page(page, live_server))

    violations = check_a11y(page)

    assert [violation["id"] for violation in violations] == ["label"]
    with pytest.raises(AccessibilityViolation, match=r"__broken__.*\n- label \(critical\)"):
        a11y.raise_if_any()


def test_pages_not_checked_live_are_checked_after_the_test(page, a11y, live_server):
    page.goto(serve_broken_page(page, live_server))

    a11y.check_pending(page.context.pages)

    with pytest.raises(AccessibilityViolation, match=r"__broken__.*\n- label \(critical\)"):
        a11y.raise_if_any()


def test_check_outside_a_tracked_context_fails_at_once(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto(serve_broken_page(page, live_server))
        with pytest.raises(AccessibilityViolation, match=r"- label \(critical\)"):
            check_a11y(page)
    finally:
        context.close()
