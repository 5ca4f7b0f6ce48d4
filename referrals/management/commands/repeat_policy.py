"""python manage.py repeat_policy [--threshold N --window-days D [--channels 999,101] [--note TEXT]]"""

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from referrals import farmington


class Command(BaseCommand):
    help = (
        "Operation Farmington's repeat-caller policy. Without options, print the live policy. "
        "With --threshold and --window-days, publish a new version, in force at once for "
        "intake, imports and detection; referrals opened earlier stay as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument("--threshold", type=int, help="Calls that trigger a referral (2-20).")
        parser.add_argument(
            "--window-days", type=int, help="Days the calls must fall within (1-365)."
        )
        parser.add_argument(
            "--channels", default="999,101", help="Calls counted: 999, 101 or 999,101 (default)."
        )
        parser.add_argument("--note", default="", help="Why the policy changes.")

    def handle(self, *args, threshold, window_days, channels, note, **options):
        if threshold is None and window_days is None:
            if channels != "999,101" or note:
                raise CommandError(
                    "--channels and --note go with --threshold and --window-days; nothing changed."
                )
            self._print(farmington.policy_current(), "Live")
            return
        if threshold is None or window_days is None:
            raise CommandError("Give both --threshold and --window-days to publish a policy.")
        try:
            row = farmington.policy_set(
                threshold=threshold, window_days=window_days, channels=channels, note=note
            )
        except DomainError as exc:
            reasons = "; ".join(
                f"--{field.replace('_', '-')}: {' '.join(messages)}"
                for field, messages in exc.as_dict().items()
            )
            raise CommandError(f"Nothing changed. {reasons}") from None
        self._print(farmington.policy_of(row), "Published")

    def _print(self, policy, what):
        self.stdout.write(
            f"{what} repeat-caller policy: version {policy.version}: {policy.threshold} calls "
            f"in {policy.window_days} days ({policy.window_days * 24} hours, both ends "
            f"included), counting {policy.channels_text}."
        )
