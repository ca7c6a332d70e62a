import io
from pathlib import Path

from django.core.management import call_command

from importing.format import COLUMNS

HEADER = ",".join(COLUMNS)


def csv_text(*rows: dict, header: str = HEADER) -> str:
    """A file with the given rows: each a dict of column values, the rest empty."""
    names = header.split(",")
    lines = [header]
    for row in rows:
        lines.append(",".join(_quote(row.get(name, "")) for name in names))
    return "\n".join(lines) + "\n"


def _quote(value: str) -> str:
    if any(char in value for char in ',"\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def note(patient="P1", line_text="Worked on /s/.", **values) -> dict:
    row = {
        "patient_id": patient,
        "first_name": "Mia",
        "last_name": "Lopez",
        "date_of_birth": "2016-05-04",
        "service_type": "Speech Therapy",
        "kind": "daily_note",
        "date": "2025-01-10",
        "author_email": "slp@demo.clinic",
        "subjective": line_text,
    }
    row.update(values)
    return row


def run_import(path: Path, clinic, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_therapy_records",
        str(path),
        "--clinic",
        str(clinic.pk),
        "--no-progress",
        *args,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, text: str | bytes, name: str = "records.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path
