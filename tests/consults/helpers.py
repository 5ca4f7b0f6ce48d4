from consults.services import consult_ask
from tests.factories import UserFactory, take_call


def ask(*, call=None, question="Is this person known to the crisis team?", **kwargs):
    """A consult asked by the call's handler (a new call by a new handler by default)."""
    if call is None:
        call = take_call(handler=UserFactory(role="call_handler"), **kwargs)
    return consult_ask(call=call, user=call.handler, question=question)
