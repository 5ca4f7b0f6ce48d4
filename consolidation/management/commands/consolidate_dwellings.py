"""python manage.py consolidate_dwellings [--dry-run]"""

from django.core.management.base import BaseCommand, CommandError

from consolidation.consolidate import consolidate
from consolidation.services import score_text


class Command(BaseCommand):
    help = (
        "Match the dwellings created since the last run against every known dwelling "
        "(uk-address-matcher), and against the gazetteer where one is loaded; merge the "
        "newer into the older above the merge threshold, queue possible pairs for triage "
        "staff below it, never where the addresses cannot be one household; give a "
        "dwelling the gazetteer UPRN it matches above the merge threshold. --dry-run "
        "prints what it would do and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would be merged and queued."
        )

    def handle(self, *args, dry_run, **options):
        try:
            outcome = consolidate(dry_run=dry_run, trigger="command")
        except Exception as exc:  # noqa: BLE001 - one line for the operator, not a traceback
            raise CommandError(f"Consolidation failed: {type(exc).__name__}: {exc}") from None
        if outcome.skipped:
            raise CommandError("Another consolidation run is in progress: nothing done.")
        if dry_run:
            for d in outcome.decisions:
                verb = "Would merge" if d.action == "merge" else "Would queue"
                self.stdout.write(
                    f"{verb}: {d.newer.address} (dwelling {d.newer.pk}) into "
                    f"{d.older.address} (dwelling {d.older.pk}), {score_text(d.score)}"
                    if d.action == "merge"
                    else f"{verb}: {d.older.address} (dwelling {d.older.pk}) and "
                    f"{d.newer.address} (dwelling {d.newer.pk}), {score_text(d.score)}"
                )
            for u in outcome.uprns:
                self.stdout.write(
                    f"Would give {u.dwelling.address} (dwelling {u.dwelling.pk}) the UPRN "
                    f"{u.row.uprn} ({u.row.address}), {score_text(u.score)}"
                )
        merged = sum(d.action == "merge" for d in outcome.decisions) if dry_run else outcome.merged
        queued = sum(d.action == "queue" for d in outcome.decisions) if dry_run else outcome.queued
        given = len(outcome.uprns) if dry_run else outcome.given
        prefix = "Dry run, nothing changed" if dry_run else f"Consolidation run {outcome.run.pk}"
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}: {outcome.considered:,} dwellings considered, {merged:,} merged, "
                f"{queued:,} queued for triage staff, {given:,} given a UPRN from the "
                f"gazetteer, {outcome.vetoed:,} pairs vetoed."
            )
        )
