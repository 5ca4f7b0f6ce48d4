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
  "front flat", "annexe"); a bare "flat" when no number is given. "2/10 High Street" is
  flat 2 at number 10, except in Edinburgh (EH postcode or the town typed), where "10/2"
  is; "2/1, 10 Byres Road" keeps the Glasgow "flat 2/1". "10 High Street" and "Flat 2,
  10 High Street" are different dwellings: merging households is the worse error.
- number: "10", "10a", "10-12"; building_name: "rose cottage" (identifies the dwelling
  only when there is no number).
- street: type words expanded (St/Rd/Ave/Ln/Cres/Ct/Dr/Gdns/Pl/Sq/Cl/Gr/Terr/Pk/Hwy/Wy/Mws...);
  "St" first in a name is Saint and stays "st" ("St Marys Road", "Saint Mary's Road").
  Without commas the street ends at its type word: "10 high st st ives" is in St Ives.
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

Resolving (``callers.services``): look the key up; failing that, look up rows with the same
postcode, number and sub_building (``match_fields``) and confirm with ``same_dwelling``,
which also accepts an agreeing postcode in place of a missing town or locality, and a
one-character slip in the street or town when the postcodes agree. Without a postcode a
slip is not forgiven: "Mill Lane" and "Hill Lane" may both exist.

Limits: no gazetteer, so a call giving only the town and one giving only the postcode
link only through the database, never pairwise; equal keys win over disagreeing postcodes
(read as a typo in the postcode); a house given by name on one call and by number on
another is two dwellings; "10 forehill ely" (no comma, no type word) reads "forehill ely"
as the street, so needs its postcode; the Edinburgh number/flat order needs an EH
postcode or the town. Only the first 300 characters are read.
"""

from .display import standard_address, standard_address_of, what_to_add
from .matching import (
    dwelling_key,
    fits_in_building,
    fits_in_postcode,
    match_fields,
    merge_conflict,
    names_agree,
    same_dwelling,
    within_one_edit,
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
