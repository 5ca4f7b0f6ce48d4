"""The impact report's figures, counted and totalled in SQL (issue 24), equal the same
figures worked out by hand in Python from the calls and referrals themselves, over random
cohorts: ties, even and odd medians, manual referrals, a dwelling referred twice,
incomplete referrals, several actions on one referral, every listing order."""

import random
import statistics
from datetime import UTC, date, datetime, timedelta

import pytest

from referrals import impact
from referrals.models import Referral, ReferralAction
from tests.factories import UserFactory, facts
from tests.referrals.factories import DwellingFactory, ReferralFactory
from triage.models import Call

pytestmark = pytest.mark.django_db

N = 30
START, END = date(2026, 1, 1), date(2026, 6, 30)
NOW = datetime(2026, 6, 1, tzinfo=UTC)  # referrals after 2 May are not yet complete
DAY = timedelta(days=1)


def _call(dwelling, at, rng) -> Call:
    police = rng.choice([None, True, False])
    return Call(
        channel=rng.choice(["999", "101"]),
        received_at=at,
        address=dwelling.address,
        dwelling=dwelling,
        facts=facts(),
        concern_type="welfare_check",
        rule_id="CFW-ADVICE",
        suggested_agency="ADVISE_CALLER",
        suggested_police_attend=False,
        suggestion={},
        final_police_attend=police,
        decided_at=None if police is None else at,
    )


def random_cohort(seed: int) -> None:
    """About 40 referrals, most with calls either side of the anchor (few calls, so many
    ties), some outside the period, some with actions."""
    rng = random.Random(seed)
    staff = UserFactory(role="triage_staff")
    calls = []
    for i in range(rng.randint(30, 45)):
        dwelling = DwellingFactory()
        anchor = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 200_000))
        closed = rng.random() < 0.5
        referral = ReferralFactory(
            dwelling=dwelling,
            source=rng.choice(Referral.Source.values),
            triggered_at=anchor if rng.random() < 0.8 else None,
            created_at=anchor,
            status=Referral.Status.CLOSED if closed else rng.choice(Referral.Status.values[:4]),
            outcome=rng.choice([*Referral.Outcome.values, ""]) if closed else "",
        )
        if i % 7 == 0 and closed:  # referred again: its calls are counted for both
            ReferralFactory(
                dwelling=dwelling,
                source=Referral.Source.AUTOMATIC,
                triggered_at=anchor + timedelta(days=rng.randint(1, 20)),
            )
        for kind in rng.sample(ReferralAction.Kind.values, rng.choice([0, 0, 1, 2])):
            for _ in range(rng.randint(1, 2)):  # the same kind twice counts once
                ReferralAction.objects.create(
                    referral=referral,
                    kind=kind,
                    taken_on=anchor.date(),
                    taken_by=staff,
                    care_plan="Joint plan." if kind == "multi_agency_meeting" else "",
                )
        for _ in range(rng.randint(0, 6)):
            at = anchor + timedelta(seconds=rng.randint(-40 * 86_400, 40 * 86_400))
            calls.append(_call(dwelling, rng.choice([at, anchor, anchor + N * DAY]), rng))
    Call.objects.bulk_create(calls)


def by_hand(*, source=""):
    """Every referral of the period with its counts, worked out in Python."""
    window = N * DAY
    start_at, end_at = impact.period_bounds(START, END)
    calls = list(
        Call.objects.values("dwelling_id", "received_at", "channel", "final_police_attend")
    )
    rows = []
    for r in Referral.objects.all():
        anchor = r.triggered_at or r.created_at
        if not start_at <= anchor < end_at or (source and r.source != source):
            continue
        mine = [c for c in calls if c["dwelling_id"] == r.dwelling_id]
        before = [c for c in mine if anchor - window < c["received_at"] <= anchor]
        after = [c for c in mine if anchor < c["received_at"] <= anchor + window]
        kinds = set(r.actions.values_list("kind", flat=True))
        rows.append(
            {
                "id": r.pk,
                "anchor": anchor,
                "complete": anchor + window <= NOW,
                "group": r.outcome if r.status == Referral.Status.CLOSED else "open",
                "kinds": kinds,
                "before": len(before),
                "after": len(after),
                "b999": sum(c["channel"] == "999" for c in before),
                "a999": sum(c["channel"] == "999" for c in after),
                "pb": sum(c["final_police_attend"] is True for c in before),
                "pa": sum(c["final_police_attend"] is True for c in after),
            }
        )
    return sorted(rows, key=lambda r: (r["anchor"], r["id"]))


def totals_by_hand(rows) -> dict:
    done = [r for r in rows if r["complete"]]

    def median(values):
        return float(statistics.median(values)) if values else None

    return {
        "referrals": len(done),
        "incomplete": len(rows) - len(done),
        "calls_before": sum(r["before"] for r in done),
        "calls_after": sum(r["after"] for r in done),
        "before_999": sum(r["b999"] for r in done),
        "after_999": sum(r["a999"] for r in done),
        "police_before": sum(r["pb"] for r in done),
        "police_after": sum(r["pa"] for r in done),
        "median_before": median([r["before"] for r in done]),
        "median_after": median([r["after"] for r in done]),
        "median_change": median([r["after"] - r["before"] for r in done]),
        "fell": sum(r["after"] < r["before"] for r in done),
    }


def totals(summary: impact.Summary) -> dict:
    return {name: getattr(summary, name) for name in totals_by_hand([])}


def report(**kwargs):
    return impact.impact_report(start=START, end=END, window_days=N, now=NOW, **kwargs)


SEEDS = [1, 2, 3, 4]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_totals_and_medians_equal_those_worked_out_by_hand(seed):
    random_cohort(seed)
    rows = by_hand()
    result = report()
    assert result.count == len(rows) > 0
    assert totals(result.totals) == totals_by_hand(rows)


@pytest.mark.parametrize("seed", SEEDS)
def test_each_referrals_counts_equal_those_worked_out_by_hand(seed):
    random_cohort(seed)
    counted = [
        (r.id, r.complete, r.calls_before, r.calls_after, r.before_999, r.after_999)
        + (r.police_before, r.police_after)
        for r in report().rows
    ]
    assert counted == [
        (r["id"], r["complete"], r["before"], r["after"], r["b999"], r["a999"], r["pb"], r["pa"])
        for r in by_hand()
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_groups_by_outcome_and_by_action_equal_those_worked_out_by_hand(seed):
    random_cohort(seed)
    rows = by_hand()
    result = report()
    outcomes = {}
    for r in rows:
        outcomes.setdefault(r["group"] or "closed", []).append(r)
    assert {g.key: totals(g.summary) for g in result.by_outcome} == {
        key: totals_by_hand(group) for key, group in outcomes.items()
    }
    actions = {}
    for r in rows:
        for kind in r["kinds"] or {impact.NO_ACTION}:
            actions.setdefault(kind, []).append(r)
    assert {g.key: totals(g.summary) for g in result.by_action} == {
        key: totals_by_hand(group) for key, group in actions.items()
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_the_top_callers_and_the_charts_pairs_equal_those_worked_out_by_hand(seed):
    random_cohort(seed)
    done = [r for r in by_hand() if r["complete"]]
    result = report(top=5)
    # Most calls before, then most police deployments before, then the oldest.
    expected = sorted(done, key=lambda r: (-r["before"], -r["pb"], r["anchor"], r["id"]))[:5]
    assert [r.id for r in result.top] == [r["id"] for r in expected]
    pairs = {}
    for r in done:
        pairs[r["before"], r["after"]] = pairs.get((r["before"], r["after"]), 0) + 1
    assert result.pairs == sorted(((b, a, k) for (b, a), k in pairs.items()), reverse=True)


ORDERS_BY_HAND = {
    "oldest": lambda r: (r["anchor"], r["id"]),
    "newest": lambda r: (-r["anchor"].timestamp(), -r["id"]),
    "before": lambda r: (-r["before"], -r["pb"], r["id"]),
    "fell": lambda r: (r["after"] - r["before"], -r["before"], r["id"]),
    "rose": lambda r: (r["before"] - r["after"], -r["before"], r["id"]),
}


@pytest.mark.parametrize("seed", SEEDS[:2])
@pytest.mark.parametrize("order", list(impact.ORDERS))
def test_each_listing_is_the_page_of_referrals_worked_out_by_hand(seed, order):
    random_cohort(seed)
    rows = by_hand()
    listings = [
        impact.Listing(complete=True, order=order, offset=2, limit=7),
        impact.Listing(complete=False, order=order, offset=0, limit=4),
        impact.Listing(complete=None, order=order, offset=5, limit=100),
    ]
    result = report(listings=listings)
    for listing, listed in zip(listings, result.listed, strict=True):
        chosen = [r for r in rows if listing.complete in (None, r["complete"])]
        expected = sorted(chosen, key=ORDERS_BY_HAND[order])
        page = expected[listing.offset : listing.offset + listing.limit]
        assert [r.id for r in listed] == [r["id"] for r in page], listing


@pytest.mark.parametrize("source", Referral.Source.values)
def test_the_source_filter_keeps_the_figures_equal_to_those_worked_out_by_hand(source):
    random_cohort(5)
    rows = by_hand(source=source)
    result = report(source=source)
    assert (result.count, totals(result.totals)) == (len(rows), totals_by_hand(rows))
