"""Admin > Basic Setup > Import: upload, the check's report with line numbers, the import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from charts.models import DailyNote, Patient
from importing import services
from importing.models import ImportRun
from scheduling.models import Appointment
from tests.importing.helpers import csv_text, note
from tests.worker import run_worker

# The import runs in the real background worker, which needs committed rows and real commits.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LIST = reverse("importing:import_list")


def upload(client, content: bytes, name="records.csv"):
    return client.post(LIST, {"file": SimpleUploadedFile(name, content, "text/csv")})


def test_example_file_from_the_screen(administrator_client, import_staff, example_csv):
    page = administrator_client.get(LIST)
    assert page.status_code == 200
    assert b"Upload and check" in page.content

    response = upload(administrator_client, example_csv, "import-example.csv")
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("importing:import_detail", args=[run.pk])
    assert run.status == ImportRun.Status.READY
    detail = administrator_client.get(response["Location"])
    assert "The file was checked: no bad rows." in detail.content.decode()
    assert not Patient.objects.exists(), "checking writes nothing"

    started = administrator_client.post(reverse("importing:import_start", args=[run.pk]))
    assert started.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.QUEUED
    page = administrator_client.get(started["Location"]).content.decode()
    assert "is queued for import" in page
    assert "Waiting for the background worker" in page
    assert 'id="import-live" aria-live="polite" data-poll' in page
    assert not Patient.objects.exists(), "the request only queues the import"
    # A second click while it waits is refused, and queues nothing more.
    twice = administrator_client.post(reverse("importing:import_start", args=[run.pk]))
    assert twice.status_code == 400
    assert "already waiting for the worker" in twice.content.decode()

    run_worker()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert run.content is None
    page = administrator_client.get(started["Location"]).content.decode()
    assert "data-poll" not in page
    assert "Patients: 3 (3 new)" in page
    assert (
        '<tr><th scope="row">Appointments</th><td class="text-end">5</td>'
        '<td class="text-end">5</td></tr>'
    ) in page
    assert Appointment.objects.count() == 5
    assert Patient.objects.count() == 3
    assert DailyNote.objects.count() == 4

    # Importing it again is refused on the same run; a new upload of it adds nothing.
    again = administrator_client.post(reverse("importing:import_start", args=[run.pk]))
    assert again.status_code == 400
    assert "already imported" in again.content.decode()
    upload(administrator_client, example_csv, "import-example.csv")
    second = ImportRun.objects.exclude(pk=run.pk).get()
    administrator_client.post(reverse("importing:import_start", args=[second.pk]))
    run_worker()
    second.refresh_from_db()
    assert second.summary["already_imported"] == 17
    assert DailyNote.objects.count() == 4
    assert Appointment.objects.count() == 5


def test_bad_rows_are_listed_with_their_lines(administrator_client, import_staff):
    content = csv_text(note("P1"), note("P2", date="2023-02-30"), note("P3", subjective=""))
    upload(administrator_client, content.encode())
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.INVALID
    page = administrator_client.get(
        reverse("importing:import_detail", args=[run.pk])
    ).content.decode()
    assert "Bad rows (2)" in page
    assert '<td>3</td><td class="text-break">date “2023-02-30” is not a real date.</td>' in page
    assert "<td>4</td>" in page

    refused = administrator_client.post(reverse("importing:import_start", args=[run.pk]))
    assert refused.status_code == 400
    assert "The file has bad rows" in refused.content.decode()
    assert not Patient.objects.exists()

    done = administrator_client.post(
        reverse("importing:import_start", args=[run.pk]), {"skip_invalid": "on"}
    )
    assert done.status_code == 302
    run_worker()
    assert list(Patient.objects.values_list("last_name", flat=True)) == ["Lopez"]


def test_an_unreadable_file_cannot_be_imported(administrator_client, import_staff):
    upload(administrator_client, csv_text(note(subjective="Zoë")).encode("latin-1"))
    run = ImportRun.objects.get()
    page = administrator_client.get(
        reverse("importing:import_detail", args=[run.pk])
    ).content.decode()
    assert "Line 2: the file is not UTF-8 text" in page
    assert 'action="/setup/import/' not in page
    response = administrator_client.post(
        reverse("importing:import_start", args=[run.pk]), {"skip_invalid": "on"}
    )
    assert response.status_code == 400


def test_upload_needs_a_file_of_a_few_megabytes(administrator_client, monkeypatch):
    response = administrator_client.post(LIST, {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    monkeypatch.setattr(services, "SCREEN_MAX_BYTES", 10)
    from importing import forms

    monkeypatch.setattr(forms, "SCREEN_MAX_BYTES", 10)
    response = upload(administrator_client, b"x" * 100)
    assert response.status_code == 400
    assert "Use the import_therapy_records command for larger files." in (response.content.decode())
    assert not ImportRun.objects.exists()


def test_the_menu_has_import(administrator_client):
    page = administrator_client.get(reverse("clinic:setup_home")).content.decode()
    assert 'href="/setup/import/"' in page


def test_list_and_detail_query_counts(
    administrator_client, clinic, administrator, django_assert_num_queries
):
    for n in range(5):
        ImportRun.objects.create(
            clinic=clinic,
            file_name=f"file{n}.csv",
            sha256="0" * 64,
            size=10,
            status=ImportRun.Status.INVALID,
            errors=[[2, "bad"]] * 50,
            error_count=50,
            summary={"rows": 60, "valid_rows": 10, "patients": 3},
            created_by=administrator,
        )
    # Session, user with roles, the runs with their uploader, the session's idle-timeout touch,
    # the Schedule tab's pending-request count... the same whatever the number of runs and bad
    # rows.
    with django_assert_num_queries(7):
        assert administrator_client.get(LIST).status_code == 200
    run = ImportRun.objects.first()
    with django_assert_num_queries(7):
        assert (
            administrator_client.get(reverse("importing:import_detail", args=[run.pk])).status_code
            == 200
        )


def test_execute_is_callable_by_a_task_with_ids(clinic, import_run, import_staff):
    """What the background task will call: ids only, it opens the clinic scope itself."""
    run = services.import_run_execute(clinic_id=clinic.pk, run_id=import_run.pk, skip_invalid=False)
    assert run.status == ImportRun.Status.DONE
    assert run.summary["patients"] == 3
