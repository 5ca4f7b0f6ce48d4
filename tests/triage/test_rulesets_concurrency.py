"""The first start on a new database, against the real PostgreSQL."""

import threading

import pytest
from django.db import connections

from triage import engine, services
from triage.models import RuleSet

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_first_requests_together_all_go_on_with_one_default_rule_set(monkeypatch):
    """Each finds no live version, then all create the default at once: one insert wins,
    the others wait for it, are refused, and use it (before, an IntegrityError)."""
    n = 4
    barrier = threading.Barrier(n)
    load = engine.load_default_document

    def together():
        document = load()
        barrier.wait(timeout=30)  # every request has found no live version
        return document

    monkeypatch.setattr(engine, "load_default_document", together)
    results, errors = [], []

    def run():
        try:
            results.append(services.ruleset_ensure_default().pk)
        except Exception as exc:  # noqa: BLE001 - any failure is the bug
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    live = RuleSet.objects.get(status=RuleSet.Status.PUBLISHED)
    assert results == [live.pk] * n and RuleSet.objects.count() == 1
