"""The top-bar tabs a user's roles allow, and the Admin > Basic Setup menu, for every template."""

import functools

from core.links import link
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, role_names
from messaging.access import FEED_ROLES
from scheduling.reads.requests import pending_request_count

# (label, url name, roles that see it, URL prefixes that mark it active)
TABS = [
    (
        "Patients",
        "charts:patient_list",
        {ADMINISTRATOR, SCHEDULER, THERAPIST},
        ("/patients/", "/chart-cases/"),
    ),
    (
        "Schedule",
        "scheduling:calendar_day",
        {ADMINISTRATOR, SCHEDULER, THERAPIST},
        ("/schedule/",),
    ),
    ("Admin", "clinic:setup_home", {ADMINISTRATOR}, ("/setup/",)),
]
# Who works the appointment request queue (DESIGN.md): they see its pending count on the tab.
QUEUE_ROLES = {ADMINISTRATOR, SCHEDULER}

# (label, url name, URL prefix that marks it active, what it is for)
SETUP_MENU = [
    (
        "Patient Cases",
        "cases:case_list",
        "/setup/patient-cases/",
        "the courses of therapy patients are treated under",
    ),
    (
        "Service Types",
        "clinic:servicetype_list",
        "/setup/service-types/",
        "the disciplines offered",
    ),
    (
        "Appointment Types",
        "clinic:appointmenttype_list",
        "/setup/appointment-types/",
        "the kinds of visit and their usual length",
    ),
    ("Staff", "accounts:staff_list", "/setup/staff/", "who works here, their roles and services"),
    (
        "Locations",
        "scheduling:location_list",
        "/setup/locations/",
        "where appointments take place: address, time zone, clinic hours and closures",
    ),
    (
        "Clinic Hours",
        "scheduling:clinic_hours",
        "/setup/clinic-hours/",
        "when each location is open, and the days it is closed",
    ),
    (
        "Therapist Availability",
        "scheduling:availability_list",
        "/setup/availability/",
        "each therapist's working week per location, time off and extra hours",
    ),
    (
        "Import",
        "importing:import_list",
        "/setup/import/",
        "patients and their therapy records from another system",
    ),
    (
        "Audit Log",
        "core:audit_log",
        "/setup/audit-log/",
        "who changed what, and who read which patient's records",
    ),
    (
        "Appointment Requests",
        "clinic:request_settings",
        "/setup/appointment-requests/",
        "whether patients may request appointments from the portal, and within which limits",
    ),
    (
        "Reminders",
        "messaging:reminder_settings",
        "/setup/reminders/",
        "reminders and notices to families by e-mail and text, with links to confirm or cancel",
    ),
    (
        "Payers",
        "insurance:payer_list",
        "/setup/payers/",
        "the insurers whose authorizations visits are counted against",
    ),
    (
        "Insurance",
        "insurance:settings",
        "/setup/insurance/",
        "whether no-shows count, when authorizations raise an alert, what the portal allows",
    ),
    (
        "Integrations",
        "fhir:integration_list",
        "/setup/integrations/",
        "billing services, referral partners and apps connected through the FHIR API",
    ),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_tabs": []}
    roles = role_names(user)
    tabs = [
        {"label": label, "url": link(name), "active": request.path.startswith(prefixes)}
        for label, name, allowed, prefixes in TABS
        if roles & allowed
    ]
    if roles & QUEUE_ROLES and user.clinic_id:
        for tab in tabs:
            if tab["label"] == "Schedule":
                # Called by the template only where the tab is drawn (not by partials).
                tab["pending"] = functools.partial(pending_request_count, request)
    context = {"nav_tabs": tabs}
    if roles & set(FEED_ROLES):
        context["nav_calendar_feed"] = link("messaging:feed_settings")
    if ADMINISTRATOR in roles and request.path.startswith("/setup/"):
        context["setup_menu"] = [
            {
                "label": label,
                "url": link(name),
                "active": request.path.startswith(prefix),
                "description": description,
            }
            for label, name, prefix, description in SETUP_MENU
        ]
    return context
