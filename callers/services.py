"""Writes for dwellings: resolving a typed address to the one household it names."""

from django.db import transaction

from .addresses import dwelling_key, parse_address, same_dwelling
from .models import Dwelling


def _fuzzy_candidate(parsed) -> Dwelling | None:
    """A dwelling whose address differs only by a typo in the street, postcode agreeing."""
    if parsed is None or not parsed.postcode or not parsed.number:
        return None
    candidates = Dwelling.objects.filter(
        postcode=parsed.postcode, number=parsed.number, sub_building=parsed.sub_building
    )[:20]
    for candidate in candidates:
        if same_dwelling(parsed, parse_address(candidate.address)):
            return candidate
    return None


def dwelling_find(address: str) -> Dwelling | None:
    """The existing dwelling an address names, or None. Reads only: used while typing."""
    key = dwelling_key(address)
    if not key:
        return None
    dwelling = Dwelling.objects.filter(key=key).first()
    if dwelling is None:
        dwelling = _fuzzy_candidate(parse_address(address))
    return dwelling


@transaction.atomic
def dwelling_resolve(*, address: str, lock: bool = False) -> Dwelling | None:
    """The dwelling an address names, created on first sight; None if no dwelling can be
    identified (a bare street name). ``lock`` takes a row lock so that concurrent intakes at
    one dwelling count their calls one after another."""
    key = dwelling_key(address)
    if not key:
        return None
    dwelling = dwelling_find(address)
    if dwelling is None:
        parsed = parse_address(address)
        dwelling, _ = Dwelling.objects.get_or_create(
            key=key,
            defaults={
                "address": address.strip()[:500],
                "postcode": parsed.postcode if parsed else "",
                "number": parsed.number if parsed else "",
                "sub_building": parsed.sub_building if parsed else "",
                "street": parsed.street if parsed else "",
                "town": parsed.town if parsed else "",
            },
        )
    if lock:
        dwelling = Dwelling.objects.select_for_update().get(pk=dwelling.pk)
    return dwelling
