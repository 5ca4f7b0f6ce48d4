"""python manage.py import_gazetteer FILE.csv [--skip-invalid]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from callers.gazetteer import GazetteerFileError, import_gazetteer


class Command(BaseCommand):
    help = (
        "Load a council gazetteer CSV (columns: uprn, sub_building, building_name, number, "
        "street, town, postcode). Upserts by UPRN; once loaded, addresses resolve to a UPRN "
        "first and fall back to the normalised key."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Load the good rows despite bad ones."
        )
        parser.add_argument("--progress-every", type=int, default=100_000)

    def handle(self, *args, file, skip_invalid, progress_every, **options):
        try:
            report = import_gazetteer(
                file,
                skip_invalid=skip_invalid,
                progress_every=progress_every,
                log=self.stderr.write,
            )
        except GazetteerFileError as exc:
            raise CommandError(f"{file}: {exc}") from None
        if report.rejected and not skip_invalid:
            raise CommandError(
                f"{report.rejected:,} of {report.rows:,} rows are invalid; nothing was loaded "
                "(fix them, or pass --skip-invalid)."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Gazetteer: {report.created:,} addresses added, {report.updated:,} updated, "
                f"{report.rejected:,} rejected, {report.dwellings_linked:,} known dwellings "
                f"linked to their UPRN, in {report.seconds:.1f} s."
            )
        )
