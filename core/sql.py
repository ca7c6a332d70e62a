"""Small pieces of written-out SQL shared by the screens that read lists of names with their
rows in one query (a correlated subquery per list, instead of a prefetch query each).

Built with the ORM (``Subquery`` of an aggregate), such a subquery took about a millisecond of
Python a request to build and compile, more than the database took to run it (bench/)."""

import json

JSON_LIST = {
    # JSON so that no character of a name can break a list apart.
    "postgresql": "JSON_AGG({})::text",
    "sqlite": "JSON_GROUP_ARRAY({})",
}
JSON_PAIRS = {
    "postgresql": "JSON_AGG(JSON_BUILD_ARRAY({}, {}))::text",
    "sqlite": "JSON_GROUP_ARRAY(JSON_ARRAY({}, {}))",
}


def json_list(vendor: str, *expressions: str) -> str:
    """The aggregate, as JSON text, of one expression (a list) or two (a list of pairs), on the
    two databases the product runs on."""
    forms = JSON_LIST if len(expressions) == 1 else JSON_PAIRS
    if vendor not in forms:
        raise NotImplementedError(f"No JSON aggregate for {vendor}")
    return forms[vendor].format(*expressions)


def read_json_list(text: str | None) -> list:
    """What ``json_list`` gave: a list (an aggregate over no rows is NULL on PostgreSQL)."""
    return json.loads(text) if text else []
