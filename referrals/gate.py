"""The justification gate of the pages that show a record's full history: "why are you
opening this?" (DPA 2018 s62), asked once, remembered, and logged with each read."""

from django.shortcuts import redirect, render

from core.errors import DomainError

from .consultation import PARAM, consultation_log, justification_for
from .forms import JustificationForm


def justification_gate(
    request,
    *,
    object_type: str,
    object_id,
    subject: str,
    related=(),
    page: str | None = None,
    back: str | None = None,
):
    """Ask "why are you opening this?" before showing a record's full history.

    Returns None when the read may go ahead (it is then logged with the justification),
    or the response to send instead: the question (GET), the answer's errors (400), or a
    redirect back to the page once answered (POST/redirect/GET). A justification given as
    ``?justification=`` is accepted too. ``related`` records (the referral's dwelling, say)
    share the answer. ``page`` is where the record is shown (default: this URL).

    ``subject`` names the record on the question page, which anyone with the role can
    reach for any id before anything is logged: a number ("dwelling #12"), never an address
    or a name.
    """
    page = page or request.path
    source = request.POST if request.method == "POST" else request.GET
    given = source.get(PARAM)
    try:
        justification = justification_for(
            user=request.user,
            given=given,
            object_type=object_type,
            object_id=object_id,
            related=related,
        )
    except DomainError as exc:
        form = JustificationForm({"justification": given})
        if form.is_valid():  # the form's own checks passed; the service's did not
            form.add_error("justification", exc.errors["justification"])
        return render(
            request,
            "referrals/justify.html",
            {"form": form, "subject": subject, "back_url": back},
            status=400,
        )
    if request.method == "POST" and (given is not None or not justification):
        return redirect(page)  # answered (POST/redirect/GET), or a form posted unjustified
    if not justification:
        return render(
            request,
            "referrals/justify.html",
            {"form": JustificationForm(), "subject": subject, "back_url": back},
        )
    consultation_log(
        request=request, object_type=object_type, object_id=object_id, justification=justification
    )
    return None
