"""Deciding whether two typed addresses are one dwelling."""

from . import vocabulary as v
from .parsing import ParsedAddress, parse_address

# Lengths of the matching columns on callers.models.Dwelling.
FIELD_LENGTHS = {
    "key": 255,
    "postcode": 8,
    "number": 20,
    "sub_building": 100,
    "street": 200,
    "town": 100,
}


def dwelling_key(raw: str) -> str:
    """The same key for every spelling of one dwelling, "" when no dwelling is named."""
    parsed = parse_address(raw)
    return parsed.key if parsed is not None else ""


def same_dwelling(a: ParsedAddress | None, b: ParsedAddress | None) -> bool:
    """Whether two parsed addresses name one dwelling: equal keys, or an agreeing postcode
    that vouches for a missing town or a one-character slip in the street or town.

    Never merges different house numbers, names or sub-buildings (a whole house and one of
    its flats are different households), nor different postcodes outside an equal key.
    """
    if a is None or b is None:
        return False
    key_a, key_b = a.key, b.key
    if not key_a or not key_b:
        return False
    if key_a == key_b:
        return True
    if a.number != b.number or a.sub_building != b.sub_building:
        return False
    if not a.number and a.building_name != b.building_name:
        return False
    if not a.postcode or a.postcode != b.postcode:
        return False
    if not _towns_agree(a, b):
        return False
    return (
        within_one_edit(a.street, b.street)
        or within_one_edit(_saint(a.street), _saint(b.street))
        or within_one_edit(_street_and_town(a), _street_and_town(b))
    )


def match_fields(parsed: ParsedAddress | None) -> dict[str, str]:
    """The indexed fields stored on a Dwelling: find rows by ``key``, else by
    (postcode, number, sub_building) and confirm each candidate with same_dwelling()."""
    if parsed is None:
        parsed = ParsedAddress()
    values = {
        "key": parsed.key,
        "postcode": parsed.postcode,
        "number": parsed.number,
        "sub_building": parsed.sub_building,
        "street": parsed.street,
        "town": parsed.town,
    }
    return {name: value[: FIELD_LENGTHS[name]] for name, value in values.items()}


def _towns_agree(a: ParsedAddress, b: ParsedAddress) -> bool:
    # Called only with agreeing postcodes: a postcode lies in one post town, so a missing
    # town, a locality within it ("Littleport" / "Ely") or one slipped letter is the same.
    if not a.town or not b.town or a.town == b.town:
        return True
    return a.town in b.localities or b.town in a.localities or within_one_edit(a.town, b.town)


def _saint(street: str) -> str:
    # "Sant Johns Road" is one slip from "Saint Johns Road", two from "St Johns Road".
    return f"saint{street[2:]}" if street.startswith("st ") else street


def _street_and_town(p: ParsedAddress) -> str:
    # "10 forehill ely" (no thoroughfare word, no comma) reads the town into the street.
    return f"{p.street} {p.town}".strip()


def within_one_edit(a: str, b: str) -> bool:
    """At most one inserted, deleted, replaced or two swapped neighbouring characters."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    return a[i:] == b[i + 1 :]


def merge_conflict(a: ParsedAddress, b: ParsedAddress) -> str:
    """Why two addresses cannot be one household, in words; "" when nothing forbids it.

    The deterministic veto for every looser matcher (the nightly probabilistic pass among
    them): different house numbers, flats or floors, a flat and its whole house, different
    buildings, postcodes, street types or towns. It never says two addresses *are* one;
    it only says when they cannot be.
    """
    if a.number and b.number and a.number != b.number:
        return "different house numbers"
    if a.sub_building != b.sub_building:
        if a.sub_building and b.sub_building:
            return "different flats or floors"
        return "a flat and its whole building"
    if a.building_name and b.building_name and a.building_name != b.building_name:
        return "different buildings"
    if a.postcode and b.postcode and a.postcode != b.postcode:
        return "different postcodes"
    type_a, type_b = _street_type(a.street), _street_type(b.street)
    if type_a and type_b and type_a != type_b:
        return "different street types"
    if a.town and b.town and not _towns_agree(a, b):
        return "different towns"
    return ""


def _street_type(street: str) -> str:
    last = street.rsplit(" ", 1)[-1]
    return last if last in v.TYPES else ""
