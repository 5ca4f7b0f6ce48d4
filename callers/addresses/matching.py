"""Deciding whether two typed addresses are one dwelling."""

from . import vocabulary as v
from .edits import within_one_edit
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


def names_agree(a: str, b: str) -> bool:
    """Whether two house or building names may be one name: equal, one slip apart, or one
    the other shortened or lengthened by whole words ("Hill Farm", "Hill Farm House";
    "Old Rectory", "The Old Rectory Cottage"). Used only where a postcode or a number
    already narrows the choice, and only when no other dwelling there fits."""
    if a == b:
        return True
    if not a or not b:
        return False
    compact_a, compact_b = _compact_name(a), _compact_name(b)
    if compact_a == compact_b:
        return True  # "Ivycottage", "Thegranary": words run together
    short, long = sorted((compact_a, compact_b), key=len)
    if len(short) > 5 and long.startswith(short) and long[len(short) :] in v.BUILDING_WORDS:
        return True  # "Manor Farm", "Manor Farmhouse"
    words_a, words_b = set(a.split()), set(b.split())
    shorter = min(words_a, words_b, key=len)
    # "Lodge" is not "Elm Lodge": the shorter name must keep a word of its own.
    if (words_a <= words_b or words_b <= words_a) and shorter - v.BUILDING_WORDS:
        return True
    return len(compact_a) > 5 and within_one_edit(compact_a, compact_b)


def _same_name(a: ParsedAddress, b: ParsedAddress) -> bool:
    return bool(a.building_name) and _compact_name(a.building_name) == _compact_name(
        b.building_name
    )


def _compact_name(name: str) -> str:
    compact = name.replace(" ", "")
    return compact[3:] if compact.startswith("the") and len(compact) > 6 else compact


def _street_name(street: str) -> str:
    """The street without its type word: "acorn road" -> "acorn"."""
    words = street.split()
    if len(words) > 1 and words[-1] in v.TYPES:
        words = words[:-1]
    return " ".join(words)


def _streets_agree(a: ParsedAddress, b: ParsedAddress) -> bool:
    """Within one full postcode: the same street, one of them missing or without its type
    word ("31 Acorn" is 31 Acorn Road), one slip apart, or a street left out so that the
    locality was read as the street ("Hill Farm, Southfield" for Hill Farm, Field Lane,
    Southfield). Different street types stay apart: "Acorn Road" is not "Acorn Close"."""
    if not a.street or not b.street or a.street == b.street:
        return True
    type_a, type_b = _street_type(a.street), _street_type(b.street)
    # A street omitted: the typed "street" is only the other's places ("Northgate
    # Marlbridge" typed without commas), or its name without the type word, the places
    # run into it ("14 Hazel Marlbridge", "23, Alkert" for 23 Albert Lane).
    if (not type_a and _street_or_places(a.street, b)) or (
        not type_b and _street_or_places(b.street, a)
    ):
        return True
    if type_a and type_b and type_a != type_b:
        return False
    return _street_name(a.street) == _street_name(b.street) or within_one_edit(a.street, b.street)


def _street_or_places(typed: str, other: ParsedAddress) -> bool:
    """Whether a street typed without a type word is the other address's places, or the
    other's street name (or one slip from it) with only its places after it."""
    places = {w for place in (other.town, *other.localities) for w in place.split()}
    words = typed.split()
    if set(words) <= places:
        return True
    name = _street_name(other.street).split()
    if not name or not _street_type(other.street) or len(words) < len(name):
        return False
    head, rest = " ".join(words[: len(name)]), set(words[len(name) :])
    return within_one_edit(head, " ".join(name)) and rest <= places


def fits_in_postcode(typed: ParsedAddress, known: ParsedAddress) -> bool:
    """Whether a known address with the same full postcode may be the typed dwelling when
    other parts are missing or altered: its number, or its house name, or its block and
    flat agree, and nothing else disagrees. A postcode covers about 15 homes, so this
    identifies a dwelling only when exactly one known address of the postcode fits: the
    resolver (``callers.services``) checks that. Never a flat for its house (sub-buildings
    must be equal), never another number or another street type."""
    if not typed.postcode or typed.postcode != known.postcode:
        return False
    if typed.sub_building != known.sub_building:
        return _flat_read_as_house(typed, known) or _flat_read_as_house(known, typed)
    if typed.number and known.number:
        if typed.number != known.number:
            return False
    elif typed.number or known.number:
        # A number on one side only: the house name (or block) must be on both.
        if not (typed.building_name and known.building_name):
            return False
        if not names_agree(typed.building_name, known.building_name):
            return False
    elif not typed.sub_building and _same_name(typed, known):
        # A house known by its name alone: in one postcode, the name is the house, even
        # typed with another street.
        return True
    elif not names_agree(typed.building_name, known.building_name):
        return False
    return _streets_agree(typed, known)


def _flat_read_as_house(house: ParsedAddress, flat: ParsedAddress) -> bool:
    """ "1, Tennyson Court, Priory Grove" read as number 1 of a street called Tennyson
    Court, for "Flat 1, Tennyson Court, Priory Grove": the flat's unit word was dropped
    before a block named like a street. Within one postcode only; a house at that number
    on a real Tennyson Court would fit too, and then neither is taken."""
    return (
        bool(house.number)
        and not house.sub_building
        and not flat.number
        and flat.sub_building == f"flat {house.number}"
        and bool(flat.building_name)
        and house.street.replace(" ", "") == flat.building_name.replace(" ", "")
        # The block's own street typed after it: "1 Tennyson Court, Ely" alone may be a
        # house on a street of that name.
        and (not flat.street or flat.street in house.localities)
    )


def fits_in_building(typed: ParsedAddress, known: ParsedAddress) -> bool:
    """Whether a known flat is the typed one when the street number is missing on one side:
    "Flat 4, Abbey Mansions, 21 Park Street" and "Flat 4, Abbey Mansions, Park Street".
    The building and flat are equal, and the street and town (or the postcode) agree. The
    resolver takes it only when exactly one known flat fits."""
    if not typed.building_name or not typed.sub_building:
        return False
    if (typed.building_name, typed.sub_building) != (known.building_name, known.sub_building):
        return False
    if typed.number and known.number and typed.number != known.number:
        return False
    if typed.postcode and known.postcode:
        return typed.postcode == known.postcode and _streets_agree(typed, known)
    if not typed.street or typed.street != known.street:
        return False
    return bool(typed.town) and typed.town == known.town


def merge_conflict(a: ParsedAddress, b: ParsedAddress) -> str:
    """Why two addresses cannot be one household, in words; "" when nothing forbids it.

    The deterministic veto for every looser matcher (the nightly probabilistic pass among
    them): different house numbers, flats or floors, a flat and its whole house, different
    buildings (unless the same number vouches for a name altered), postcodes, street types
    or streets, or towns. Without one full postcode on both sides, any two towns differ: a
    street typed with its village and the same street typed with the post town alone may
    be two streets. It never says two addresses *are* one; it only says when they cannot.
    """
    if a.number and b.number and a.number != b.number:
        return "different house numbers"
    if a.sub_building != b.sub_building:
        if a.sub_building and b.sub_building:
            return "different flats or floors"
        return "a flat and its whole building"
    same_number = bool(a.number) and a.number == b.number
    names = a.building_name and b.building_name
    if names and not same_number and not names_agree(a.building_name, b.building_name):
        return "different buildings"
    if (a.number or b.number) and not same_number and not names:
        # A number on one side only: the house name must be on both (and agree).
        return "a house number and a house name that nothing ties together"
    postcode = a.postcode if a.postcode and a.postcode == b.postcode else ""
    if a.postcode and b.postcode and not postcode:
        return "different postcodes"
    # A house known by name alone, in one postcode: the name is the house, whatever street
    # was typed with it (as the resolver's fits_in_postcode takes it).
    named_house = bool(postcode) and not a.number and not b.number and not a.sub_building
    named_house = named_house and _same_name(a, b)
    type_a, type_b = _street_type(a.street), _street_type(b.street)
    if type_a and type_b and type_a != type_b and not named_house:
        return "different street types"
    slip = named_house or (bool(postcode) and within_one_edit(a.street, b.street))
    if type_a and type_b and _street_name(a.street) != _street_name(b.street) and not slip:
        return "different streets"
    # Without one full postcode on both sides, any two towns differ: a street typed with its
    # village and the same street typed with its post town alone may be two streets. With
    # one, a postcode lies in one post town: another town name there is a locality in it.
    if a.town and b.town and a.town != b.town and not postcode:
        return "different towns"
    return ""


def _street_type(street: str) -> str:
    words = street.split()
    return words[-1] if len(words) > 1 and words[-1] in v.TYPES else ""
