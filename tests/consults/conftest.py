import pytest

from tests import factories


@pytest.fixture
def practitioner(db):
    return factories.UserFactory(role="mh_practitioner")


@pytest.fixture
def practitioner2(db):
    return factories.UserFactory(role="mh_practitioner")
