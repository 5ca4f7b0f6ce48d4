"""Consolidation under concurrency, against the real PostgreSQL."""

import threading
import time

import pytest
from django.db import connections

from callers.models import Dwelling
from consolidation.consolidate import consolidate
from consolidation.models import ConsolidationRun, DwellingMerge
from consolidation.services import dwelling_merge
from core.errors import DomainError

from .helpers import dwelling, stub_matcher

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

A = "Hill Farm, Field Lane, Southfield, Exampletown EX1 2AB"
B = "Hill Farm, Southfield, Exampletown EX1 2AB"


def _race(works):
    """Run each of ``works`` in its own thread, started together: (results, errors)."""
    barrier = threading.Barrier(len(works))
    results, errors = [], []

    def run(work):
        try:
            barrier.wait(timeout=30)
            results.append(work())
        except DomainError as exc:
            results.append(exc)
        except Exception as exc:  # noqa: BLE001 - anything else is a bug
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(w,)) for w in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_two_passes_at_once_one_runs_and_the_other_records_itself_skipped(settings):
    settings.CONSOLIDATION_MERGE_WEIGHT = 20.0
    old, new = dwelling(A), dwelling(B)
    scored = stub_matcher({(old.address, new.address): 25.0})

    def slow(new_addresses, known, **kwargs):
        time.sleep(1.5)
        return scored(new_addresses, known, **kwargs)

    results, errors = _race([lambda: consolidate(matcher=slow)] * 2)
    assert errors == []
    assert sorted(r.skipped for r in results) == [False, True]
    assert DwellingMerge.objects.count() == 1
    statuses = sorted(ConsolidationRun.objects.values_list("status", flat=True))
    assert statuses == ["finished", "skipped"]


def test_concurrent_merges_of_one_pair_either_way_round_merge_it_once():
    old, new = dwelling(A), dwelling(B)
    works = [
        (lambda: dwelling_merge(survivor=old, merged=new, score=25.0, by=None))
        if i % 2
        else (lambda: dwelling_merge(survivor=new, merged=old, score=25.0, by=None))
        for i in range(6)
    ]
    results, errors = _race(works)
    assert errors == []
    assert DwellingMerge.objects.count() == 1
    assert sum(isinstance(r, DomainError) for r in results) == 5
    assert Dwelling.objects.get(pk=new.pk).merged_into_id == old.pk
