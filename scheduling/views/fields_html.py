"""A form's fields as ``scheduling/includes/fields.html`` writes them, written in Python.

A request's page shows two forms: the approve form's three selects (types, the case's
therapists, locations) and four inputs, and the decline form's text area. Through the
include, Django renders each widget from its own templates, and each option of a select from
two more (``select_option.html``, ``attrs.html``): about fifty template includes on every
request page, the larger part of the page's own time (bench/, cProfile). The widgets' context
(their attributes, formatted value, options and which is selected) still comes from Django
(``BoundField.build_widget_attrs``, ``Widget.get_context``); only the writing of the HTML is
done here, to the same bytes (tests/scheduling/test_request_fields_html.py compares the two
for bound and unbound forms with errors). A widget of another kind is rendered by Django.
"""

from html import escape as _escape

from django import forms
from django.utils.safestring import SafeString, mark_safe

ASTERISK = '<span class="asteriskField">*</span>'


def escape(value) -> str:
    """As the template's autoescape (``conditional_escape``): what is already HTML is not
    escaped again."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape(str(value))


def _attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _select(widget: dict) -> str:
    options = []
    for group_name, group, _index in widget["optgroups"]:
        if group_name:  # Not written here: no form of these pages groups its options.
            raise ValueError("option groups")
        for option in group:
            options.append(
                f'\n  <option value="{escape(option["value"])}"{_attrs(option["attrs"])}>'
                f"{escape(option['label'])}</option>\n"
            )
    start = f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>'
    return f"{start}{''.join(options)}\n</select>"


def _input(widget: dict) -> str:
    value = widget["value"]
    value = "" if value is None else f' value="{escape(value)}"'
    return (
        f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict) -> str:
    value = escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'
    )


# Exactly these classes: a subclass may have templates of its own.
_WRITERS = {
    forms.Select: _select,
    forms.NumberInput: _input,
    forms.DateInput: _input,
    forms.TimeInput: _input,
    forms.TextInput: _input,
    forms.Textarea: _textarea,
}


def widget_html(field: forms.BoundField) -> str:
    """``str(field)``: the field's widget as Django renders it."""
    widget = field.field.widget
    writer = _WRITERS.get(type(widget))
    if writer is None or field.field.localize or widget.is_hidden:
        return str(field)
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return writer(widget.get_context(field.html_name, field.value(), attrs)["widget"])


def fields_html(form: forms.Form) -> SafeString:
    """``{% include "scheduling/includes/fields.html" with form=form %}``."""
    out = []
    errors = form.non_field_errors()
    if errors:
        items = "".join(f"<li>{escape(error)}</li>" for error in errors)
        out.append(
            f'<div class="alert alert-block alert-danger"><ul class="m-0">{items}</ul></div>'
        )
    out.append("\n")
    for field in form.visible_fields():
        required = field.field.required
        out.append(
            f'<div id="div_{escape(field.auto_id)}" class="mb-3">'
            f'<label for="{escape(field.id_for_label)}" '
            f'class="form-label{" requiredField" if required else ""}">{escape(field.label)}'
            f"{ASTERISK if required else ''}</label>"
            f"{widget_html(field)}"
        )
        if field.errors:
            messages = "".join(f"<p><strong>{escape(e)}</strong></p>" for e in field.errors)
            out.append(
                f'<div id="{escape(field.auto_id)}_error" class="invalid-feedback d-block">'
                f"{messages}</div>"
            )
        out.append("</div>\n")
    out.append("\n")  # the include's last line
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
