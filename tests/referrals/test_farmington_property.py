"""Operation Farmington's one policy, three paths: live intake, the historical import and
the nightly detection open referrals for exactly the dwellings a brute-force reference
picks, with the same trigger time, under random call streams and random policies."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callers.addresses import dwelling_key
from callers.models import Dwelling
from referrals import farmington
from referrals.models import Referral
from tests.factories import take_call
from triage.importing import import_calls
from triage.models import Call, Decision

pytestmark = pytest.mark.django_db

ADDRESSES = ("1 Mill Lane, Ely CB7 4AB", "2 Mill Lane, Ely CB7 4AB", "5 Fen Road, March PE15 8AA")
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

policies = st.builds(
    dict,
    threshold=st.integers(min_value=2, max_value=5),
    window_days=st.integers(min_value=1, max_value=6),
    channels=st.sampled_from(["999,101", "999", "101"]),
)
# (dwelling, hours after the previous call, channel): gaps of whole hours, so a call can
# fall exactly one window (24 h × days) after another, the inclusive edge.
streams = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=len(ADDRESSES) - 1),
        st.integers(min_value=0, max_value=60),
        st.sampled_from(["999", "101"]),
    ),
    min_size=1,
    max_size=14,
)


def timed(stream):
    at, calls = START, []
    for dwelling, gap, channel in stream:
        at += timedelta(hours=gap)
        calls.append((dwelling, at, channel))
    return calls


def reference(calls, policy):
    """Brute force: (the trigger time per dwelling, the calls that complete a window). A
    counted call completes one when the counted calls of its dwelling from one window
    before it to it, itself included, reach the threshold; the first opens the referral."""
    window = timedelta(days=policy["window_days"])
    counted = set(policy["channels"].split(","))
    triggers, due = {}, []
    for i, (dwelling, at, channel) in enumerate(calls):
        earlier = [
            c
            for c in calls[: i + 1]
            if c[0] == dwelling and c[2] in counted and c[1] >= at - window
        ]
        completes = channel in counted and len(earlier) >= policy["threshold"]
        due.append(completes)
        if completes:
            triggers.setdefault(ADDRESSES[dwelling], at)
    return triggers, due


def keyed(triggers):
    return {dwelling_key(address): at for address, at in triggers.items()}


def referrals_by_dwelling():
    return {r.dwelling.key: r.triggered_at for r in Referral.objects.select_related("dwelling")}


def clean():
    Referral.objects.all().delete()
    Decision.objects.all().delete()
    Call.objects.all().delete()
    Dwelling.objects.all().delete()


def flagged(call) -> bool:
    return "FLAG-FARMINGTON" in call.suggestion["flags"]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(policy=policies, stream=streams)
def test_intake_import_and_detection_open_the_referrals_a_brute_force_reference_opens(
    tmp_path, policy, stream
):
    calls = timed(stream)
    farmington.policy_set(**policy, note="property test")
    expected, due = reference(calls, policy)
    expected = keyed(expected)

    # Live intake, one call after another.
    clean()
    taken = [
        take_call(address=ADDRESSES[d], received_at=at, channel=channel) for d, at, channel in calls
    ]
    assert referrals_by_dwelling() == expected
    assert [flagged(call) for call in taken] == due
    assert all(r.policy.threshold == policy["threshold"] for r in Referral.objects.all())

    # The historical import (its own counts, then detection over the full history).
    clean()
    path = tmp_path / "calls.csv"
    lines = ["received_at,channel,address,concern_type,caller_type"]
    lines += [
        f'{at.isoformat()},{channel},"{ADDRESSES[d]}",welfare_check,public'
        for d, at, channel in calls
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_calls(path, log=lambda message: None)
    assert report.imported == len(calls)
    assert referrals_by_dwelling() == expected
    imported = Call.objects.order_by("received_at", "id")
    assert [flagged(call) for call in imported] == due

    # The nightly detection over calls stored without their referrals.
    Referral.objects.all().delete()
    farmington.detect_repeat_callers(full_history=True)
    assert referrals_by_dwelling() == expected
    clean()


def test_publishing_a_policy_changes_the_live_count_and_the_flag(login, handler):
    from django.urls import reverse

    from tests.triage.test_intake_screen import _form

    home = ADDRESSES[0]
    now = datetime.now(UTC)
    for days in (20, 10):
        take_call(address=home, received_at=now - timedelta(days=days))
    dwelling = Dwelling.objects.get()
    client = login(handler)

    def panel() -> str:
        return client.get(reverse("triage:dwelling-panel"), {"address": home}).content.decode()

    def suggestion() -> str:
        return client.post(reverse("triage:call-suggest"), _form(address=home)).content.decode()

    assert farmington.calls_in_window(dwelling.pk) == 2  # 3 calls in 30 days
    assert "in the last 30 days" in panel() and 'id="repeat-banner"' in panel()
    assert "Repeat caller" in suggestion()

    farmington.policy_set(threshold=3, window_days=14)
    assert farmington.calls_in_window(dwelling.pk) == 1
    text = panel()
    assert "in the last 14 days" in text and 'id="repeat-banner"' not in text
    assert "Repeat caller" not in suggestion()
    assert not flagged(take_call(address=home))
    assert not Referral.objects.exists()

    farmington.policy_set(threshold=4, window_days=28, note="capacity review")
    assert farmington.calls_in_window(dwelling.pk) == 3
    assert "4 calls in 28 days" in panel()
    response = client.post(
        "/api/calls/",
        {"channel": "999", "address": home, "facts": _facts_for_api()},
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 201
    assert "FLAG-FARMINGTON" in body["suggestion"]["flags"]
    assert body["dwelling"]["calls_in_window"] == body["dwelling"]["calls_30d"] == 4
    assert body["dwelling"]["window_days"] == 28
    referral = Referral.objects.get()
    assert body["dwelling"]["open_referral"]["id"] == referral.pk
    assert referral.referral_reason == "4 calls in 28 days"
    assert referral.policy.version == farmington.policy_current().version


def _facts_for_api() -> dict:
    from tests.factories import facts

    data = facts()
    data.pop("repeat_calls_30d")
    return data
