from django.conf import settings
from django.core.exceptions import ValidationError

# Lower-case words a password must not be built on; forces add their own (PASSWORD_CONTEXT_WORDS).
CONTEXT_WORDS = (
    "triage",
    "triagedesk",
    "police",
    "control",
    "farmington",
    "rcrp",
    "999",
    "101",
    "password",
)


class ContextWordsValidator:
    """Refuse passwords made of a context word plus a few characters ("Police2026!")."""

    def __init__(self, min_other_characters=6):
        self.min_other = min_other_characters

    def words(self):
        return [
            *CONTEXT_WORDS,
            *(w.lower() for w in getattr(settings, "PASSWORD_CONTEXT_WORDS", ())),
        ]

    def validate(self, password, user=None):
        lowered = password.lower()
        for word in self.words():
            if word and word in lowered and len(lowered) - len(word) < self.min_other:
                raise ValidationError(
                    "This password is too close to a word everyone here would guess.",
                    code="password_context_word",
                )

    def get_help_text(self):
        return "Your password cannot be built on words like the force or system name."
