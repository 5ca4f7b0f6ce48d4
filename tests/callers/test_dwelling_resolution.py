"""One dwelling however it is typed, whichever spelling comes first (issue 4), and never
two households merged on a mistyped postcode.

"2/10 High Street, Ely" has no postcode and "Flat 2 10 High Street CB7 4AA" no town: only
"Flat 2, 10 High St, Ely CB7 4AA" shows they are one flat. A dwelling is found by the key
and the postcode of its first spelling, so some orders of these three give two dwellings:
those are strict xfails (a known limit). Recording the postcode a later spelling carries
was tried; a mistyped postcode then joined another town's household to the dwelling
(``test_a_mistyped_postcode_never_joins_another_towns_household``).
"""

from itertools import permutations

import pytest

from callers.models import Dwelling, GazetteerAddress
from callers.services import dwelling_resolve
from referrals.models import Referral
from tests.factories import facts

pytestmark = pytest.mark.django_db

NO_POSTCODE = "2/10 High Street, Ely"
BOTH = "Flat 2, 10 High St, Ely CB7 4AA"
NO_TOWN = "Flat 2 10 High Street CB7 4AA"
SPELLINGS = (NO_POSTCODE, BOTH, NO_TOWN)

# Orders in which a spelling has neither the key nor the postcode of the first one typed.
SPLIT = {
    (NO_POSTCODE, BOTH, NO_TOWN),
    (NO_POSTCODE, NO_TOWN, BOTH),
    (NO_TOWN, BOTH, NO_POSTCODE),
    (NO_TOWN, NO_POSTCODE, BOTH),
}


def _orders():
    for order in permutations(SPELLINGS):
        if order in SPLIT:
            reason = "known limit: a dwelling is found by its first spelling's key and postcode"
            yield pytest.param(order, marks=pytest.mark.xfail(strict=True, reason=reason))
        else:
            yield order


def _intake(client, address):
    body = {"channel": "999", "address": address, "facts": facts()}
    response = client.post("/api/calls/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["dwelling"]


@pytest.mark.parametrize("order", list(_orders()), ids=lambda order: " then ".join(order))
def test_three_spellings_of_one_flat_count_as_one_and_the_third_opens_one_referral(
    login, handler, order
):
    client = login(handler)
    summaries = [_intake(client, address) for address in order]
    assert [s["calls_30d"] for s in summaries] == [1, 2, 3]
    assert len({s["key"] for s in summaries}) == 1
    assert Dwelling.objects.count() == 1
    referral = Referral.objects.get()
    assert summaries[2]["open_referral"]["id"] == referral.pk


def test_a_mistyped_postcode_never_joins_another_towns_household(login, handler):
    client = login(handler)
    _intake(client, "10 High Street, Ely")
    _intake(client, "10 High Street, Ely PE15 8NH")  # the postcode of March, mistyped
    march = _intake(client, "10 High Street PE15 8NH")
    assert march["calls_30d"] == 1
    assert Dwelling.objects.count() == 2


def test_a_dwelling_deleted_between_finding_and_locking_it_is_resolved_again(monkeypatch):
    """Retention may delete a dwelling with no call or referral just after an intake found
    it by a near spelling: the intake resolves the address again, never goes without."""
    from callers import services

    first = services.dwelling_resolve(address=BOTH)  # no call yet: retention could take it
    real = services._locked_for_intake

    def deleted_first(column, value):
        if column == "id" and value == first.pk:
            Dwelling.objects.filter(pk=first.pk).delete()
        return real(column, value)

    monkeypatch.setattr(services, "_locked_for_intake", deleted_first)
    again = services.dwelling_resolve(address=NO_TOWN, lock=True)
    assert again is not None and again.pk != first.pk
    assert Dwelling.objects.filter(pk=again.pk).exists()
    assert not Dwelling.objects.filter(pk=first.pk).exists()


def test_a_dwelling_typed_with_accents_before_they_were_folded_is_found_by_its_new_key(
    capsys,
):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("callers.migrations.0004_fold_non_ascii_keys")
    accented = Dwelling.objects.create(key="10h|ghstreet||ely", address="10 Hígh St, Ely")
    taken = Dwelling.objects.create(key="2|millroad||ely", address="2 Mill Road, Ely")
    clash = Dwelling.objects.create(key="2|m|llroad||ely", address="2 Mïll Road, Ely")
    plain = Dwelling.objects.create(key="3|millroad||ely", address="3 Mill Road, Ely")
    listed = GazetteerAddress.objects.create(
        uprn="1", number="12", street="Hígh Street", town="Ely", postcode="CB7 4AA", key="old"
    )

    migration.fold(apps, None)

    listed.refresh_from_db()
    assert listed.key == "12|highstreet||ely"

    accented.refresh_from_db()
    assert (accented.key, accented.street, accented.town) == (
        "10|highstreet||ely",
        "high street",
        "ely",
    )
    assert dwelling_resolve(address="10 High Street, Ely") == accented
    clash.refresh_from_db()
    plain.refresh_from_db()
    assert clash.key == "2|m|llroad||ely"  # its new key is another dwelling's: left alone
    said = capsys.readouterr().out
    assert "1 dwelling(s) kept their old key" in said and f"Ids: {clash.pk}" in said
    assert "Mïll" not in said
    assert (plain.key, taken.key) == ("3|millroad||ely", "2|millroad||ely")
