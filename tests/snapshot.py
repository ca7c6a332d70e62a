"""Pages recorded as they are served, to show that a rewrite changes nothing a user sees.

``assert_page(name, html)`` compares a page with ``tests/snapshots/<name>.html`` after
folding what differs between runs (whitespace, the CSRF token, the CSP nonce). Record or
re-record with ``UPDATE_SNAPSHOTS=1`` in the environment, then read the diff before
committing: a difference is either a fault of the rewrite or a change named in a commit.

A test that records a page makes its rows with fixed ids, or runs with
``@pytest.mark.django_db(transaction=True, serialized_rollback=True, reset_sequences=True)``,
and freezes the clock (``time_machine.travel``), so that the page is the same on every run
and on both databases."""

import difflib
import os
import re
from pathlib import Path

import pytest

SNAPSHOTS = Path(__file__).parent / "snapshots"

_FOLDS = [
    (
        re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'),
        'name="csrfmiddlewaretoken" value=""',
    ),
    (re.compile(r'(<meta name="csrf-token" content=")[^"]*"'), r'\1"'),
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),
    # One spelling of the two quotes: Django's escape writes &quot; and &#x27;, Jinja2's
    # (markupsafe) &#34; and &#39;, the same characters to every browser.
    (re.compile(r"&#34;"), "&quot;"),
    (re.compile(r"&#39;"), "&#x27;"),
    (re.compile(r"\s+"), " "),
    (re.compile(r">\s+<"), "><"),
    (re.compile(r"\s+>"), ">"),
]


def fold(html: str) -> str:
    for pattern, replacement in _FOLDS:
        html = pattern.sub(replacement, html)
    # One tag a line, so that a difference reads as a short diff.
    return html.strip().replace("><", ">\n<") + "\n"


def assert_page(name: str, html: str | bytes) -> None:
    if isinstance(html, bytes):
        html = html.decode()
    folded = fold(html)
    path = SNAPSHOTS / f"{name}.html"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(folded)
        return
    if not path.exists():
        pytest.fail(f"No recorded page {path}: record it with UPDATE_SNAPSHOTS=1")
    recorded = path.read_text()
    if folded != recorded:
        diff = "".join(
            difflib.unified_diff(
                recorded.splitlines(keepends=True),
                folded.splitlines(keepends=True),
                fromfile=f"recorded {name}",
                tofile="served now",
                n=2,
            )
        )
        pytest.fail(f"The page {name} differs from its recording:\n{diff[:6000]}")
