"""The standard address: how every screen names a dwelling (issue 22). Pure, no database."""

import pytest

from callers.addresses import (
    ParsedAddress,
    dwelling_key,
    parse_address,
    standard_address,
    standard_address_of,
    what_to_add,
)

# (as typed, the standard form)
SPELLINGS = [
    # The spellings of one flat.
    ("10 high street flat 2 ely cb74aa", "Flat 2, 10 High Street, Ely CB7 4AA"),
    ("Flat 2, 10 High St, Ely CB7 4AA", "Flat 2, 10 High Street, Ely CB7 4AA"),
    ("2/10 High Street, Ely", "Flat 2, 10 High Street, Ely"),
    ("Flat 2 10 High St Ely", "Flat 2, 10 High Street, Ely"),
    ("flat 2 10 high st ely", "Flat 2, 10 High Street, Ely"),
    ("FLAT 2, 10 HIGH ST, ELY, CB7 4AA", "Flat 2, 10 High Street, Ely CB7 4AA"),
    ("Apt 4, 10 Gt Northern Rd, Ely", "Flat 4, 10 Great Northern Road, Ely"),
    ("Flat 2B, 10 High St, Ely", "Flat 2B, 10 High Street, Ely"),
    ("Flat A 10 High St Ely", "Flat A, 10 High Street, Ely"),
    ("flat 2 room 4 10 high st ely", "Flat 2, Room 4, 10 High Street, Ely"),
    ("Block A, Flat 3, 10 Station Road, Ely", "Block A, Flat 3, 10 Station Road, Ely"),
    ("Ground floor flat, 10 High Street, Ely", "Ground Floor, 10 High Street, Ely"),
    ("top flat 10 high st ely", "Top Floor, 10 High Street, Ely"),
    ("2/1, 10 Byres Road, Glasgow G11 5JY", "Flat 2/1, 10 Byres Road, Glasgow G11 5JY"),
    ("10/2 Marchmont Road, Edinburgh EH9 1HN", "Flat 2, 10 Marchmont Road, Edinburgh EH9 1HN"),
    # House numbers.
    ("10a High St, Ely", "10A High Street, Ely"),
    ("10 A high st ely", "10A High Street, Ely"),
    ("10-12 High St, Ely", "10-12 High Street, Ely"),
    ("no 10 high st ely", "10 High Street, Ely"),
    # Houses known by name.
    ("Rose Cottage, Mill Lane, Ely", "Rose Cottage, Mill Lane, Ely"),
    ("rose cottage mill ln ely", "Rose Cottage, Mill Lane, Ely"),
    ("Rose House 10 High St Ely", "Rose House, 10 High Street, Ely"),
    ("1 Rose Cottages, Mill Lane, Ely", "1 Rose Cottages, Mill Lane, Ely"),
    # Street types written out.
    ("5 Cambridge Rd, Ely", "5 Cambridge Road, Ely"),
    ("3 Oak Ave, March", "3 Oak Avenue, March"),
    ("4 Elm Cres, Wisbech PE13 1AA", "4 Elm Crescent, Wisbech PE13 1AA"),
    ("9 Church Ln, Soham", "9 Church Lane, Soham"),
    ("12 Beech Cl, Ely", "12 Beech Close, Ely"),
    ("8 Manor Dr, Ely", "8 Manor Drive, Ely"),
    ("caller lives at 22 Station Rd West, Ely", "22 Station Road West, Ely"),
    # Saint stays St; small words stay small.
    ("4 Saint Mary's Road, Ely", "4 St Marys Road, Ely"),
    ("10 High St St Ives", "10 High Street, St Ives"),
    ("10 High St, Stratford upon Avon", "10 High Street, Stratford upon Avon"),
    ("3 Heol y Frenhines, Bangor", "3 Heol y Frenhines, Bangor"),
    ("10 mcdonald road, ely", "10 McDonald Road, Ely"),
    # Noise and asides dropped.
    ("the address is 14 Station Road, March", "14 Station Road, March"),
    ("outside 7 Orchard Close, St Neots PE19 1QX", "7 Orchard Close, St Neots PE19 1QX"),
    ("rear of 7 Orchard Close, St Neots", "7 Orchard Close, St Neots"),
    ("10 High St, near Tesco, Ely", "10 High Street, Ely"),
    ("  10   High   St ,  Ely  ", "10 High Street, Ely"),
    ("10 High Street, Ely, tel 07700900123", "10 High Street, Ely"),
    # Towns: every locality kept, counties dropped; none at all.
    ("10 High St, Littleport, Ely, Cambs CB6 1AA", "10 High Street, Littleport, Ely CB6 1AA"),
    ("10 High St CB7 4AA", "10 High Street, CB7 4AA"),
    ("10 High St", "10 High Street"),
    # A postcode alone.
    ("CB7 4AF", "CB7 4AF"),
    ("cb74af", "CB7 4AF"),
]


@pytest.mark.parametrize(("typed", "standard"), SPELLINGS)
def test_an_address_is_written_in_its_standard_form(typed, standard):
    assert standard_address_of(typed) == standard


@pytest.mark.parametrize(("typed", "standard"), SPELLINGS)
def test_the_standard_form_is_its_own_standard_form(typed, standard):
    assert standard_address_of(standard) == standard


# Near matches re-read a stored dwelling's address: the standard form must read back to the
# parts of the spelling it was made from (a phone number typed after it is no part of it).
@pytest.mark.parametrize(
    "typed", [typed for typed, _ in SPELLINGS if "0770" not in typed], ids=lambda t: t
)
def test_the_standard_form_reads_back_to_the_same_parts(typed):
    assert parse_address(standard_address_of(typed)) == parse_address(typed)


@pytest.mark.parametrize("typed", [typed for typed, _ in SPELLINGS if dwelling_key(typed)])
def test_the_standard_form_names_the_same_dwelling(typed):
    assert dwelling_key(standard_address_of(typed)) == dwelling_key(typed)


@pytest.mark.parametrize(
    ("typed", "tidied"),
    [
        ("near 10 High St,  Ely", "near 10 High St, Ely"),
        (" opposite the Co-op ", "opposite the Co-op"),
        ("the address is", "the address is"),
    ],
)
def test_an_address_naming_no_place_keeps_its_text_tidied(typed, tidied):
    assert parse_address(typed) is None
    assert standard_address_of(typed) == tidied


def test_no_parts_give_no_standard_form():
    assert standard_address(ParsedAddress()) == ""


@pytest.mark.parametrize(
    ("typed", "to_add"),
    [
        ("CB7 4AF", "the house number (or name) and street"),
        ("High Street, Ely", "the house number (or name)"),
        ("10 High St", "the town or postcode"),
        ("10 CB7 4AF", "the street"),
        ("Flat 2", "the house number (or name), street and town or postcode"),
        ("near the Co-op", "the house number (or name), street and town or postcode"),
        ("Flat 2, 10 High St, Ely", ""),
        ("Rose Cottage, Mill Lane, Ely", ""),
    ],
)
def test_an_address_that_names_no_dwelling_says_what_to_add(typed, to_add):
    assert what_to_add(parse_address(typed)) == to_add
