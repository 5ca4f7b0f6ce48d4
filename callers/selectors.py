from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, IntegerField, Prefetch, Q, When
from django.utils import timezone

from .models import Dwelling, GazetteerAddress, ResponsePlan

REPEAT_WINDOW = timedelta(days=30)


def plan_current(dwelling: Dwelling) -> ResponsePlan | None:
    """The latest version of the dwelling's response plan, expired or not: an expired plan
    is shown as expired, never silently hidden."""
    if hasattr(dwelling, "plans_newest_first"):  # prefetched by a list
        return dwelling.plans_newest_first[0] if dwelling.plans_newest_first else None
    return dwelling.plans.select_related("author").order_by("-version").first()


def intake_prefetches(prefix: str = "dwelling__") -> list[Prefetch]:
    """What dwelling_intake_summary reads, fetched once for a list of rows (no N+1)."""
    from referrals.models import Referral

    return [
        Prefetch(
            f"{prefix}referrals",
            queryset=Referral.objects.open().only("id", "dwelling_id", "status", "created_at"),
            to_attr="open_referrals",
        ),
        Prefetch(
            f"{prefix}plans",
            queryset=ResponsePlan.objects.select_related("author").order_by("-version"),
            to_attr="plans_newest_first",
        ),
    ]


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


def dwelling_intake_summary(
    dwelling: Dwelling | None, *, now: datetime | None = None, calls_30d: int | None = None
) -> dict | None:
    """What a handler sees at intake: the calls in 30 days, an open referral (status only,
    no notes) and the response plan."""
    if dwelling is None:
        return None
    from referrals.models import Referral

    now = now or timezone.now()
    if calls_30d is None:
        calls_30d = dwelling.calls.filter(
            received_at__gte=now - REPEAT_WINDOW, received_at__lte=now
        ).count()
    if hasattr(dwelling, "open_referrals"):  # prefetched by a list (see intake_prefetches)
        open_referrals = dwelling.open_referrals
        referral = (
            {
                "id": open_referrals[0].id,
                "status": open_referrals[0].status,
                "created_at": open_referrals[0].created_at,
            }
            if open_referrals
            else None
        )
    else:
        referral = (
            Referral.objects.open()
            .filter(dwelling=dwelling)
            .values("id", "status", "created_at")
            .first()
        )
    return {
        "key": dwelling.key,
        "address": dwelling.address,
        "calls_30d": calls_30d,
        "open_referral": (
            {
                "id": referral["id"],
                "status": referral["status"],
                "opened_at": referral["created_at"].isoformat(),
            }
            if referral
            else None
        ),
        "response_plan": plan_summary(plan_current(dwelling), timezone.localdate(now)),
    }


def intake_summary_for_screen(summary: dict | None) -> dict | None:
    """``dwelling_intake_summary`` as the handler's panel shows it: the referral's status
    in words and its dates as dates (the API keeps the codes and ISO strings)."""
    if summary is None:
        return None
    from referrals.models import Referral

    shown = dict(summary)
    if summary["open_referral"] is not None:
        referral = summary["open_referral"]
        shown["open_referral"] = referral | {
            "status_label": Referral.Status(referral["status"]).label,
            "opened_at": datetime.fromisoformat(referral["opened_at"]),
        }
    if summary["response_plan"] is not None:
        plan = summary["response_plan"]
        shown["response_plan"] = plan | {"review_by": date.fromisoformat(plan["review_by"])}
    return shown


# --- the dwelling page (triage staff and supervisors; never shown to handlers) ------------

DWELLING_HISTORY_CALLS = 500
DWELLING_SPELLINGS = 50


def dwelling_history(dwelling: Dwelling) -> dict:
    """A dwelling's full history: its calls (newest first), the spellings its address was
    typed in (most used first, with their calls), every referral, every plan."""
    from referrals.models import Referral
    from triage.models import Call

    # The rule set is prefetched, not joined: one document shared by the calls it suggested.
    calls = (
        Call.objects.filter(dwelling=dwelling)
        .select_related("handler")
        .prefetch_related("ruleset")
        .order_by("-received_at", "-id")[:DWELLING_HISTORY_CALLS]
    )
    spellings = (
        Call.objects.filter(dwelling=dwelling)
        .values("address")
        .annotate(calls=Count("id"))
        .order_by("-calls", "address")[:DWELLING_SPELLINGS]
    )
    referrals = (
        Referral.objects.filter(dwelling=dwelling)
        .select_related("assignee")
        .order_by("-created_at", "-id")
    )
    plans = dwelling.plans.select_related("author").order_by("-version")
    return {
        "calls": list(calls),
        "calls_total": Call.objects.filter(dwelling=dwelling).count(),
        "spellings": list(spellings),
        "referrals": list(referrals),
        "plans": list(plans),
    }


def dwellings_search(query: str, *, limit: int = 50):
    """Dwellings matching a typed address: its key (every spelling), the postcode, or a
    fragment of the standard address, as typed or itself written out ("station rd march"
    finds "14 Station Road, March PE15 8NH"). Each with its call count."""
    from .addresses import dwelling_key, standard_address_of
    from .addresses.parsing import normalise_postcode

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
    from .addresses import parse_address, standard_address, what_to_add

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
