"""``{% front_desk patient %}``: the front desk's panel on the patient page. The chart page
belongs to ``charts``, below ``scheduling``; a tag library is how the lower app's template
shows the higher app's part without the lower app importing it."""

from django import template

from scheduling.reads.front_desk import patient_desk

register = template.Library()


@register.inclusion_tag("scheduling/includes/front_desk.html", takes_context=True)
def front_desk(context, patient):
    return {"patient": patient, **patient_desk(patient, context["request"].user)}
