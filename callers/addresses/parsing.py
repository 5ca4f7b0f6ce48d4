"""Reading a hand-typed UK address into its parts. Pure functions; never raises on a str."""

import functools
import re
import unicodedata
from dataclasses import dataclass

from . import vocabulary as v
from .edits import within_one_edit

# Addresses are short; bounding the text bounds the work on pasted junk.
MAX_INPUT = 300

_SEPARATORS = str.maketrans({c: "," for c in "\n\r\t;|()[]{}<>"})
_APOSTROPHES = str.maketrans({c: None for c in "'\u2019\u2018`\u00b4"})
_SPACES = re.compile(r"\s+")
_POSTCODE_LOOSE = re.compile(
    r"(?<![a-z0-9])([a-z]{1,2}[0-9][a-z0-9]?) ?([0-9][a-z]{2})(?![a-z0-9])"
)
_OUTWARD = re.compile(
    r"[a-pr-uwyz](?:[0-9][0-9]?|[a-hk-y][0-9][0-9]?|[0-9][a-hjkpstuw]|[a-hk-y][0-9][abehmnprvwxy])"
)
_INWARD = re.compile(r"[0-9][abd-hjlnp-uw-z]{2}")
_RANGE = re.compile(r"(?<![a-z0-9])(\d+[a-z]?)\s*(?:-|\u2013|/)\s*(\d+[a-z]?)(?![a-z0-9])")
_SPACED_DASH = re.compile(r"\s[-\u2013\u2014]+\s")
# "G/F" is the ground floor; the slash would otherwise read as a Scottish flat.
_GROUND_FLOOR_SLASH = re.compile(r"(?<![a-z0-9])g/f(?![a-z0-9])")
_GLUED_WORD_NUMBER = re.compile(r"\b(flat|flt|apt|apartment|unit|room|rm|studio|no)(?=\d)")
_TOKEN = re.compile(r"\d+[a-z]{0,2}\d*(?:[/-]\d+[a-z]?)?|[a-z0-9]+|,")
_HOUSE_NUMBER = re.compile(r"\d+[a-z]?(?:-\d+[a-z]?)?")
_SLASHED = re.compile(r"\d+[a-z]?/\d+[a-z]?")
_EDINBURGH_FLAT = re.compile(r"\d+f\d+")
_FLAT_ID = re.compile(r"\d+[a-z]{0,2}\d*|[a-z]\d{0,3}|\d+[a-z]?[/-]\d+[a-z]?")
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")
_NUMBER_WORDS = frozenset({"no", "number", "num", "at"})


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """The parts of one typed address, normalised ("" when absent).

    sub_building: "flat 2", "flat 2/1", "room 4", "ground floor", "top floor"...
    number: "10", "10a", "10-12". building_name: "rose cottage" (no leading "the").
    street: abbreviations expanded ("high street"; Saint stays "st": "st marys road").
    town: the first locality after the street ("littleport" in "..., Littleport, Ely").
    localities: every locality given, counties dropped. postcode: "CB7 4AA" or "".
    """

    sub_building: str = ""
    number: str = ""
    building_name: str = ""
    street: str = ""
    town: str = ""
    postcode: str = ""
    localities: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The dwelling key, or "" when these parts do not name one dwelling."""
        ident = self.number or self.building_name
        place = self.town or self.postcode.lower()
        if not ident or not place or not any(c.isalpha() for c in self.street):
            return ""
        # Spaces in a street name vary ("Fore Hill", "Forehill"); the name does not.
        street = self.street.replace(" ", "")
        return f"{ident[:60]}|{street[:80]}|{self.sub_building[:40]}|{place[:60]}"


def normalise_postcode(text: str) -> str:
    """A valid UK postcode in its standard form ("cb74aa" -> "CB7 4AA"), or ""."""
    compact = _SPACES.sub("", text).lower()
    if not 5 <= len(compact) <= 7:
        return ""
    return _postcode_from(compact[:-3], compact[-3:])


def _postcode_from(outward: str, inward: str) -> str:
    if (outward, inward) == ("gir", "0aa") or (
        _OUTWARD.fullmatch(outward) and _INWARD.fullmatch(inward)
    ):
        return f"{outward} {inward}".upper()
    return ""


def _folded(text: str) -> str:
    """Lower case, accents dropped and compatibility forms made plain: "Heol Tŷ Gwyn" reads
    as "heol ty gwyn", "Hígh" as "high", full-width "１０" as "10", "ß" as "ss"."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def parse_address(raw: str) -> ParsedAddress | None:
    """The parts of a typed address, or None when it names no place at all (empty, noise)
    or names a place by reference to another ("near 10 High St", "opposite the Co-op")."""
    if not isinstance(raw, str):
        return None
    return _parse(raw[:MAX_INPUT])


# Resolution reads each candidate dwelling's stored address again (about 15 to a postcode);
# the result is immutable, so the same text is read once.
@functools.lru_cache(maxsize=8192)
def _parse(raw: str) -> ParsedAddress | None:
    text = _folded(raw[:MAX_INPUT].translate(_APOSTROPHES))
    text = _SPACES.sub(" ", text.translate(_SEPARATORS))
    text = text.replace("united kingdom", "uk").replace("great britain", "gb")

    postcode = ""
    for match in _POSTCODE_LOOSE.finditer(text):
        postcode = _postcode_from(match[1], match[2]) or postcode
    text = _POSTCODE_LOOSE.sub(",", text)

    text = _strip_leading_noise(text)
    if v.LEADING_LANDMARK.match(text):
        return None
    text = _GROUND_FLOOR_SLASH.sub(" gf ", text)
    text = _RANGE.sub(_join_range, text)
    text = _SPACED_DASH.sub(",", text)
    text = _GLUED_WORD_NUMBER.sub(r"\1 ", text)
    tokens = _TOKEN.findall(text)
    if not tokens:
        return ParsedAddress(postcode=postcode) if postcode else None

    edinburgh = postcode.startswith("EH") or "edinburgh" in text or "leith" in text
    tokens, sub_building = _take_sub_building(tokens, edinburgh)
    comps = _components(tokens)
    if comps is None:
        return None
    if not comps:
        if postcode or sub_building:
            return ParsedAddress(sub_building=sub_building, postcode=postcode)
        return None

    number, building, street, places = _split_parts(comps)
    places = [c for c in places if c]
    localities = tuple(" ".join(_general_words(c)) for c in places)
    return ParsedAddress(
        sub_building=sub_building[:100],
        number=number[:20],
        building_name=" ".join(_building_words(building))[:100],
        street=" ".join(_street_words(street))[:200],
        town=_town(places)[:100],
        postcode=postcode,
        localities=localities,
    )


# Benchmarks time the reading itself, not the cache.
parse_address.cache_clear = _parse.cache_clear


def _town(places: list[list[str]]) -> str:
    """The first locality, passing over a second thoroughfare ("1 Rose Cottages, Mill Lane,
    Ely" is in Ely) unless it is the last one. Villages named like streets ("Parson Drove")
    end in rarer words, so only the common street words count."""
    last = len(places) - 1
    for index, tokens in enumerate(places):
        street_like = (
            index < last
            and len(tokens) > 1
            and v.TYPES.get(tokens[-1]) in v.COMMON_TYPES
            and _street_end(tokens) == (len(tokens) - 1, len(tokens), True)
        )
        if not street_like:
            return " ".join(_general_words(tokens))
    return ""


def _join_range(match: re.Match) -> str:
    sep = "/" if "/" in match[0] else "-"
    return f"{match[1]}{sep}{match[2]}"


def _strip_leading_noise(text: str) -> str:
    for _ in range(6):
        stripped = v.LEADING_NOISE.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return text.lstrip(" ,.:-")


def _clean_id(value: str) -> str:
    return _LEADING_ZEROS.sub("", value)


def _number_after(tokens: list[str], start: int) -> bool:
    return any(_HOUSE_NUMBER.fullmatch(t) for t in tokens[start:])


def _take_sub_building(tokens: list[str], edinburgh: bool) -> tuple[list[str], str]:
    """Remove flat, room and floor words; return the remaining tokens and the sub-building.

    A flat number wins over a floor ("Flat 2, First Floor" is "flat 2"). The Scottish
    "2/10 High Street" is flat 2 at number 10 ("10/2" in Edinburgh, where the number comes
    first); "2/1, 10 Byres Road" keeps "flat 2/1" (floor 2, door 1) because a number follows.
    """
    out: list[str] = []
    ids: list[str] = []
    floors: list[str] = []
    bare_flat = False
    n = len(tokens)
    i = 0
    while i < n:
        tok = tokens[i]
        if tok in v.FLOOR_STARTS:
            size = _floor_at(tokens, i)
            if size:
                floors.append(v.FLOORS[tuple(tokens[i : i + size])])
                i += size
                # "Ground Flat 1, Beaumont House, 22 Priory Grove", "2nd Floor 3, Clarendon
                # House, 10 Orchard St": a flat's number after its floor, the house's later.
                nxt = tokens[i] if i < n else ""
                if _FLAT_ID.fullmatch(nxt) and nxt.isalnum() and _number_after(tokens, i + 1):
                    ids.append(f"flat {_clean_id(nxt)}")
                    i += 1
                    continue
                # "first floor flat 10 High St": the flat word belongs to the floor.
                if i < n and tokens[i] in v.FLAT_WORDS:
                    nxt = tokens[i + 1] if i + 1 < n else ""
                    if not (_FLAT_ID.fullmatch(nxt) and _number_after(tokens, i + 2)):
                        i += 1
                continue
        if tok in v.FLAT_WORDS or tok in v.ROOM_WORDS or tok in v.BLOCK_WORDS:
            kind = v.SUB_KIND.get(tok, "flat")
            nxt = tokens[i + 1] if i + 1 < n else ""
            # "Flat 1st Floor Flat": an ordinal starting a floor is no flat's number.
            if _FLAT_ID.fullmatch(nxt) and not (nxt in v.FLOOR_STARTS and _floor_at(tokens, i + 1)):
                if not nxt.isalnum() and not _number_after(tokens, i + 2):
                    # "Flat 2/10 High St", "flat 2 - 10 High St": flat 2 at number 10.
                    flat, number = _split_slashed(nxt, edinburgh and "/" in nxt)
                    ids.append(f"{kind} {flat}")
                    out.append(number)
                else:
                    ids.append(f"{kind} {_clean_id(nxt)}")
                i += 2
                continue
            bare_flat = bare_flat or kind == "flat"
            out.extend(tokens[i : i + 1] if kind == "block" else ())
            i += 1
            continue
        if _EDINBURGH_FLAT.fullmatch(tok) or (
            not ids
            and (
                (tok.isdigit() and _HOUSE_NUMBER.fullmatch(_next_word(tokens, i + 1)))
                or (i == 0 and _flat_before_block(tokens))
                or (i == 0 and _flat_before_floor(tokens))
            )
        ):
            # "1F2, 10 Marchmont Road" (floor 1, door 2); "2 10 High St" (flat 2 at 10).
            ids.append(f"flat {_clean_id(tok)}")
            i += 1
            continue
        if _SLASHED.fullmatch(tok):
            if _number_after(tokens, i + 1):
                ids.append(f"flat {_clean_id(tok)}")
            else:
                flat, number = _split_slashed(tok, edinburgh)
                ids.append(f"flat {flat}")
                out.append(number)
            i += 1
            continue
        out.append(tok)
        i += 1
    if ids:
        # "Block A, Flat 3" and "Flat 3, Block A" are one sub-building.
        return out, " ".join(sorted(ids, key=lambda part: v.SUB_ORDER[part.split(" ", 1)[0]]))
    if floors:
        return out, floors[0]
    return out, "flat" if bare_flat else ""


def _flat_before_block(tokens: list[str]) -> bool:
    """Whether a leading number is a flat whose unit word was dropped before its block:
    "1, Maple Court, 12 Fir Lane" is Flat 1 of Maple Court at number 12. The block is a name
    of words only, ending in a building word (Court, House, Mansions...), and a house
    number and street follow it."""
    if not _FLAT_ID.fullmatch(tokens[0]) or not any(c.isdigit() for c in tokens[0]):
        return False
    i = 2 if len(tokens) > 1 and tokens[1] == "," else 1
    name: list[str] = []
    # The block's name ends at a comma or, typed without commas, at the house number.
    while i < len(tokens) and tokens[i] != "," and tokens[i].isalpha():
        name.append(tokens[i])
        i += 1
    if name and name[-1] not in v.BLOCK_ENDINGS:
        # "1 CLARENDON HOUSE PRIORY LANE": typed without commas, the block's name ends at
        # its first block word and a street follows it.
        ends = [k for k, t in enumerate(name[1:], 1) if t in v.FLAT_BLOCK_WORDS]
        found = _street_end(name[ends[0] + 1 :]) if ends else None
        return found is not None and found[2] and found[0] > 0
    if not name:
        return False
    if any(t in v.STRONG_TYPES for t in name):
        return False
    rest = [t for t in tokens[i:] if t != ","]
    if len(rest) >= 2 and _HOUSE_NUMBER.fullmatch(rest[0]) and rest[1].isalpha():
        return True
    # "1, Kingsley House, Priory Grove": a name no street has, then a street.
    if name[-1] not in v.FLAT_BLOCK_WORDS:
        return False
    street = []
    for t in tokens[i + 1 :]:
        if t == ",":
            break
        street.append(t)
    return len(street) >= 2 and street[-1] in v.STRONG_TYPES


def _flat_before_floor(tokens: list[str]) -> bool:
    """ "1 First Floor, Beaumont House, 22 Priory Grove": a leading number with a floor
    after it and the house's number later is a flat's number."""
    if not tokens[0].isdigit():
        return False
    start = 2 if len(tokens) > 1 and tokens[1] == "," else 1
    size = _floor_at(tokens, start) if start < len(tokens) else 0
    return bool(size) and _number_after(tokens, start + size)


def _next_word(tokens: list[str], start: int) -> str:
    return next((t for t in tokens[start:] if t != ","), "")


def _floor_at(tokens: list[str], i: int) -> int:
    for size in range(min(v.FLOOR_MAX_LEN, len(tokens) - i), 0, -1):
        if tuple(tokens[i : i + size]) in v.FLOORS:
            return size
    return 0


def _split_slashed(token: str, edinburgh: bool) -> tuple[str, str]:
    first, second = (_clean_id(part) for part in re.split(r"[/-]", token, maxsplit=1))
    return (second, first) if edinburgh else (first, second)


def _components(tokens: list[str]) -> list[list[str]] | None:
    """Comma-separated components, cleaned; None when the address is relative to a landmark."""
    comps: list[list[str]] = []
    current: list[str] = []
    for tok in [*tokens, ","]:
        if tok != ",":
            current.append(tok)
            continue
        if current:
            comps.append(current)
        current = []
    cleaned: list[list[str]] = []
    for index, comp in enumerate(comps):
        comp = _drop_number_words(comp)
        cut = _landmark_at(comp)
        if cut is None:
            cleaned.append(comp)
            continue
        if index == 0 and cut == 0:
            return None
        if comp[:cut]:
            cleaned.append(comp[:cut])
        if index == 0:
            # "10 high st near tesco ely": where the landmark's words end is unknowable.
            break
    # Counties, countries and a dangling outward code ("Ely, CB7") say nothing more.
    cleaned = [c for i, c in enumerate(cleaned) if i == 0 or not _all_regions(c)]
    while cleaned:
        last = cleaned[-1]
        if len(last) > 1 and (last[-1] in v.REGIONS or _is_outward(last[-1])):
            last.pop()
        elif len(cleaned) > 1 and len(last) == 1 and _is_outward(last[0]):
            cleaned.pop()
        else:
            break
    return cleaned


def _all_regions(comp: list[str]) -> bool:
    return all(t in v.REGIONS for t in comp)


def _is_outward(token: str) -> bool:
    return any(c.isdigit() for c in token) and bool(_OUTWARD.fullmatch(token))


def _drop_number_words(comp: list[str]) -> list[str]:
    """Drop "No." and "at" before a house number; join a spaced suffix ("10 A" -> "10a")."""
    out: list[str] = []
    n = len(comp)
    i = 0
    while i < n:
        tok = comp[i]
        nxt = comp[i + 1] if i + 1 < n else ""
        if tok in _NUMBER_WORDS and _HOUSE_NUMBER.fullmatch(nxt):
            i += 1
            continue
        if (
            tok.isdigit()
            and len(nxt) == 1
            and nxt.isalpha()
            and i + 2 < n
            and nxt not in v.WELSH_ARTICLES
        ):
            out.append(tok + nxt)
            i += 2
            continue
        out.append(tok)
        i += 1
    return out


def _landmark_at(comp: list[str]) -> int | None:
    for i, tok in enumerate(comp):
        if tok in v.LANDMARK_WORDS or tuple(comp[i : i + 2]) in v.LANDMARK_PAIRS:
            return i
    return None


def _street_end(tokens: list[str]) -> tuple[int, int, bool] | None:
    """(index of the thoroughfare word, end of the street, whether a strong type ended it) in
    tokens that start with the street's name; None when no thoroughfare word shows the end."""
    n = len(tokens)
    if n >= 2 and tokens[0] in v.WELSH_PREFIX_TYPES:
        return 0, (3 if n >= 3 and tokens[1] in v.WELSH_ARTICLES else 2), True
    if (
        n >= 2
        and tokens[0] in v.STANDALONE_TYPES
        and (tokens[1] not in v.TYPES or (tokens[1] == "st" and n > 2))
    ):
        # "10 Broadway St Ives": a one-word street.
        return 0, 1, True
    for i in range(1, n):
        tok = tokens[i]
        if tok not in v.TYPES:
            if mended_type(tok):
                # "10 Mill Rodd, Ely", "7 orchard rodd st neots": a slipped type word ends
                # the street as the word would.
                return i, i + 1, True
            continue
        # "Upper St Giles Road": a later thoroughfare word makes this "St" a Saint.
        if tok == "st" and any(
            t in v.STRONG_TYPES and v.TYPES[t] != "street" for t in tokens[i + 1 :]
        ):
            continue
        end = i + 1
        while end < n and v.TYPES.get(tokens[end - 1]) in v.WEAK_TYPES and tokens[end] in v.TYPES:
            end += 1
        strong = tokens[end - 1] in v.STRONG_TYPES
        if end == n - 1 and tokens[end] in v.DIRECTIONS:
            end += 1
        return i, end, strong
    return None


def mended_type(token: str) -> str:
    """The street-type word a token is one slip from ("rodd" -> "road", "aveneu" ->
    "avenue"), or "" when it is not one: a real word or a type is never mended, nor
    is a name ("Mill" and "Hill" may both exist), only the closed vocabulary of types."""
    if len(token) < 4 or not token.isalpha() or token in v.TYPES:
        return ""
    if token in v.NOT_MISSPELLINGS or token in v.BUILDING_WORDS or token in v.DIRECTIONS:
        return ""
    found = {
        t for t in v.MENDABLE_TYPES if abs(len(t) - len(token)) <= 1 and within_one_edit(token, t)
    }
    return found.pop() if len(found) == 1 else ""


def _split_parts(comps: list[list[str]]) -> tuple[str, list[str], list[str], list[list[str]]]:
    """(number, building tokens, street tokens, locality components)."""
    for ci, comp in enumerate(comps):
        for ti, tok in enumerate(comp):
            if _HOUSE_NUMBER.fullmatch(tok):
                return _split_numbered(comps, ci, ti)
    return _split_named(comps)


def _split_numbered(comps, ci, ti):
    """The street follows the number, up to its thoroughfare word; localities follow it."""
    number = _clean_id(comps[ci][ti])
    building = [t for comp in comps[:ci] for t in comp] + comps[ci][:ti]
    rest = comps[ci][ti + 1 :]
    later = comps[ci + 1 :]
    if not rest and later:
        rest, later = later[0], later[1:]
    found = _street_end(rest)
    if found is None:
        return number, building, rest, later
    end = found[1]
    extra = rest[end:]
    return number, building, rest[:end], ([extra] if extra else []) + later


def _split_named(comps):
    """A house known by name: "Rose Cottage, Mill Lane, Ely" or "rose cottage mill lane ely".

    The street is the first component with a strong thoroughfare word (else a weak one: in
    "Cedar Court, Station Road" the court is the building); without any, a three-part
    address is read as name, street, town."""
    chosen = None
    for ci, comp in enumerate(comps):
        found = _street_end(comp)
        if found is not None and (chosen is None or (found[2] and not chosen[1][2])):
            chosen = (ci, found)
            if found[2]:
                break
    if chosen is None or (chosen[0] == 0 and not chosen[1][2] and len(comps) >= 2):
        # "Meadow View, Little Hadley, Marlbridge", "Flat 1, Maple Court, Marlbridge": with
        # no street word after it, a first part ending in a weak one ("View", "Court") is
        # the house or block, not the street.
        if len(comps) >= 3:
            return "", comps[0], comps[1], comps[2:]
        if len(comps) == 1:
            # "The Old School House Mill Little Hadley": typed without commas or a street
            # word, the house name ends at its last building word.
            ends = [k for k, t in enumerate(comps[0][:-1]) if _building_word(t)]
            if ends:
                return "", comps[0][: ends[-1] + 1], comps[0][ends[-1] + 1 :], []
        if len(comps) == 2 and not any(c.isdigit() for t in comps[0] for c in t):
            # "Greystones, Little Hadley": a house name and the one place after it, read
            # as its street (named only with a town or postcode, like any street).
            return "", comps[0], comps[1], []
        return "", [], [], comps
    ci, (type_at, end, strong) = chosen
    comp = comps[ci]
    later = None if strong else _street_end(comp[end:])
    if later is not None and later[2]:
        # "Priory Heights Victoria Crescent": a weak word, then a street: the block's name.
        building = [t for c in comps[:ci] for t in c] + comp[:end]
        extra = comp[end + later[1] :]
        return (
            "",
            building,
            comp[end : end + later[1]],
            ([extra] if extra else []) + comps[ci + 1 :],
        )
    start = 0
    # The house name ends at its last building word, leaving a name for the street.
    for k in range(type_at - 2, -1, -1):
        if _building_word(comp[k]):
            start = k + 1
            break
    building = [t for c in comps[:ci] for t in c] + comp[:start]
    extra = comp[end:]
    return "", building, comp[start:end], ([extra] if extra else []) + comps[ci + 1 :]


def _building_word(token: str) -> bool:
    """A word that ends a house name: "Cottage", "Cott", and run into the name before it
    ("Ivycottage", "Hillfarm")."""
    word = v.BUILDING_ABBREVIATIONS.get(token, token)
    if word in v.BUILDING_WORDS:
        return True
    return any(
        token.endswith(end) and len(token) >= len(end) + 3 for end in v.JOINED_BUILDING_WORDS
    )


def _general_words(tokens: list[str]) -> list[str]:
    return [v.ABBREVIATIONS.get(t, t) for t in tokens]


def _building_words(tokens: list[str]) -> list[str]:
    return [v.BUILDING_ABBREVIATIONS.get(t, t) for t in tokens if t != "the"]


def _street_words(tokens: list[str]) -> list[str]:
    """Expand thoroughfare abbreviations; a leading "St" is Saint, kept as "st"."""
    words = []
    last = len(tokens) - 1
    for i, tok in enumerate(tokens):
        tok = v.ABBREVIATIONS.get(tok, tok)
        if i > 0 and tok in v.TYPES and (tok != "st" or i == last or tokens[i + 1] in v.DIRECTIONS):
            tok = v.TYPES[tok]
        elif i > 0 and i == last:
            tok = mended_type(tok) or tok
        words.append(tok)
    return words
