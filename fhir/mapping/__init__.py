"""The resource types of the API, one module each (the mapping written once)."""

from fhir.mapping import (
    appointment,
    episode_of_care,
    healthcare_service,
    location,
    patient,
    practitioner,
    schedule,
    slot,
)

RESOURCES = {
    module.RESOURCE.resource_type: module.RESOURCE
    for module in (
        appointment,
        episode_of_care,
        healthcare_service,
        location,
        patient,
        practitioner,
        schedule,
        slot,
    )
}
