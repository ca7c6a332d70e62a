"""Errors of the FHIR API: each is an OperationOutcome with the HTTP status that fits."""

import json

from django.http import HttpResponse

CONTENT_TYPE = "application/fhir+json; charset=utf-8"


class FhirError(Exception):
    """A refusal: ``status`` (400, 401, 403, 404, 405, 406, 429), the OperationOutcome's issue
    ``code`` and the words a developer reads (``diagnostics``)."""

    def __init__(self, status: int, code: str, diagnostics: str, *, headers=None):
        super().__init__(diagnostics)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
        self.headers = headers or {}


def bad_request(diagnostics: str, code: str = "invalid") -> FhirError:
    return FhirError(400, code, diagnostics)


def not_found(resource_type: str, resource_id: str) -> FhirError:
    # The same words whether the row is another clinic's, outside the token's sight or absent.
    return FhirError(404, "not-found", f"{resource_type}/{resource_id} is not known.")


def outcome(status: int, code: str, diagnostics: str) -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error" if status < 500 else "fatal",
                "code": code,
                "diagnostics": diagnostics,
            }
        ],
    }


def fhir_response(body: dict, status: int = 200, headers=None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        status=status,
        content_type=CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(error: FhirError) -> HttpResponse:
    return fhir_response(
        outcome(error.status, error.code, error.diagnostics), error.status, error.headers
    )
