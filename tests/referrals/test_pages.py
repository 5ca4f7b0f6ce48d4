"""The Farmington team's pages: queue, referral, manual referral, weekly review."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import ProcessingLog
from referrals import services
from referrals.models import Referral, ReferralAction
from tests.factories import UserFactory, take_call
from tests.referrals.factories import ReferralFactory, ReferralNoteFactory, justify

pytestmark = pytest.mark.django_db

NOTE = "Spoke to the GP surgery; they will call the household."


def _detail(referral):
    return reverse("referrals:detail", args=[referral.pk])


def _consultations(referral):
    return ProcessingLog.objects.filter(
        operation="consultation", object_type="referral", object_id=str(referral.pk)
    )


# --- permissions ------------------------------------------------------------------------------

PAGES = [
    ("get", "referrals:queue", False),
    ("get", "referrals:new", False),
    ("get", "referrals:review", False),
    ("get", "referrals:detail", True),
    ("post", "referrals:detail", True),
    ("post", "referrals:assign", True),
    ("post", "referrals:transition", True),
    ("post", "referrals:note-add", True),
    ("post", "referrals:action-add", True),
    ("post", "referrals:plan-publish", True),
    ("post", "referrals:review-record", True),
]


@pytest.mark.parametrize(("method", "name", "needs_pk"), PAGES)
def test_call_handlers_cannot_open_referral_pages(login, handler, method, name, needs_pk):
    referral = ReferralNoteFactory().referral
    justify(handler, referral)
    url = reverse(name, args=[referral.pk] if needs_pk else [])
    response = getattr(login(handler), method)(url, {"justification": "curious", "text": "x"})
    assert response.status_code == 403
    assert NOTE not in response.content.decode()


@pytest.mark.parametrize("role", ["triage_staff", "supervisor"])
def test_triage_staff_and_supervisors_can_open_a_referral(login, request, role):
    user = request.getfixturevalue(role)
    referral = ReferralNoteFactory().referral
    client = login(user)
    justify(user, referral)
    response = client.get(_detail(referral))
    assert response.status_code == 200
    assert NOTE in response.content.decode()


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("referrals:queue"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- "why are you opening this?" ----------------------------------------------------------------


def test_opening_a_referral_asks_why_first_and_shows_nothing(login, triage_staff):
    referral = ReferralNoteFactory().referral
    response = login(triage_staff).get(_detail(referral))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Why are you opening this?" in body
    assert NOTE not in body
    assert not _consultations(referral).exists()


def test_the_question_names_the_referral_by_number_without_its_address(login, triage_staff):
    referral = ReferralFactory()
    client = login(triage_staff)
    asked = client.get(_detail(referral)).content.decode()
    refused = client.post(_detail(referral), {"justification": " x "}).content.decode()
    for body in (asked, refused):
        assert referral.dwelling.address not in body
        assert "Orchard Way" not in body
        assert f"referral #{referral.pk}" in body
    assert not _consultations(referral).exists()


def test_the_answer_is_logged_and_the_referral_shown(login, triage_staff):
    referral = ReferralNoteFactory().referral
    client = login(triage_staff)
    response = client.post(_detail(referral), {"justification": "Weekly review meeting"})
    assert response.status_code == 302
    assert response.url == _detail(referral)
    response = client.get(_detail(referral))
    assert NOTE in response.content.decode()
    log = _consultations(referral).get()
    assert (log.user, log.justification) == (triage_staff, "Weekly review meeting")
    assert log.request_id


def test_the_answer_is_not_asked_again_within_30_minutes_but_every_read_is_logged(
    login, triage_staff
):
    referral = ReferralNoteFactory().referral
    client = login(triage_staff)
    client.post(_detail(referral), {"justification": "Preparing a multi-agency meeting"})
    for _ in range(3):
        assert NOTE in client.get(_detail(referral)).content.decode()
    assert _consultations(referral).count() == 3
    assert set(_consultations(referral).values_list("justification", flat=True)) == {
        "Preparing a multi-agency meeting"
    }


def test_the_answer_expires_after_30_minutes(login, triage_staff):
    referral = ReferralNoteFactory().referral
    client = login(triage_staff)
    justify(triage_staff, referral, now=timezone.now() - timedelta(minutes=29))
    assert NOTE in client.get(_detail(referral)).content.decode()
    justify(triage_staff, referral, now=timezone.now() - timedelta(minutes=31))
    body = client.get(_detail(referral)).content.decode()
    assert "Why are you opening this?" in body
    assert NOTE not in body


def test_the_answer_is_per_record(login, triage_staff):
    first, second = ReferralNoteFactory().referral, ReferralNoteFactory().referral
    client = login(triage_staff)
    client.post(_detail(first), {"justification": "Weekly review meeting"})
    assert NOTE not in client.get(_detail(second)).content.decode()


def test_the_answer_is_per_user(login, triage_staff):
    referral = ReferralNoteFactory().referral
    login(triage_staff)
    justify(triage_staff, referral)
    colleague = UserFactory(role="triage_staff")
    assert NOTE not in login(colleague).get(_detail(referral)).content.decode()


def test_logging_in_again_asks_again(client, triage_staff):
    referral = ReferralNoteFactory().referral
    client.force_login(triage_staff)
    client.post(_detail(referral), {"justification": "Weekly review meeting"})
    client.logout()
    triage_staff.refresh_from_db()
    triage_staff.last_login = timezone.now() + timedelta(seconds=1)
    client.force_login(triage_staff)
    assert NOTE not in client.get(_detail(referral)).content.decode()


def test_a_justification_in_the_query_string_is_accepted(login, triage_staff):
    referral = ReferralNoteFactory().referral
    response = login(triage_staff).get(_detail(referral), {"justification": "Partner request"})
    assert NOTE in response.content.decode()
    assert _consultations(referral).get().justification == "Partner request"


def test_an_empty_answer_is_refused(login, triage_staff):
    referral = ReferralNoteFactory().referral
    response = login(triage_staff).post(_detail(referral), {"justification": " x "})
    assert response.status_code == 400
    assert "Say why you are opening this record" in response.content.decode()
    assert not _consultations(referral).exists()


# --- the queue ----------------------------------------------------------------------------------


def _automatic_referral(handler):
    for _ in range(3):
        take_call(handler=handler, address="7 Mill Lane, Littleport CB6 1HH")
    return Referral.objects.open().get(source="automatic")


def test_the_queue_lists_automatic_and_manual_referrals(login, triage_staff, handler):
    automatic = _automatic_referral(handler)
    manual = ReferralFactory(referred_by="Adult social care")
    body = login(triage_staff).get(reverse("referrals:queue")).content.decode()
    assert automatic.dwelling.address in body
    assert "Repeat calls (3 calls)" in body
    assert manual.dwelling.address in body
    assert "Referred by Adult social care" in body


def test_the_queue_leaves_out_closed_referrals_unless_asked(login, triage_staff):
    closed = ReferralFactory(status="closed", outcome="moved_away", closed_at=timezone.now())
    client = login(triage_staff)
    assert closed.dwelling.address not in client.get(reverse("referrals:queue")).content.decode()
    response = client.get(reverse("referrals:queue"), {"status": "closed"})
    assert closed.dwelling.address in response.content.decode()


def test_the_queue_filters_by_status_assignee_review_and_source(login, triage_staff):
    mine = ReferralFactory(status="action", assignee=triage_staff)
    theirs = ReferralFactory(status="action", assignee=UserFactory(role="triage_staff"))
    due_later = ReferralFactory(
        status="monitoring", review_due=timezone.localdate() + timedelta(60)
    )
    client = login(triage_staff)

    def shown(**params):
        body = client.get(reverse("referrals:queue"), params).content.decode()
        return {r.pk for r in (mine, theirs, due_later) if r.dwelling.address in body}

    assert shown(status="action") == {mine.pk, theirs.pk}
    assert shown(assignee="me") == {mine.pk}
    assert shown(assignee=theirs.assignee.username) == {theirs.pk}
    assert shown(assignee="none") == {due_later.pk}
    assert shown(review="due") == {mine.pk, theirs.pk}
    assert shown(source="automatic") == set()
    assert shown(assignee="no-such-user") == set()


def test_the_queue_sorts_oldest_first_by_default(login, triage_staff):
    old = ReferralFactory(created_at=timezone.now() - timedelta(days=40))
    new = ReferralFactory()
    client = login(triage_staff)
    body = client.get(reverse("referrals:queue")).content.decode()
    assert body.index(old.dwelling.address) < body.index(new.dwelling.address)
    body = client.get(reverse("referrals:queue"), {"sort": "newest"}).content.decode()
    assert body.index(new.dwelling.address) < body.index(old.dwelling.address)


def test_the_queue_answers_htmx_with_the_table_only(login, triage_staff):
    ReferralFactory()
    response = login(triage_staff).get(reverse("referrals:queue"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<table" in body
    assert "<html" not in body


def test_an_empty_queue_read_is_logged_once_with_its_filters(login, triage_staff):
    login(triage_staff).get(reverse("referrals:queue"), {"status": "new"})
    log = ProcessingLog.objects.get(operation="consultation", object_type="referral")
    assert (log.object_id, log.justification) == ("", "referral queue status=new")


def test_each_referral_the_queue_shows_is_logged_and_nothing_typed(login, triage_staff):
    shown = ReferralFactory(assignee=triage_staff)
    query = {"assignee": triage_staff.username, "q": "Flat 2, 10 High St, Ely"}
    login(triage_staff).get(reverse("referrals:queue"), query)
    log = ProcessingLog.objects.get(operation="consultation", object_type="referral")
    assert log.object_id == str(shown.pk)
    assert log.justification == "referral queue assignee=given"


def test_the_queue_takes_a_fixed_number_of_queries(
    login, triage_staff, handler, django_assert_max_num_queries
):
    for _ in range(3):
        _automatic_referral(handler)
        services.referral_transition(
            referral=Referral.objects.open().get(),
            user=triage_staff,
            status="closed",
            outcome="support_in_place",
        )
    for _ in range(25):
        ReferralFactory(assignee=triage_staff)
    client = login(triage_staff)
    client.get(reverse("referrals:queue"))  # warm caches (session, roles)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("referrals:queue"), {"status": "closed"})
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get(reverse("referrals:queue"))
    assert response.content.decode().count('href="/referrals/') >= 25


# --- manual referrals ------------------------------------------------------------------------


def test_a_manual_referral_is_raised_from_the_form(login, triage_staff):
    client = login(triage_staff)
    response = client.post(
        reverse("referrals:new"),
        {
            "address": "3 Station Road, March PE15 8NH",
            "referred_by": "PC 4411 Jones",
            "referral_reason": "Calls about feeling unsafe; may need mental-health support.",
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response.url == _detail(referral)
    # The person who raised it is not asked why they open it.
    body = client.get(response.url).content.decode()
    assert "PC 4411 Jones" in body
    assert _consultations(referral).get().justification == "Raised the referral"


def test_a_manual_referral_for_a_dwelling_with_an_open_one_shows_the_error(login, triage_staff):
    existing = ReferralFactory()
    response = login(triage_staff).post(
        reverse("referrals:new"),
        {"address": "x", "referred_by": "PC 1", "referral_reason": "Concern."},
    )
    assert response.status_code == 400
    assert Referral.objects.count() == 1
    assert existing.pk


# --- casework on the referral page ------------------------------------------------------------


@pytest.fixture
def casework(login, triage_staff):
    referral = ReferralFactory()
    client = login(triage_staff)
    justify(triage_staff, referral)
    return client, referral


def test_a_note_is_added_from_the_page(casework, triage_staff):
    client, referral = casework
    response = client.post(reverse("referrals:note-add", args=[referral.pk]), {"text": "Hello"})
    assert response.status_code == 302
    assert referral.notes.get().author == triage_staff


def test_a_cpw_before_a_meeting_is_refused_on_the_page(casework):
    client, referral = casework
    response = client.post(
        reverse("referrals:action-add", args=[referral.pk]),
        {"kind": "cpw", "taken_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400
    assert "only after a multi-agency meeting" in response.content.decode()
    assert not referral.actions.exists()


def test_a_meeting_with_its_care_plan_is_recorded_from_the_page(casework):
    client, referral = casework
    response = client.post(
        reverse("referrals:action-add", args=[referral.pk]),
        {
            "kind": "multi_agency_meeting",
            "taken_on": timezone.localdate().isoformat(),
            "care_plan": "Weekly visit by the community mental-health team.",
        },
    )
    assert response.status_code == 302
    action = referral.actions.get()
    assert action.kind == ReferralAction.Kind.MULTI_AGENCY_MEETING
    body = client.get(_detail(referral)).content.decode()
    assert "Weekly visit by the community mental-health team." in body


def test_the_referral_is_assigned_and_moved_on_from_the_page(casework, supervisor):
    client, referral = casework
    client.post(reverse("referrals:assign", args=[referral.pk]), {"assignee": supervisor.username})
    client.post(reverse("referrals:transition", args=[referral.pk]), {"status": "in_review"})
    referral.refresh_from_db()
    assert (referral.assignee, referral.status) == (supervisor, "in_review")


def test_a_move_the_workflow_does_not_allow_is_refused_on_the_page(casework):
    client, referral = casework
    response = client.post(
        reverse("referrals:transition", args=[referral.pk]), {"status": "action"}
    )
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == "new"


def test_an_outcome_note_on_a_move_that_does_not_close_is_refused_not_dropped(casework):
    client, referral = casework
    response = client.post(
        reverse("referrals:transition", args=[referral.pk]),
        {"status": "in_review", "outcome_note": "Spoke to the daughter"},
    )
    assert response.status_code == 400
    assert "An outcome note is recorded only when the referral is closed" in (
        response.content.decode()
    )
    assert "Spoke to the daughter" in response.content.decode()  # the text stays in the form
    referral.refresh_from_db()
    assert referral.status == "new"


def test_a_response_plan_is_published_from_the_page(casework, triage_staff):
    client, referral = casework
    review_by = timezone.localdate() + timedelta(days=90)
    response = client.post(
        reverse("referrals:plan-publish", args=[referral.pk]),
        {
            "what_to_do": "Offer the crisis line first.",
            "what_not_to_do": "Do not send officers alone.",
            "whom_to_call": "Crisis team",
            "review_by": review_by.isoformat(),
        },
    )
    assert response.status_code == 302
    plan = referral.dwelling.plans.get()
    assert (plan.version, plan.author, plan.review_by) == (1, triage_staff, review_by)


def test_a_post_without_a_current_justification_goes_back_to_the_question(login, triage_staff):
    referral = ReferralFactory()
    response = login(triage_staff).post(
        reverse("referrals:transition", args=[referral.pk]), {"status": "action"}
    )
    assert response.status_code == 302
    assert response.url == _detail(referral)


def test_the_referral_page_shows_the_trigger_calls(login, triage_staff, handler):
    referral = _automatic_referral(handler)
    client = login(triage_staff)
    justify(triage_staff, referral)
    body = client.get(_detail(referral)).content.decode()
    for call in referral.trigger_calls.all():
        received = timezone.localtime(call.received_at)
        assert f"{received.day} {received:%b %Y %H:%M}" in body  # "7 Dec 2026 14:05"


def test_the_pages_use_neutral_wording(casework, handler):
    client, referral = casework
    bodies = [
        client.get(url).content.decode().lower()
        for url in (
            _detail(referral),
            reverse("referrals:queue"),
            reverse("referrals:review"),
            reverse("referrals:new"),
        )
    ]
    for word in ("nuisance", "abuser", "abuse of", "time-waster", "timewaster", "frequent flyer"):
        assert all(word not in body for body in bodies), word


# --- weekly review -------------------------------------------------------------------------------


def test_the_weekly_review_lists_what_is_due_this_week(login, triage_staff):
    today = timezone.localdate()
    new = ReferralFactory(review_due=None)
    due = ReferralFactory(status="monitoring", review_due=today)
    later = ReferralFactory(status="monitoring", review_due=today + timedelta(days=14))
    flagged = ReferralFactory(
        status="action", review_due=today + timedelta(days=30), flagged_inactive_at=timezone.now()
    )
    closed = ReferralFactory(status="closed", outcome="moved_away", review_due=today)
    body = login(triage_staff).get(reverse("referrals:review")).content.decode()
    for shown in (new, due, flagged):
        assert shown.dwelling.address in body
    for hidden in (later, closed):
        assert hidden.dwelling.address not in body


def test_the_weekly_review_prints_as_an_agenda(login, triage_staff):
    from pathlib import Path

    from django.conf import settings

    response = login(triage_staff).get(reverse("referrals:review"))
    assert "Weekly review: agenda" in response.content.decode()
    css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text()
    assert "@media print" in css
    assert ".decision-form" in css


def test_a_review_decision_is_recorded_with_htmx(login, triage_staff):
    referral = ReferralFactory()
    next_review = timezone.localdate() + timedelta(days=7)
    response = login(triage_staff).post(
        reverse("referrals:review-record", args=[referral.pk]),
        {
            f"r{referral.pk}-decision": "Ask the mental-health team what they know.",
            f"r{referral.pk}-status": "in_review",
            f"r{referral.pk}-next_review": next_review.isoformat(),
            f"r{referral.pk}-assignee": triage_staff.username,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Decision recorded" in response.content.decode()
    review = referral.reviews.get()
    assert (review.status_after, review.next_review) == ("in_review", next_review)
    referral.refresh_from_db()
    assert referral.assignee == triage_staff


def test_a_review_decision_without_a_next_date_is_refused(login, triage_staff):
    referral = ReferralFactory()
    response = login(triage_staff).post(
        reverse("referrals:review-record", args=[referral.pk]),
        {f"r{referral.pk}-decision": "Carry on."},
    )
    assert response.status_code == 400
    assert "Set the next review date." in response.content.decode()
    assert not referral.reviews.exists()


def test_a_review_row_answered_to_bad_input_logs_the_referral_it_shows(login, triage_staff):
    referral = ReferralFactory()
    services.referral_review_record(
        referral=referral,
        user=triage_staff,
        decision="Ask the GP surgery to call.",
        next_review=timezone.localdate() + timedelta(days=7),
    )
    response = login(triage_staff).post(
        reverse("referrals:review-record", args=[referral.pk]), {}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert referral.dwelling.address in body and "Ask the GP surgery to call." in body
    log = _consultations(referral).get()
    assert (log.user, log.justification) == (triage_staff, "Weekly review agenda")


def test_a_review_row_with_the_recorded_decision_logs_the_referral_it_shows(login, triage_staff):
    referral = ReferralFactory()
    response = login(triage_staff).post(
        reverse("referrals:review-record", args=[referral.pk]),
        {
            f"r{referral.pk}-decision": "Carry on.",
            f"r{referral.pk}-next_review": (timezone.localdate() + timedelta(days=7)).isoformat(),
        },
        HTTP_HX_REQUEST="true",
    )
    assert "Decision recorded" in response.content.decode()
    assert _consultations(referral).get().justification == "Weekly review agenda"


def test_the_weekly_review_logs_each_referral_it_shows(login, triage_staff):
    referral = ReferralFactory()
    login(triage_staff).get(reverse("referrals:review"))
    assert _consultations(referral).get().justification == "Weekly review agenda"


def test_the_weekly_review_costs_the_same_queries_for_one_referral_or_six(
    login, triage_staff, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(triage_staff)
    ReferralFactory()
    client.get(reverse("referrals:review"))  # the session's first touch is behind us
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("referrals:review"))
    for _ in range(5):
        ReferralFactory()
    with django_assert_num_queries(len(one.captured_queries)):
        body = client.get(reverse("referrals:review")).content.decode()
    assert body.count('name="r') >= 6 * 3  # six review forms, each with its fields
    assert ProcessingLog.objects.filter(justification="Weekly review agenda").count() == 1 + 1 + 6


# --- words, not codes (issue 22) -------------------------------------------------------------


def _worked_referral(handler, triage_staff):
    """An automatic referral from three varied calls, one decided, worked by the team."""
    from triage.services import call_decide

    address = "7 Mill Lane, Littleport CB6 1HH"
    take_call(
        handler=handler,
        address=address,
        concern_type="s136_handover",
        caller_type="police_officer",
        location_type="place_of_safety",
        patient_status="detained_s136",
        minutes_since_arrival=40,
        handover_accepted=False,
    )
    take_call(
        handler=handler,
        address=address,
        known_to_service="mental_health",
        vulnerability_flags=["mental_distress"],
        caller_type="health_professional",
    )
    call = take_call(
        handler=handler,
        address=address,
        concern_type="awol",
        caller_type="health_professional",
        patient_status="detained_mha",
        location_type="unknown",
        hours_since_last_seen=3,
    )
    call_decide(
        call=call,
        user=handler,
        accept=True,
        grade=2,
        thrive=_THRIVE,
        caller_told=not call.suggested_police_attend,
        caller_told_text="Told who will help.",
    )
    referral = Referral.objects.open().get(source="automatic")
    services.referral_assign(referral=referral, user=triage_staff, assignee=triage_staff)
    services.referral_action_record(referral=referral, user=triage_staff, kind="mh_team_info")
    services.referral_review_record(
        referral=referral,
        user=triage_staff,
        decision="Ask the community team.",
        status="in_review",
        next_review=timezone.localdate() + timedelta(days=7),
    )
    return referral


_THRIVE = {
    "threat": "None to others.",
    "harm": "Possible harm to self.",
    "risk": "Medium.",
    "investigation": "No offence.",
    "vulnerability": "Lives alone.",
    "engagement": "Engaged.",
}


def test_the_referral_pages_show_words_not_codes(login, triage_staff, handler):
    from tests.triage.page_text import codes_in, visible_text

    referral = _worked_referral(handler, triage_staff)
    closed = ReferralFactory(status="closed", outcome="support_declined", closed_at=timezone.now())
    client = login(triage_staff)
    justify(triage_staff, referral)
    pages = {
        "queue": client.get(reverse("referrals:queue")),
        "closed queue": client.get(reverse("referrals:queue"), {"status": "closed"}),
        "referral": client.get(_detail(referral)),
        "weekly review": client.get(reverse("referrals:review")),
        "new referral": client.get(reverse("referrals:new")),
    }
    for name, response in pages.items():
        text = visible_text(response)
        assert codes_in(text) == set(), name
        for code in ("in_review", "support_declined", "mh_team_info", "automatic"):
            assert code not in text, (name, code)
    detail = visible_text(pages["referral"])
    assert "Section 136 handover at a place of safety" in detail
    assert "Detained patient absent without leave (AWOL)" in detail
    assert "Information from the control-room mental-health team" in detail
    assert "Support offered and declined" in visible_text(pages["closed queue"])
    assert closed.dwelling.address in visible_text(pages["closed queue"])


def test_a_trigger_call_is_named_by_its_rule_title_with_the_id_beside_it(
    login, triage_staff, handler
):
    from django.utils.html import escape

    referral = _worked_referral(handler, triage_staff)
    client = login(triage_staff)
    justify(triage_staff, referral)
    body = client.get(_detail(referral)).content.decode()
    for call in referral.trigger_calls.select_related("ruleset"):
        assert call.rule_title != call.rule_id
        assert f'{escape(call.rule_title)} <span class="rule-id">{call.rule_id}</span>' in body
        # The id appears nowhere else as text.
        assert body.count(f">{call.rule_id}<") == body.count(
            f'<span class="rule-id">{call.rule_id}</span>'
        )


def test_the_referral_page_reads_each_trigger_calls_rule_set_in_one_query(
    login, triage_staff, handler
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    referral = _worked_referral(handler, triage_staff)
    client = login(triage_staff)
    justify(triage_staff, referral)
    with CaptureQueriesContext(connection) as queries:
        client.get(_detail(referral))
    assert sum("triage_ruleset" in q["sql"] for q in queries.captured_queries) == 1


def test_trigger_calls_link_to_their_pages_only_for_those_who_may_open_them(
    login, triage_staff, supervisor, handler
):
    referral = _worked_referral(handler, triage_staff)
    call_url = reverse("triage:call-detail", args=[referral.trigger_calls.first().pk])
    for user, linked in ((triage_staff, False), (supervisor, True)):
        client = login(user)
        justify(user, referral)
        assert (call_url in client.get(_detail(referral)).content.decode()) is linked


def test_dates_read_day_month_year_without_a_leading_zero(login, triage_staff):
    from tests.triage.page_text import visible_text

    opened = timezone.make_aware(timezone.datetime(2026, 12, 7, 14, 5))
    referral = ReferralFactory(created_at=opened, review_due=timezone.datetime(2026, 12, 7).date())
    client = login(triage_staff)
    justify(triage_staff, referral)
    queue = visible_text(client.get(reverse("referrals:queue")))
    detail = visible_text(client.get(_detail(referral)))
    agenda = visible_text(client.get(reverse("referrals:review")))
    assert "7 Dec 2026" in queue and "07 Dec 2026" not in queue
    assert "7 Dec 2026 14:05" in detail and "07 Dec" not in detail
    assert "Opened 7 Dec 2026" in agenda and "07 Dec" not in agenda
    assert "2026-12-07" not in queue + detail + agenda


def test_each_queue_row_links_to_its_referral_by_the_address(login, triage_staff):
    referrals = [ReferralFactory() for _ in range(3)]
    body = login(triage_staff).get(reverse("referrals:queue")).content.decode()
    for referral in referrals:
        assert f'<a href="{_detail(referral)}">{referral.dwelling.address}</a>' in body


def test_the_queue_comes_in_pages_and_logs_only_the_page_shown(login, triage_staff):
    from referrals.views import QUEUE_PAGE_SIZE

    referrals = [ReferralFactory() for _ in range(QUEUE_PAGE_SIZE + 2)]
    client = login(triage_staff)
    first = client.get(reverse("referrals:queue")).content.decode()
    assert "Page 1 of 2" in first
    assert referrals[0].dwelling.address in first
    assert referrals[-1].dwelling.address not in first
    second = client.get(reverse("referrals:queue"), {"page": 2, "sort": "oldest"})
    body = second.content.decode()
    assert referrals[-1].dwelling.address in body and referrals[0].dwelling.address not in body
    assert "sort=oldest" in body  # the page links keep the filters
    shown = ProcessingLog.objects.filter(operation="consultation", object_type="referral")
    assert shown.count() == QUEUE_PAGE_SIZE + 2


@pytest.mark.parametrize(
    ("url_name", "data", "message"),
    [
        ("referrals:note-add", {"text": ""}, "Write the note before adding it."),
        ("referrals:action-add", {"kind": "mh_team_info"}, "Enter the day it was taken."),
        ("referrals:action-add", {"kind": "x", "taken_on": "2026-01-01"}, "Choose one of the"),
        ("referrals:transition", {"status": "monitoring"}, "Choose one of the statuses listed"),
        ("referrals:plan-publish", {"review_by": "soon"}, "Say what handlers should do"),
        ("referrals:plan-publish", {"what_to_do": "x", "review_by": "soon"}, "as a date"),
    ],
)
def test_casework_messages_say_what_to_do_not_a_field_name(casework, url_name, data, message):
    client, referral = casework
    response = client.post(reverse(url_name, args=[referral.pk]), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert "This field is required." not in body
    assert "Select a valid choice" not in body


def test_a_manual_referral_without_answers_says_what_to_enter(login, triage_staff):
    response = login(triage_staff).post(reverse("referrals:new"), {})
    body = response.content.decode()
    assert "Enter the address of the household" in body
    assert "Enter who referred the household" in body
    assert "Describe what support the household may need." in body
    assert "This field is required." not in body
