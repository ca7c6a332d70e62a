"""fhir.resources and fhirclient are dev dependencies (they check the API's answers in the
tests): the application must start without them, as a production install has it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: this one has already imported both for the other tests.
PROGRAM = """
import importlib, pkgutil, sys
for name in ("fhir.resources", "fhirclient"):
    sys.modules[name] = None  # any import of them fails
import django
django.setup()
import fhir
for module in pkgutil.walk_packages(fhir.__path__, "fhir."):
    if not module.name.startswith(("fhir.resources", "fhir.migrations")):
        importlib.import_module(module.name)
from django.urls import get_resolver
get_resolver().url_patterns
from django.core.management import call_command
call_command("check")
"""


def test_the_application_starts_without_the_fhir_test_libraries():
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM], cwd=ROOT, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr[-2000:]
