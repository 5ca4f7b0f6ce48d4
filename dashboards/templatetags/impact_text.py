"""Numbers of the Farmington impact report as people read them: pounds, hours, changes."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()

MINUS = "\u2212"  # a true minus sign: a hyphen reads as a dash in a table


def _whole(value) -> int:
    return int(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@register.filter
def pounds(value) -> str:
    """£1,234 (to the pound); −£88 when negative."""
    if value is None:
        return "–"
    whole = _whole(value)
    return f"{MINUS if whole < 0 else ''}£{abs(whole):,}"


@register.filter
def hours(value) -> str:
    """1,234.5 (to a tenth of an hour)."""
    if value is None:
        return "–"
    tenths = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{MINUS if tenths < 0 else ''}{abs(tenths):,.1f}"


@register.filter
def count(value) -> str:
    """1,234: a count, or a median (2.5), with thousands separated."""
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


@register.filter
def signed(value) -> str:
    """+2, −3 or 0: a change in calls."""
    if value is None:
        return "–"
    if float(value).is_integer():
        value = int(value)
        text = f"{abs(value):,}"
    else:
        text = f"{abs(value):,.1f}"
    return ("+" if value > 0 else MINUS if value < 0 else "") + text


@register.filter
def percent_change(value) -> str:
    """−48.4% or +5.0%; – when there was nothing before to compare with."""
    if value is None:
        return "–"
    return ("+" if value > 0 else MINUS if value < 0 else "") + f"{abs(value):.1f}%"


@register.filter
def change_words(value) -> str:
    """ "fell by 48.4%", "rose by 5.0%", "did not change"; "" with nothing before."""
    if value is None:
        return ""
    if value < 0:
        return f"fell by {abs(value):.1f}%"
    if value > 0:
        return f"rose by {value:.1f}%"
    return "did not change"


@register.filter
def magnitude(value) -> str:
    """The size of a difference, without its sign: 20.1."""
    if value is None:
        return "–"
    return f"{abs(value):,.1f}"
