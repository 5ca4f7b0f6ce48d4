"""The aggregates kept at intake and decision equal a rebuild from calls."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from dashboards.models import DailyCallStat, DwellingDailyStat, HandlerDailyStat, HourlyCallStat
from dashboards.services import stats_rebuild
from tests.dashboards.helpers import ADVICE, MEDICAL, RISK, call, decide, utc
from tests.factories import UserFactory
from triage.models import Call

pytestmark = pytest.mark.django_db

MODELS = (DailyCallStat, HourlyCallStat, HandlerDailyStat, DwellingDailyStat)


def snapshot():
    """Every non-zero aggregate row, by table (zero rows are left behind by moves)."""
    return {
        model.__name__: sorted(model.objects.exclude(calls=0).values_list(*model.KEY, "calls"))
        for model in MODELS
    }


def _busy_fortnight():
    h1, h2 = UserFactory(), UserFactory()
    start = utc(2026, 3, 26, 21)  # across the spring clock change
    calls = []
    for i in range(40):
        facts = (ADVICE, MEDICAL, RISK)[i % 3]
        calls.append(
            call(
                start + timedelta(hours=7 * i + 0.5),
                channel="999" if i % 4 else "101",
                handler=(h1, h2, None)[i % 3],
                address=f"{i % 7} Repeat Road, Ely CB7 3AA",  # some dwellings call again
                **facts,
            )
        )
    for i, c in enumerate(calls):
        if i % 5 == 0:
            continue  # undecided
        if i % 4 == 0:
            decide(c, h1, attend=not c.suggested_police_attend)
        else:
            decide(c, h2)
        if i % 6 == 0:  # a re-assessment: changes the outcome, sometimes a downgrade
            decide(
                c,
                h1,
                attend=False,
                agency="SOCIAL_CARE",
                grade=4,
                at=c.received_at + timedelta(hours=1),
            )
    return calls


def test_upkeep_on_intake_and_decision_equals_a_full_rebuild():
    _busy_fortnight()
    kept = snapshot()
    assert sum(n for *_, n in kept["DailyCallStat"]) == 40
    assert sum(n for *_, repeat, n in kept["DwellingDailyStat"] if repeat) > 0

    stats_rebuild()

    assert snapshot() == kept


def test_a_rebuild_counts_calls_loaded_without_the_service():
    template = call(utc(2026, 4, 1, 12), **RISK)
    DailyCallStat.objects.all().delete()
    Call.objects.bulk_create(
        [
            Call(
                channel="101",
                received_at=utc(2026, 4, 2, 12) + timedelta(minutes=i),
                address="bulk",
                facts=template.facts,
                concern_type=template.concern_type,
                rule_id=template.rule_id,
                suggested_agency=template.suggested_agency,
                suggested_police_attend=template.suggested_police_attend,
                suggestion=template.suggestion,
                final_agency="NHS_111",
                final_police_attend=False,
                overridden=True,
            )
            for i in range(3)
        ]
    )
    assert DailyCallStat.objects.count() == 0

    stats_rebuild()

    rows = {r.day: r for r in DailyCallStat.objects.all()}
    assert rows[date(2026, 4, 1)].calls == 1
    bulk = rows[date(2026, 4, 2)]
    assert (bulk.calls, bulk.decided, bulk.final_police_attend, bulk.overridden) == (
        3,
        True,
        False,
        True,
    )
    assert bulk.downgraded is False  # no decision rows: nothing says it was downgraded


def test_the_command_rebuilds_only_the_days_asked_for():
    call(utc(2026, 4, 1, 12))
    call(utc(2026, 4, 2, 12))
    DailyCallStat.objects.update(calls=99)

    call_command(
        "rebuild_dashboard_stats", "--from", "2026-04-02", "--to", "2026-04-02", verbosity=0
    )

    assert dict(DailyCallStat.objects.values_list("day", "calls")) == {
        date(2026, 4, 1): 99,
        date(2026, 4, 2): 1,
    }


def test_the_command_reports_what_it_rebuilt(capsys):
    call(utc(2026, 4, 1, 12))
    call_command("rebuild_dashboard_stats")
    out = capsys.readouterr().out
    assert "Dashboard aggregates rebuilt for first day to last day" in out
    assert "1 daily rows" in out


def test_the_command_refuses_a_backwards_range():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("rebuild_dashboard_stats", "--from", "2026-04-02", "--to", "2026-04-01")


def test_a_failed_intake_leaves_no_count_behind():
    """The upkeep runs in the intake transaction: a rolled-back call is not counted."""
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        call(utc(2026, 4, 1, 12))
        raise RuntimeError
    assert DailyCallStat.objects.count() == 0
    assert HourlyCallStat.objects.count() == 0


def test_the_rebuild_fills_the_repeat_share_cache_up_to_the_last_completed_week():
    from django.utils import timezone

    from dashboards.models import RepeatDayStat
    from dashboards.services import monday

    first = timezone.localdate() - timedelta(days=20)
    call(utc(first.year, first.month, first.day, 12))
    stats_rebuild()

    days = sorted(RepeatDayStat.objects.values_list("day", flat=True))
    assert days[0] == first
    assert days[-1] == monday(timezone.localdate()) - timedelta(days=1)
    assert len(days) == (days[-1] - first).days + 1
