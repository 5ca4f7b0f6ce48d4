from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Prefetch, Q, When

from .addresses import (
    dwelling_key,
    parse_address,
    standard_address,
    standard_address_of,
    what_to_add,
)
from .addresses.parsing import normalise_postcode
from .models import Dwelling, GazetteerAddress, ResponsePlan


def plan_current(dwelling: Dwelling) -> ResponsePlan | None:
    """The latest version of the dwelling's response plan, expired or not: an expired plan
    is shown as expired, never silently hidden."""
    if hasattr(dwelling, "plans_newest_first"):  # prefetched by a list
        return dwelling.plans_newest_first[0] if dwelling.plans_newest_first else None
    return dwelling.plans.select_related("author").order_by("-version").first()


def plan_prefetch(prefix: str = "dwelling__") -> Prefetch:
    """The dwellings' response plans, newest first, fetched once for a list of rows (no
    N+1): ``plan_current`` reads them."""
    return Prefetch(
        f"{prefix}plans",
        queryset=ResponsePlan.objects.select_related("author").order_by("-version"),
        to_attr="plans_newest_first",
    )


def plan_summary(plan: ResponsePlan | None, today=None) -> dict | None:
    if plan is None:
        return None
    return {
        "version": plan.version,
        "what_to_do": plan.what_to_do,
        "what_not_to_do": plan.what_not_to_do,
        "whom_to_call": plan.whom_to_call,
        "author": plan.author.get_username(),
        "review_by": plan.review_by.isoformat(),
        "expired": plan.is_expired(today),
    }


def dwellings_search(query: str, *, limit: int = 50):
    """Dwellings matching a typed address: its key (every spelling), the postcode, or a
    fragment of the standard address, as typed or itself written out ("station rd march"
    finds "14 Station Road, March PE15 8NH"). Each with its call count."""

    query = " ".join(query.split())[:200]
    if len(query) < 3:
        return Dwelling.objects.none()
    match = Q(address__icontains=query) | Q(key=query) | Q(uprn=query)
    standard = standard_address_of(query)
    if standard and standard.lower() != query.lower():
        match |= Q(address__icontains=standard)
    key = dwelling_key(query)
    if key:
        match |= Q(key=key)
    postcode = normalise_postcode(query)
    if postcode:
        match |= Q(postcode=postcode)
    return (
        Dwelling.objects.filter(match)
        .annotate(call_count=Count("calls", distinct=True))
        .order_by("-call_count", "address")[:limit]
    )


# --- the handler's dwelling panel -----------------------------------------------------

POSTCODE_CHOICES = 10


def dwellings_at_postcode(postcode: str, *, number: str = "", limit: int = POSTCODE_CHOICES):
    """The known dwellings at a postcode, for a handler to pick from when the address typed
    names none: those with the number typed first, then the most called, at most ``limit``.
    ``postcode`` in its standard form ("CB7 4AF"); none for "". Each with its call count."""
    if not postcode:
        return Dwelling.objects.none()
    order = ["-call_count", "address", "pk"]
    dwellings = Dwelling.objects.filter(postcode=postcode).annotate(
        call_count=Count("calls", distinct=True)
    )
    if number:
        dwellings = dwellings.annotate(
            same_number=Case(When(number=number, then=1), default=0, output_field=IntegerField())
        )
        order.insert(0, "-same_number")
    return dwellings.order_by(*order)[:limit]


def dwellings_with_key(key: str):
    """The dwellings a dwelling key names: the one stored under it, and, when a gazetteer
    is loaded, the one its UPRN resolved to (stored as "uprn:N", so a key computed with
    ``dwelling_key()`` from the typed address still finds it)."""
    listed = GazetteerAddress.objects.filter(key=key).values("uprn")
    return Dwelling.objects.filter(Q(key=key) | Q(uprn__in=listed))


@dataclass(frozen=True, slots=True)
class AddressReading:
    """What the handler's panel says of a typed address that names no known dwelling.

    standard: its standard form ("" when it names no place). new_dwelling: it names a
    dwelling never called from (the first call creates it). to_add: what it lacks to name
    one ("the house number (or name) and street"), "" when nothing. postcode: the postcode
    typed. choices: the known dwellings at that postcode, to pick from, when it names none.
    """

    standard: str = ""
    new_dwelling: bool = False
    to_add: str = ""
    postcode: str = ""
    choices: list = field(default_factory=list)


def address_reading(address: str) -> AddressReading:
    """How a typed address reads when ``dwelling_find`` found no dwelling for it: a new
    dwelling, or what to add, with the dwellings at its postcode to pick from."""

    parsed = parse_address(address)
    if parsed is None:
        return AddressReading(to_add=what_to_add(None))
    standard = standard_address(parsed)
    if parsed.key:
        return AddressReading(standard=standard, new_dwelling=True, postcode=parsed.postcode)
    choices = list(dwellings_at_postcode(parsed.postcode, number=parsed.number))
    return AddressReading(
        standard=standard, to_add=what_to_add(parsed), postcode=parsed.postcode, choices=choices
    )
