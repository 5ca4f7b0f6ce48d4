"""A dwelling is named by its standard address from its first call on, whichever way the
dwelling came to be (intake, import, manual referral, gazetteer), and the stored dwellings
were restated in that form (issue 22)."""

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command

from callers.models import Dwelling, GazetteerAddress
from callers.services import dwelling_resolve
from referrals.services import referral_create_manual
from tests.factories import facts, take_call

pytestmark = pytest.mark.django_db


def _intake(client, address):
    body = {"channel": "999", "address": address, "facts": facts()}
    response = client.post("/api/calls/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("the address is 14 Station Rd, March pe158nh", "14 Station Road, March PE15 8NH"),
        ("outside 7 orchard cl st neots", "7 Orchard Close, St Neots"),
        ("10 high street flat 2 ely cb74aa", "Flat 2, 10 High Street, Ely CB7 4AA"),
    ],
)
def test_a_new_dwelling_is_named_by_the_standard_form_of_its_first_spelling(typed, name):
    assert take_call(address=typed).dwelling.address == name


def test_a_later_spelling_keeps_the_dwellings_name_and_its_own_call_address():
    first = take_call(address="10 high street flat 2 ely cb74aa")
    later = take_call(address="2/10 High St, Ely")
    assert later.dwelling == first.dwelling
    assert later.dwelling.address == "Flat 2, 10 High Street, Ely CB7 4AA"
    assert (first.address, later.address) == (
        "10 high street flat 2 ely cb74aa",
        "2/10 High St, Ely",
    )


def test_the_api_gives_the_dwellings_standard_address_and_the_calls_typed_one(login, handler):
    body = _intake(login(handler), "outside 7 Orchard Close, St Neots PE19 1QX")
    assert body["dwelling"]["address"] == "7 Orchard Close, St Neots PE19 1QX"
    assert body["address"] == "outside 7 Orchard Close, St Neots PE19 1QX"


def test_a_near_spelling_still_finds_a_dwelling_stored_under_its_standard_form():
    """A one-letter slip in the street with an agreeing postcode is confirmed against the
    stored address, read again: the standard form reads as the spelling it came from."""
    dwelling = dwelling_resolve(address="flat 2 10 high st ely cb74aa")
    assert dwelling.address == "Flat 2, 10 High Street, Ely CB7 4AA"
    assert dwelling_resolve(address="Flat 2, 10 Hihg Street, Ely CB7 4AA") == dwelling
    assert Dwelling.objects.count() == 1


def test_an_imported_dwelling_is_named_by_its_standard_address(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text(
        "received_at,channel,address,concern_type,caller_type\n"
        '2025-01-10T09:00:00+00:00,999,"the address is 3 oak ave, march",welfare_check,public\n',
        encoding="utf-8",
    )
    call_command("import_calls", str(path), "--no-detect", stdout=None)
    assert Dwelling.objects.get().address == "3 Oak Avenue, March"


def test_a_manual_referral_names_a_new_dwelling_by_its_standard_address(triage_staff):
    referral = referral_create_manual(
        address="rose cottage mill ln ely",
        referred_by="PC 1234 Example",
        referral_reason="Frequent calls about feeling unsafe.",
        user=triage_staff,
    )
    assert referral.dwelling.address == "Rose Cottage, Mill Lane, Ely"


def test_a_dwelling_found_through_the_gazetteer_is_named_by_its_standard_address():
    GazetteerAddress.objects.create(
        uprn="100090001",
        number="10",
        street="high street",
        town="ely",
        postcode="CB7 4AA",
        key="10|highstreet||ely",
    )
    dwelling = dwelling_resolve(address="10 high st ely cb7 4aa")
    assert (dwelling.uprn, dwelling.address) == ("100090001", "10 High Street, Ely CB7 4AA")


def test_the_migration_restates_each_stored_dwelling_in_its_standard_form():
    migration = importlib.import_module("callers.migrations.0005_dwelling_standard_address")
    rows = {
        "the address is 14 Station Road, March": "14 Station Road, March",
        "outside 7 Orchard Close, St Neots PE19 1QX": "7 Orchard Close, St Neots PE19 1QX",
        "10 high street flat 2 ely cb74aa": "Flat 2, 10 High Street, Ely CB7 4AA",
        "Rose Cottage, Mill Lane, Ely": "Rose Cottage, Mill Lane, Ely",
        "near   the Co-op,  Ely": "near the Co-op, Ely",  # unreadable now: tidied
    }
    stored = {
        typed: Dwelling.objects.create(key=f"key-{index}", address=typed)
        for index, typed in enumerate(rows)
    }

    migration.restate(apps, None)

    for typed, dwelling in stored.items():
        dwelling.refresh_from_db()
        assert dwelling.address == rows[typed]
    assert sorted(Dwelling.objects.values_list("key", flat=True)) == [
        f"key-{index}" for index in range(len(rows))
    ]
