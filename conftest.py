"""Fixture modules of each app, in ``tests/fixtures/``, loaded for the whole suite (a module per
app, so that apps built side by side do not all edit ``tests/conftest.py``)."""

import pkgutil
from pathlib import Path

pytest_plugins = [
    f"tests.fixtures.{module.name}"
    for module in pkgutil.iter_modules([str(Path(__file__).parent / "tests" / "fixtures")])
]
