"""Locations, clinic hours, therapist availability and appointments.

Times of appointments are stored in UTC and shown in their location's time zone; weekly hours
and availability are wall-clock times of the location, so they keep meaning the same across a
daylight-saving change. Two appointments of one therapist, or of one patient, that are not
cancelled never overlap: on PostgreSQL an exclusion constraint says so (migration
``0002_no_double_booking``); on SQLite, where writers are serialised, ``appointment_book``
checks inside its transaction.

One module per kind of row: ``places`` (locations, clinic hours, closures), ``availability``
(therapists' hours and exceptions), ``appointments`` (appointments and series), ``requests``
(portal requests). Import them from here.
"""

from scheduling.models.appointments import (
    Appointment,
    AppointmentQuerySet,
    AppointmentSeries,
)
from scheduling.models.availability import (
    AvailabilityException,
    AvailabilityQuerySet,
    TherapistAvailability,
)
from scheduling.models.places import (
    WEEKDAYS,
    ClinicClosure,
    ClinicHours,
    Location,
    LocationQuerySet,
    WeeklyInterval,
    weekly_interval_constraints,
)
from scheduling.models.requests import (
    AppointmentRequest,
    AppointmentRequestQuerySet,
    live_bounds,
)

__all__ = [
    "WEEKDAYS",
    "Appointment",
    "AppointmentQuerySet",
    "AppointmentRequest",
    "AppointmentRequestQuerySet",
    "AppointmentSeries",
    "AvailabilityException",
    "AvailabilityQuerySet",
    "ClinicClosure",
    "ClinicHours",
    "Location",
    "LocationQuerySet",
    "TherapistAvailability",
    "WeeklyInterval",
    "live_bounds",
    "weekly_interval_constraints",
]
