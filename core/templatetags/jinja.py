"""``{% jinja "app/grid.html" name=value %}``: a large grid rendered by the Jinja2 engine
(core/jinja2.py) inside a page of Django's engine, so the grid's page keeps the one base
template.

Jinja2 escapes everything it writes (autoescape on) and returns ``Markup``, which Django's
escaping recognises by its ``__html__``: nothing is marked safe here that Jinja2 did not
escape."""

from django import template
from django.template import engines
from markupsafe import Markup

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str, **extra):
    values = context.flatten()
    values.update(extra)
    request = values.get("request")
    rendered = engines["jinja2"].get_template(template_name).render(values, request)
    return Markup(rendered)  # noqa: S704 - written by Jinja2 with autoescape on
