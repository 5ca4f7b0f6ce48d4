"""The standard display form of an address: how every screen names a dwelling.

"10 high street flat 2 ely cb74aa", "2/10 High St, Ely" and "the address is Flat 2, 10 High
St, Ely CB7 4AA" are all shown as "Flat 2, 10 High Street, Ely CB7 4AA": built from the
parsed parts, never from what was typed, so noise ("the address is", "outside") and
abbreviations never reach a screen. Pure functions.

The form reads back to the same parts (``parse_address(standard_address(p))`` gives p's
number, sub-building, building name, street, town, localities and postcode): the resolver
re-reads a stored dwelling's address to confirm a near match, so it must stay faithful.
"""

import re

from . import vocabulary as v
from .parsing import ParsedAddress, parse_address

# Small words that stay lower case inside a name: "Stratford upon Avon", "Heol y Frenhines".
_LOWER_WORDS = frozenset(
    {"and", "of", "the", "upon", "on", "in", "en", "le", "la", "de", "cum", "under"}
    | v.WELSH_ARTICLES
)
# Where a sub-building of several parts is split for reading: "Block A, Flat 3".
_SUB_PARTS = re.compile(r" (?=(?:flat|room) )")
_SPACES = re.compile(r"\s+")


def _word(word: str, first: bool) -> str:
    if any(c.isdigit() for c in word):
        return word.upper()  # "10a" -> "10A", "1f2" -> "1F2", "2/1" unchanged
    if not first and word in _LOWER_WORDS:
        return word
    if word.startswith("mc") and len(word) > 3:
        return "Mc" + word[2:].capitalize()
    return word.capitalize()


def _title(text: str) -> str:
    """Title case for parsed (lower-case) parts: "st marys road" -> "St Marys Road"."""
    words = text.split()
    return " ".join(_word(word, index == 0) for index, word in enumerate(words))


def _sub_building(text: str) -> str:
    """ "flat 2b" -> "Flat 2B", "block a flat 3" -> "Block A, Flat 3", "ground floor" ->
    "Ground Floor"; a single letter after a flat word is an identifier: "Flat A"."""
    parts = _SUB_PARTS.split(text)
    out = []
    for part in parts:
        words = part.split()
        if len(words) == 2 and words[0] in ("flat", "room", "block"):
            out.append(f"{words[0].capitalize()} {words[1].upper()}")
        else:
            out.append(_title(part))
    return ", ".join(out)


def standard_address(parsed: ParsedAddress) -> str:
    """The standard one-line form of parsed parts: "Flat 2, Rose House, 10 High Street,
    Littleport, Ely CB6 1AA". Title case, street types written out, the postcode in
    capitals with its space after the last locality (after a comma when none is given);
    "" when the parts are empty.

    Every locality typed is kept ("1 Rose Cottages, Mill Lane, Ely": the lane is part of
    the address), once each; one holding digits is left out unless it is the town (a phone
    number typed after the address is not part of it)."""
    line = " ".join(part for part in (_word(parsed.number, True), _title(parsed.street)) if part)
    places: list[str] = []
    for locality in parsed.localities or ((parsed.town,) if parsed.town else ()):
        if not locality or locality in places:
            continue
        if locality != parsed.town and any(c.isdigit() for c in locality):
            continue
        places.append(locality)
    parts = [
        _sub_building(parsed.sub_building) if parsed.sub_building else "",
        _title(parsed.building_name),
        line,
        *(_title(place) for place in places),
    ]
    text = ", ".join(part for part in parts if part)
    if not parsed.postcode:
        return text
    if not text:
        return parsed.postcode
    return f"{text} {parsed.postcode}" if places else f"{text}, {parsed.postcode}"


def standard_address_of(raw: str) -> str:
    """The standard form of a typed address, or, when it cannot be read into parts ("near
    the Co-op"), the text as typed with its spaces tidied."""
    parsed = parse_address(raw) if isinstance(raw, str) else None
    standard = standard_address(parsed) if parsed is not None else ""
    return standard or _SPACES.sub(" ", raw or "").strip(" ,")


def what_to_add(parsed: ParsedAddress | None) -> str:
    """What a typed address lacks to name one dwelling, in words for the handler ("the
    house number (or name) and street"), or "" when it names one (``parsed.key`` is set).
    The parts are those the dwelling key needs."""
    if parsed is not None and parsed.key:
        return ""
    if parsed is None:
        parsed = ParsedAddress()
    missing = []
    if not parsed.number and not parsed.building_name:
        missing.append("house number (or name)")
    if not any(c.isalpha() for c in parsed.street):
        missing.append("street")
    if not parsed.town and not parsed.postcode:
        missing.append("town or postcode")
    if not missing:
        return ""
    if len(missing) == 1:
        return f"the {missing[0]}"
    return f"the {', '.join(missing[:-1])} and {missing[-1]}"
