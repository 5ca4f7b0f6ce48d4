"""The real uk-address-matcher on a small realistic set: other spellings of one household
merge or wait for staff, and the household next door never merges."""

import socket

import pytest

from callers.models import Dwelling
from consolidation.consolidate import consolidate
from consolidation.matcher import Address, match
from consolidation.models import DwellingMerge, PossibleSameDwelling

from .helpers import dwelling

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

KNOWN = [
    "Flat 2, 10 High Street, Ely CB7 4AA",
    "Flat 3, 10 High Street, Ely CB7 4AA",
    "12 High Street, Ely CB7 4AA",
    "Rose Cottage, Mill Lane, Littleport, Ely CB6 1AA",
    "31 Acorn Road, Peterborough PE1 1BH",
    "31 Acorn Close, Peterborough PE1 1BJ",
    "Ground Floor Flat, 4 Park Road, March PE15 8AA",
    "First Floor Flat, 4 Park Road, March PE15 8AA",
    "Flat 4, Abbey Mansions, 21 Park Street, Wisbech PE13 1AA",
]
# Other spellings of known households (what the pass should join)...
SAME = {
    "2/10 High St, Ely": "Flat 2, 10 High Street, Ely CB7 4AA",
    "31 Acorn, Peterborough PE1 1BH": "31 Acorn Road, Peterborough PE1 1BH",
    "Gnd Flr Flat, 4 Park Rd, March PE15 8AA": "Ground Floor Flat, 4 Park Road, March PE15 8AA",
    "Flat 4, Abbey Mansions, Park Street, Wisbech": "Flat 4, Abbey Mansions, 21 Park Street, Wisbech PE13 1AA",
}
# ...and households next door (what it must never join).
NEXT_DOOR = [
    "14 High Street, Ely CB7 4AA",
    "Flat 5, 10 High Street, Ely CB7 4AA",
    "Second Floor Flat, 4 Park Road, March PE15 8AA",
]


def test_the_matcher_finds_another_spelling_of_a_flat_before_the_flat_next_door(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the matcher tried the network")

    # Its model ships in the package; DuckDB's extension downloads are off (matcher.py).
    monkeypatch.setattr(socket.socket, "connect", no_network)
    pairs = match(
        [Address(100, "2/10 High St, Ely", "CB7 4AA")],
        [
            Address(1, "Flat 2, 10 High Street, Ely", "CB7 4AA"),
            Address(2, "Flat 3, 10 High Street, Ely", "CB7 4AA"),
        ],
    )
    best = next(p for p in pairs if p.new_id == 100)
    assert best.known_id == 1


def test_the_pass_joins_other_spellings_and_never_the_household_next_door(settings):
    known = {text: dwelling(text) for text in KNOWN}
    same = {text: dwelling(text) for text in SAME}
    next_door = [dwelling(text) for text in NEXT_DOOR]

    consolidate()

    joined = {m.merged_id: m.survivor_id for m in DwellingMerge.objects.all()} | {
        p.second_id: p.first_id for p in PossibleSameDwelling.objects.all()
    }
    for text, d in same.items():
        assert joined.get(d.pk) == known[SAME[text]].pk, text
    for d in next_door:
        assert d.pk not in joined and d.pk not in joined.values()
        assert Dwelling.objects.get(pk=d.pk).merged_into_id is None
    assert DwellingMerge.objects.count() >= 2  # most are sure enough to merge
