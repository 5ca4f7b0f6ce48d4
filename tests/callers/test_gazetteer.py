"""The council gazetteer: import_gazetteer, and resolving addresses to a UPRN first."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from callers.gazetteer import import_gazetteer
from callers.models import Dwelling, GazetteerAddress
from callers.services import dwelling_find, dwelling_resolve, dwellings_resolve_many

pytestmark = pytest.mark.django_db

HEADER = "UPRN,sub_building,building_name,number,street,town,postcode"
ROWS = [
    "100090001,Flat 2,,10,High Street,Ely,CB7 4AA",
    "100090002,Flat 1,,10,High Street,Ely,CB7 4AA",
    "100090003,,,10,High Street,Ely,CB7 4AA",
    "100090004,,Rose Cottage,,Mill Lane,Wisbech,PE13 2AB",
]


def gazetteer_file(tmp_path, *rows, header=HEADER):
    path = tmp_path / "llpg.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def load(tmp_path, *rows):
    return import_gazetteer(gazetteer_file(tmp_path, *(rows or ROWS)), log=lambda _: None)


# --- the import ----------------------------------------------------------------------------


def test_the_import_stores_normalised_rows_by_uprn(tmp_path):
    report = load(tmp_path)
    assert (report.created, report.updated, report.rejected) == (4, 0, 0)
    flat = GazetteerAddress.objects.get(uprn="100090001")
    assert (flat.sub_building, flat.number, flat.postcode) == ("flat 2", "10", "CB7 4AA")
    assert flat.key == "10|highstreet|flat 2|ely"
    assert flat.address == "flat 2, 10 High Street, Ely CB7 4AA"


def test_importing_again_updates_in_place(tmp_path):
    load(tmp_path)
    report = load(tmp_path, "100090003,,,10,High Street,Littleport,CB6 1AA", *ROWS[:2])
    assert (report.created, report.updated) == (0, 3)
    assert GazetteerAddress.objects.count() == 4
    assert GazetteerAddress.objects.get(uprn="100090003").town == "Littleport"


def test_bad_rows_are_reported_by_line_and_nothing_is_loaded(tmp_path):
    path = gazetteer_file(
        tmp_path,
        ROWS[0],
        "12ab,,,1,High Street,Ely,CB7 4AA",
        "100090009,,,12,,,",
        "100090010,,,12,High Street,Ely,XX1 1XX",
        ROWS[0],
        "10009²,,,14,High Street,Ely,CB7 4AA",  # a digit to str.isdigit, not to int()
    )
    err = StringIO()
    with pytest.raises(CommandError, match="5 of 6 rows are invalid; nothing was loaded"):
        call_command("import_gazetteer", str(path), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("line 3: uprn: '12ab'")
    assert lines[1].startswith("line 4: does not name a dwelling")
    assert lines[2].startswith("line 5: postcode: 'XX1 1XX'")
    assert lines[3] == "line 6: uprn 100090001 appears twice"
    assert lines[4].startswith("line 7: uprn: '10009²' is not 1-12 digits")
    assert not GazetteerAddress.objects.exists()


@pytest.mark.parametrize("tail", [3, 6_000], ids=["short tail", "long tail"])
@pytest.mark.parametrize(
    "broken",
    [f"100090002,,{'x' * 200_000},10,High St,Ely,", '100090002,,"Rose Cottage,10,High St,Ely,'],
    ids=["oversized field", "quote left open"],
)
def test_a_record_that_cannot_be_read_as_csv_stops_the_load_naming_its_line(tmp_path, broken, tail):
    """A quote left open swallows the lines after it into one field: reading on would
    drop them unreported, so the load stops at that line and nothing is loaded."""
    rest = [f"1000900{n:02},,,{n},Mill Lane,Ely,CB7 4AA" for n in range(10, 10 + tail)]
    path = gazetteer_file(tmp_path, ROWS[0], broken, *rest)
    with pytest.raises(CommandError, match=r"line 3: cannot be read as CSV .*check its quotes"):
        call_command("import_gazetteer", str(path), "--skip-invalid", stderr=StringIO())
    assert not GazetteerAddress.objects.exists()


def test_a_nul_character_is_a_bad_row(tmp_path):
    path = gazetteer_file(tmp_path, ROWS[0], "100090002,,,10,High\x00 St,Ely,CB7 4AA")
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 2 rows are invalid"):
        call_command("import_gazetteer", str(path), stderr=err)
    assert "line 3: street: contains a NUL character" in err.getvalue()


def test_a_header_past_the_csv_size_limit_is_one_clear_error(tmp_path):
    path = gazetteer_file(tmp_path, ROWS[0], header=HEADER + "," + "x" * 200_000)
    with pytest.raises(CommandError, match="line 1: the header cannot be read"):
        call_command("import_gazetteer", str(path), stderr=StringIO())


def test_skip_invalid_loads_the_good_rows(tmp_path):
    path = gazetteer_file(tmp_path, ROWS[0], "x,,,1,High Street,Ely,CB7 4AA")
    out = StringIO()
    call_command("import_gazetteer", str(path), "--skip-invalid", stdout=out, stderr=StringIO())
    assert "1 addresses added" in out.getvalue()
    assert GazetteerAddress.objects.count() == 1


def test_an_unknown_column_is_refused(tmp_path):
    path = gazetteer_file(tmp_path, "1,a", header="uprn,colour")
    with pytest.raises(CommandError, match="unknown column"):
        call_command("import_gazetteer", str(path))


def test_llpg_column_names_are_understood(tmp_path):
    header = "UPRN,SAO_TEXT,PAO_TEXT,PAO_START_NUMBER,STREET_DESCRIPTION,TOWN_NAME,POSTCODE_LOCATOR"
    import_gazetteer(gazetteer_file(tmp_path, ROWS[0], header=header), log=lambda _: None)
    assert GazetteerAddress.objects.get().key == "10|highstreet|flat 2|ely"


# --- resolving with a gazetteer ------------------------------------------------------------


def test_without_a_gazetteer_addresses_resolve_by_key():
    dwelling = dwelling_resolve(address="Flat 2, 10 High St, Ely CB7 4AA")
    assert (dwelling.key, dwelling.uprn, dwelling.match_method) == (
        "10|highstreet|flat 2|ely",
        None,
        "key",
    )


def test_with_a_gazetteer_an_address_resolves_to_its_uprn(tmp_path):
    load(tmp_path)
    dwelling = dwelling_resolve(address="10 high street flat 2 ely cb74aa")
    assert (dwelling.uprn, dwelling.match_method) == ("100090001", "uprn")
    assert dwelling_resolve(address="2/10 High Street, Ely") == dwelling
    assert dwelling_find("Flat 2, 10 High St, Ely") == dwelling


def test_an_address_without_a_town_matches_by_postcode_number_and_flat(tmp_path):
    load(tmp_path)
    dwelling = dwelling_resolve(address="Flat 1, 10 High St, CB7 4AA")
    assert dwelling.uprn == "100090002"


def test_a_typo_in_the_street_matches_when_the_postcode_agrees(tmp_path):
    load(tmp_path)
    assert dwelling_resolve(address="Flat 1, 10 Hihg Street, Ely CB7 4AA").uprn == "100090002"


def test_a_house_known_by_name_resolves_to_its_uprn(tmp_path):
    load(tmp_path)
    assert dwelling_resolve(address="Rose Cottage, Mill Ln, Wisbech").uprn == "100090004"


def test_the_whole_house_and_its_flats_are_different_uprns(tmp_path):
    load(tmp_path)
    uprns = {
        dwelling_resolve(address=a).uprn
        for a in ("10 High Street, Ely", "Flat 1, 10 High Street, Ely", "Flat 2, 10 High St, Ely")
    }
    assert uprns == {"100090001", "100090002", "100090003"}


def test_an_address_the_gazetteer_lacks_falls_back_to_the_key(tmp_path):
    load(tmp_path)
    dwelling = dwelling_resolve(address="11 High Street, Ely CB7 4AA")
    assert (dwelling.key, dwelling.uprn, dwelling.match_method) == (
        "11|highstreet||ely",
        None,
        "key",
    )


def test_two_uprns_with_one_key_are_not_guessed_between(tmp_path):
    load(tmp_path, "200000001,,,5,Mill Road,Ely,CB7 4AB", "200000002,,,5,Mill Road,Ely,CB7 4AB")
    assert dwelling_resolve(address="5 Mill Road, Ely").uprn is None


def test_a_dwelling_known_before_the_gazetteer_keeps_its_history_and_takes_the_uprn(tmp_path):
    before = dwelling_resolve(address="Flat 2, 10 High St, Ely CB7 4AA")
    report = load(tmp_path)
    assert report.dwellings_linked == 1
    after = dwelling_resolve(address="2/10 High Street, Ely")
    assert after.pk == before.pk
    assert (after.uprn, after.match_method) == ("100090001", "uprn")


def test_a_dwelling_found_by_key_takes_the_uprn_at_its_next_call(tmp_path):
    before = dwelling_resolve(address="Flat 1, 10 High Street, CB7 4AA")  # no town: no key link
    load(tmp_path)
    assert Dwelling.objects.get(pk=before.pk).uprn is None
    after = dwelling_resolve(address="Flat 1, 10 High Street, CB7 4AA")
    assert (after.pk, after.uprn) == (before.pk, "100090002")


# --- resolving many at once (the historical import) ---------------------------------------


def test_many_addresses_resolve_like_one_at_a_time():
    addresses = [
        "Flat 2, 10 High St, Ely CB7 4AA",
        "10 high street flat 2 ely cb74aa",
        "Flat 2, 10 Hihg Street, Ely CB7 4AA",  # a typo, postcode agreeing
        "Flat 1, 10 High Street, Ely CB7 4AA",
        "Near the bus station, Ely",
    ]
    found = dwellings_resolve_many(addresses)
    assert len(found) == 3  # two spellings of flat 2 share a key; the bus station names none
    assert len({d.pk for d in found.values()}) == 2
    assert Dwelling.objects.count() == 2
    assert dwellings_resolve_many(addresses) == found


def test_many_addresses_resolve_to_uprns_with_a_gazetteer(tmp_path):
    load(tmp_path)
    found = dwellings_resolve_many(["Flat 2, 10 High St, Ely", "Flat 1, 10 High St, CB7 4AA"])
    assert sorted(d.uprn for d in found.values()) == ["100090001", "100090002"]
