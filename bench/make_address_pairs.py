"""Write bench/address_pairs.csv: labelled pairs of typed addresses (same dwelling or not).

Hand-written tricky cases first, then pairs drawn from a small seeded world of dwellings,
each typed the way call handlers type (abbreviations, case, commas or none, postcode with or
without the space, noise words, Scottish flats, one slipped letter). Labels say what is true
of the world, not what the matcher does: a pair is "same" exactly when both strings were
typed for one dwelling. Run: python bench/make_address_pairs.py
"""

import csv
import random
from pathlib import Path

OUT = Path(__file__).with_name("address_pairs.csv")
SEED = 2017

# (a, b, same, note): cases worth naming one by one.
HAND = [
    # The issue.
    ("Flat 2, 10 High St, Ely CB7 4AA", "10 high street flat 2 ely cb74aa", 1, "issue"),
    ("Flat 2, 10 High St, Ely CB7 4AA", "2/10 High Street, Ely", 1, "issue: scottish style"),
    ("10 high street flat 2 ely cb74aa", "2/10 High Street, Ely", 1, "issue"),
    ("Flat 2, 10 High St, Ely CB7 4AA", "Flat 1, 10 High Street, Ely CB7 4AA", 0, "issue"),
    ("Flat 2, 10 High St, Ely CB7 4AA", "10A High Street, Ely", 0, "issue: 10 vs 10A"),
    ("Flat 2, 10 High St, Ely CB7 4AA", "10 High Street, March", 0, "issue: other town"),
    ("10 High Street, Ely", "10 High Street, March", 0, "other town"),
    ("flat 2 10 High Street Ely CB7 4AA", "Flat 2, 10 High St, Ely CB7 4AA", 1, "no commas"),
    # Postcodes.
    ("14 Station Road, March PE15 8NH", "14 station rd march pe158nh", 1, "postcode no space"),
    ("14 Station Road, March PE15 8NH", "14 STATION ROAD MARCH PE15 8NH", 1, "upper case"),
    ("14 Station Road, March PE15 8NH", "14 Station Road, March, pe15  8nh", 1, "postcode"),
    ("10 High St CB7 4AA", "10 High Street, Ely CB7 4AA", 1, "postcode stands for town"),
    ("Flat 2 10 High St CB7 4AA", "Flat 2, 10 High Street, Ely CB7 4AA", 1, "postcode, town"),
    ("10 High St CB7 4AA", "10 High St CB6 1HE", 0, "no town, other postcode"),
    ("10 High Street, Ely, CB7", "10 High St, Ely", 1, "outward code only"),
    # Noise words.
    ("the address is 14 Station Road, March", "14 Station Road, March PE15 8NH", 1, "noise"),
    (
        "outside 7 Orchard Close, St Neots PE19 1QX",
        "7 Orchard Close, St Neots PE19 1QX",
        1,
        "noise",
    ),
    ("rear of 22 Market Street, Wisbech", "22 Market St, Wisbech PE13 1EU", 1, "noise"),
    ("Address: 5 Church Lane, Soham", "5 church ln soham cb7 5hw", 1, "noise"),
    ("caller at 5 Church Lane, Soham", "5 Church Lane, Soham CB7 5HW", 1, "noise"),
    ("O/S 31 Broad Street, March", "31 Broad St, March PE15 8TG", 1, "noise"),
    ("10 High St, Ely (opposite the Co-op)", "10 High Street, Ely CB7 4AA", 1, "landmark aside"),
    ("12 Bridge Street, near the chapel, St Ives", "12 Bridge St, St Ives PE27 5EG", 1, "aside"),
    ("near 10 High St, Ely", "10 High Street, Ely", 0, "near is not at"),
    ("opposite 31 Broad Street, March", "31 Broad Street, March", 0, "opposite is not at"),
    ("next to 4 Mill Road, Cambridge", "4 Mill Road, Cambridge CB1 2AD", 0, "next to is not at"),
    ("behind 9 Fore Hill, Ely", "9 Fore Hill, Ely", 0, "behind is not at"),
    # Sub-buildings.
    ("Apartment 4, 18 Park Avenue, Huntingdon PE29 3RT", "Flat 4, 18 Park Ave, Huntingdon", 1, ""),
    ("Apt 4, 18 Park Ave, Huntingdon", "apt. 4 18 park avenue huntingdon pe29 3rt", 1, ""),
    ("Flat 4, 18 Park Avenue, Huntingdon", "Flat 5, 18 Park Avenue, Huntingdon", 0, "flat"),
    ("Flat 4, 18 Park Avenue, Huntingdon", "18 Park Avenue, Huntingdon", 0, "flat vs house"),
    ("Flat4 18 Park Avenue Huntingdon", "Flat 4, 18 Park Avenue, Huntingdon", 1, "flat4"),
    ("Flat 04, 18 Park Avenue, Huntingdon", "Flat 4, 18 Park Avenue, Huntingdon", 1, "zero"),
    (
        "Ground Floor Flat, 33 Victoria Street, Peterborough PE1 2QU",
        "GFF 33 Victoria St Peterborough",
        1,
        "floor",
    ),
    (
        "Ground floor flat, 33 Victoria Street, Peterborough",
        "First floor flat, 33 Victoria Street, Peterborough",
        0,
        "floor",
    ),
    (
        "Top floor flat, 9 Hills Road, Cambridge CB2 1NW",
        "Top flat 9 Hills Rd Cambridge",
        1,
        "floor",
    ),
    (
        "Basement flat, 9 Hills Road, Cambridge",
        "Basement, 9 Hills Rd, Cambridge CB2 1NW",
        1,
        "floor",
    ),
    (
        "Basement flat, 9 Hills Road, Cambridge",
        "Top floor flat, 9 Hills Road, Cambridge",
        0,
        "floor",
    ),
    ("Basement flat, 9 Hills Road, Cambridge", "9 Hills Road, Cambridge", 0, "flat vs house"),
    (
        "1st Floor Flat, 60 Broad Street, Ely",
        "First Floor Flat, 60 Broad St, Ely CB7 4AH",
        1,
        "floor",
    ),
    (
        "Room 6, 41 Lincoln Road, Peterborough PE1 2RT",
        "room 6 41 lincoln rd peterborough",
        1,
        "room",
    ),
    ("Room 6, 41 Lincoln Road, Peterborough", "Room 7, 41 Lincoln Road, Peterborough", 0, "room"),
    ("Flat 2, 10 High St, Ely", "10 High St, Ely, Flat 2", 1, "flat last"),
    ("10 High Street (Flat 2), Ely", "Flat 2, 10 High St, Ely", 1, "flat in brackets"),
    (
        "Flat B, 27 Cherry Hinton Road, Cambridge",
        "Flat b 27 cherry hinton rd cambridge",
        1,
        "letter",
    ),
    ("Flat B, 27 Cherry Hinton Road, Cambridge", "Flat A, 27 Cherry Hinton Road, Cambridge", 0, ""),
    # Scottish flats.
    ("Flat 2/1, 14 Byres Road, Glasgow G11 5JY", "2/1, 14 Byres Rd, Glasgow", 1, "glasgow"),
    ("Flat 2/1, 14 Byres Road, Glasgow G11 5JY", "2/1 14 byres road glasgow g115jy", 1, "glasgow"),
    (
        "Flat 2/1, 14 Byres Road, Glasgow G11 5JY",
        "Flat 1/2, 14 Byres Road, Glasgow G11 5JY",
        0,
        "glasgow",
    ),
    ("Flat 0/1, 14 Byres Road, Glasgow", "Flat 2/1, 14 Byres Road, Glasgow", 0, "glasgow"),
    ("2/10 High Street, Ely", "1/10 High Street, Ely", 0, "scottish style"),
    ("2/10 High Street, Ely", "10 High Street, Ely", 0, "flat vs house"),
    (
        "10/3 Marchmont Road, Edinburgh EH9 1HY",
        "Flat 3, 10 Marchmont Road, Edinburgh EH9 1HY",
        1,
        "edinburgh",
    ),
    ("Flat 3, 10 Marchmont Rd, Edinburgh", "10/3 Marchmont Road, Edinburgh", 1, "edinburgh"),
    (
        "Flat 1F2, 16 Marchmont Crescent, Edinburgh EH9 1HN",
        "1F2, 16 Marchmont Cres, Edinburgh",
        1,
        "edinburgh",
    ),
    (
        "Flat 1F2, 16 Marchmont Crescent, Edinburgh",
        "Flat 2F1, 16 Marchmont Crescent, Edinburgh",
        0,
        "edinburgh",
    ),
    ("3 Wellington Street, Aberdeen AB11 5BT", "3 wellington st aberdeen ab115bt", 1, "scotland"),
    # House numbers.
    ("10-12 Fore Hill, Ely CB7 4AF", "10 - 12 Fore Hill, Ely", 1, "range"),
    ("10-12 Fore Hill, Ely", "10 Fore Hill, Ely", 0, "range vs one"),
    ("10A West End, March", "10a West End March", 1, "suffix"),
    ("10A West End, March", "10B West End, March", 0, "suffix"),
    ("10 A West End, March", "10A West End, March", 1, "suffix spaced"),
    ("10A West End, March", "10 West End, March", 0, "10A vs 10"),
    ("No. 7 Bridge Street, Wisbech", "7 Bridge St, Wisbech PE13 1AB", 1, "no."),
    ("10 High Street, Ely", "11 High Street, Ely", 0, "neighbour"),
    ("10 High Street, Ely", "12 High Street, Ely", 0, "neighbour"),
    ("100 High Street, Ely", "10 High Street, Ely", 0, "digit"),
    ("1 Mill Road, Ely", "1 Mill Road, Ely", 1, "identical"),
    # Houses and buildings by name.
    ("Rose Cottage, Mill Lane, Wisbech PE13 2AB", "rose cottage mill ln wisbech", 1, "name"),
    ("Rose Cottage, Mill Lane, Wisbech", "Ivy Cottage, Mill Lane, Wisbech", 0, "name"),
    ("Rose Cottage, Mill Lane, Wisbech", "Rose Cottage, Mill Lane, March", 0, "name, town"),
    (
        "Flat 3, Cedar House, 4 Station Road, Ely CB7 4BS",
        "Flat 3, 4 Station Rd, Ely",
        1,
        "building",
    ),
    ("Flat 3, Cedar House, 4 Station Road, Ely", "Flat 4, Cedar House, 4 Station Road, Ely", 0, ""),
    (
        "The Old Rectory, Church Road, Haddenham",
        "Old Rectory, Church Rd, Haddenham CB6 3TB",
        1,
        "name",
    ),
    (
        "Flat 3, Cedar House, Station Road, Ely",
        "Flat 3, Cedar House, Station Rd, Ely CB7 4BS",
        1,
        "",
    ),
    (
        "Rose Cottage, 3 Mill Lane, Wisbech PE13 2AB",
        "3 mill lane wisbech PE13 2AB",
        1,
        "name+number",
    ),
    ("Cedar Court, Station Road, Ely", "Cedar Ct, Station Rd, Ely", 1, "court building"),
    ("Willow Farm, Fen Road, Chatteris", "willow farm fen rd chatteris pe16 6bt", 1, "farm"),
    ("Willow Farm, Fen Road, Chatteris", "Willow Farm, Fern Road, Chatteris", 0, "fen vs fern"),
    # Abbreviations.
    ("4 Cromwell Cres, St Ives", "4 Cromwell Crescent, St Ives PE27 5BN", 1, "cres"),
    ("8 Kings Ct, Huntingdon", "8 Kings Court, Huntingdon", 1, "ct"),
    ("15 Ramsey Dr, Whittlesey", "15 Ramsey Drive, Whittlesey", 1, "dr"),
    ("2 Thorpe Gdns, Peterborough", "2 Thorpe Gardens, Peterborough PE3 6AH", 1, "gdns"),
    ("19 Bell Pl, March", "19 Bell Place, March", 1, "pl"),
    ("6 Market Sq, St Neots", "6 Market Square, St Neots PE19 2AF", 1, "sq"),
    ("27 Manor Cl, Sawston", "27 Manor Close, Sawston", 1, "cl"),
    ("5 Lime Gr, Ramsey", "5 Lime Grove, Ramsey", 1, "gr"),
    ("3 Victoria Terr, Wisbech", "3 Victoria Terrace, Wisbech", 1, "terr"),
    ("3 Victoria Ter, Wisbech", "3 Victoria Terrace, Wisbech", 1, "ter"),
    ("11 Ferry Pk, Ely", "11 Ferry Park, Ely", 1, "pk"),
    ("40 Great North Hwy, Stilton", "40 Great North Highway, Stilton", 1, "hwy"),
    ("9 Green Wy, Cambourne", "9 Green Way, Cambourne", 1, "wy"),
    ("2 Stable Mws, St Ives", "2 Stable Mews, St Ives", 1, "mws"),
    ("7 Hythe Ln, Soham", "7 Hythe Lane, Soham", 1, "ln"),
    ("23 Mill Rd., Cambridge", "23 Mill Road, Cambridge", 1, "rd."),
    ("12 Gt North Road, Eaton Socon", "12 Great North Road, Eaton Socon", 1, "gt"),
    # Saint and Street.
    ("12 St Marys Street, Ely", "12 Saint Mary's St, Ely CB7 4ER", 1, "saint"),
    ("12 St Marys Street, Ely", "12 St Marys Road, Ely", 0, "street vs road"),
    ("5 St Johns Road, Ely", "5 Saint Johns Rd, Ely", 1, "saint"),
    ("5 St. John's Road, Ely", "5 St Johns Road, Ely", 1, "saint"),
    ("8 High St, St Ives PE27 5AH", "8 High Street St Ives", 1, "st ives"),
    ("8 High St, St Ives", "8 High St, St Neots", 0, "st ives vs st neots"),
    ("8 Market Hill, St Ives", "8 Market Hill, St Neots", 0, "other town"),
    ("8 High St, Saint Ives", "8 High Street, St Ives", 1, "saint"),
    ("14 St Peters Road, March", "14 St Peters Street, March", 0, "road vs street"),
    # Typos: forgiven only when the postcodes agree.
    ("10 Hihg Street, Ely CB7 4AA", "10 High Street, Ely CB7 4AA", 1, "typo+postcode"),
    ("5 Sandpit Lnae, Wisbech PE13 3LS", "5 Sandpit Lane, Wisbech PE13 3LS", 1, "typo+postcode"),
    ("21 Newnam Road, Cambridge CB3 9EY", "21 Newnham Road, Cambridge CB3 9EY", 1, "typo+postcode"),
    (
        "15 Church Street, Wisbeach PE13 1AB",
        "15 Church Street, Wisbech PE13 1AB",
        1,
        "town typo+pc",
    ),
    ("21 Newnam Road, Cambridge", "21 Newnham Road, Cambridge", 1, "typo, no postcode"),
    ("33 Cambrdge Road, Ely", "33 Cambridge Road, Ely CB7 4HJ", 1, "typo, one postcode"),
    ("6 Mill Lane, Sawston", "6 Hill Lane, Sawston", 0, "both real streets"),
    ("6 Mill Lane, Sawston CB22 3HY", "6 Hill Lane, Sawston CB22 3JZ", 0, "different postcodes"),
    ("6 Mill Lane, Ely", "6 Mill Road, Ely", 0, "lane vs road"),
    ("4 Bell Lane, Soham", "4 Ball Lane, Soham", 0, "both real streets"),
    ("9 Pound Lane, Isleham CB7 5RT", "9 Pond Lane, Isleham CB7 5SB", 0, "different postcodes"),
    ("2 Back Lane, Wicken", "2 Bank Lane, Wicken", 0, "both real streets"),
    # Localities and counties.
    ("10 High Street, Littleport, Ely CB6 1HE", "10 High St, Littleport", 1, "locality"),
    ("10 High Street, Littleport, Ely", "10 High Street, Ely", 0, "locality vs town"),
    ("3 Main Street, Witchford, Ely", "3 main st witchford", 1, "locality"),
    ("10 High Street, Ely, Cambridgeshire", "10 High St Ely", 1, "county"),
    ("10 High Street, Ely, Cambs, UK", "10 High St, Ely CB7 4AA", 1, "county"),
    ("45 Wisbech Road, March, Cambs PE15 8EY", "45 Wisbech Rd March", 1, "county"),
    ("45 Wisbech Road, March", "45 March Road, Wisbech", 0, "street and town swapped"),
    ("2 Station Road, Wisbech St Mary", "2 Station Rd, Wisbech St Mary PE13 4RX", 1, "village"),
    ("2 Station Road, Wisbech St Mary", "2 Station Road, Wisbech", 0, "village vs town"),
    ("7 High Street, Bar Hill", "7 High St, Bar Hill CB23 8EG", 1, "village"),
    ("5 Station Road West, Ely", "5 Station Rd West, Ely", 1, "direction"),
    ("5 Station Road West, Ely", "5 Station Road, Ely", 0, "direction"),
    ("14 High Street, West Wratting", "14 High St, West Wratting CB21 5LU", 1, "west village"),
    # Wales.
    ("10 Heol y Frenhines, Cardiff CF10 1AA", "10 heol y frenhines cardiff cf101aa", 1, "welsh"),
    ("10 Heol y Frenhines, Cardiff", "12 Heol y Frenhines, Cardiff", 0, "welsh"),
    ("22 Ffordd Pen Llech, Wrexham LL11 2AB", "22 ffordd pen llech, wrexham", 1, "welsh"),
    ("Flat 1, 5 Stryd Fawr, Bangor LL57 1NP", "flat 1 5 stryd fawr bangor", 1, "welsh"),
    ("Flat 1, 5 Stryd Fawr, Bangor", "Flat 1, 5 Stryd Fawr, Caernarfon", 0, "welsh towns"),
    ("17 Walter Road, Swansea SA1 5NF", "17 Walter Rd Swansea", 1, "wales"),
    # More sub-buildings, noise and spellings.
    ("Flat 2 - 10 High Street, Ely", "Flat 2, 10 High St, Ely", 1, "flat dash"),
    ("Front flat, 10 High St, Ely", "Rear flat, 10 High St, Ely", 0, "front vs rear"),
    ("The Annexe, 10 High Street, Ely", "10 High Street, Ely", 0, "annexe vs house"),
    ("Annexe, 10 High St, Ely CB7 4AA", "the annex 10 high street ely", 1, "annexe"),
    ("The Flat, 10 High Street, Ely", "10 High Street, Ely", 0, "the flat vs house"),
    ("caller lives at 10 High St, Ely", "10 High Street, Ely", 1, "noise"),
    ("in the garden of 10 high st ely", "10 High Street, Ely CB7 4AA", 1, "noise: garden"),
    ("5 Main St, Stow-cum-Quy", "5 Main Street Stow cum Quy", 1, "hyphens"),
    ("3 King's Road, King's Lynn PE30 4AW", "3 Kings Rd Kings Lynn", 1, "apostrophes"),
    ("10 Hills Road, Cambridge", "10 Hill Road, Cambridge", 0, "hills vs hill"),
    ("Flat 2, 10 High Street, Ely", "Flat 2, 12 High Street, Ely", 0, "number"),
    ("Flat 12, 3 Station Road, March", "Flat 1, 23 Station Road, March", 0, "digits moved"),
    ("Flat 12 3 station rd march", "Flat 12, 3 Station Road, March", 1, "no commas"),
    ("21 Park Ave, Huntingdon", "21 Park Avenue, Huntingdon, PE29 3RT", 1, ""),
    ("21 Park Avenue, Huntingdon", "21 Park Road, Huntingdon", 0, "avenue vs road"),
    ("18 Ditton Walk, Cambridge", "18 Ditton Wlk Cambridge CB5 8QD", 1, "wlk"),
    ("4 The Green, Histon", "4 the green histon cb24 9lh", 1, "the green"),
    ("4 The Green, Histon", "4 The Grove, Histon", 0, "green vs grove"),
    ("1 The Avenue, Ely", "1 the avenue ely", 1, "the avenue"),
    (
        "Apartment 5, Cedar House, 21 Park Avenue, Huntingdon PE29 3RT",
        "apt 5 cedar house 21 park ave huntingdon pe29 3rt",
        1,
        "building",
    ),
    ("10 Fore Hill, Ely", "10 Forehill, Ely", 1, "space in street name"),
    ("10 Forehill, Ely CB7 4AF", "10 forehill ely cb7 4af", 1, "no thoroughfare word"),
    ("10 Forehill, Ely", "10 forehill ely", 1, "no thoroughfare word, no postcode"),
    ("Rose Cottage, 3 Mill Lane, Wisbech", "Rose Cottage, Mill Lane, Wisbech", 1, "name vs number"),
    ("Flat 1, 8 Mill Road, Cambridge", "Flat 1, 8 Mill Road, Ely", 0, "town"),
    ("8 Mill Road, Cambridge CB1 2AD", "8 Mill Road, Cambridge CB1 2AD", 1, "identical"),
    ("Flat 6, 8 Mill Road, Cambridge", "6 Mill Road, Cambridge", 0, "flat number vs house number"),
    ("2 10 High Street, Ely", "Flat 2, 10 High Street, Ely", 1, "bare flat number"),
    ("10 Rose Cottages, Mill Lane, Ely", "10 Rose Cottages, Mill Lane, March", 0, "terrace, towns"),
    ("10 Rose Cottages, Mill Lane, Ely", "10 Rose Cottages, Mill Lane, Ely CB7 4DW", 1, "terrace"),
    ("Flat 3, Block A, 10 High St, Ely", "Block A, Flat 3, 10 High St, Ely", 1, "block"),
    ("Flat 3, Block A, 10 High St, Ely", "Flat 3, Block B, 10 High St, Ely", 0, "block"),
    ("2 Station Road, Parson Drove", "2 Station Rd Parson Drove PE13 4JF", 1, "village"),
    # No dwelling named: never "the same dwelling".
    ("High Street, Ely", "High Street, Ely", 0, "street only"),
    ("CB7 4AA", "CB7 4AA", 0, "postcode only"),
    ("Ely", "Ely", 0, "town only"),
    ("near the Co-op, Ely", "near the Co-op, Ely", 0, "landmark only"),
]

# (town, postcode districts, localities typed in place of the town on some calls)
TOWNS = [
    ("Ely", ["CB6", "CB7"]),
    ("March", ["PE15"]),
    ("Wisbech", ["PE13", "PE14"]),
    ("Huntingdon", ["PE29"]),
    ("St Ives", ["PE27"]),
    ("St Neots", ["PE19"]),
    ("Peterborough", ["PE1", "PE2", "PE3", "PE4"]),
    ("Cambridge", ["CB1", "CB2", "CB3", "CB4", "CB5"]),
    ("Chatteris", ["PE16"]),
    ("Whittlesey", ["PE7"]),
    ("Ramsey", ["PE26"]),
    ("Soham", ["CB7"]),
    ("Littleport", ["CB6"]),
    ("Sawston", ["CB22"]),
    ("Royston", ["SG8"]),
    ("Newmarket", ["CB8"]),
    ("Kings Lynn", ["PE30"]),
    ("Bury St Edmunds", ["IP33"]),
    ("Norwich", ["NR1", "NR2", "NR3"]),
    ("Bedford", ["MK40", "MK41"]),
    ("Cardiff", ["CF10", "CF11", "CF24"]),
    ("Swansea", ["SA1", "SA2"]),
    ("Glasgow", ["G11", "G12"]),
    ("Aberdeen", ["AB10", "AB11"]),
]

# (name, type): the type is typed in full or abbreviated.
STREETS = [
    ("High", "Street"),
    ("Station", "Road"),
    ("Church", "Lane"),
    ("Mill", "Road"),
    ("Victoria", "Street"),
    ("Park", "Avenue"),
    ("Orchard", "Close"),
    ("Queens", "Road"),
    ("Market", "Street"),
    ("Broad", "Street"),
    ("Greenfield", "Way"),
    ("Newnham", "Road"),
    ("Sandpit", "Lane"),
    ("Fen", "Road"),
    ("Willow", "Gardens"),
    ("Cromwell", "Crescent"),
    ("Kings", "Court"),
    ("Ramsey", "Drive"),
    ("Bell", "Place"),
    ("Manor", "Close"),
    ("Lime", "Grove"),
    ("Albert", "Terrace"),
    ("Ferry", "Park"),
    ("Stable", "Mews"),
    ("Chapel", "Street"),
    ("School", "Lane"),
    ("London", "Road"),
    ("Cambridge", "Road"),
    ("Elm", "Avenue"),
    ("Beech", "Drive"),
    ("Springfield", "Road"),
    ("The", "Crescent"),
    ("St Marys", "Street"),
    ("St Johns", "Road"),
    ("St Peters", "Close"),
    ("Castle", "Hill"),
    ("Oak", "Tree Close"),
    ("Nene", "Parade"),
    ("Lynn", "Road"),
    ("Gas", "Lane"),
]
ABBREVIATED = {
    "Street": ["St", "St.", "st"],
    "Road": ["Rd", "Rd.", "rd"],
    "Avenue": ["Ave", "Av"],
    "Lane": ["Ln"],
    "Close": ["Cl"],
    "Crescent": ["Cres"],
    "Court": ["Ct"],
    "Drive": ["Dr"],
    "Gardens": ["Gdns"],
    "Place": ["Pl"],
    "Grove": ["Gr"],
    "Terrace": ["Terr", "Ter", "Tce"],
    "Park": ["Pk"],
    "Mews": ["Mws"],
    "Way": ["Wy"],
    "Parade": ["Pde"],
    "Tree Close": ["Tree Cl"],
}
SAINT_SPELLINGS = ["St {0}", "St. {0}", "Saint {0}", "St {1}"]
HOUSE_NAMES = ["Rose Cottage", "Ivy Cottage", "The Old Rectory", "Willow Farm", "Holly House"]
# Real streets one letter apart: a slip in one never means the other without a postcode.
NEAR_NAMES = [
    (("Mill", "Lane"), ("Hill", "Lane")),
    (("Pound", "Lane"), ("Pond", "Lane")),
    (("Hall", "Lane"), ("Hill", "Lane")),
    (("Bell", "Lane"), ("Ball", "Lane")),
    (("Back", "Lane"), ("Bank", "Lane")),
    (("Fen", "Road"), ("Fern", "Road")),
    (("Park", "Lane"), ("Pack", "Lane")),
    (("Mill", "Road"), ("Hill", "Road")),
]
SCOTLAND = {"Glasgow", "Aberdeen"}
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
NOISE = ["outside ", "the address is ", "at ", "rear of ", "Address: ", "caller at ", "o/s "]
FLOORS = {
    "ground floor": ["Ground Floor Flat", "Ground floor", "GFF", "ground floor flat"],
    "first floor": ["First Floor Flat", "1st floor flat", "First floor", "FFF"],
    "top floor": ["Top Floor Flat", "Top flat", "top floor"],
    "basement": ["Basement Flat", "Basement", "basement flat"],
}


class World:
    """Dwellings and their postcodes, drawn from one seeded generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.streets = {town: rng.sample(STREETS, 14) for town, _ in TOWNS}
        self.postcodes: dict[tuple, str] = {}

    def postcode(self, town: str, street: tuple, number: int) -> str:
        # A postcode unit covers a run of about 20 numbers on one street.
        slot = (town, street, number // 20)
        if slot not in self.postcodes:
            districts = dict(TOWNS)[town]
            inward = f"{self.rng.randint(1, 9)}{self.rng.choice(INWARD_LETTERS)}{self.rng.choice(INWARD_LETTERS)}"
            self.postcodes[slot] = f"{self.rng.choice(districts)} {inward}"
        return self.postcodes[slot]

    def dwelling(self) -> dict:
        rng = self.rng
        town = rng.choice(TOWNS)[0]
        street = rng.choice(self.streets[town])
        number = rng.randint(1, 160)
        d = {"town": town, "street": street, "number": number, "suffix": "", "range": 0}
        d["sub"] = ""
        roll = rng.random()
        if roll < 0.30:
            d["sub"] = f"flat {rng.randint(1, 12)}"
        elif roll < 0.38:
            d["sub"] = rng.choice(list(FLOORS))
        elif roll < 0.42:
            d["sub"] = f"flat {rng.choice('ABCD')}"
        if rng.random() < 0.08:
            d["suffix"] = rng.choice("ABC")
        elif rng.random() < 0.04:
            d["range"] = number + 2
        d["building"] = rng.choice(HOUSE_NAMES) if rng.random() < 0.08 else ""
        return d

    def postcode_of(self, d: dict) -> str:
        return self.postcode(d["town"], d["street"], d["number"])


def render(world: World, d: dict, rng: random.Random, *, postcode=None, typo=False) -> str:
    """One way a handler might type dwelling d. postcode=True/False forces it in or out."""
    name, kind = d["street"]
    if name.startswith("St "):
        rest = name[3:]
        name = rng.choice(SAINT_SPELLINGS).format(rest, rest[:-1] + "'s")
        if rng.random() < 0.5:
            name = name.replace("'", "")
    if typo:
        name = slip(name, rng)
    if rng.random() < 0.45 and kind in ABBREVIATED:
        kind = rng.choice(ABBREVIATED[kind])
    street = f"{name} {kind}"

    number = str(d["number"])
    if d["range"]:
        number = rng.choice([f"{d['number']}-{d['range']}", f"{d['number']} - {d['range']}"])
    if d["suffix"]:
        number += rng.choice([d["suffix"], d["suffix"].lower()])

    commas = rng.random() < 0.7
    sep = ", " if commas else " "
    parts = []
    sub = d["sub"]
    sub_text = ""
    scottish = False
    if sub.startswith("flat "):
        ident = sub[5:]
        plain = ident.isdigit() and not d["suffix"] and not d["range"]
        if plain and d["town"] not in SCOTLAND and rng.random() < 0.15:
            scottish = True
        else:
            word = rng.choice(["Flat", "Flat", "flat", "FLAT", "Apartment", "Apt", "Apt."])
            sub_text = f"{word} {ident}"
    elif sub:
        sub_text = rng.choice(FLOORS[sub])
    first = f"{sub[5:]}/{number} {street}" if scottish else f"{number} {street}"
    sub_last = sub_text and rng.random() < 0.15
    if sub_text and not sub_last:
        parts.append(sub_text)
    if d["building"] and rng.random() < 0.5:
        parts.append(d["building"])
    parts.append(first)
    if sub_last:
        parts.append(sub_text)

    with_postcode = rng.random() < 0.55 if postcode is None else postcode
    with_town = not with_postcode or rng.random() > 0.06
    if with_town:
        parts.append(d["town"])
        if rng.random() < 0.06:
            parts.append(rng.choice(["Cambs", "Cambridgeshire", "UK"]))
    text = sep.join(parts)
    if with_postcode:
        code = world.postcode_of(d)
        code = rng.choice(
            [code, code.replace(" ", ""), code.lower(), code.lower().replace(" ", "")]
        )
        text = f"{text}{rng.choice([' ', ', ']) if commas else ' '}{code}"
    if rng.random() < 0.08:
        text = rng.choice(NOISE) + text
    style = rng.random()
    if style < 0.15:
        text = text.lower()
    elif style < 0.22:
        text = text.upper()
    return text


def slip(name: str, rng: random.Random) -> str:
    """One slipped character inside the longest word of a street name."""
    words = name.split(" ")
    i = max(range(len(words)), key=lambda k: len(words[k]))
    word = words[i]
    if len(word) < 4:
        return name
    at = rng.randint(1, len(word) - 2)
    kind = rng.choice(["swap", "drop", "double", "replace"])
    if kind == "swap":
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif kind == "drop":
        word = word[:at] + word[at + 1 :]
    elif kind == "double":
        word = word[:at] + word[at] + word[at:]
    else:
        letters = [c for c in "aeiourstnl" if c != word[at].lower()]
        word = word[:at] + rng.choice(letters) + word[at + 1 :]
    words[i] = word
    return " ".join(words)


def variant(world: World, d: dict, rng: random.Random) -> dict:
    """A different dwelling that is easy to confuse with d."""
    e = dict(d)
    how = rng.choice(["flat", "flat", "house", "suffix", "range", "neighbour", "town", "street"])
    if how == "flat":
        if d["sub"].startswith("flat ") and d["sub"][5:].isdigit():
            e["sub"] = f"flat {int(d['sub'][5:]) + rng.choice([1, 2, -1]) or 3}"
        elif d["sub"] in FLOORS:
            e["sub"] = rng.choice([f for f in FLOORS if f != d["sub"]])
        else:
            e["sub"] = f"flat {rng.randint(1, 9)}"
    elif how == "house":
        e["sub"] = "" if d["sub"] else "flat 1"
    elif how == "suffix":
        e["suffix"] = "" if d["suffix"] else rng.choice("AB")
        e["range"] = 0
    elif how == "range":
        e["range"] = 0 if d["range"] else d["number"] + 2
        e["suffix"] = ""
    elif how == "neighbour":
        e["number"] = d["number"] + rng.choice([1, 2, -1, -2, 10]) or 3
    elif how == "town":
        towns = [t for t, _ in TOWNS if t != d["town"] and d["street"] in world.streets[t]]
        if not towns:
            return variant(world, d, rng)
        e["town"] = rng.choice(towns)
    else:
        e["street"] = rng.choice([s for s in world.streets[d["town"]] if s != d["street"]])
    return e


def generated(rng: random.Random, positives: int, negatives: int, typos: int, near: int):
    world = World(rng)
    rows = []
    for _ in range(positives):
        d = world.dwelling()
        rows.append((render(world, d, rng), render(world, d, rng), 1, "gen: same"))
    for _ in range(typos):
        d = world.dwelling()
        a = render(world, d, rng, postcode=True, typo=True)
        rows.append((a, render(world, d, rng, postcode=True), 1, "gen: slip, postcode agrees"))
    for _ in range(negatives):
        d = world.dwelling()
        e = variant(world, d, rng)
        if e == d:
            continue
        rows.append((render(world, d, rng), render(world, e, rng), 0, "gen: confusable"))
    for _ in range(near):
        first, second = rng.choice(NEAR_NAMES)
        if rng.random() < 0.5:
            first, second = second, first
        d = world.dwelling()
        d["street"] = first
        e = dict(d, street=second)
        with_postcode = rng.random() < 0.5
        rows.append(
            (
                render(world, d, rng, postcode=with_postcode),
                render(world, e, rng, postcode=with_postcode),
                0,
                "gen: streets one letter apart",
            )
        )
    return rows


# Issue 28's hand-typed families, over a few places: (number, street, its type, a slip of
# the type, another type, place, postcode, a village of the place).
PLACES = [
    ("12", "Fir", "Lane", "Lnae", "Close", "Ely", "CB7 4AB", "Littleport"),
    ("33", "Victoria", "Street", "Stret", "Road", "Peterborough", "PE1 2QU", "Werrington"),
    ("7", "Orchard", "Road", "Rodd", "Way", "St Neots", "PE19 1QX", "Eaton Socon"),
    ("21", "Park", "Avenue", "Aveneu", "Street", "Huntingdon", "PE29 3RT", "Godmanchester"),
    ("4", "Vicarage", "Terrace", "Terace", "Close", "Wisbech", "PE13 1EU", "Walsoken"),
    ("18", "Cromwell", "Crescent", "Cresent", "Road", "March", "PE15 8NH", "Doddington"),
    ("9", "Manor", "Gardens", "Gardnes", "Lane", "Chatteris", "PE16 6BT", "Somersham"),
    ("15", "Ramsey", "Drive", "Drvie", "Road", "Whittlesey", "PE7 1AB", "Eastrea"),
]
# (long form, short forms): the same floor however it is written.
FLOOR_FORMS = [
    ("Ground Floor Flat", ["Gnd Flr Flat", "Grd Flr", "G/F", "GFF", "Ground Flr Flat"]),
    ("First Floor Flat", ["1st Flr Flat", "First Flr Flat", "FFF", "1st Floor"]),
    ("Second Floor Flat", ["2nd Flr Flat", "SFF", "Second Flr"]),
    ("Basement Flat", ["Bsmt Flat", "Lower Ground Floor Flat", "LGF"]),
    ("Top Floor Flat", ["Top Flr Flat", "Top Flat"]),
]
HOUSES = [
    ("Hill Farm", "Hill Farmhouse", "Hillfarm", "Ivy Farm"),
    ("Manor Farm", "Manor Farmhouse", "Manor Fm", "Manor Cottage"),
    ("The Old Rectory", "Old Rectory", "Theold Rectory", "The Old Forge"),
    ("Rose Cottage", "Rose Cott", "Rosecottage", "Rose Villa"),
    ("Low Barn", "Low Barn House", "Lowbarn", "High Barn"),
    ("Orchard House", "Orchard Hse", "Orchardhouse", "Orchard Lodge"),
]
BLOCKS = ["Maple Court", "Abbey Mansions", "Kingsley House", "Tennyson Court"]


def families() -> list[tuple[str, str, int, str]]:
    """Issue 28's families, both ways: the spellings that are one dwelling, and the near
    ones that must stay apart. Written out from templates; nothing random."""
    rows: list[tuple[str, str, int, str]] = []
    for number, name, kind, slipped, other, town, code, village in PLACES:
        street = f"{name} {kind}"
        home = f"{number} {street}, {town}"
        floors = [long for long, _ in FLOOR_FORMS]
        for long, shorts in FLOOR_FORMS:
            for short in shorts:
                rows.append(
                    (f"{long}, {home}", f"{short}, {number} {street}, {town}", 1, "i28: floor form")
                )
            rows.append((f"{shorts[0]}, {home}", home, 0, "i28: floor vs house"))
            nxt = floors[(floors.index(long) + 1) % len(floors)]
            rows.append((f"{shorts[0]}, {home}", f"{nxt}, {home}", 0, "i28: other floor"))
        rows.append((f"TFF, {home}", f"Top Floor Flat, {home}", 0, "i28: tff is ambiguous"))
        block = BLOCKS[int(number) % len(BLOCKS)]
        flat = f"Flat 3, {block}, {number} {street}, {town} {code}"
        rows += [
            (f"3, {block}, {number}, {street}, {town} {code}", flat, 1, "i28: unit word dropped"),
            (f"3 {block} {number} {street} {town}".upper(), flat, 1, "i28: unit word dropped"),
            (f"4, {block}, {number}, {street}, {town} {code}", flat, 0, "i28: other flat"),
            (f"{number} {street}, {town} {code}", flat, 0, "i28: building vs flat"),
            (f"Flat 3, {block}, {street}, {town}", flat, 1, "i28: building, no number"),
            (f"Flat 3, {block}, {street}, {town} {code}", flat, 1, "i28: building, no number"),
            (f"Flat 4, {block}, {street}, {town}", flat, 0, "i28: building, other flat"),
            (f"Flat 3, {block}, {street}, {village}", flat, 0, "i28: building, other town"),
            (f"Flat 3, Other {block}, {street}, {town}", flat, 0, "i28: other building"),
        ]
        rows += [
            (f"{number} {name}, {town} {code}", f"{home} {code}", 1, "i28: no type word"),
            (f"{number} {name} {code}", f"{home} {code}", 1, "i28: no type word"),
            (
                f"{int(number) + 1} {name}, {town} {code}",
                f"{home} {code}",
                0,
                "i28: no type, neighbour",
            ),
            (f"{number} {name} {other}, {town} {code}", f"{home} {code}", 0, "i28: other type"),
            (f"{number} {name} {slipped}, {town}", home, 1, "i28: type slip, no postcode"),
            (
                f"{number} {name.lower()} {slipped.lower()} {town.lower()}",
                home,
                1,
                "i28: type slip",
            ),
            (
                f"{number} {name} {slipped}, {town}",
                f"{int(number) + 2} {street}, {town}",
                0,
                "i28: slip, neighbour",
            ),
            (
                f"{number} {name} {slipped}, {town}",
                f"{number} {name} {other}, {town}",
                0,
                "i28: slip, other type",
            ),
            (
                f"{number} {name} {slipped}, {town}",
                f"{number} {street}, {village}",
                0,
                "i28: slip, other town",
            ),
            (f"{number} {street}, {village}, {town}", home, 0, "i28: village vs post town"),
            (f"{number} {street}, {village}", home, 0, "i28: village vs post town"),
        ]
        for house, altered, joined, other_house in HOUSES[int(number) % 3 :][:4]:
            known = f"{house}, {street}, {village}, {town} {code}"
            rows += [
                (f"{house}, {village}, {town} {code}", known, 1, "i28: named, street left out"),
                (f"{house}, {village} {code}", known, 1, "i28: named, street left out"),
                (f"{altered}, {street}, {village} {code}", known, 1, "i28: name altered"),
                (f"{joined}, {street}, {village} {code}", known, 1, "i28: name run together"),
                (f"{house}, {number}, {street}, {town}", home, 1, "i28: name beside number"),
                (f"{other_house}, {street}, {village} {code}", known, 0, "i28: other name"),
                (f"{house}, {village}, {town} PE1 9ZZ", known, 0, "i28: named, other postcode"),
                (
                    f"Flat 1, {house}, {street}, {village} {code}",
                    known,
                    0,
                    "i28: flat vs named house",
                ),
                (
                    f"{house}, {number}, {street}, {town}",
                    f"{int(number) + 1} {street}, {town}",
                    0,
                    "i28: name, neighbour",
                ),
            ]
    return rows


def main() -> None:
    rng = random.Random(SEED)
    rows = HAND + generated(rng, positives=200, negatives=150, typos=25, near=20)
    rows += families()
    with OUT.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["a", "b", "same", "note"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} pairs to {OUT}")


if __name__ == "__main__":
    main()
