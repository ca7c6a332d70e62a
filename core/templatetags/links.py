"""``{% link "app:name" arg ... %}``: ``{% url %}`` from a cached template (core/links.py).

Positional arguments only; ``{% link ... as name %}`` keeps the URL in a variable."""

from django import template

from core.links import link as make_link

register = template.Library()


@register.simple_tag
def link(name, *args):
    return make_link(name, *args)
