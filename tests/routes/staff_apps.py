"""Routes of the apps built first: Basic Setup, patient cases, charts, staff."""

from core.roles import PATIENT
from tests.routes import (
    ADMIN_ONLY,
    CC,
    FRONT_DESK,
    NOTE,
    READERS,
    STAFF_ONLY,
    THERAPISTS,
    Route,
)

ROUTES = [
    # Staff pages: a user holding only the Patient role is refused (the portal is theirs).
    Route("home", STAFF_ONLY, sent_elsewhere=frozenset({PATIENT})),
    Route("accounts:password_change", STAFF_ONLY),
    Route("clinic:setup_home", ADMIN_ONLY),
    Route("clinic:servicetype_list", ADMIN_ONLY),
    Route("clinic:servicetype_create", ADMIN_ONLY),
    Route("clinic:servicetype_update", ADMIN_ONLY, obj="speech"),
    Route("clinic:servicetype_delete", ADMIN_ONLY, obj="speech"),
    Route("clinic:appointmenttype_list", ADMIN_ONLY),
    Route("clinic:appointmenttype_create", ADMIN_ONLY),
    Route("clinic:appointmenttype_update", ADMIN_ONLY, obj="treatment"),
    Route("clinic:appointmenttype_delete", ADMIN_ONLY, obj="treatment"),
    Route("cases:case_list", ADMIN_ONLY),
    Route("cases:case_create", ADMIN_ONLY),
    Route("cases:case_update", ADMIN_ONLY, obj="speech_case"),
    Route("cases:case_delete", ADMIN_ONLY, obj="speech_case"),
    Route("cases:case_archive", ADMIN_ONLY, obj="speech_case"),
    Route("cases:case_restore", ADMIN_ONLY, obj="speech_case"),
    Route("cases:case_history", ADMIN_ONLY, obj="speech_case"),
    Route("charts:patient_list", STAFF_ONLY),
    Route("charts:patient_create", FRONT_DESK),
    Route("charts:patient_detail", STAFF_ONLY, obj="charted_patient"),
    Route("charts:patient_update", FRONT_DESK, obj="charted_patient"),
    Route("charts:chart_case_add", THERAPISTS, obj="charted_patient"),
    Route(
        "charts:chart_case_detail",
        STAFF_ONLY,
        obj="charted_patient",
        params={"chart_case_pk": "speech_chart_case"},
    ),
    Route("charts:chart_case_discharge", THERAPISTS, params=CC),
    Route("charts:chart_case_reopen", THERAPISTS, params=CC),
    Route("charts:chart_case_history", READERS, params=CC),
    Route("charts:goal_create", THERAPISTS, params=CC),
    Route("charts:goal_update", THERAPISTS, params={**CC, "goal_pk": "speech_goal"}),
    Route("charts:note_create", THERAPISTS, params=CC),
    Route("charts:note_update", THERAPISTS, params={**CC, "doc_pk": "unsigned_note"}),
    Route("charts:evaluation_create", THERAPISTS, params=CC),
    Route(
        "charts:evaluation_update",
        THERAPISTS,
        params={**CC, "doc_pk": "unsigned_evaluation"},
    ),
    Route("charts:document_detail", READERS, kwargs=NOTE, params={**CC, "doc_pk": "unsigned_note"}),
    Route(
        "charts:document_sign",
        THERAPISTS,
        kwargs=NOTE,
        params={**CC, "doc_pk": "unsigned_note"},
        method="post",
    ),
    Route(
        "charts:document_delete", THERAPISTS, kwargs=NOTE, params={**CC, "doc_pk": "unsigned_note"}
    ),
    Route(
        "charts:document_discard",
        ADMIN_ONLY,
        kwargs=NOTE,
        params={**CC, "doc_pk": "unsigned_note"},
    ),
    Route(
        "charts:document_addendum",
        THERAPISTS,
        kwargs=NOTE,
        params={**CC, "doc_pk": "signed_note"},
        method="post",
        data={"text": "Corrected the accuracy figure."},
    ),
    Route("charts:reminder_create", THERAPISTS, params=CC),
    Route(
        "charts:reminder_done",
        THERAPISTS,
        params={**CC, "reminder_pk": "speech_reminder"},
        method="post",
    ),
    Route("accounts:staff_list", ADMIN_ONLY),
    Route("accounts:staff_create", ADMIN_ONLY),
    Route("accounts:staff_update", ADMIN_ONLY, obj="scheduler"),
    Route("accounts:staff_deactivate", ADMIN_ONLY, obj="scheduler"),
    Route("accounts:staff_reactivate", ADMIN_ONLY, obj="scheduler"),
]

# Public or POST-only pages, tested on their own.
NOT_IN_MATRIX = {"accounts:login", "accounts:logout"}
