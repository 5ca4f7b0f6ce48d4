"""Case content (a referral's reason and outcome note, its notes, its actions' notes and
care plans) is never sent without a justification that is logged, whatever the method.

The walk covers every operation of the API schema: one request per (path, method) without
a justification must not carry any of the content, and the guard test fails when the
schema gains an operation the walk does not know.
"""

import pytest
from drf_spectacular.generators import SchemaGenerator

from core.models import ProcessingLog
from referrals.models import ReferralAction
from tests.factories import UserFactory
from tests.referrals.factories import ReferralFactory, ReferralNoteFactory

pytestmark = pytest.mark.django_db

REASON = "MARKER-reason-why-referred"
OUTCOME_NOTE = "MARKER-outcome-note"
NOTE = "MARKER-note-text"
ACTION_NOTES = "MARKER-action-notes"
CARE_PLAN = "MARKER-care-plan"
MARKERS = (REASON, OUTCOME_NOTE, NOTE, ACTION_NOTES, CARE_PLAN)
WHY = {"HTTP_X_JUSTIFICATION": "Weekly review meeting"}


def _referral():
    referral = ReferralFactory(referral_reason=REASON, outcome_note=OUTCOME_NOTE)
    ReferralNoteFactory(referral=referral, text=NOTE)
    ReferralAction.objects.create(
        referral=referral,
        kind=ReferralAction.Kind.MULTI_AGENCY_MEETING,
        taken_on=referral.review_due,
        taken_by=UserFactory(role="triage_staff"),
        notes=ACTION_NOTES,
        care_plan=CARE_PLAN,
    )
    return referral


def _requests(referral):
    """(method, schema path, url, JSON body) for every operation under /api/ that can see
    a referral's history; bodies repeat the markers, so an echo would show."""
    base = f"/api/referrals/{referral.pk}/"
    return [
        ("get", "/api/referrals/", "/api/referrals/", None),
        (
            "post",
            "/api/referrals/",
            "/api/referrals/",
            {
                "address": "3 Fen Road, Ely CB7 4AA",
                "referred_by": "PC 1",
                "referral_reason": REASON,
            },
        ),
        ("get", "/api/referrals/{id}/", base, None),
        ("patch", "/api/referrals/{id}/", base, {"review_due": str(referral.review_due)}),
        ("get", "/api/referrals/{id}/notes/", base + "notes/", None),
        ("post", "/api/referrals/{id}/notes/", base + "notes/", {"text": NOTE}),
        ("get", "/api/referrals/{id}/actions/", base + "actions/", None),
        (
            "post",
            "/api/referrals/{id}/actions/",
            base + "actions/",
            {"kind": "multi_agency_meeting", "notes": ACTION_NOTES, "care_plan": CARE_PLAN},
        ),
        ("get", "/api/referrals/{id}/plans/", base + "plans/", None),
        (
            "post",
            "/api/referrals/{id}/plans/",
            base + "plans/",
            {"what_to_do": "Call the crisis line.", "review_by": "2099-01-01"},
        ),
    ]


def _send(client, method, url, body, **headers):
    if body is None:
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(url, body, content_type="application/json", **headers)


def test_the_walk_covers_every_referral_operation_in_the_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        (method, path)
        for path, item in schema["paths"].items()
        if path.startswith("/api/referrals/")
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    walked = {(method, path) for method, path, _, _ in _requests(ReferralFactory.build(pk=1))}
    assert operations == walked


def test_no_answer_carries_case_content_without_a_justification(login, triage_staff):
    referral = _referral()
    client = login(triage_staff)
    for method, _, url, body in _requests(referral):
        response = _send(client, method, url, body)
        text = response.content.decode()
        assert not [m for m in MARKERS if m in text], (method, url, response.status_code)
        assert response.status_code < 500


def test_a_write_carrying_a_justification_answers_whole_and_logs_it(login, triage_staff):
    referral = _referral()
    client = login(triage_staff)
    for method, _, url, body in _requests(referral):
        if method == "get" or url.endswith("plans/") or url == "/api/referrals/":
            continue
        before = ProcessingLog.objects.count()
        response = _send(client, method, url, body, HTTP_X_JUSTIFICATION="Reviewing the case")
        assert response.status_code in (200, 201), (url, response.content)
        assert any(m in response.content.decode() for m in MARKERS), url
        logged = ProcessingLog.objects.filter(
            pk__gt=0, operation="consultation", justification="Reviewing the case"
        )
        assert logged.count() >= 1 and ProcessingLog.objects.count() > before


def test_a_new_referral_answers_its_reason_only_with_a_justification(login, triage_staff):
    client = login(triage_staff)
    body = {"address": "3 Fen Road, Ely CB7 4AA", "referred_by": "PC 1", "referral_reason": REASON}
    plain = _send(client, "post", "/api/referrals/", body)
    assert plain.status_code == 201 and "referral_reason" not in plain.json()
    body["address"] = "4 Fen Road, Ely CB7 4AA"
    whole = _send(client, "post", "/api/referrals/", body, **WHY)
    assert whole.status_code == 201 and whole.json()["referral_reason"] == REASON
    assert ProcessingLog.objects.filter(
        operation="consultation",
        object_id=str(whole.json()["id"]),
        justification="Weekly review meeting",
    ).exists()


def test_a_patch_without_a_justification_answers_what_the_queue_shows(login, triage_staff):
    referral = _referral()
    response = login(triage_staff).patch(
        f"/api/referrals/{referral.pk}/",
        {"review_due": str(referral.review_due)},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert "referral_reason" not in response.json() and "outcome_note" not in response.json()
    assert response.json()["id"] == referral.pk


def test_a_write_with_a_too_short_justification_is_refused_and_changes_nothing(login, triage_staff):
    referral = _referral()
    response = login(triage_staff).post(
        f"/api/referrals/{referral.pk}/notes/",
        {"text": "another"},
        content_type="application/json",
        HTTP_X_JUSTIFICATION="x",
    )
    assert response.status_code == 403
    assert referral.notes.count() == 1
