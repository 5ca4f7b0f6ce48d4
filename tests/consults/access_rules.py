"""Access rules for live consults (merged by tests/core/test_access.py)."""

H, S, MHP = "call_handler", "supervisor", "mh_practitioner"


def _consult(user):
    from tests.consults.helpers import ask

    return {"pk": ask().pk}


def _own_call_with_consult(user):
    from tests.consults.helpers import ask
    from tests.factories import take_call

    return {"pk": ask(call=take_call(handler=user)).call_id}


ACCESS = {
    "consults:queue": {MHP},
    "consults:mine": {MHP},
    "consults:figures": {S},
    "consults:detail": {MHP},
    "consults:claim": {MHP},
    "consults:answer": {MHP},
    "consults:ask-new": {H},
    "consults:call-panel": {H, S},
    "consults:ask": {H},
    "consults:decide": {H},
    "call-consults": {H},
    "consult-list": {MHP, S},
    "consult-claim": {MHP},
    "consult-answer": {MHP},
}
SAMPLE_KWARGS = {
    "consults:detail": _consult,
    "consults:claim": _consult,
    "consults:answer": _consult,
    "consults:call-panel": _own_call_with_consult,
    "consults:ask": _own_call_with_consult,
    "consults:decide": _own_call_with_consult,
    "call-consults": _own_call_with_consult,
    "consult-claim": _consult,
    "consult-answer": _consult,
}
