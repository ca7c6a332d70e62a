"""Routes of merging patient cases and moving documentation between chart cases (issue 22)."""

from tests.routes import ADMIN_ONLY, CC, READERS, Route

ROUTES = [
    Route("cases:case_merge", ADMIN_ONLY),
    Route("cases:case_merge_undo", ADMIN_ONLY, obj="merged_into_case"),
    Route(
        "charts:documentation_move",
        READERS,
        kwargs={"kind": "notes"},
        params={**CC, "item_pk": "signed_note"},
    ),
    Route(
        "charts:documentation_move",
        READERS,
        kwargs={"kind": "goals"},
        params={**CC, "item_pk": "speech_goal"},
    ),
]
