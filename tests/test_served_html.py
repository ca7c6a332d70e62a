"""What a browser (and Lighthouse) measures in the HTML as served, before any script runs:
compression, a meta description, and the Patient Case form's tabs complete in the markup."""

import gzip
import re

import pytest
from django.urls import reverse

PAGES = [
    ("administrator", "cases:case_list"),
    ("administrator", "cases:case_create"),
    ("administrator", "clinic:servicetype_list"),
    ("administrator", "accounts:staff_list"),
    ("therapist", "charts:patient_list"),
    (None, "accounts:login"),
]


@pytest.fixture
def administrator_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.mark.parametrize(("who", "name"), PAGES)
def test_every_page_has_a_meta_description(who, name, request, client):
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(name))

    assert response.status_code == 200
    description = re.search(r'<meta name="description" content="([^"]+)">', response.text)
    assert description and len(description.group(1)) > 40


def test_html_is_compressed_for_browsers_that_accept_it(administrator_client):
    response = administrator_client.get(
        reverse("cases:case_list"), headers={"accept-encoding": "gzip, br"}
    )

    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"Patient Cases" in gzip.decompress(response.content)


def _attributes(tag: str) -> dict[str, str]:
    return dict(re.findall(r'([\w-]+)="([^"]*)"', tag))


@pytest.mark.parametrize("bad_requests", [False, True])
def test_the_case_form_is_served_as_complete_tabs(
    administrator_client, speech, treatment, bad_requests
):
    """Every role=tab controls a role=tabpanel present in the HTML, labelled by its tab; one tab
    is selected and its panel is the one shown, so no script needs to move anything. With an
    error only on the Appointment Requests tab, that tab is the one open."""
    url = reverse("cases:case_create")
    if bad_requests:
        response = administrator_client.get(url)
        rows = int(re.search(r'name="rules-TOTAL_FORMS" value="(\d+)"', response.text).group(1))
        data = {
            "name": "Stuttering",
            "service_types": [speech.pk],
            "version": "",
            "rules-TOTAL_FORMS": rows,
            "rules-INITIAL_FORMS": rows,
        }
        for index in range(rows):
            type_pk = re.search(
                rf'name="rules-{index}-appointment_type" value="(\d+)"', response.text
            ).group(1)
            data[f"rules-{index}-appointment_type"] = type_pk
            data[f"rules-{index}-allow_requests"] = "on"
            data[f"rules-{index}-duration_minutes"] = "7"  # not a step of 5
        response = administrator_client.post(url, data)
        assert response.status_code == 400
    else:
        response = administrator_client.get(url)
    html = response.text

    tabs = [_attributes(tag) for tag in re.findall(r"<button[^>]*role=\"tab\"[^>]*>", html)]
    assert [tab["id"] for tab in tabs] == ["details-tab", "requests-tab"]
    assert 'role="tablist"' in html
    for tab in tabs:
        panel = re.search(rf'<section[^>]*id="{tab["aria-controls"]}"[^>]*>', html)
        assert panel, f"no panel for {tab['id']}"
        panel = _attributes(panel.group(0))
        assert panel["role"] == "tabpanel"
        assert panel["aria-labelledby"] == tab["id"]
        selected = tab["aria-selected"] == "true"
        assert ("active" in panel["class"].split()) is selected
    open_tab = "requests-tab" if bad_requests else "details-tab"
    assert [tab["id"] for tab in tabs if tab["aria-selected"] == "true"] == [open_tab]
    assert "<noscript><style>" in html  # without script, both panes show
