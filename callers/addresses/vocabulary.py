"""Word lists for reading UK addresses. Plain data: the parser decides what they mean."""

import re

# Thoroughfare types, abbreviation -> full word. "Strong" types almost always end a street
# name ("Mill Road"); "weak" ones also begin or sit inside names ("Park Road", "Church Hill
# Road"), so a weak type followed by another type extends the street.
STRONG_TYPES = {
    "street": "street",
    "st": "street",
    "str": "street",
    "road": "road",
    "rd": "road",
    "lane": "lane",
    "ln": "lane",
    "avenue": "avenue",
    "ave": "avenue",
    "av": "avenue",
    "avn": "avenue",
    "close": "close",
    "cl": "close",
    "crescent": "crescent",
    "cres": "crescent",
    "cresc": "crescent",
    "crs": "crescent",
    "drive": "drive",
    "dr": "drive",
    "drv": "drive",
    "gardens": "gardens",
    "gdns": "gardens",
    "gdn": "gardens",
    "place": "place",
    "pl": "place",
    "square": "square",
    "sq": "square",
    "grove": "grove",
    "gr": "grove",
    "gro": "grove",
    "grv": "grove",
    "terrace": "terrace",
    "terr": "terrace",
    "ter": "terrace",
    "tce": "terrace",
    "way": "way",
    "wy": "way",
    "mews": "mews",
    "mws": "mews",
    "highway": "highway",
    "hwy": "highway",
    "boulevard": "boulevard",
    "blvd": "boulevard",
    "parade": "parade",
    "pde": "parade",
    "walk": "walk",
    "wlk": "walk",
    "drove": "drove",
    "causeway": "causeway",
    "cswy": "causeway",
    "esplanade": "esplanade",
    "esp": "esplanade",
    "embankment": "embankment",
    "approach": "approach",
    "appr": "approach",
    "chase": "chase",
    "quay": "quay",
    "wharf": "wharf",
    "wynd": "wynd",
    "brae": "brae",
    "loan": "loan",
    "gait": "gait",
    "vennel": "vennel",
    "circus": "circus",
    "crossing": "crossing",
    "broadway": "broadway",
}
WEAK_TYPES = {
    "court": "court",
    "ct": "court",
    "crt": "court",
    "park": "park",
    "pk": "park",
    "hill": "hill",
    "green": "green",
    "grn": "green",
    "view": "view",
    "rise": "rise",
    "row": "row",
    "gate": "gate",
    "end": "end",
    "vale": "vale",
    "fields": "fields",
    "meadow": "meadow",
    "meadows": "meadows",
    "orchard": "orchard",
    "yard": "yard",
    "yd": "yard",
    "passage": "passage",
    "alley": "alley",
    "heights": "heights",
    "hts": "heights",
    "side": "side",
    "bank": "bank",
    "hollow": "hollow",
    "croft": "croft",
    "paddock": "paddock",
}
TYPES = STRONG_TYPES | WEAK_TYPES
# The words that make a locality read as a second street: "1 Rose Cottages, Mill Lane, Ely".
COMMON_TYPES = frozenset(
    {"street", "road", "lane", "avenue", "close", "crescent", "drive", "gardens", "grove"}
    | {"way", "mews", "terrace", "place", "square"}
)
# Streets that are one word: "10 Broadway".
STANDALONE_TYPES = frozenset({"broadway", "esplanade", "embankment", "causeway", "promenade"})
# Welsh thoroughfare words come first: "Heol y Frenhines", "Ffordd Pen Llech".
WELSH_PREFIX_TYPES = frozenset({"heol", "ffordd", "stryd", "lon", "rhodfa", "maes", "cilgant"})
WELSH_ARTICLES = frozenset({"y", "yr", "r"})
# A street may end in a direction: "Station Road West".
DIRECTIONS = frozenset({"north", "south", "east", "west", "upper", "lower"})

# Other words shortened in street, building and place names.
ABBREVIATIONS = {
    "saint": "st",
    "gt": "great",
    "lt": "little",
    "lit": "little",
    "nth": "north",
    "sth": "south",
    "upr": "upper",
    "upp": "upper",
    "lwr": "lower",
    "mkt": "market",
    "stn": "station",
}
# Only in house and building names ("Westward Ho" is a place).
BUILDING_ABBREVIATIONS = ABBREVIATIONS | {
    "ho": "house",
    "cott": "cottage",
    "cotts": "cottages",
    "blk": "block",
    "hse": "house",
    "fm": "farm",
    "sch": "school",
    "bung": "bungalow",
    "bldgs": "buildings",
    "mans": "mansions",
    "ct": "court",
    "crt": "court",
}

# Words that end a house name: "Rose Cottage Mill Lane" splits after "Cottage".
BUILDING_WORDS = frozenset(
    {
        "cottage",
        "cottages",
        "house",
        "farm",
        "farmhouse",
        "lodge",
        "barn",
        "barns",
        "hall",
        "manor",
        "rectory",
        "vicarage",
        "villa",
        "villas",
        "bungalow",
        "mansions",
        "buildings",
        "tower",
        "towers",
        "granary",
        "schoolhouse",
        "hostel",
        "flats",
        "dairy",
        "forge",
        "stables",
        "chapel",
        "school",
    }
)

# Flat-like words followed by an identifier ("Flat 2", "Apt 2B", "Unit 3"), all one thing.
FLAT_WORDS = frozenset(
    {"flat", "flt", "apartment", "apt", "appt", "apartmt", "unit", "studio", "maisonette"}
)
ROOM_WORDS = frozenset({"room", "rm", "bedsit"})
BLOCK_WORDS = frozenset({"block", "blk"})
SUB_KIND = dict.fromkeys(ROOM_WORDS, "room") | dict.fromkeys(BLOCK_WORDS, "block")
SUB_ORDER = {"block": 0, "flat": 1, "room": 2}

# Floors, token sequence -> normalised sub-building. Longest first when matching.
_ORDINALS = {
    "first": "first",
    "1st": "first",
    "second": "second",
    "2nd": "second",
    "third": "third",
    "3rd": "third",
    "fourth": "fourth",
    "4th": "fourth",
    "fifth": "fifth",
    "5th": "fifth",
    "sixth": "sixth",
    "6th": "sixth",
    "seventh": "seventh",
    "7th": "seventh",
    "eighth": "eighth",
    "8th": "eighth",
    "ninth": "ninth",
    "9th": "ninth",
    "tenth": "tenth",
    "10th": "tenth",
}
# Short forms used by letting agents, councils and callers. Only the unambiguous ones are
# read as a floor: "GFF" (ground floor flat), "FFF" (first), "SFF" (second), "LGF" (lower
# ground), "UGF" (upper ground), "Bsmt". "TFF" is a top floor flat to some and a third floor
# flat to others: it stays its own sub-building ("tff"), apart from both and from the house.
FLOORS: dict[tuple[str, ...], str] = {
    ("basement",): "basement",
    ("bsmt",): "basement",
    ("bsmnt",): "basement",
    ("lower", "ground", "floor"): "basement",
    ("lower", "ground"): "basement",
    ("lower", "grd", "floor"): "basement",
    ("lower", "gnd", "floor"): "basement",
    ("lgf",): "basement",
    ("lgff",): "basement",
    # A raised ground floor is the upper ground floor of a house with a lower ground one.
    ("upper", "ground", "floor"): "upper ground floor",
    ("upper", "ground"): "upper ground floor",
    ("upper", "grd", "floor"): "upper ground floor",
    ("upper", "gnd", "floor"): "upper ground floor",
    ("raised", "ground", "floor"): "upper ground floor",
    ("raised", "ground"): "upper ground floor",
    ("ugf",): "upper ground floor",
    ("ugff",): "upper ground floor",
    ("mezzanine", "floor"): "mezzanine",
    ("mezzanine",): "mezzanine",
    ("mezz",): "mezzanine",
    ("ground", "floor"): "ground floor",
    ("gnd", "floor"): "ground floor",
    ("grd", "floor"): "ground floor",
    ("grnd", "floor"): "ground floor",
    ("ground", "flat"): "ground floor",
    ("gnd", "flat"): "ground floor",
    ("grd", "flat"): "ground floor",
    ("gf",): "ground floor",
    ("gff",): "ground floor",
    ("ff",): "first floor",
    ("fff",): "first floor",
    ("sff",): "second floor",
    ("tff",): "tff",
    ("top", "floor"): "top floor",
    ("top", "flat"): "top floor",
    ("upper", "floor"): "upper floor",
    ("upper", "flat"): "upper floor",
    ("lower", "floor"): "lower floor",
    ("lower", "flat"): "lower floor",
    ("upstairs", "flat"): "upper floor",
    ("downstairs", "flat"): "lower floor",
    # Not floors, but likewise a separate household in or beside a house.
    ("front", "flat"): "front flat",
    ("rear", "flat"): "rear flat",
    ("back", "flat"): "rear flat",
    ("annexe",): "annexe",
    ("annex",): "annexe",
    ("granny", "annexe"): "annexe",
    ("granny", "flat"): "annexe",
}
# "Flr", "Fl" and "Floor" are one word after a floor name: "Gnd Flr", "2nd Fl", "Top Flr".
_FLOOR_WORDS = ("floor", "flr", "fl", "flor")
for _word, _ordinal in {**_ORDINALS, "top": "top", "upper": "upper", "lower": "lower"}.items():
    for _floor_word in _FLOOR_WORDS:
        FLOORS[(_word, _floor_word)] = f"{_ordinal} floor"
for _words, _floor in list(FLOORS.items()):
    if _words[-1] == "floor":
        for _floor_word in _FLOOR_WORDS[1:]:
            FLOORS.setdefault((*_words[:-1], _floor_word), _floor)
FLOOR_STARTS = frozenset(words[0] for words in FLOORS)
FLOOR_MAX_LEN = max(len(words) for words in FLOORS)

# Locality noise: counties and countries, dropped from the end of an address.
REGIONS = frozenset(
    {
        "uk",
        "gb",
        "england",
        "wales",
        "scotland",
        "cymru",
        "cambs",
        "cambridgeshire",
        "hunts",
        "huntingdonshire",
        "norfolk",
        "suffolk",
        "lincs",
        "lincolnshire",
        "northants",
        "northamptonshire",
        "beds",
        "bedfordshire",
        "herts",
        "hertfordshire",
        "essex",
        "rutland",
    }
)

# Words that place the incident relative to a dwelling rather than at it.
LANDMARK_WORDS = frozenset(
    {"near", "nr", "opposite", "opp", "adjacent", "adj", "beside", "behind", "by"}
)
LANDMARK_PAIRS = frozenset(
    {("next", "to"), ("corner", "of"), ("junction", "of"), ("junction", "with"), ("j", "w")}
)

# Leading phrases that add nothing: "the address is", "outside", "rear of".
LEADING_NOISE = re.compile(
    r"^[\s,.:;\-]*(?:"
    r"(?:the\s+)?(?:callers?\s+)?address(?:\s+is)?"
    r"|callers?(?:\s+is)?\s+(?:at|from)"
    r"|calling\s+from"
    r"|(?:the\s+)?location(?:\s+is)?"
    r"|(?:caller\s+)?(?:lives|living|says|reports)(?:\s+at)?"
    r"|(?:address\s+)?given\s+as"
    r"|home\s+address"
    r"|from"
    r"|loc"
    r"|addr"
    r"|at"
    r"|outside(?:\s+of)?"
    r"|o/s"
    r"|(?:at\s+|to\s+)?(?:the\s+)?rear\s+of"
    r"|back\s+of"
    r"|r/o"
    r"|(?:in\s+)?front\s+of"
    r"|inside"
    r"|(?:in|on)\s+the\s+(?:garden|drive|driveway|doorstep)\s+of"
    r"|in"
    r"|the"
    r")\b[\s,.:;\-]*"
)
LEADING_LANDMARK = re.compile(
    r"^(?:near|nr|opposite|opp|adjacent|adj|next\s+to|beside|behind|by|junction\s+(?:of|with)|jct"
    r"|corner\s+of|j/w)\b"
)

# Street-type words a slip may be mended in without a postcode: a small closed vocabulary
# ("Rodd", "Aveneu", "Terace" are Road, Avenue, Terrace). Short or word-like types are left
# out ("Way", "Walk", "Mews", "Drove", "Wynd": one slip from "wag", "wall", "news", "drive",
# "wind"), and so is every real word one slip from a type (NOT_MISSPELLINGS): "Broad",
# "Grave", "Garden", "Palace" are names, never a slipped type.
MENDABLE_TYPES = frozenset(
    {"street", "road", "lane", "avenue", "close", "crescent", "drive", "gardens", "place"}
    | {"square", "grove", "terrace", "highway", "boulevard", "parade", "causeway"}
    | {"esplanade", "embankment", "approach"}
)
NOT_MISSPELLINGS = frozenset(
    {"rod", "rods", "rode", "load", "loads", "read", "reads", "roam", "roar", "roan", "rood"}
    | {"toad", "goad", "woad", "broad", "roads", "rad", "red", "rid", "rold", "roady"}
    | {"lame", "lone", "line", "land", "lake", "late", "lace", "lade", "lana", "lank", "lant"}
    | {"lane", "lanes", "lance", "plane", "lase", "laze", "lave", "lean", "lang", "cane"}
    | {"pane", "wane", "vane", "mane", "sane", "bane", "dane", "jane", "kane", "elane"}
    | {"clone", "clove", "chose", "closer", "closes", "closed", "closet", "lose", "cose"}
    | {"dive", "driver", "drives", "drivel", "drivé", "drove", "thrive"}
    | {"streets", "streeter", "avenues", "crescents", "garden", "wardens", "gardener"}
    | {"palace", "plaice", "plate", "places", "placed", "placer", "pace", "glace", "plage"}
    | {"squire", "squares", "squared", "squarer", "grave", "grovel", "groves", "glove"}
    | {"prove", "trove", "groove", "rove", "grover", "terraces", "terraced", "highways"}
    | {"parades", "paraded", "parader", "charade", "approached", "approaches", "boulevards"}
    | {"causeways", "embankments", "esplanades"}
)

# Words that end the name of a block of flats: "1, Maple Court, 12 Fir Lane" is Flat 1.
BLOCK_ENDINGS = frozenset(
    {"court", "house", "mansions", "lodge", "tower", "towers", "buildings", "flats", "heights"}
    | {"point", "hall", "apartments", "chambers", "villas"}
)
# Block names that are never a street: "1, Kingsley House, Priory Grove" is Flat 1.
FLAT_BLOCK_WORDS = frozenset(
    {"house", "mansions", "lodge", "tower", "towers", "buildings", "flats", "apartments"}
    | {"chambers", "hall"}
)
# Building words a name may run into when its spaces are lost ("Ivycottage").
JOINED_BUILDING_WORDS = ("cottage", "farm", "lodge", "barn", "house", "manor", "granary")
JOINED_BUILDING_WORDS += ("rectory", "vicarage", "forge", "dairy")
