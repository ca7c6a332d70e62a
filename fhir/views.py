"""The FHIR R4 endpoints under /fhir/R4/: metadata, read and search (GET, and POST _search).

Authentication is the bearer token alone (no session, so no CSRF); every answer is FHIR JSON,
every refusal an OperationOutcome with its status. Each request runs in the token's clinic
scope, so a query that forgets its clinic raises instead of reading another's rows.
"""

import datetime

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django_scopes import scope

from fhir import ratelimit
from fhir.audit import record_read, record_search
from fhir.auth import authenticate
from fhir.capability import capability_statement
from fhir.errors import CONTENT_TYPE, FhirError, error_response, fhir_response
from fhir.mapping import RESOURCES
from fhir.mapping.base import Context
from fhir.search import apply, lenient, parse, query_string

PUBLISHED = datetime.date(2026, 12, 7).isoformat()
NO_STORE = {"Cache-Control": "no-store"}


def _endpoint(*methods):
    """A FHIR endpoint: bearer tokens only, its methods only, FhirError as OperationOutcome."""

    def decorator(view):
        @csrf_exempt
        @login_not_required
        def wrapped(request, *args, **kwargs):
            try:
                if request.method not in methods:
                    raise FhirError(
                        405,
                        "not-supported",
                        f"This API is read-only: {request.method} is not allowed here.",
                        headers={"Allow": ", ".join(methods)},
                    )
                return view(request, *args, **kwargs)
            except FhirError as error:
                return error_response(error)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


def _resource(resource_type: str):
    resource = RESOURCES.get(resource_type)
    if resource is None:
        raise FhirError(
            404,
            "not-supported",
            f"{resource_type!r} is not a resource type this server serves; it serves "
            f"{', '.join(sorted(RESOURCES))}.",
        )
    return resource


def _open(request, resource_type: str):
    """The checked token, counted against its client's limit, and the resource type."""
    access = authenticate(request)
    ratelimit.check(access.integration.application.client_id)
    return access, _resource(resource_type)


@_endpoint("GET")
def metadata(request):
    return fhir_response(capability_statement(request, PUBLISHED))


@_endpoint("GET")
def read(request, resource_type: str, resource_id: str):
    access, resource = _open(request, resource_type)
    access.require(resource_type, "read")
    ctx = Context(access=access, base=request.build_absolute_uri("/fhir/R4/"))
    with scope(clinic=access.clinic.pk):
        row = resource.read(ctx, resource_id)
        body = resource.to_fhir(row, ctx)
        record_read(
            access,
            resource_type=resource_type,
            resource_id=resource_id,
            row=resource.object_of(row),
            patient=resource.patient_of(row),
        )
    etag = f'W/"{body["meta"]["versionId"]}"'
    headers = {**NO_STORE, "ETag": etag}
    if etag in _tags(request.META.get("HTTP_IF_NONE_MATCH", "")):
        response = HttpResponse(status=304, content_type=CONTENT_TYPE)
        for name, value in headers.items():
            response[name] = value
        return response
    return fhir_response(body, headers=headers)


def _tags(header: str) -> set[str]:
    """The entity tags of an If-None-Match header; a strong tag matches its weak form."""
    tags = set()
    for tag in header.split(","):
        tag = tag.strip()
        if tag:
            tags.add(tag if tag.startswith("W/") else f"W/{tag}")
    return tags


@_endpoint("GET")
def search(request, resource_type: str):
    return _search(request, resource_type, list(request.GET.lists()))


@_endpoint("POST")
def search_post(request, resource_type: str):
    """POST [type]/_search: the parameters in the form body (and the URL)."""
    return _search(request, resource_type, [*request.GET.lists(), *request.POST.lists()])


def _search(request, resource_type: str, params):
    access, resource = _open(request, resource_type)
    access.require(resource_type, "search")
    base = request.build_absolute_uri("/fhir/R4/")
    ctx = Context(access=access, base=base, cache={"searching": True})
    query = parse(resource, params, strict=not lenient(request))
    with scope(clinic=access.clinic.pk):
        state = apply(resource, query, ctx)
        total, rows = resource.page(state, ctx, query.offset, query.count)
        entries = resource.render(rows, ctx)
        record_search(access, resource_type=resource_type, query=query_string(query), total=total)
    url = f"{base}{resource_type}?"
    links = [{"relation": "self", "url": url + query_string(query, offset=query.offset)}]
    if query.offset + query.count < total:
        links.append(
            {
                "relation": "next",
                "url": url + query_string(query, offset=query.offset + query.count),
            }
        )
    if query.offset:
        previous = max(0, query.offset - query.count)
        links.append({"relation": "previous", "url": url + query_string(query, offset=previous)})
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [
            {
                "fullUrl": f"{base}{entry['resourceType']}/{entry['id']}",
                "resource": entry,
                "search": {"mode": "match"},
            }
            for entry in entries
        ],
    }
    return fhir_response(bundle, headers=NO_STORE)
