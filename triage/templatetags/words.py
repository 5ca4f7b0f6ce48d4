"""Template filters that put the engine's codes into words (triage.engine.words).

Registered as a template builtin in settings, so every template may write
``{{ call.final_agency|agency }}``, ``{{ code|flag }}`` or ``{{ value|fact_value:"crime" }}``.
"""

from django import template

from triage.engine import words

register = template.Library()


@register.filter
def agency(code):
    return words.agency_label(code)


@register.filter
def flag(code):
    return words.flag_label(code)


@register.filter
def fact_value(value, fact):
    return words.fact_value_label(fact, value)
