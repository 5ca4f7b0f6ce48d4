from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from core.services import api_token_create


class Command(BaseCommand):
    help = (
        "Create an API token for USERNAME and print it once (only its hash is kept). "
        "The token acts with that user's roles; revoke it from /account/ or the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--name", default="integration", help="What uses the token (shown in lists)."
        )

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        try:
            token, key = api_token_create(user=user, name=name)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(
            f"Token {token.prefix}… for {username} ({name}). Store it now: it is not shown again."
        )
        self.stdout.write(key)
