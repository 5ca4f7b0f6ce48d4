"""Resolution in the database (issue 28): within an agreeing full postcode a dwelling is
found by its number, house name, or block and flat when other parts are missing or
altered, never when two dwellings fit; the building index; merged dwellings resolve to
their survivor; building_name is stored."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from callers.gazetteer import import_gazetteer
from callers.models import Dwelling
from callers.services import dwelling_find, dwelling_resolve, dwellings_resolve_many

pytestmark = pytest.mark.django_db


def resolve(address: str) -> Dwelling:
    return dwelling_resolve(address=address)


# --- within one full postcode -------------------------------------------------------------


def test_a_named_house_given_without_its_street_is_found_by_its_name_within_the_postcode():
    farm = resolve("Hill Farm, Field Lane, Southfield, Exampletown CB6 1AA")
    resolve("Ivy Cottage, Field Lane, Southfield, Exampletown CB6 1AA")
    assert resolve("Hill Farm, Southfield, Exampletown CB6 1AA") == farm
    assert Dwelling.objects.count() == 2


def test_a_shortened_house_name_is_found_when_no_other_house_of_the_postcode_fits():
    rectory = resolve("The Old Rectory, Mill Street, Little Hadley CB6 1AA")
    assert resolve("Old Rectory Cottage, Mill Street, Little Hadley CB6 1AA") == rectory


def test_two_houses_of_the_postcode_that_fit_give_a_new_dwelling():
    rectory = resolve("The Old Rectory, Mill Street, Little Hadley CB6 1AA")
    forge = resolve("The Old Forge, Mill Street, Little Hadley CB6 1AA")
    typed = resolve("The Old, Mill Street, Little Hadley CB6 1AA")
    assert typed not in (rectory, forge)
    assert Dwelling.objects.count() == 3


def test_a_house_is_found_by_its_number_when_its_street_lacks_the_type_word():
    house = resolve("31 Acorn Road, Ely CB6 1AA")
    resolve("31 Birch Lane, Ely CB6 1AA")  # the same number on another street of the postcode
    assert resolve("31 Acorn, Ely CB6 1AA") == house


def test_a_house_is_found_by_its_number_beside_an_added_house_name():
    house = resolve("37 Acorn Road, Ely CB6 1AA")
    assert resolve("Low Barn, 37, Acorn Road CB6 1AA") == house


def test_a_number_never_joins_another_number_of_the_postcode():
    resolve("31 Acorn Road, Ely CB6 1AA")
    assert resolve("32 Acorn, Ely CB6 1AA").number == "32"
    assert Dwelling.objects.count() == 2


def test_a_flat_is_found_by_its_block_and_number_when_its_unit_word_is_dropped():
    flat = resolve("Flat 1, Tennyson Court, Priory Grove, Ely CB6 1AA")
    resolve("Flat 2, Tennyson Court, Priory Grove, Ely CB6 1AA")
    assert resolve("1, Tennyson Court, Priory Grove, Ely CB6 1AA") == flat


def test_a_flat_read_as_a_house_is_never_taken_when_a_house_of_that_number_is_known():
    flat = resolve("Flat 1, Tennyson Court, Priory Grove, Ely CB6 1AA")
    house = resolve("1 Tennyson Court, Ely CB6 1AA")  # a house on a street called so
    assert resolve("1, Tennyson Court, Priory Grove, Ely CB6 1AA") == house != flat


def test_a_flat_in_a_block_is_never_found_for_the_same_flat_of_a_same_named_block_elsewhere():
    flat = resolve("Flat 1, Tennyson Court, Priory Grove, Ely CB6 1AA")
    assert resolve("Flat 1, Tennyson Court, Beacon Road, Ely CB6 1AA") != flat


def test_a_floor_flat_is_never_found_for_its_house():
    house = resolve("33 Victoria Street, Ely CB6 1AA")
    flat = resolve("Gnd Flr Flat, 33 Victoria St, Ely CB6 1AA")
    assert flat != house
    assert resolve("Ground Floor Flat, 33 Victoria Street, Ely CB6 1AA") == flat


# --- the building index -------------------------------------------------------------------


def test_a_flat_in_a_named_building_is_found_without_its_street_number():
    flat = resolve("Flat 4, Abbey Mansions, 21 Park Street, Ely")
    assert resolve("Flat 4, Abbey Mansions, Park Street, Ely") == flat


def test_a_flat_in_a_named_building_is_found_with_its_street_number_added():
    flat = resolve("Flat 4, Abbey Mansions, Park Street, Ely")
    assert resolve("Flat 4, Abbey Mansions, 21 Park Street, Ely") == flat


def test_the_building_index_never_joins_another_flat_or_town():
    flat = resolve("Flat 4, Abbey Mansions, 21 Park Street, Ely")
    assert resolve("Flat 5, Abbey Mansions, Park Street, Ely") != flat
    assert resolve("Flat 4, Abbey Mansions, Park Street, March") != flat


def test_the_building_index_gives_a_new_dwelling_when_two_buildings_fit():
    resolve("Flat 4, Abbey Mansions, 21 Park Street, Ely")
    resolve("Flat 4, Abbey Mansions, 23 Park Street, Ely")
    typed = resolve("Flat 4, Abbey Mansions, Park Street, Ely")
    assert typed.number == ""
    assert Dwelling.objects.count() == 3


def test_a_new_dwelling_stores_its_building_name():
    flat = resolve("Flat 4, Abbey Mansions, 21 Park Street, Ely")
    assert (flat.building_name, flat.sub_building) == ("abbey mansions", "flat 4")


# --- merged dwellings -----------------------------------------------------------------------


def test_a_merged_dwelling_resolves_to_the_one_it_was_merged_into():
    survivor = resolve("10 High Street, Ely CB7 4AA")
    merged = resolve("10 Hill Street, Ely")
    merged.merged_into = survivor
    merged.save()
    assert resolve("10 Hill Street, Ely") == survivor
    assert dwelling_find("10 Hill Street, Ely") == survivor


def test_a_chain_of_merges_is_followed_to_its_end():
    first = resolve("10 High Street, Ely")
    second = resolve("10 Hill Street, Ely")
    third = resolve("10 Mill Street, Ely")
    second.merged_into = first
    second.save()
    third.merged_into = second
    third.save()
    assert resolve("10 Mill Street, Ely") == first


def test_an_intake_at_a_merged_dwelling_locks_the_survivor():
    survivor = resolve("10 High Street, Ely")
    merged = resolve("10 Hill Street, Ely")
    merged.merged_into = survivor
    merged.save()
    locked = dwelling_resolve(address="10 Hill Street, Ely", lock=True)
    assert locked.pk == survivor.pk


def test_an_intake_at_an_unmerged_dwelling_found_by_key_takes_one_query():
    resolve("10 High Street, Ely")
    with CaptureQueriesContext(connection) as ctx:
        dwelling_resolve(address="10 High St, Ely", lock=True)
    assert len(ctx.captured_queries) == 1


def test_a_batch_resolves_merged_dwellings_to_their_survivor():
    survivor = resolve("10 High Street, Ely")
    merged = resolve("10 Hill Street, Ely")
    Dwelling.objects.filter(pk=merged.pk).update(merged_into=survivor)
    found = dwellings_resolve_many(["10 Hill Street, Ely", "10 High Street, Ely"])
    assert set(found.values()) == {survivor}


# --- the gazetteer ----------------------------------------------------------------------------


def test_the_gazetteer_names_a_house_given_without_its_street_within_the_postcode(tmp_path):
    path = tmp_path / "llpg.csv"
    path.write_text(
        "uprn,sub_building,building_name,number,street,town,postcode\n"
        "500,,Hill Farm,,Field Lane,Southfield,CB6 1AA\n"
        "501,,Ivy Cottage,,Field Lane,Southfield,CB6 1AA\n",
        encoding="utf-8",
    )
    import_gazetteer(path, log=lambda _: None)
    assert resolve("Hill Farm, Southfield, Exampletown CB6 1AA").uprn == "500"


# --- the migration ----------------------------------------------------------------------------


def test_the_migration_fills_the_building_name_of_existing_dwellings():
    migration = importlib.import_module("callers.migrations.0008_fill_dwelling_building_name")
    flat = Dwelling.objects.create(
        key="21|parkstreet|flat 4|ely", address="Flat 4, Abbey Mansions, 21 Park Street, Ely"
    )
    house = Dwelling.objects.create(key="3|millroad||ely", address="3 Mill Road, Ely")
    migration.fill(apps, None)
    flat.refresh_from_db()
    house.refresh_from_db()
    assert (flat.building_name, house.building_name) == ("abbey mansions", "")
