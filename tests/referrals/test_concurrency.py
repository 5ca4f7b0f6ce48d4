"""Referral writes under concurrency, against the real PostgreSQL."""

import threading
import time

import pytest
from django.db import connections, transaction

from core.errors import DomainError
from referrals import services
from referrals.models import Referral
from tests.factories import UserFactory
from tests.referrals.factories import DwellingFactory, ReferralFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(n, work):
    """Run ``work(i)`` in n threads started together; returns (results, unexpected errors)."""
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait(timeout=30)
            results.append(work(i))
        except DomainError as exc:
            results.append(exc)
        except Exception as exc:  # noqa: BLE001 - anything else is a bug
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_concurrent_manual_referrals_of_one_dwelling_open_exactly_one():
    dwelling = DwellingFactory()
    user = UserFactory(role="triage_staff")
    results, errors = _race(
        8,
        lambda i: services.referral_create_manual(
            user=user, dwelling=dwelling, referred_by=f"PC {i}", referral_reason="Concern."
        ),
    )
    assert errors == []
    assert Referral.objects.filter(dwelling=dwelling).count() == 1
    assert sum(isinstance(r, DomainError) for r in results) == 7


def test_an_action_waits_for_a_closure_in_progress_and_is_then_refused():
    referral = ReferralFactory(status="monitoring")
    user = UserFactory(role="triage_staff")
    closed = threading.Event()

    def close():
        try:
            with transaction.atomic():
                services.referral_transition(
                    referral=referral, user=user, status="closed", outcome="demand_reduced"
                )
                closed.set()
                time.sleep(0.5)  # hold the row lock while the action is attempted
        finally:
            connections.close_all()

    closer = threading.Thread(target=close)
    closer.start()
    assert closed.wait(timeout=30)
    with pytest.raises(DomainError, match="closed"):
        services.referral_action_record(referral=referral, user=user, kind="signposting")
    closer.join(timeout=30)
    assert not referral.actions.exists()


def test_concurrent_plan_publications_get_consecutive_versions():
    from datetime import timedelta

    from django.utils import timezone

    dwelling = DwellingFactory()
    user = UserFactory(role="triage_staff")
    review_by = timezone.localdate() + timedelta(days=30)
    _, errors = _race(
        6,
        lambda i: services.plan_publish(
            dwelling=dwelling, author=user, what_to_do=f"Plan {i}", review_by=review_by
        ),
    )
    assert errors == []
    assert sorted(dwelling.plans.values_list("version", flat=True)) == [1, 2, 3, 4, 5, 6]


def test_drafts_of_the_repeat_policy_written_at_once_get_their_own_versions():
    from referrals import farmington
    from referrals.models import RepeatPolicy

    farmington.policy_current()  # the first version
    results, errors = _race(
        4, lambda i: farmington.policy_draft_create(threshold=3 + i, window_days=30).version
    )
    assert errors == []
    assert sorted(results) == [2, 3, 4, 5]
    assert RepeatPolicy.objects.count() == 5


def test_drafts_published_at_once_leave_exactly_one_live_policy():
    from referrals import farmington
    from referrals.models import RepeatPolicy

    farmington.policy_current()
    drafts = [farmington.policy_draft_create(threshold=3 + i, window_days=30) for i in range(3)]
    results, errors = _race(3, lambda i: farmington.policy_publish(policy=drafts[i]).version)
    assert errors == []
    assert len(results) == 3
    assert RepeatPolicy.objects.filter(status=RepeatPolicy.Status.PUBLISHED).count() == 1
