"""Accessibility checks with axe-core, run on every page a browser test visits.

Two ways a page gets checked:

* **Live**, on demand: ``check_a11y(page)`` runs axe on the page as it is now (after typing,
  opening a menu, an htmx swap...). The ``visit`` fixture calls it after every ``goto``.
* **Automatically**, for every other HTML document the test's browser context loaded (after a
  click on a link, a form post, a redirect): an init script hands each document's HTML, as the
  server sent it, to Python at ``DOMContentLoaded``. When the test body ends, every document not
  already checked live is replayed in a separate browser context (same URL, same CSS) and axe
  runs there.

Violations do not stop the journey: they are collected, and when the test body ends the test
fails with ``AccessibilityViolation`` (an ``AssertionError``) listing every rule id, its help
text and the offending nodes, page by page. So a journey reports all its accessibility problems
at once, and a functional failure is never hidden behind one. A test that knowingly meets a
product violation can be marked
``pytest.mark.xfail(strict=True, raises=AccessibilityViolation, reason=...)``: any other
failure still fails it, and it fails again as soon as the product is fixed.

Nothing is disabled: axe runs with its default rule set (WCAG 2 A/AA and best practices).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Browser, BrowserContext, Page

AXE_OPTIONS = {"resultTypes": ["violations"]}

CAPTURE_BINDING = "__fpcCaptureDocument"

# Runs in every document of the test's browser context before the page's own scripts.
CAPTURE_SCRIPT = """
(() => {
  if (window !== window.top) return;
  if (!/^https?:$/.test(location.protocol)) {
    window.__fpcCaptured = true;
    return;
  }
  const id = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Math.random());
  Object.defineProperty(window, "__fpcDocumentId", {value: id});
  const send = () => {
    if (document.contentType !== "text/html" || !window.__BINDING__) {
      window.__fpcCaptured = true;
      return;
    }
    const doctype = document.doctype
      ? new XMLSerializer().serializeToString(document.doctype) : "";
    window.__BINDING__({id, url: location.href, html: doctype + document.documentElement.outerHTML})
      .finally(() => { window.__fpcCaptured = true; });
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", send, {once: true});
  } else {
    send();
  }
})();
""".replace("__BINDING__", CAPTURE_BINDING)


# Colours measured mid-transition (a button fading into its focus colours) are neither the old
# nor the new ones: let finite CSS transitions and animations end first (at most 2 s).
SETTLE_SCRIPT = """() => Promise.race([
  Promise.all(document.getAnimations()
    .filter(animation => animation.effect.getComputedTiming().iterations !== Infinity)
    .map(animation => animation.finished.catch(() => null))),
  new Promise(resolve => setTimeout(resolve, 2000)),
])"""


def run_axe(page: Page) -> list[dict]:
    """Run axe on the page as it is now; return its violations."""
    page.evaluate(SETTLE_SCRIPT)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return results["violations"]


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
            f"\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            lines.append(f"    target: {', '.join(map(str, node['target']))}")
            lines.append(f"      html: {node['html'].strip()[:300]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n        ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


class AccessibilityViolation(AssertionError):
    """axe found at least one violation on a page the test visited."""


def check_a11y(page: Page) -> list[dict]:
    """Run axe on the page as it is now and return its violations.

    In a tracked context (the ``context``/``page`` fixtures) the violations are recorded and fail
    the test when its body ends; elsewhere they raise ``AccessibilityViolation`` at once.
    """
    page.wait_for_load_state("load")
    violations = run_axe(page)
    tracker = A11yTracker.for_context(page.context)
    if tracker is None:
        if violations:
            raise AccessibilityViolation(format_violations(page.url, violations))
        return violations
    tracker.mark_checked(page)
    if violations:
        tracker.reports.append(format_violations(page.url, violations))
    return violations


@dataclass
class CapturedDocument:
    id: str
    url: str
    html: str
    checked: bool = False


@dataclass
class A11yTracker:
    """Collects the HTML documents of one browser context and checks those not checked live."""

    replay_page: Page
    documents: dict[str, CapturedDocument] = field(default_factory=dict)
    reports: list[str] = field(default_factory=list)
    _by_context = {}  # BrowserContext id -> tracker; a class attribute, not a field

    @classmethod
    def install(cls, context: BrowserContext, replay_page: Page) -> A11yTracker:
        tracker = cls(replay_page=replay_page)
        context.expose_binding(CAPTURE_BINDING, tracker._capture)
        context.add_init_script(CAPTURE_SCRIPT)
        cls._by_context[id(context)] = tracker
        return tracker

    @classmethod
    def for_context(cls, context: BrowserContext) -> A11yTracker | None:
        return cls._by_context.get(id(context))

    @classmethod
    def uninstall(cls, context: BrowserContext) -> None:
        cls._by_context.pop(id(context), None)

    def _capture(self, source, payload: dict) -> None:
        document = self.documents.get(payload["id"])
        if document is None:
            self.documents[payload["id"]] = CapturedDocument(
                id=payload["id"], url=payload["url"], html=payload["html"]
            )

    def mark_checked(self, page: Page) -> None:
        self.flush(page)
        document_id = page.evaluate("window.__fpcDocumentId || null")
        if document_id in self.documents:
            self.documents[document_id].checked = True

    @staticmethod
    def flush(page: Page) -> None:
        """Wait until the page's current document has been handed to Python."""
        if page.is_closed():
            return
        page.wait_for_load_state("domcontentloaded")
        page.wait_for_function("window.__fpcCaptured === true", timeout=5_000)

    def check_pending(self, pages: list[Page]) -> None:
        """Replay every captured document not yet checked and record its violations."""
        for page in pages:
            self.flush(page)
        seen = set()
        for document in list(self.documents.values()):
            if document.checked:
                continue
            document.checked = True
            digest = hashlib.sha256(document.html.encode()).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            violations = self._replay(document)
            if violations:
                self.reports.append(format_violations(document.url, violations))

    def raise_if_any(self) -> None:
        """Fail with every violation recorded so far (each is reported once)."""
        reports, self.reports = self.reports, []
        if reports:
            raise AccessibilityViolation("\n\n".join(reports))

    def _replay(self, document: CapturedDocument) -> list[dict]:
        page = self.replay_page
        url = document.url.split("#", 1)[0]

        def serve(route):
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=document.html)

        def matches(candidate: str) -> bool:
            return candidate.split("#", 1)[0] == url

        page.route(matches, serve)
        try:
            page.goto(url, wait_until="load")
            return run_axe(page)
        finally:
            page.unroute(matches, serve)


def new_replay_page(browser: Browser, base_url: str) -> Page:
    """A page in its own context (no cookies) where captured documents are replayed."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    context.add_init_script(AXE_SCRIPT)
    return context.new_page()
