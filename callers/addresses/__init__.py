"""UK addresses, as typed by call handlers, reduced to one key per dwelling.

Operation Farmington counts calls per dwelling, so every spelling of one dwelling must give
one key ("Flat 2, 10 High St, Ely CB7 4AA" = "10 high street flat 2 ely cb74aa" = "2/10 High
Street, Ely") and different dwellings different keys. Merging two households is the worse
error (it can refer a family that never called), so when in doubt the code keeps them apart.

Parts (``parse_address`` -> ``ParsedAddress``):
- postcode: validated against the UK format, any case, with or without the space; stored
  as "CB7 4AA". An invalid one is ignored; an outward code alone ("Ely CB7") is dropped.
- sub_building: "flat 2" (Flat/Apartment/Apt/Unit/Studio are one word), "room 4",
  "block a flat 3", else a floor or position ("ground floor", "top floor", "basement",
  "upper ground floor", "mezzanine", "front flat", "annexe"), with the short forms
  ("Gnd Flr", "Grd Flr", "G/F", "GFF", "1st Flr", "FFF", "2nd Flr", "SFF", "Top Flr",
  "Bsmt", "LGF" = basement, "UGF" and "Raised Ground" = upper ground); "TFF" (top floor to
  some, third floor to others) stays "tff", apart from both; a bare "flat" when no number
  is given. A flat's number whose unit word was dropped before its block is read as the
  flat: "1, Maple Court, 12 Fir Lane", "1, Kingsley House, Priory Grove", "1 First Floor,
  Beaumont House, 22 Priory Grove". "2/10 High Street" is
  flat 2 at number 10, except in Edinburgh (EH postcode or the town typed), where "10/2"
  is; "2/1, 10 Byres Road" keeps the Glasgow "flat 2/1". "10 High Street" and "Flat 2,
  10 High Street" are different dwellings: merging households is the worse error.
- number: "10", "10a", "10-12"; building_name: "rose cottage" (identifies the dwelling
  only when there is no number).
- street: type words expanded (St/Rd/Ave/Ln/Cres/Ct/Dr/Gdns/Pl/Sq/Cl/Gr/Terr/Pk/Hwy/Wy/Mws...);
  "St" first in a name is Saint and stays "st" ("St Marys Road", "Saint Mary's Road").
  Without commas the street ends at its type word: "10 high st st ives" is in St Ives.
  A type word with one dropped, doubled, swapped or replaced letter is mended ("Rodd",
  "Aveneu", "Terace"), from a closed vocabulary and never when the slip is a real word
  ("Broad", "Grave", "Garden") or another type: a street's name is never mended.
- A house name ends at its last building word (Cottage, Farm, Lodge, House, "Cott",
  "Fm", run together: "Ivycottage"); "Greystones, Little Hadley" is a house name and the
  place typed as its street.
- town: the first locality after the street ("Littleport" in "..., Littleport, Ely"),
  passing over a second street ("1 Rose Cottages, Mill Lane, Ely"); counties dropped.
- Noise: "the address is", "outside", "rear of", "at", "caller lives at" are dropped: the
  incident is at the dwelling. "near", "opposite", "next to", "behind" place it elsewhere:
  leading, they name no dwelling; later, they drop an aside ("10 High St, near Tesco, Ely").

Display (``standard_address``): the parts written out in one standard form, "Flat 2, 10 High
Street, Ely CB7 4AA", which is how every screen names a dwelling; it reads back to the same
parts.

Key (``dwelling_key``): "number|street|sub_building|place" with the street's spaces removed
("Fore Hill" = "Forehill"), e.g. "10|highstreet|flat 2|ely"; "rose cottage|milllane||ely"
for a house known by name. place is the town, or the postcode when no town is typed. The
postcode is not otherwise in the key, because spellings without one must still match. ""
when no dwelling is named: no number or house name, no street, or neither town nor
postcode ("10 High Street" could be in any town; a postcode alone covers ~15 homes).

Resolving (``callers.services``): look the key up; failing that, within the typed full
postcode (one query on its index), a row with the same number and sub_building confirmed by
``same_dwelling`` (which also accepts an agreeing postcode in place of a missing town or
locality, and a one-character slip in the street or town), else the only household of the
postcode that ``fits_in_postcode``: its number, or its house name (shortened, run together,
a building word added: ``names_agree``), or its block and flat agree while other parts are
missing or altered (a named house without its street, a street without its type word, a name
beside a number). Never when two fit; never a flat for its house or another number, street
type or street. A flat in a named building is found by building and flat (an index) with its
street and town or postcode when the street number is missing on one side
(``fits_in_building``). Without a postcode a slip in a name is not forgiven: "Mill Lane" and
"Hill Lane" may both exist.

``merge_conflict`` is the veto for looser matchers (the nightly consolidation): why two
addresses can never be one household, "" when nothing forbids it. It allows whatever the
resolver itself joins and forbids different numbers, flats or floors, a flat and its house,
buildings whose names disagree (unless one number vouches), a number with no name on the
other side, postcodes, street types, streets (a slip only with one postcode), and, without
one full postcode on both sides, any two towns: a street typed with its village and the same
street typed with the post town alone may be two streets.

Limits: without a gazetteer, a call giving only the town and one giving only the postcode
link only through the database, never pairwise; equal keys win over disagreeing postcodes
(read as a typo in the postcode: "Kestrel House, 21 Larch Grove" with Mill Crescent's
postcode is 21 Larch Grove); a house given by name on one call and by number on another
joins only within one postcode and only when the name was typed with the number once;
addresses with neither number nor house name (a floor flat with its number dropped, a house
name typed without commas and without a building word: "GREYSTONES MILL STREET") name no
dwelling; a flat typed as "1 Tennyson Court" with no street after it is read as a house on a
street of that name; "10 forehill ely" (no comma, no type word) reads "forehill ely" as the
street, so needs its postcode; the Edinburgh number/flat order needs an EH postcode or the
town. Only the first 300 characters are read.
"""

from .display import standard_address, standard_address_of, what_to_add
from .edits import within_one_edit
from .matching import (
    dwelling_key,
    fits_in_building,
    fits_in_postcode,
    match_fields,
    merge_conflict,
    names_agree,
    same_dwelling,
)
from .parsing import ParsedAddress, normalise_postcode, parse_address

__all__ = [
    "ParsedAddress",
    "dwelling_key",
    "fits_in_building",
    "fits_in_postcode",
    "match_fields",
    "merge_conflict",
    "names_agree",
    "normalise_postcode",
    "parse_address",
    "same_dwelling",
    "standard_address",
    "standard_address_of",
    "what_to_add",
    "within_one_edit",
]
