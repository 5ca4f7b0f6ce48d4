"""Two practitioners claim one consult at the same moment: the row lock lets one win."""

import threading

import pytest
from django.db import connections

from consults.services import ConsultTaken, consult_claim
from tests.consults.helpers import ask
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_practitioners_claiming_at_once_one_wins():
    consult = ask()
    users = [UserFactory(role="mh_practitioner") for _ in range(2)]
    outcomes, errors = [], []
    barrier = threading.Barrier(2)

    def claim(user):
        try:
            barrier.wait(timeout=30)
            consult_claim(consult=consult, user=user)
            outcomes.append(user.pk)
        except ConsultTaken:
            outcomes.append("taken")
        except Exception as exc:  # noqa: BLE001 - anything else is a bug
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(outcomes, key=str).count("taken") == 1
    consult.refresh_from_db()
    assert consult.claimed_by_id in outcomes
