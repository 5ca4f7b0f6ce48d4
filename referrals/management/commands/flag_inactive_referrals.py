from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from referrals.services import referrals_flag_inactive


class Command(BaseCommand):
    help = "Put open referrals with no activity for 90 days up for review (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="ISO-8601 date-time with a time zone (default now).")

    def handle(self, *args, as_of=None, **options):
        now = timezone.now()
        if as_of:
            now = parse_datetime(as_of)
            if now is None or timezone.is_naive(now):
                raise CommandError("--as-of must be an ISO-8601 date-time with a time zone.")
        flagged = referrals_flag_inactive(now)
        self.stdout.write(f"{flagged} referral(s) put up for review.")
