"""Checks every FHIR API test shares: a body parses with the specification's own models."""

import importlib

from fhirclient.models import fhirelementfactory


def r4b_model(resource_type: str):
    module = importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}")
    return getattr(module, resource_type)


def assert_conforms(body: dict) -> None:
    """``body`` parses with fhir.resources (R4B) and with fhirclient's 4.0.1 models, strictly."""
    r4b_model(body["resourceType"]).model_validate(body)
    parsed = fhirelementfactory.FHIRElementFactory.instantiate(body["resourceType"], body)
    assert parsed.as_json()["resourceType"] == body["resourceType"]
    if body["resourceType"] == "Bundle":
        for entry in body.get("entry", []):
            assert_conforms(entry["resource"])


def get(client, path: str, **extra):
    return client.get(f"/fhir/R4/{path}", **extra)
