"""The call's JSON is built directly for speed; it must stay the JSON DRF's fields give."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from tests.factories import THRIVE, take_call
from tests.referrals.factories import ResponsePlanFactory
from triage.api.serializers import CallSerializer
from triage.models import Call
from triage.services import call_decide

pytestmark = pytest.mark.django_db


def _both(call):
    """(direct, declared): the fast path and DRF's generic one over the declared fields."""
    call = Call.objects.select_related("dwelling").get(pk=call.pk)
    serializer = CallSerializer(call)
    declared = serializers.ModelSerializer.to_representation(serializer, call)
    return serializer.data, declared


def _assert_same(call):
    direct, declared = _both(call)
    assert list(direct) == list(declared)  # same keys, same order
    assert direct == declared


@pytest.mark.parametrize(
    "received_at",
    [
        datetime(2026, 1, 14, 9, 30, 15, 123456, tzinfo=UTC),  # GMT: "Z"
        datetime(2026, 7, 14, 23, 30, tzinfo=UTC),  # BST: local time, "+01:00", next day
    ],
)
def test_a_new_call_matches_the_declared_fields(handler, received_at):
    call = take_call(handler=handler, received_at=received_at, channel="101")
    _assert_same(call)
    assert CallSerializer(call).data["received_at"] == (
        "2026-01-14T09:30:15.123456Z" if received_at.month == 1 else "2026-07-15T00:30:00+01:00"
    )


def test_a_decided_repeat_call_with_a_referral_and_plan_matches(handler):
    # The decision is stamped 5 minutes after the call: keep both in the past.
    hours_ago = timezone.now() - timedelta(hours=3)
    first = take_call(
        handler=handler, received_at=hours_ago, vulnerability_flags=["mental_distress"]
    )
    ResponsePlanFactory(dwelling=first.dwelling, what_to_do="Send the crisis team.")
    take_call(handler=handler, received_at=hours_ago + timedelta(hours=1))
    call = take_call(handler=handler, received_at=hours_ago + timedelta(hours=2))
    call_decide(
        call=call,
        user=handler,
        accept=False,
        final_agency="AMBULANCE",
        final_police_attend=False,
        override_reason="risk_lower",
        override_note="Paramedics already on scene.",
        grade=3,
        thrive=THRIVE,
        caller_told=True,
        caller_told_text="Told the ambulance service will help.",
        now=call.received_at + timedelta(minutes=5),
    )
    direct, _ = _both(call)
    assert direct["decision"]["final_agency"] == "AMBULANCE"
    assert direct["final_police_attend"] is False and direct["grade"] == 3
    assert direct["dwelling"]["open_referral"] is not None
    assert direct["dwelling"]["response_plan"]["what_to_do"] == "Send the crisis team."
    _assert_same(call)
    _assert_same(first)  # an earlier, undecided call at the same dwelling


# Input serializers copy their declared fields cheaply (StrictSerializer.get_fields) --------


def _all_fields(serializer):
    for field in serializer.fields.values():
        yield field
        for inner in ("child", "child_relation"):
            if hasattr(field, inner):
                yield getattr(field, inner)


def test_two_input_serializers_share_no_field_and_every_child_is_bound_to_its_copy():
    from rest_framework import serializers

    from core.serializers import StrictSerializer
    from triage.api.serializers import DecisionInputSerializer

    class WithRelated(StrictSerializer):
        calls = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    for cls in (DecisionInputSerializer, WithRelated):
        first, second = cls(data={}, context={"who": 1}), cls(data={}, context={"who": 2})
        assert not {id(f) for f in _all_fields(first)} & {id(f) for f in _all_fields(second)}
        assert not {id(f) for f in _all_fields(first)} & {
            id(f) for f in cls._declared_fields.values()
        }
        checks = first.fields.get("check_confirmations") or first.fields["calls"]
        inner = getattr(checks, "child", None) or checks.child_relation
        assert inner.parent is checks and inner.context == {"who": 1}
