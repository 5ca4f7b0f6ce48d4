"""Factories for dwellings and referrals (kept beside the referral tests)."""

import factory
from django.utils import timezone

from callers.models import Dwelling, ResponsePlan
from referrals.models import Referral, ReferralNote
from tests.factories import UserFactory


class DwellingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dwelling

    key = factory.Sequence(lambda n: f"{n + 1}|orchardway||ely")
    address = factory.Sequence(lambda n: f"{n + 1} Orchard Way, Ely CB7 4AB")
    postcode = "CB7 4AB"
    number = factory.Sequence(lambda n: str(n + 1))
    street = "orchard way"
    town = "ely"


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    dwelling = factory.SubFactory(DwellingFactory)
    source = Referral.Source.MANUAL
    referred_by = "PC 1234 Example, Ely station"
    referral_reason = "Frequent calls about feeling unsafe at night; may need support."
    review_due = factory.LazyFunction(timezone.localdate)


class ReferralNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralNote

    referral = factory.SubFactory(ReferralFactory)
    author = factory.SubFactory(UserFactory, role="triage_staff")
    text = "Spoke to the GP surgery; they will call the household."


class ResponsePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResponsePlan

    dwelling = factory.SubFactory(DwellingFactory)
    version = factory.Sequence(lambda n: n + 1)
    what_to_do = "Offer the mental-health crisis line first."
    what_not_to_do = "Do not send officers for welfare checks alone."
    whom_to_call = "Crisis team 0800 000 000"
    author = factory.SubFactory(UserFactory, role="triage_staff")
    review_by = factory.LazyFunction(lambda: timezone.localdate() + timezone.timedelta(days=90))


def justify(user, referral=None, dwelling=None, reason="Weekly review meeting", now=None):
    """Give the justification a reader would type, as the page or the API remembers it.
    Call it after logging the user in: an answer holds for one login."""
    from referrals.consultation import justification_remember

    objects = []
    if referral is not None:
        objects += [("referral", referral.pk), ("dwelling", referral.dwelling_id)]
    if dwelling is not None:
        objects.append(("dwelling", dwelling.pk))
    justification_remember(user=user, objects=objects, justification=reason, now=now)
