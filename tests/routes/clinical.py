"""Routes of the clinical working day (issue 12): unsigned documentation, patient contacts,
diagnoses and plan of care, discharge summaries."""

from tests.routes import CC, FRONT_DESK, READERS, THERAPISTS, Route

PATIENT = "charted_patient"

ROUTES = [
    Route("charts:unsigned_list", READERS),
    Route("charts:contact_create", FRONT_DESK, obj=PATIENT),
    Route(
        "charts:contact_update", FRONT_DESK, obj=PATIENT, params={"contact_pk": "patient_contact"}
    ),
    Route(
        "charts:contact_delete", FRONT_DESK, obj=PATIENT, params={"contact_pk": "patient_contact"}
    ),
    Route("charts:diagnosis_create", READERS, params=CC),
    Route("charts:diagnosis_delete", READERS, params={**CC, "diagnosis_pk": "speech_diagnosis"}),
    Route("charts:plan_of_care_update", READERS, params=CC),
    Route("charts:discharge_summary_create", THERAPISTS, params=CC),
    Route("charts:discharge_summary_detail", READERS, params={**CC, "doc_pk": "discharge_summary"}),
]
