"""Addresses, round two (issue 28): the spellings handlers and records really use. Pure
functions, no database: each family both ways, and what must stay apart."""

import pytest

from callers.addresses import (
    dwelling_key,
    fits_in_building,
    fits_in_postcode,
    merge_conflict,
    names_agree,
    parse_address,
    same_dwelling,
    standard_address,
)
from callers.addresses.parsing import mended_type


def p(text):
    return parse_address(text)


def one_dwelling(a: str, b: str) -> bool:
    """Pairwise, as the resolver joins them: an equal key, same_dwelling, or within one full
    postcode the only known dwelling that fits (here: the only one compared)."""
    key = dwelling_key(a)
    if key and key == dwelling_key(b):
        return True
    pa, pb = p(a), p(b)
    return bool(pa and pb and pa.key and pb.key) and (
        same_dwelling(pa, pb) or fits_in_postcode(pa, pb) or fits_in_building(pa, pb)
    )


# --- British floor flats and their short forms ------------------------------------------------

FLOOR_FORMS = [
    ("Ground Floor Flat, 33 Victoria St, Ely", "ground floor"),
    ("Gnd Flr Flat, 33 Victoria St, Ely", "ground floor"),
    ("Grd Flr, 33 Victoria St, Ely", "ground floor"),
    ("Grnd Floor Flat 33 Victoria Street Ely", "ground floor"),
    ("G/F 33 Victoria St, Ely", "ground floor"),
    ("GFF, 33 Victoria Street, Ely", "ground floor"),
    ("Ground Flr Flat, 33 Victoria Street, Ely", "ground floor"),
    ("First Floor Flat, 33 Victoria St, Ely", "first floor"),
    ("1st Flr Flat, 33 Victoria St, Ely", "first floor"),
    ("First Flr Flat, 33 Victoria St, Ely", "first floor"),
    ("FFF 33 Victoria St Ely", "first floor"),
    ("1st Fl, 33 Victoria Street, Ely", "first floor"),
    ("2nd Flr Flat, 33 Victoria St, Ely", "second floor"),
    ("Second Floor Flat, 33 Victoria St, Ely", "second floor"),
    ("SFF, 33 Victoria St, Ely", "second floor"),
    ("Top Floor Flat, 33 Victoria St, Ely", "top floor"),
    ("Top Flr Flat, 33 Victoria St, Ely", "top floor"),
    ("Basement Flat, 33 Victoria St, Ely", "basement"),
    ("Bsmt Flat, 33 Victoria St, Ely", "basement"),
    ("Lower Ground Floor Flat, 33 Victoria St, Ely", "basement"),
    ("LGF, 33 Victoria St, Ely", "basement"),
    ("Lower Grd Flr, 33 Victoria St, Ely", "basement"),
    ("Upper Ground Floor Flat, 33 Victoria St, Ely", "upper ground floor"),
    ("Raised Ground Floor Flat, 33 Victoria St, Ely", "upper ground floor"),
    ("UGF 33 Victoria St Ely", "upper ground floor"),
    ("Mezzanine Flat, 33 Victoria St, Ely", "mezzanine"),
    ("Flat 1st Floor Flat, 33 Victoria St, Ely", "first floor"),
]


@pytest.mark.parametrize(("typed", "floor"), FLOOR_FORMS)
def test_a_floor_flat_in_any_of_its_forms_reads_as_its_floor(typed, floor):
    parsed = p(typed)
    assert (parsed.sub_building, parsed.number, parsed.street) == (floor, "33", "victoria street")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ground Floor Flat, 33 Victoria St, Ely", "Gnd Flr Flat 33 Victoria Street Ely"),
        ("First Floor Flat, 33 Victoria St, Ely", "FFF, 33 Victoria Street, Ely"),
        ("Second Floor Flat, 33 Victoria St, Ely", "2nd Flr Flat 33 Victoria St Ely"),
        ("Basement Flat, 33 Victoria St, Ely", "Bsmt, 33 Victoria St, Ely"),
        ("Top Floor Flat, 33 Victoria St, Ely", "Top Flr Flat, 33 Victoria St, Ely"),
    ],
)
def test_two_forms_of_one_floor_flat_are_one_dwelling(a, b):
    assert one_dwelling(a, b) and one_dwelling(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ground Floor Flat, 33 Victoria St, Ely", "First Floor Flat, 33 Victoria St, Ely"),
        ("Gnd Flr Flat, 33 Victoria St, Ely", "33 Victoria Street, Ely"),
        ("Basement Flat, 33 Victoria St, Ely", "Ground Floor Flat, 33 Victoria St, Ely"),
        ("2nd Flr Flat, 33 Victoria St, Ely", "1st Flr Flat, 33 Victoria St, Ely"),
        ("Upper Ground Floor Flat, 33 Victoria St, Ely", "Lower Ground Floor, 33 Victoria St, Ely"),
        ("Upper Ground Floor Flat, 33 Victoria St, Ely", "Ground Floor Flat, 33 Victoria St, Ely"),
        ("TFF, 33 Victoria St, Ely", "Top Floor Flat, 33 Victoria St, Ely"),
        ("TFF, 33 Victoria St, Ely", "Third Floor Flat, 33 Victoria St, Ely"),
        ("TFF, 33 Victoria St, Ely", "33 Victoria St, Ely"),
        ("SFF, 33 Victoria St, Ely", "Flat 2, 33 Victoria St, Ely"),
        ("First Floor Flat, 33 Victoria St, Ely CB7 4AA", "33 Victoria St, Ely CB7 4AA"),
    ],
)
def test_different_floors_and_a_floor_and_its_house_stay_apart(a, b):
    assert not one_dwelling(a, b) and not one_dwelling(b, a)


def test_g_slash_f_is_the_ground_floor_not_a_scottish_flat():
    assert p("G/F, 12 Mill Road, Ely").sub_building == "ground floor"


# --- a flat whose unit word is dropped before its block ------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "1, Maple Court, 12, Fir Lane, Ely CB6 1AA",
        "1 Maple Court, 12 Fir Lane, Ely CB6 1AA",
        "1 MAPLE COURT 12 FIR LANE ELY CB6 1AA",
        "1 First Floor, Maple Court, 12 Fir Lane, Ely CB6 1AA",
    ],
)
def test_a_number_before_a_block_and_a_street_number_is_the_flat(typed):
    assert dwelling_key(typed) == dwelling_key("Flat 1, Maple Court, 12 Fir Lane, Ely CB6 1AA")


def test_a_number_before_a_named_house_block_and_its_street_is_the_flat():
    parsed = p("1, Kingsley House, Priory Grove, Ely")
    assert (parsed.sub_building, parsed.building_name, parsed.street) == (
        "flat 1",
        "kingsley house",
        "priory grove",
    )


def test_a_flat_read_as_a_house_on_a_street_named_like_its_block_fits_within_its_postcode():
    typed = p("1, Tennyson Court, Priory Grove, Ely CB6 1AA")
    known = p("Flat 1, Tennyson Court, Priory Grove, Ely CB6 1AA")
    assert fits_in_postcode(typed, known) and fits_in_postcode(known, typed)
    assert not fits_in_postcode(typed, p("Flat 2, Tennyson Court, Priory Grove, Ely CB6 1AA"))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1, Maple Court, 12 Fir Lane, Ely", "2, Maple Court, 12 Fir Lane, Ely"),
        ("1, Maple Court, 12 Fir Lane, Ely", "12 Fir Lane, Ely"),
        ("1, Maple Court, 12 Fir Lane, Ely", "1 Fir Lane, Ely"),
        ("3 Rose Cottages, Mill Lane, Ely", "Flat 3, Rose Cottages, Mill Lane, Ely"),
    ],
)
def test_a_flat_in_a_block_stays_apart_from_its_neighbours_and_the_building(a, b):
    assert not one_dwelling(a, b) and not one_dwelling(b, a)


# --- a street without its type word, a misspelled type ------------------------------------------


def test_a_street_without_its_type_word_fits_within_its_postcode():
    assert fits_in_postcode(p("31 Acorn, Ely CB6 1AA"), p("31 Acorn Road, Ely CB6 1AA"))


def test_a_street_typed_with_its_town_and_without_its_type_fits_within_its_postcode():
    assert fits_in_postcode(
        p("14 HAZEL MARLBRIDGE MB3 6AT"), p("14 Hazel Gardens, Marlbridge MB3 6AT")
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("31 Acorn, Ely CB6 1AA", "31 Acorn Road, Ely CB6 2BB"),  # another postcode
        ("31 Acorn, Ely CB6 1AA", "32 Acorn Road, Ely CB6 1AA"),
        ("31 Acorn Close, Ely CB6 1AA", "31 Acorn Road, Ely CB6 1AA"),
        ("31 Birch, Ely CB6 1AA", "31 Acorn Road, Ely CB6 1AA"),
    ],
)
def test_a_street_without_its_type_never_joins_another_number_type_or_street(a, b):
    assert not fits_in_postcode(p(a), p(b))


@pytest.mark.parametrize(
    ("slip", "word"),
    [
        ("rodd", "road"),
        ("raod", "road"),
        ("aveneu", "avenue"),
        ("avenu", "avenue"),
        ("terace", "terrace"),
        ("terrrace", "terrace"),
        ("stret", "street"),
        ("streeet", "street"),
        ("cresent", "crescent"),
        ("crecsent", "crescent"),
        ("clsoe", "close"),
        ("gardnes", "gardens"),
        ("sqaure", "square"),
        ("lnae", "lane"),
    ],
)
def test_a_slipped_street_type_word_is_mended(slip, word):
    assert mended_type(slip) == word


@pytest.mark.parametrize(
    "word",
    ["broad", "rod", "lame", "lone", "line", "grave", "garden", "palace", "drove", "dive"]
    + ["road", "mill", "hill", "way", "wall", "news", "clove", "plate", "square"],
)
def test_a_real_word_or_a_type_is_never_mended(word):
    assert mended_type(word) == ""


@pytest.mark.parametrize(
    ("typed", "street"),
    [
        ("10 Mill Rodd, Ely", "mill road"),
        ("10 mill rodd ely", "mill road"),
        ("5 Oak Aveneu, March", "oak avenue"),
        ("7 Vicarage Terace, Ely", "vicarage terrace"),
        ("4 The Broad, Ely", "the broad"),
        ("10 Rose Garden, Ely", "rose garden"),
    ],
)
def test_a_slipped_type_word_is_mended_without_a_postcode_and_never_a_name(typed, street):
    assert p(typed).street == street


def test_a_mended_type_joins_without_a_postcode():
    assert dwelling_key("10 Mill Rodd, Ely") == dwelling_key("10 Mill Road, Ely")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("10 Mill Rodd, Ely", "10 Hill Road, Ely"),  # a slip in the name is not mended
        ("10 Mill Rodd, Ely", "10 Mill Lane, Ely"),
        ("10 Mill Rodd, Ely", "11 Mill Road, Ely"),
        ("10 Mill Rodd, Ely", "10 Mill Road, March"),
    ],
)
def test_a_mended_type_never_joins_another_street_number_or_town(a, b):
    assert not one_dwelling(a, b)


# --- named properties -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "Hill Farm, Southfield, Exampletown CB6 1AA",  # the street left out
        "Hill Farm, Southfield CB6 1AA",
        "HILL FARM FIELD LANE SOUTHFIELD CB6 1AA",
        "Hill Farmhouse, Field Lane, Southfield CB6 1AA",
        "Hillfarm, Field Lane, Southfield CB6 1AA",
        "Hill Fm, Field Lane, Southfield CB6 1AA",
    ],
)
def test_a_named_property_fits_its_record_within_the_postcode(typed):
    known = p("Hill Farm, Field Lane, Southfield, Exampletown CB6 1AA")
    assert fits_in_postcode(p(typed), known)


@pytest.mark.parametrize(
    "typed",
    [
        "Hill Farm, Southfield, Exampletown CB6 2BB",  # another postcode
        "Hill Farm, Southfield, Exampletown",  # no postcode
        "Ivy Farm, Field Lane, Southfield CB6 1AA",
        "The Farm, Field Lane, Southfield CB6 1AA",
        "Farm, Field Lane, Southfield CB6 1AA",
        "Flat 1, Hill Farm, Field Lane, Southfield CB6 1AA",
        "3 Field Lane, Southfield CB6 1AA",
    ],
)
def test_a_named_property_never_fits_another_name_postcode_flat_or_number(typed):
    known = p("Hill Farm, Field Lane, Southfield, Exampletown CB6 1AA")
    assert not fits_in_postcode(p(typed), known)


@pytest.mark.parametrize(
    "typed",
    [
        "Low Barn, 37, Acorn Road, Ely CB6 1AA",  # a name added
        "Barn Cottage, 37 Acorn Road, Ely CB6 1AA",  # a name altered, same number
        "37 Acorn Rd CB6 1AA",
    ],
)
def test_a_house_name_beside_a_number_fits_the_number(typed):
    assert fits_in_postcode(p(typed), p("37 Acorn Road, Ely CB6 1AA"))


def test_a_house_name_added_beside_a_number_gives_the_numbers_key():
    assert dwelling_key("Low Barn, 37, Acorn Road, Ely") == dwelling_key("37 Acorn Road, Ely")


def test_a_house_known_by_name_is_found_by_its_name_when_its_number_is_dropped():
    known = p("Windy Ridge, 6 Priory Grove, Ely CB6 1AA")
    assert fits_in_postcode(p("Windy Ridge, Priory Grove, Ely CB6 1AA"), known)
    assert not fits_in_postcode(p("Priory Grove Cottage, Priory Grove, Ely CB6 1AA"), known)


def test_a_number_on_one_side_and_no_name_on_the_other_never_fits():
    assert not fits_in_postcode(
        p("37 Acorn Road, Ely CB6 1AA"), p("Low Barn, Acorn Road, Ely CB6 1AA")
    )


@pytest.mark.parametrize(
    ("a", "b", "agree"),
    [
        ("hill farm", "hill farm house", True),
        ("old rectory", "old rectory cottage", True),
        ("manor farm", "manor farmhouse", True),
        ("ivycottage", "ivy cottage", True),
        ("thegranary", "granary", True),
        ("low barn", "low bran", True),
        ("lodge", "elm lodge", False),
        ("farm", "hill farm", False),
        ("elm cottage", "elm lodge", False),
        ("rose cottage", "ivy cottage", False),
        ("ch", "church farm", False),
        ("", "church farm", False),
    ],
)
def test_house_names_agree_when_shortened_run_together_or_slipped_but_not_otherwise(a, b, agree):
    assert names_agree(a, b) is agree and names_agree(b, a) is agree


# --- flats in a named building, with and without the street number --------------------------


def test_a_flat_in_a_named_building_fits_without_its_street_number():
    with_number = p("Flat 4, Abbey Mansions, 21 Park Street, Ely")
    without = p("Flat 4, Abbey Mansions, Park Street, Ely")
    assert fits_in_building(without, with_number) and fits_in_building(with_number, without)


@pytest.mark.parametrize(
    "typed",
    [
        "Flat 5, Abbey Mansions, Park Street, Ely",
        "Flat 4, Abbey House, Park Street, Ely",
        "Flat 4, Abbey Mansions, Park Road, Ely",
        "Flat 4, Abbey Mansions, Park Street, March",
        "Flat 4, Abbey Mansions, 23 Park Street, Ely",
        "Abbey Mansions, Park Street, Ely",
    ],
)
def test_a_flat_in_a_named_building_never_fits_another_flat_building_street_town_or_number(typed):
    assert not fits_in_building(p(typed), p("Flat 4, Abbey Mansions, 21 Park Street, Ely"))


def test_a_flat_in_a_named_building_fits_by_postcode_when_the_street_differs():
    known = p("Flat 4, Abbey Mansions, 21 Park Street, Ely CB7 4AA")
    assert fits_in_building(p("Flat 4, Abbey Mansions, Ely CB7 4AA"), known)
    assert not fits_in_building(p("Flat 4, Abbey Mansions, Ely CB7 4AB"), known)


# --- merge_conflict: the veto a looser matcher must respect ---------------------------------------

CONFLICTS = [
    ("10 High Street, Ely", "11 High Street, Ely", "different house numbers"),
    ("10A High Street, Ely", "10 High Street, Ely", "different house numbers"),
    ("Flat 1, 10 High Street, Ely", "Flat 2, 10 High Street, Ely", "different flats or floors"),
    (
        "Ground Floor Flat, 10 High St, Ely",
        "First Floor Flat, 10 High St, Ely",
        "different flats or floors",
    ),
    ("TFF, 10 High St, Ely", "Top Floor Flat, 10 High St, Ely", "different flats or floors"),
    ("Flat 1, 10 High Street, Ely", "10 High Street, Ely", "a flat and its whole building"),
    ("Basement Flat, 10 High Street, Ely", "10 High Street, Ely", "a flat and its whole building"),
    (
        "Flat 4, Abbey Mansions, Park St, Ely",
        "Flat 4, Abbey House, Park St, Ely",
        "different buildings",
    ),
    ("Rose Cottage, Mill Lane, Ely", "Ivy Cottage, Mill Lane, Ely", "different buildings"),
    ("Lodge, Mill Lane, Ely", "Elm Lodge, Mill Lane, Ely", "different buildings"),
    (
        "37 Acorn Road, Ely",
        "Low Barn, Acorn Road, Ely",
        "a house number and a house name that nothing ties together",
    ),
    ("10 High St, Ely CB7 4AA", "10 High St, Ely CB7 4AB", "different postcodes"),
    ("10 Mill Road, Ely", "10 Mill Lane, Ely", "different street types"),
    ("10 Mill Road, Ely", "10 Hill Road, Ely", "different streets"),
    ("10 Mill Road, Ely", "10 Mill Road, March", "different towns"),
    # Without one postcode, a village and its post town may be two streets.
    ("10 Mill Lane, Littleport", "10 Mill Lane, Ely", "different towns"),
    ("10 Mill Lane, Littleport, Ely", "10 Mill Lane, Ely", "different towns"),
]


@pytest.mark.parametrize(("a", "b", "reason"), CONFLICTS)
def test_merge_conflict_names_why_two_addresses_cannot_be_one_household(a, b, reason):
    assert merge_conflict(p(a), p(b)) == reason
    assert merge_conflict(p(b), p(a)) == reason


NO_CONFLICT = [
    ("10 High St, Ely CB7 4AA", "10 high street ely"),
    ("Flat 2, 10 High St, Ely", "2/10 High Street, Ely CB7 4AA"),
    ("Low Barn, 37 Acorn Road, Ely", "37 Acorn Road, Ely"),  # a name added beside the number
    ("Low Barn, 37 Acorn Road, Ely", "Barn Cottage, 37 Acorn Road, Ely"),  # the number vouches
    ("Hill Farm, Field Lane, Ely", "Hill Farmhouse, Field Lane, Ely"),
    ("Hill Farm, 3 Field Lane, Ely", "Hill Farm, Field Lane, Ely"),  # the number dropped
    ("10 Mill Road, Ely CB7 4AA", "10 Mil Road, Ely CB7 4AA"),  # a slip, vouched by the postcode
    ("10 Mill Lane, Littleport, Ely CB6 1AA", "10 Mill Lane, Ely CB6 1AA"),
    ("Hill Farm, Southfield, Exampletown CB6 1AA", "Hill Farm, Field Lane, Southfield CB6 1AA"),
    ("Church Farm, Cavendish Road, Ely CB6 1AA", "Church Farm, Kingfisher Street, Ely CB6 1AA"),
    ("31 Acorn, Ely CB6 1AA", "31 Acorn Road, Ely CB6 1AA"),
]


@pytest.mark.parametrize(("a", "b"), NO_CONFLICT)
def test_merge_conflict_forbids_nothing_between_spellings_of_one_household(a, b):
    assert merge_conflict(p(a), p(b)) == ""
    assert merge_conflict(p(b), p(a)) == ""


def test_merge_conflict_agrees_with_the_resolvers_postcode_rule():
    """Whatever the resolver may join within a postcode, the veto allows."""
    pairs = [
        ("Hill Farm, Southfield CB6 1AA", "Hill Farm, Field Lane, Southfield CB6 1AA"),
        ("31 Acorn, Ely CB6 1AA", "31 Acorn Road, Ely CB6 1AA"),
        (
            "1, Tennyson Court, Priory Grove, Ely CB6 1AA",
            "Flat 1, Tennyson Court, Priory Grove, Ely CB6 1AA",
        ),
        ("Windy Ridge, Priory Grove, Ely CB6 1AA", "Windy Ridge, 6 Priory Grove, Ely CB6 1AA"),
    ]
    for a, b in pairs:
        assert fits_in_postcode(p(a), p(b))
        if "Tennyson" not in a:  # read as a house on a street: the veto keeps it apart
            assert merge_conflict(p(a), p(b)) == ""


# --- typed without commas, or with the street left out ------------------------------------------


def test_a_number_before_a_block_typed_without_commas_is_the_flat():
    parsed = p("1 CLARENDON HOUSE PRIORY LANE NORTHGATE MB1 5YT")
    assert (parsed.sub_building, parsed.building_name, parsed.street) == (
        "flat 1",
        "clarendon house",
        "priory lane",
    )


@pytest.mark.parametrize(
    ("typed", "building", "street"),
    [
        (
            "FLAT 5 PRIORY HEIGHTS VICTORIA CRESCENT EASTFIELD",
            "priory heights",
            "victoria crescent",
        ),
        ("Maisonette 2 Wellington Court Alder Road Northgate", "wellington court", "alder road"),
        ("Flat 1, Maple Court, Marlbridge MB3 9JZ", "maple court", "marlbridge"),
    ],
)
def test_a_block_named_with_a_weak_street_word_is_the_building(typed, building, street):
    parsed = p(typed)
    assert (parsed.building_name, parsed.street) == (building, street)


@pytest.mark.parametrize(
    "typed",
    [
        "FLAT 1 WELLINGTON COURT 6 NORTHGATE MARLBRIDGE MB1 8QZ",  # the street left out
        "Flat 1, Wellington Court, 6 Priory, Northgate MB1 8QZ",  # its type word left out
        "FLAT 1 WELLINGTON COURT 6 PRIORY NORTHGATE MARLBRIDGE MB1 8QZ",
        "Flat 1, Wellington Court, 6 Priori, Northgate MB1 8QZ",  # and a slip in the name
        "Flat 1, Maple Court, 6 Priory Lane, Marlbridge MB1 8QZ",  # the block's name altered
    ],
)
def test_a_flat_fits_its_record_within_the_postcode_when_its_street_is_left_out_or_cut(typed):
    known = p("Flat 1, Wellington Court, 6 Priory Lane, Northgate, Marlbridge MB1 8QZ")
    assert fits_in_postcode(p(typed), known)


@pytest.mark.parametrize(
    "typed",
    [
        "FLAT 2 WELLINGTON COURT 6 NORTHGATE MARLBRIDGE MB1 8QZ",
        "FLAT 1 WELLINGTON COURT 8 NORTHGATE MARLBRIDGE MB1 8QZ",
        "Flat 1, Wellington Court, 6 Birch, Northgate MB1 8QZ",
        "Flat 1, Wellington Court, 6 Priory Road, Northgate MB1 8QZ",
        "WELLINGTON COURT 6 NORTHGATE MARLBRIDGE MB1 8QZ",
    ],
)
def test_a_flat_never_fits_another_flat_number_street_or_its_building(typed):
    known = p("Flat 1, Wellington Court, 6 Priory Lane, Northgate, Marlbridge MB1 8QZ")
    assert not fits_in_postcode(p(typed), known)


@pytest.mark.parametrize(
    "typed",
    ["TFF, 33 Victoria St, Ely", "UGF 33 Victoria St Ely", "Mezzanine Flat, 33 Victoria St"]
    + [
        "1, Maple Court, 12 Fir Lane, Ely",
        "10 Mill Rodd, Ely",
        "Greystones, Little Hadley CB6 1AA",
    ],
)
def test_the_standard_form_of_a_new_spelling_reads_back_to_the_same_dwelling(typed):
    assert dwelling_key(standard_address(p(typed))) == dwelling_key(typed)
