"""``core.links.link``: what ``reverse()`` gives, from a template made once."""

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

from core.links import link


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("charts:patient_list", []),
        ("charts:goal_create", [5]),
        ("charts:chart_case_detail", [12, 3]),
        ("charts:chart_case_detail", [3, 12]),
        ("charts:chart_case_detail", [7, 7]),
        ("charts:document_detail", [7, "notes", 98765432]),
        ("charts:document_detail", [7, "evaluations", 1]),
    ],
)
def test_a_link_is_what_reverse_gives(name, args):
    assert link(name, *args) == reverse(name, args=args)
    assert link(name, *args) == reverse(name, args=args)  # and again, from the cache


def test_a_link_follows_the_script_prefix():
    try:
        set_script_prefix("/clinic-a/")
        assert link("charts:goal_create", 5) == "/clinic-a/chart-cases/5/goals/add/"
    finally:
        set_script_prefix("/")
    assert link("charts:goal_create", 5) == "/chart-cases/5/goals/add/"


def test_a_bad_link_fails_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        link("charts:document_detail", 7, "letters", 1)
    with pytest.raises(NoReverseMatch):
        link("charts:no_such_page")


def test_the_tag_writes_the_link():
    rendered = Template('{% load links %}{% link "charts:chart_case_detail" a b %}').render(
        Context({"a": 4, "b": 9})
    )
    assert rendered == reverse("charts:chart_case_detail", args=[4, 9])
