from django.core.management.base import BaseCommand

from core import retention


class Command(BaseCommand):
    help = (
        "Erase or anonymise calls and closed referrals past their retention period, "
        "logging each erasure. --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be erased; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        result = retention.apply_retention(dry_run=dry_run)
        if not dry_run:
            retention.clear_expired_sessions()
        for line in result.lines():
            self.stdout.write(line)
