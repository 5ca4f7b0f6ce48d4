"""Recompute the processing log's hash chain and check it against the seals.

Exit 0 when intact; otherwise exit 1 with one line naming the first row that breaks it
(altered, inserted, deleted, or missing at the end against a seal). Read-only: an auditor
can run it as the app's database role.
"""

from django.core.management.base import BaseCommand, CommandError

from core import chain
from core.models import ProcessingLog, ProcessingLogSeal

BATCH = 5000


def _rows():
    """Every row in chain order (rows outside the chain last), a batch at a time."""
    fields = [*chain.FIELDS, "hash"]
    yield from (
        ProcessingLog.objects.filter(seq__isnull=False)
        .order_by("seq")
        .values(*fields)
        .iterator(chunk_size=BATCH)
    )
    yield from ProcessingLog.objects.filter(seq__isnull=True).order_by("id").values(*fields)


class Command(BaseCommand):
    help = "Check the processing log's hash chain and seals; exit 1 naming the first break."

    def handle(self, *args, **options):
        seals = ProcessingLogSeal.objects.order_by("sealed_at", "id").values(
            "sealed_at", "last_seq", "last_id", "last_hash", "count"
        )
        verdict = chain.verify_chain(_rows(), list(seals))
        if not verdict.ok:
            raise CommandError(f"Processing log NOT intact: {verdict.message}")
        self.stdout.write(
            f"Processing log intact: {verdict.rows} rows, last row id {verdict.last_id}, "
            f"head hash {verdict.last_hash}, {len(seals)} seal(s) matched."
        )
