"""python manage.py import_calls FILE [--skip-invalid] [--rejects PATH] [--batch-size N]"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from triage.importing import ImportFileError, import_calls


class Command(BaseCommand):
    help = (
        "Import historical calls from CSV or JSON Lines (received_at, channel, address, "
        "optional narrative and RCRP fact fields). Every row is validated first; by default "
        "one bad row means nothing is imported. Then runs repeat-caller detection."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--format", choices=["csv", "jsonl"], help="Default: from the file's extension."
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the good rows and write the bad ones to the rejects file.",
        )
        parser.add_argument(
            "--rejects",
            type=Path,
            help="Where to write rejected rows (default with --skip-invalid: FILE.rejects.EXT).",
        )
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--progress-every", type=int, default=100_000, help="Report progress every N rows."
        )
        parser.add_argument(
            "--no-detect", action="store_true", help="Do not run detection after the import."
        )

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")

        def log(message):
            self.stderr.write(message)
            if hasattr(self.stderr, "flush"):
                self.stderr.flush()

        try:
            report = import_calls(
                options["file"],
                fmt=options["format"],
                skip_invalid=options["skip_invalid"],
                rejects_path=options["rejects"],
                batch_size=options["batch_size"],
                progress_every=options["progress_every"],
                detect=not options["no_detect"],
                log=log,
            )
        except ImportFileError as exc:
            raise CommandError(f"{options['file']}: {exc}") from None
        rejects = f" Rejected rows written to {report.rejects_path}." if report.rejects_path else ""
        if report.rejected and not options["skip_invalid"]:
            raise CommandError(
                f"{report.rejected:,} of {report.rows:,} rows are invalid; nothing was imported "
                f"(fix them, or pass --skip-invalid).{rejects}"
            )
        if not report.imported:
            raise CommandError(f"no valid rows in {report.rows:,}; nothing was imported.{rejects}")
        rate = report.imported / report.seconds if report.seconds else 0
        message = (
            f"Imported {report.imported:,} calls of {report.rows:,} rows "
            f"({report.rejected:,} rejected) in {report.seconds:.1f} s ({rate:,.0f} rows/s)."
        )
        run = report.detection_run
        if run is not None:
            message += (
                f" Detection: {run.dwellings_found:,} dwellings found, "
                f"{run.referrals_opened:,} referrals opened."
            )
        self.stdout.write(self.style.SUCCESS(message + rejects))
        sys.stdout.flush()
