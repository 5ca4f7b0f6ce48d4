"""The repeat-caller policy as versioned data: the command, the supervisor's pages, the
replay and publishing (referrals.farmington)."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.models import ProcessingLog
from referrals import farmington
from referrals.models import Referral, RepeatPolicy
from tests.factories import take_call

pytestmark = pytest.mark.django_db


def command(*args) -> str:
    out = StringIO()
    call_command("repeat_policy", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_live_policy():
    out = command()
    assert "3 calls in 30 days (720 hours, both ends included)" in out
    assert "999 and 101 calls" in out


def test_the_command_publishes_a_new_version_in_force_at_once():
    before = farmington.policy_current().version
    out = command("--threshold", "4", "--window-days", "28", "--channels", "999", "--note", "x")
    live = farmington.policy_current()
    assert (live.threshold, live.window_days, live.channels) == (4, 28, frozenset({"999"}))
    assert live.version == before + 1
    assert live.describe() == "4 calls in 28 days (999 calls only)"
    assert "Published" in out and "999 calls only" in out
    assert RepeatPolicy.objects.filter(status=RepeatPolicy.Status.PUBLISHED).count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--threshold", "1", "--window-days", "30"],
            "--threshold: Enter a number of calls from 2 to 20.",
        ),
        (["--threshold", "21", "--window-days", "30"], "from 2 to 20"),
        (
            ["--threshold", "3", "--window-days", "0"],
            "--window-days: Enter a number of days from 1 to 365.",
        ),
        (["--threshold", "3", "--window-days", "366"], "from 1 to 365"),
        (
            ["--threshold", "3", "--window-days", "30", "--channels", "112"],
            "--channels: Choose 999, 101 or both",
        ),
        (["--threshold", "3"], "Give both --threshold and --window-days"),
    ],
)
def test_bad_values_are_refused_with_a_reason_and_nothing_changes(args, message):
    versions = RepeatPolicy.objects.count()
    with pytest.raises(CommandError) as refused:
        command(*args)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert RepeatPolicy.objects.count() == versions
    assert farmington.policy_current().describe() == "3 calls in 30 days"


def test_channels_are_read_in_either_order():
    assert farmington.parse_channels("101, 999") == "999,101"
    assert farmington.parse_channels(["101"]) == "101"
    with pytest.raises(ValueError, match="Choose 999, 101 or both"):
        farmington.parse_channels("")


def test_a_policy_counting_999_only_ignores_101_calls(handler):
    farmington.policy_set(threshold=2, window_days=30, channels="999")
    home = "4 Mill Lane, Ely CB7 4AB"
    take_call(address=home, channel="101")
    second = take_call(address=home, channel="101")
    assert "FLAG-FARMINGTON" not in second.suggestion["flags"]
    take_call(address=home, channel="999")
    assert not Referral.objects.exists()
    fourth = take_call(address=home, channel="999")
    assert "FLAG-FARMINGTON" in fourth.suggestion["flags"]
    assert Referral.objects.get().referral_reason == "2 calls in 30 days (999 calls only)"


def test_referrals_opened_earlier_keep_their_policy(handler):
    home = "4 Mill Lane, Ely CB7 4AB"
    for _ in range(3):
        take_call(address=home)
    referral = Referral.objects.get()
    first = referral.policy
    farmington.policy_set(threshold=5, window_days=60)
    referral.refresh_from_db()
    assert referral.policy == first
    assert referral.referral_reason == "3 calls in 30 days"


# --- the supervisor's pages -------------------------------------------------------------


def test_only_supervisors_manage_the_policy(login, handler, triage_staff):
    for user in (handler, triage_staff):
        client = login(user)
        assert client.get("/referrals/policy/").status_code == 403
        assert client.post("/referrals/policy/", {"threshold": 4}).status_code == 403
    farmington.policy_current()  # the first version (a flush may have emptied the table)
    row = RepeatPolicy.objects.get()
    assert login(handler).post(f"/referrals/policy/{row.pk}/publish/").status_code == 403


def test_the_supervisor_sees_every_version_in_words(login, supervisor):
    farmington.policy_set(threshold=4, window_days=28, channels="999", note="capacity")
    page = login(supervisor).get("/referrals/policy/").content.decode()
    assert "Live now: <strong>4 calls in 28 days (999 calls only)</strong>" in page
    assert "Version 1" in page and "Version 2" in page
    assert "Retired" in page and "capacity" in page


def test_a_draft_is_saved_replayed_and_published(login, supervisor, handler):
    client = login(supervisor)
    now = datetime.now(UTC)
    # Two calls 10 days apart at one dwelling, three in a week at another.
    for days in (15, 5):
        take_call(address="1 Mill Lane, Ely CB7 4AB", received_at=now - timedelta(days=days))
    for days in (6, 4, 2):
        take_call(address="2 Mill Lane, Ely CB7 4AB", received_at=now - timedelta(days=days))

    response = client.post(
        "/referrals/policy/", {"threshold": 2, "window_days": 14, "channels": "999,101"}
    )
    draft = RepeatPolicy.objects.get(status=RepeatPolicy.Status.DRAFT)
    assert response.status_code == 302 and response.url == f"/referrals/policy/{draft.pk}/"
    assert farmington.policy_current().threshold == 3  # a draft is not in force

    today = now.date()
    page = client.get(
        f"/referrals/policy/{draft.pk}/",
        {"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()},
    )
    assert page.status_code == 200
    result = page.context["result"]
    assert (len(result.live_ids), len(result.draft_ids)) == (1, 2)
    assert len(result.new) == 1 and "1 Mill Lane" in result.new[0].address
    assert result.new_count == 1 and result.dropped_count == 0
    text = page.content.decode()
    assert "New: referred by the draft only" in text
    assert ProcessingLog.objects.filter(justification="repeat-caller policy replay").exists()

    response = client.post(f"/referrals/policy/{draft.pk}/publish/")
    assert response.status_code == 302
    assert farmington.policy_current().describe() == "2 calls in 14 days"
    again = client.post(f"/referrals/policy/{draft.pk}/publish/", follow=True)
    assert "is not a draft" in again.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"threshold": "1", "window_days": "30", "channels": "999,101"},
            "threshold",
            "Enter at least 2 calls.",
        ),
        (
            {"threshold": "x", "window_days": "30", "channels": "999,101"},
            "threshold",
            "as a whole number",
        ),
        (
            {"threshold": "3", "window_days": "400", "channels": "999,101"},
            "window_days",
            "Enter at most 365 days.",
        ),
        (
            {"threshold": "3", "window_days": "30", "channels": "112"},
            "channels",
            "Choose which calls count.",
        ),
    ],
)
def test_a_bad_draft_is_refused_in_words_and_not_saved(login, supervisor, data, field, message):
    response = login(supervisor).post("/referrals/policy/", data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert "There is a problem" in response.content.decode()
    assert not RepeatPolicy.objects.filter(status=RepeatPolicy.Status.DRAFT).exists()


def test_a_bad_replay_period_is_refused_in_words(login, supervisor):
    draft = farmington.policy_draft_create(threshold=4, window_days=30)
    response = login(supervisor).get(
        f"/referrals/policy/{draft.pk}/", {"start": "2026-05-01", "end": "2026-04-01"}
    )
    assert response.status_code == 400
    assert "Choose an end date on or after the start date." in response.content.decode()


def test_a_back_dated_call_completing_a_later_calls_window_opens_the_referral_there(handler):
    """Calls 40 and 20 days back, then one back-dated to 30 days back: the call 20 days
    back now completes 3 calls in 30 days, and the referral is triggered there, with the
    calls the nightly detection would give it."""
    now = datetime.now(UTC)
    home = "4 Mill Lane, Ely CB7 4AB"
    first = take_call(address=home, received_at=now - timedelta(days=40))
    third = take_call(address=home, received_at=now - timedelta(days=20))
    back_dated = take_call(address=home, received_at=now - timedelta(days=30))
    assert "FLAG-FARMINGTON" not in back_dated.suggestion["flags"]
    referral = Referral.objects.get()
    assert referral.triggered_at == third.received_at
    assert set(referral.trigger_calls.values_list("id", flat=True)) == {
        first.pk,
        back_dated.pk,
        third.pk,
    }
    live = {(referral.dwelling_id, referral.triggered_at)}
    Referral.objects.all().delete()
    farmington.detect_repeat_callers(full_history=True)
    assert {(r.dwelling_id, r.triggered_at) for r in Referral.objects.all()} == live


def test_a_call_the_policy_does_not_count_is_not_counted_in_the_summary(login, handler):
    farmington.policy_set(threshold=3, window_days=30, channels="999")
    home = "4 Mill Lane, Ely CB7 4AB"
    for _ in range(2):
        take_call(address=home, channel="999")
    from tests.factories import facts

    body = {"channel": "101", "address": home, "facts": {**facts(), "repeat_calls_30d": 1}}
    data = login(handler).post("/api/calls/", body, content_type="application/json").json()
    assert data["dwelling"]["calls_in_window"] == data["dwelling"]["calls_30d"] == 2
    assert "FLAG-FARMINGTON" not in data["suggestion"]["flags"]
    assert not Referral.objects.exists()


def test_a_calls_summary_keeps_the_window_it_was_counted_in(login, supervisor, handler):
    call = take_call(address="4 Mill Lane, Ely CB7 4AB")
    farmington.policy_set(threshold=3, window_days=7)
    data = login(supervisor).get(f"/api/calls/{call.pk}/").json()
    assert (data["dwelling"]["calls_in_window"], data["dwelling"]["window_days"]) == (1, 30)


def test_the_replay_reads_london_days_on_every_database(handler):
    """A window completed at 00:30 British Summer Time on 2 June is on 2 June."""
    from zoneinfo import ZoneInfo

    from core.days import local_midnight

    london = ZoneInfo("Europe/London")
    last = datetime(2026, 6, 2, 0, 30, tzinfo=london)
    for hours in (48, 24, 0):
        take_call(address="4 Mill Lane, Ely CB7 4AB", received_at=last - timedelta(hours=hours))
    day = last.date()
    windows = farmington.replay(
        farmington.policy_current(),
        farmington.policy_current(),
        start=local_midnight(day),
        end=local_midnight(day + timedelta(days=1)),
    )
    assert len(windows.draft_ids) == 1
    earlier = farmington.replay(
        farmington.policy_current(),
        farmington.policy_current(),
        start=local_midnight(day - timedelta(days=1)),
        end=local_midnight(day),
    )
    assert len(earlier.draft_ids) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--note", "why"], "--channels and --note go with --threshold and --window-days"),
        (["--channels", "999"], "--channels and --note go with"),
        (["--threshold", "3", "--window-days", "30", "--note", "a\x00b"], "Remove the NUL"),
    ],
)
def test_the_command_refuses_options_that_would_do_nothing_or_break(args, message):
    with pytest.raises(CommandError, match=message):
        command(*args)
    assert farmington.policy_current().version == 1
