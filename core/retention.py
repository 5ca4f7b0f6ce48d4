"""Retention: erase or anonymise what is past its retention period.

Policy (configured in settings, reviewed by the force's information governance):
- a call older than RETENTION_DAYS_CALLS is anonymised: its address, narrative, facts and
  the free text of its decisions are blanked and it is detached from its dwelling; what
  is left (time, channel, strand, suggestion, decision) feeds statistics only;
- a referral closed more than RETENTION_DAYS_CLOSED_REFERRALS ago is deleted with
  everything that hangs off it (notes, actions, reviews, events...: whatever cascades);
- a dwelling left with no calls and no referrals, first seen before the calls' cut-off,
  is deleted with its response plans.

Each erased or anonymised row is logged as an "erasure" in the processing log with its type
and id only, never its content (DPA 2018 s62). Deletion follows the models' own cascades,
so related rows added later are erased (and logged) without changes here.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import router, transaction
from django.db.models import Exists, OuterRef, ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.utils import timezone

from .services import log_erasures

BATCH = 500


@dataclass
class RetentionResult:
    dry_run: bool
    calls_anonymised: int = 0
    referrals_deleted: int = 0
    dwellings_deleted: int = 0
    skipped: int = 0
    # object type -> rows erased (deleted or anonymised), including cascaded rows
    erased: dict[str, int] = field(default_factory=dict)

    def count(self, object_type: str, n: int = 1):
        self.erased[object_type] = self.erased.get(object_type, 0) + n

    def lines(self) -> list[str]:
        verb = "would" if self.dry_run else "did"
        out = [
            f"calls anonymised ({verb}): {self.calls_anonymised}",
            f"closed referrals deleted ({verb}): {self.referrals_deleted}",
            f"orphan dwellings deleted ({verb}): {self.dwellings_deleted}",
        ]
        if self.skipped:
            out.append(f"skipped (protected by another record): {self.skipped}")
        out += [f"  {name}: {n}" for name, n in sorted(self.erased.items())]
        return out


def _cutoffs(now: datetime) -> tuple[datetime, datetime]:
    return (
        now - timedelta(days=settings.RETENTION_DAYS_CALLS),
        now - timedelta(days=settings.RETENTION_DAYS_CLOSED_REFERRALS),
    )


def calls_past_retention(now: datetime):
    from triage.models import Call

    calls_cutoff, _ = _cutoffs(now)
    # An anonymised call has no address (intake requires one), so it is not picked twice.
    return Call.objects.filter(received_at__lt=calls_cutoff).exclude(address="")


def referrals_past_retention(now: datetime):
    from referrals.models import Referral

    _, referrals_cutoff = _cutoffs(now)
    return Referral.objects.filter(
        status=Referral.Status.CLOSED, closed_at__isnull=False, closed_at__lt=referrals_cutoff
    )


# A dwelling younger than this is never deleted as an orphan: its first call may be in
# the transaction that created it.
ORPHAN_GRACE = timedelta(days=1)


def dwellings_orphaned(now: datetime):
    """Dwellings that will hold no call and no referral once the calls are anonymised and
    the referrals deleted (so a dry run counts them too). When a dwelling was created does
    not matter: an import or a back-dated call creates it today for calls years old. Only
    one created in the last day is left, for the intake that may be creating it now."""
    from callers.models import Dwelling
    from referrals.models import Referral
    from triage.models import Call

    calls_cutoff, _ = _cutoffs(now)
    kept_calls = Call.objects.filter(dwelling=OuterRef("pk"), received_at__gte=calls_cutoff)
    kept_referrals = Referral.objects.filter(dwelling=OuterRef("pk")).exclude(
        pk__in=referrals_past_retention(now).values("pk")
    )
    return Dwelling.objects.filter(created_at__lt=now - ORPHAN_GRACE).exclude(
        Exists(kept_calls) | Exists(kept_referrals)
    )


def _each(queryset):
    """Rows of ``queryset`` in pk order, a batch at a time, safe to delete while iterating."""
    last = None
    while True:
        batch = queryset.order_by("pk")
        if last is not None:
            batch = batch.filter(pk__gt=last)
        rows = list(batch[:BATCH])
        if not rows:
            return
        yield from rows
        last = rows[-1].pk


def _anonymise_calls(pks: list[int], *, justification: str) -> int:
    from consults.models import Consult
    from triage.models import Call, Decision

    with transaction.atomic():
        n = Call.objects.filter(pk__in=pks).update(
            address="", narrative="", facts={}, dwelling=None, client_token=None
        )
        Decision.objects.filter(call_id__in=pks).update(
            override_note="", thrive={}, caller_told_text="", check_confirmations={}
        )
        # The mental-health team's consults are health data: they go with the call's text.
        Consult.objects.filter(call_id__in=pks).update(
            question="", service="", advice="", risk_notes=""
        )
        log_erasures(user=None, rows=[("call", pk) for pk in pks], justification=justification)
        _refresh_dashboard_days(pks)
    return n


def _refresh_dashboard_days(pks: list[int]) -> None:
    """Anonymised calls leave their dwelling: recount the dashboard days they fall on."""
    from django.db.models import Max, Min
    from django.utils import timezone

    from dashboards.services import stats_rebuild
    from triage.models import Call

    span = Call.objects.filter(pk__in=pks).aggregate(
        first=Min("received_at"), last=Max("received_at")
    )
    if span["first"] is not None:
        stats_rebuild(start=timezone.localdate(span["first"]), end=timezone.localdate(span["last"]))


def _delete_with_cascade(obj, *, justification: str, result: RetentionResult) -> bool:
    """Delete ``obj`` and what cascades from it, logging every row. False if protected."""
    using = router.db_for_write(type(obj))
    with transaction.atomic(using=using):
        # Locked, then checked: an intake locks its dwelling before it adds a call, so no
        # call can come to point at it between the check and the delete. Checked first and
        # locked only by the delete, such a call made the delete, and the whole run, fail.
        locked = type(obj)._base_manager.using(using).select_for_update().filter(pk=obj.pk)
        if not list(locked.values_list("pk", flat=True)):
            return False  # gone already
        collector = Collector(using=using)
        try:
            collector.collect([obj])
        except (ProtectedError, RestrictedError):
            return False
        rows: list[tuple[str, object]] = []
        for model, instances in collector.data.items():
            if model._meta.auto_created:
                continue  # many-to-many link rows hold no data of their own
            rows += [(model._meta.model_name, instance.pk) for instance in instances]
        for qs in collector.fast_deletes:
            if qs.model._meta.auto_created:
                continue
            rows += [(qs.model._meta.model_name, pk) for pk in qs.values_list("pk", flat=True)]
        collector.delete()
        log_erasures(user=None, rows=rows, justification=justification)
    for object_type, _ in rows:
        result.count(object_type)
    return True


def apply_retention(*, dry_run: bool = False, now: datetime | None = None) -> RetentionResult:
    """Apply the retention periods (see the module docstring). Idempotent: a second run
    the same day finds nothing. ``dry_run`` counts without changing or logging anything."""
    now = now or timezone.now()
    result = RetentionResult(dry_run=dry_run)
    call_reason = f"retention: call older than {settings.RETENTION_DAYS_CALLS} days"
    referral_reason = (
        f"retention: referral closed over {settings.RETENTION_DAYS_CLOSED_REFERRALS} days ago"
    )
    dwelling_reason = "retention: dwelling with no remaining calls or referrals"

    calls = calls_past_retention(now)
    if dry_run:
        result.calls_anonymised = calls.count()
        result.count("call", result.calls_anonymised)
    else:
        while pks := list(calls.order_by("pk").values_list("pk", flat=True)[:BATCH]):
            n = _anonymise_calls(pks, justification=call_reason)
            result.calls_anonymised += n
            result.count("call", n)

    referrals = referrals_past_retention(now)
    if dry_run:
        result.referrals_deleted = referrals.count()
        result.count("referral", result.referrals_deleted)
    else:
        for referral in _each(referrals):
            if _delete_with_cascade(referral, justification=referral_reason, result=result):
                result.referrals_deleted += 1
            else:
                result.skipped += 1

    # After the calls are detached and the referrals gone, some dwellings hold nothing.
    dwellings = dwellings_orphaned(now)
    if dry_run:
        result.dwellings_deleted = dwellings.count()
        result.count("dwelling", result.dwellings_deleted)
    else:
        for dwelling in _each(dwellings):
            if _delete_with_cascade(dwelling, justification=dwelling_reason, result=result):
                result.dwellings_deleted += 1
            else:
                result.skipped += 1
    return result


def clear_expired_sessions() -> None:
    """Expired sessions still hold a user id: remove them (Django's clearsessions)."""
    from contextlib import suppress
    from importlib import import_module

    engine = import_module(settings.SESSION_ENGINE)
    with suppress(NotImplementedError):  # cookie-based sessions hold nothing server-side
        engine.SessionStore.clear_expired()
