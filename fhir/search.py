"""A search, from the request's parameters to a page of rows: strict about what it does not
know (400) unless the client prefers lenient handling, in which case unknown parameters are
left out and the self link says so by not repeating them."""

from urllib.parse import urlencode

from fhir.errors import FhirError, bad_request
from fhir.params import (
    CONTROL,
    JSON_FORMATS,
    Query,
    check_date_bounds,
    parse_bool,
    parse_count,
    parse_date,
    parse_offset,
    parse_references,
    parse_tokens,
)

ID_PARAM = "_id"


def lenient(request) -> bool:
    prefer = request.META.get("HTTP_PREFER", "")
    return any(part.strip() == "handling=lenient" for part in prefer.split(";") + prefer.split(","))


def check_format(values: list[str]) -> None:
    for value in values:
        if value not in JSON_FORMATS:
            raise FhirError(406, "not-supported", "Only JSON is served (_format=json).")


def parse(resource, params, *, strict: bool) -> Query:
    """Check every parameter of ``params`` (a QueryDict's ``lists()``) against ``resource``."""
    query = Query()
    for key, raw_values in params:
        values = [v for v in raw_values if v != ""]  # FHIR: an empty value is ignored
        if key in CONTROL:
            if key == "_count":
                query.count = parse_count(values)
            elif key == "_offset":
                query.offset = parse_offset(values)
            elif key == "_format":
                check_format(values)
            continue
        name, _, modifier = key.partition(":")
        param = resource.params.get(name)
        known = (name == ID_PARAM and not modifier) or (
            param is not None and (not modifier or modifier in param.modifiers)
        )
        if not known:
            if strict:
                raise bad_request(
                    f"{resource.resource_type} has no search parameter {key!r}; the ones it "
                    f"has are {', '.join(sorted([ID_PARAM, *resource.params]))}. (Send "
                    "'Prefer: handling=lenient' to have unknown parameters ignored.)",
                    code="not-supported",
                )
            query.ignored.append(key)
            continue
        if values:
            query.values.setdefault(key, []).extend(values)
    return query


def apply(resource, query: Query, ctx):
    """The search state of ``resource`` narrowed by every parameter of ``query``."""
    state = resource.start(ctx)
    tz = ctx.clinic.tzinfo
    for key, values in query.values.items():
        name, _, modifier = key.partition(":")
        if name == ID_PARAM:
            state = resource.filter_ids(state, _agreeing(key, values).split(","), ctx)
            continue
        param = resource.params[name]
        if param.kind == "date":
            bounds = [parse_date(key, value, tz) for value in values]
            check_date_bounds(key, bounds)
            state = param.apply(state, bounds, ctx)
            continue
        for value in values if param.repeatable else [_agreeing(key, values)]:
            state = param.apply(state, _parsed(param, key, modifier, value), ctx)
    return state


def _agreeing(key: str, values: list[str]) -> str:
    """The one value of a parameter whose element holds one value: repeated with different
    values it could match nothing, which is a mistake to say rather than an empty answer."""
    if len(set(values)) > 1:
        raise bad_request(
            f"{key} is given more than once with different values, which no record can match; "
            "to ask for any of several, separate them with commas in one parameter."
        )
    return values[0]


def _parsed(param, key: str, modifier: str, value: str):
    if param.kind == "token":
        return parse_tokens(key, value)
    if param.kind == "reference":
        return parse_references(key, value)
    if param.kind == "boolean":
        return parse_bool(key, value)
    return (modifier or None, [part for part in value.split(",") if part])


def query_string(query: Query, *, offset: int | None = None) -> str:
    pairs = [(key, value) for key, values in query.values.items() for value in values]
    pairs.append(("_count", str(query.count)))
    if offset:
        pairs.append(("_offset", str(offset)))
    return urlencode(pairs)
