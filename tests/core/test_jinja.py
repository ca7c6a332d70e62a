"""The Jinja2 engine for large grids escapes what it writes, and a grid it renders inside a
Django page is neither escaped twice nor left raw."""

from django.template import Context, Template, engines

HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"


def test_jinja_engine_escapes_values():
    html = engines["jinja2"].get_template("core/escape_probe.html").render({"value": HOSTILE})
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_jinja_tag_inside_a_django_page_escapes_once():
    page = Template('{% load jinja %}<div>{% jinja "core/escape_probe.html" %}</div>')
    html = page.render(Context({"value": HOSTILE}))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&amp;lt;" not in html  # not escaped a second time
    assert html.startswith("<div><p title=")
