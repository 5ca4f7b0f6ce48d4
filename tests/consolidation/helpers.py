"""Dwellings, calls and a stub matcher for the consolidation tests."""

import itertools
from datetime import UTC, datetime, timedelta

from callers.addresses import match_fields, parse_address, standard_address
from callers.models import Dwelling
from consolidation.matcher import Pair
from tests.factories import facts
from triage.models import Call

_n = itertools.count(1)
START = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def dwelling(address: str, *, created_at=None, key: str | None = None) -> Dwelling:
    """A dwelling as intake would create it from ``address``, with a key of its own, so
    that two spellings of one household stay two dwellings (what consolidation mends)."""
    parsed = parse_address(address)
    fields = match_fields(parsed)
    n = next(_n)
    fields["key"] = key or f"{fields['key']}#{n}"
    return Dwelling.objects.create(
        **fields,
        address=standard_address(parsed),
        building_name=parsed.building_name,
        created_at=created_at or START + timedelta(minutes=n),
    )


def calls(d: Dwelling, *times, address: str | None = None, channel="101") -> list[Call]:
    """Calls stored at ``d`` (as the import stores them: no detection at intake)."""
    return Call.objects.bulk_create(
        Call(
            channel=channel,
            received_at=t,
            address=address or d.address,
            dwelling=d,
            facts=facts(),
            concern_type="welfare_check",
            rule_id="CFW-ADVICE",
            suggested_agency="MENTAL_HEALTH_CRISIS",
            suggested_police_attend=False,
            suggestion={"flags": []},
        )
        for t in times
    )


def stub_matcher(scores: dict[tuple[str, str], float], gap: float | None = None):
    """A matcher that scores pairs of addresses from ``scores`` (by standard address, in
    either order), and records what it was asked."""
    asked = []

    def match(new, known, **kwargs):
        asked.append(([a.id for a in new], [a.id for a in known]))
        pairs = []
        everyone = [*new, *known]
        for a in new:
            for b in everyone:
                if a.id == b.id:
                    continue
                score = scores.get((a.text, b.text), scores.get((b.text, a.text)))
                if score is not None:
                    pairs.append(Pair(a.id, b.id, score, gap))
        return pairs

    match.asked = asked
    return match
