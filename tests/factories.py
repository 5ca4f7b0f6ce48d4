import factory
from django.contrib.auth.models import Group, User


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
    base = {
        "concern_type": "welfare_check",
        "caller_type": "public",
        "location_type": "home",
        "patient_status": "none",
        "crime": "none",
        "violence_or_weapon": False,
        "immediate_risk": "none",
        "child_at_risk": False,
        "medical_need": "none",
        "capacity": "unknown",
        "known_to_service": "none",
        "reasonable_steps_taken": None,
        "rave_risk": False,
        "entry_required": False,
        "hours_since_last_seen": None,
        "minutes_since_arrival": None,
        "handover_accepted": None,
        "vulnerability_flags": [],
        "repeat_calls_30d": 1,
    }
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
