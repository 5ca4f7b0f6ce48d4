"""python manage.py detect_repeat_callers [--as-of ISO-DATETIME] [--full-history]"""

from django.core.management.base import BaseCommand, CommandError

from referrals.farmington import detect_repeat_callers, parse_as_of
from referrals.models import DetectionRun


class Command(BaseCommand):
    help = (
        "Operation Farmington: open a referral for every dwelling whose calls complete the "
        "live repeat-caller policy's window and that has no open referral. Nightly scope "
        "(windows completed in one window up to --as-of) unless --full-history."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            default=None,
            help="Scan calls received up to this moment (ISO-8601; default now).",
        )
        parser.add_argument(
            "--full-history",
            action="store_true",
            help="Scan every call, not only the last two windows.",
        )

    def handle(self, *args, as_of, full_history, **options):
        if as_of is not None:
            try:
                as_of = parse_as_of(as_of, name="--as-of")
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        run = detect_repeat_callers(as_of=as_of, full_history=full_history, trigger="command")
        if run.status == DetectionRun.Status.SKIPPED:
            self.stdout.write(f"Another detection run is in progress: skipped (run {run.pk}).")
            return
        seconds = run.duration.total_seconds()
        self.stdout.write(
            self.style.SUCCESS(
                f"Detection run {run.pk} finished in {seconds:.2f} s: "
                f"{run.calls_scanned:,} calls scanned, {run.dwellings_found:,} dwellings found, "
                f"{run.referrals_opened:,} referrals opened."
            )
        )
