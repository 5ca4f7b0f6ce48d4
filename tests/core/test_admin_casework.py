"""Casework in the admin: read only, and every record shown logged as consulted."""

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from callers.models import Dwelling, ResponsePlan
from core.models import ProcessingLog
from referrals.models import Referral
from tests.factories import UserFactory, take_call
from tests.referrals.factories import ReferralFactory, ResponsePlanFactory
from triage.models import Call

pytestmark = pytest.mark.django_db

CASEWORK = [Call, Dwelling, Referral, ResponsePlan]


@pytest.fixture
def superuser_client(login):
    return login(UserFactory(role=None, is_superuser=True, is_staff=True))


@pytest.fixture
def records(handler):
    call = take_call(handler=handler, address="10 High Street, Ely CB7 4AA")
    referral = ReferralFactory(dwelling=call.dwelling)
    plan = ResponsePlanFactory(dwelling=call.dwelling)
    return {Call: call, Dwelling: call.dwelling, Referral: referral, ResponsePlan: plan}


def _url(model, name, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{name}", args=args)


@pytest.mark.parametrize("model", CASEWORK, ids=lambda m: m.__name__)
def test_no_one_adds_changes_or_deletes_casework_in_the_admin(model, rf):
    admin_class = site._registry[model]
    request = rf.get("/")
    request.user = UserFactory(role=None, is_superuser=True, is_staff=True)
    assert not admin_class.has_add_permission(request)
    assert not admin_class.has_change_permission(request)
    assert not admin_class.has_delete_permission(request)
    assert admin_class.get_actions(request) == {}


@pytest.mark.parametrize("model", CASEWORK, ids=lambda m: m.__name__)
def test_a_record_opened_in_the_admin_is_logged_and_cannot_be_deleted(
    model, records, superuser_client
):
    obj = records[model]
    assert superuser_client.get(_url(model, "change", obj.pk)).status_code == 200
    entry = ProcessingLog.objects.get(operation="consultation", object_id=str(obj.pk))
    assert (entry.object_type, entry.justification, entry.role) == (
        model._meta.model_name,
        "admin",
        "superuser",
    )
    response = superuser_client.post(_url(model, "delete", obj.pk), {"post": "yes"})
    assert response.status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", CASEWORK, ids=lambda m: m.__name__)
def test_each_record_in_an_admin_list_is_logged(model, records, superuser_client):
    assert superuser_client.get(_url(model, "changelist")).status_code == 200
    logged = ProcessingLog.objects.filter(
        operation="consultation", object_type=model._meta.model_name
    ).values_list("object_id", flat=True)
    assert list(logged) == [str(records[model].pk)]
