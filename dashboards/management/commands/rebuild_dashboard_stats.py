"""Recompute the dashboard aggregates from calls (after a bulk load or a restore)."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from dashboards.services import stats_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the dashboard's daily aggregates from calls, set-based, for London days "
        "FROM..TO inclusive (default: every day)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", type=date.fromisoformat, metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", type=date.fromisoformat, metavar="YYYY-MM-DD")

    def handle(self, *args, start=None, end=None, verbosity=1, **options):
        if start and end and start > end:
            raise CommandError("--from must not be after --to.")
        began = time.perf_counter()
        rows = stats_rebuild(start=start, end=end)
        took = time.perf_counter() - began
        if verbosity < 1:
            return
        span = f"{start or 'first day'} to {end or 'last day'}"
        self.stdout.write(
            f"Dashboard aggregates rebuilt for {span} in {took:.1f} s: "
            + ", ".join(f"{n} {name} rows" for name, n in rows.items())
        )
