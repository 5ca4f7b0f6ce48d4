"""Writes for rule sets: drafts, publishing, and the shipped default on first start. The
views, the API, commands and ``triage.selectors.ruleset_current`` (first start) call these."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import DomainError

from . import engine
from .engine.diff import same_meaning
from .models import RuleSet


@transaction.atomic
def ruleset_create(*, document: dict, user=None, publish: bool = False) -> RuleSet:
    """Store a rule set version after the engine has validated it whole (never half-loaded).

    A version that means the same as the live one (its version string, layout and key
    order aside) is refused: it would only add a row for supervisors to tell apart."""
    try:
        parsed = engine.parse_ruleset(document)
    except engine.RuleSetError as exc:
        raise DomainError(str(exc), field="document") from None
    live = RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).only("version", "document")
    live = live.first()
    if live is not None and same_meaning(live.document, document):
        raise DomainError(
            f"No changes: this draft is the same as the live version {live.version}. "
            "Change a rule or what the caller is told, then save it.",
            field="document",
        )
    if RuleSet.objects.filter(version=parsed.version).exists():
        raise DomainError(f"Version {parsed.version} already exists.", field="version")
    ruleset = RuleSet.objects.create(
        version=parsed.version, name=parsed.name, document=document, created_by=user
    )
    if publish:
        return ruleset_publish(ruleset=ruleset, user=user)
    return ruleset


@transaction.atomic
def ruleset_publish(*, ruleset: RuleSet, user=None) -> RuleSet:
    """Make a version live; the previous live version is retired but kept.

    A retired version may be published again (a rollback); it is never edited.
    """
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if ruleset.status == RuleSet.Status.PUBLISHED:
        raise DomainError(f"Version {ruleset.version} is already live.", field="status")
    try:  # a version stored before a validation rule was added may no longer pass it
        engine.parse_ruleset(ruleset.document)
    except engine.RuleSetError as exc:
        raise DomainError(
            f"Version {ruleset.version} cannot be published: {exc}", field="document"
        ) from exc
    RuleSet.objects.select_for_update().filter(status=RuleSet.Status.PUBLISHED).exclude(
        pk=ruleset.pk
    ).update(status=RuleSet.Status.RETIRED)
    ruleset.status = RuleSet.Status.PUBLISHED
    ruleset.published_at = timezone.now()
    ruleset.save(update_fields=["status", "published_at"])
    return ruleset


def ruleset_ensure_default() -> RuleSet:
    """Publish the shipped default rule set if no version is live yet (first start).

    Two first requests on a new database may both get here: the one that loses (its insert
    refused, or the version already there or live when it looks) goes on with the live
    version the other made, instead of failing its call."""
    live = RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).first()
    if live is not None:
        return live
    document = engine.load_default_document()
    try:
        with transaction.atomic():  # a savepoint: the caller's intake goes on if it fails
            existing = RuleSet.objects.filter(version=str(document["version"])).first()
            if existing is not None:
                return ruleset_publish(ruleset=existing)
            return ruleset_create(document=document, publish=True)
    except (IntegrityError, DomainError):
        live = RuleSet.objects.filter(status=RuleSet.Status.PUBLISHED).first()
        if live is None:
            raise
        return live
