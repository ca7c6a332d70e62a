"""``reverse()`` once per URL name, then plain string work.

Django's ``reverse()`` and the ``{% url %}`` tag cost 20-100 microseconds a call (the resolver's
lookups, quoting, the script prefix). A page with a link a row pays that per row: the chart
page's tabs, goals and notes did. ``link(name, *args)`` reverses each URL name once per
process with stand-in numbers for its integer arguments and afterwards puts the real numbers
in their place; ``{% link %}`` (core/templatetags/links.py) is the same as a template tag,
written like ``{% url %}``.

Only integer arguments are stood in for (an ``<int:...>`` path converter writes them as they
are); any other argument is part of what is cached. A URL whose stand-ins do not come out
exactly once each (a converter that formats integers its own way) is reversed every time.
"""

import re
from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

_STAND_INS = tuple(987654321 + n for n in range(8))


@lru_cache(maxsize=1024)
def _template(name: str, shape: tuple, prefix: str, urlconf) -> tuple | None:
    """``(pieces, positions)``: the URL reversed with stand-ins, cut at each of them, and
    which argument goes in each cut; None when the URL cannot be made this way."""
    if sum(value is int for value in shape) > len(_STAND_INS):
        return None
    marks, args = {}, []
    for index, value in enumerate(shape):
        if value is int:
            mark = _STAND_INS[len(marks)]
            marks[str(mark)] = index
            args.append(mark)
        else:
            args.append(value)
    try:
        url = reverse(name, args=args, urlconf=urlconf)
    except NoReverseMatch:  # a converter that refuses the stand-ins: reverse every time
        return None
    if not marks:
        return (url,), ()
    pattern = re.compile("|".join(marks))
    found = pattern.findall(url)
    if sorted(found) != sorted(marks):
        return None
    return tuple(pattern.split(url)), tuple(marks[mark] for mark in found)


def link(name: str, *args) -> str:
    """``reverse(name, args=args)``, from a cached template when it can be."""
    shape = tuple(int if type(arg) is int else arg for arg in args)
    try:
        made = _template(name, shape, get_script_prefix(), get_urlconf())
    except TypeError:  # an argument that cannot be a cache key
        made = None
    if made is None:
        return reverse(name, args=args)
    pieces, positions = made
    out = [pieces[0]]
    for index, piece in zip(positions, pieces[1:], strict=True):
        out.append(str(args[index]))
        out.append(piece)
    return "".join(out)
