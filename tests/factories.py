import factory
from django.contrib.auth.models import Group, User

from triage.engine import neutral_facts


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])
        self.save()


def facts(**changes) -> dict:
    """A complete, valid RCRP facts object (a neutral welfare check) with changes applied."""
    base = neutral_facts()
    base.update(changes)
    return base


THRIVE = {
    "threat": "None to others.",
    "harm": "Possible harm to self.",
    "risk": "Medium.",
    "investigation": "No offence.",
    "vulnerability": "Lives alone.",
    "engagement": "Engaged.",
}

# An override to police, less its note.
POLICE_OVERRIDE = {
    "accept": False,
    "final_agency": "POLICE",
    "final_police_attend": True,
    "override_reason": "risk_higher",
    "grade": 1,
    "thrive": THRIVE,
}


def take_call(
    *,
    address="Flat 2, 10 High St, Ely CB7 4AA",
    handler=None,
    received_at=None,
    channel="999",
    **fact_changes,
):
    """Take a call through the intake service, as the handler's screen and API do."""
    from triage.services import call_create

    call, _ = call_create(
        channel=channel,
        address=address,
        facts=facts(**fact_changes),
        received_at=received_at,
        handler=handler,
    )
    return call
