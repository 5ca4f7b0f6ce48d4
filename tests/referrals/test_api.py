"""The referral API: contract, filters, PATCH through the services, justification, roles."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import ProcessingLog
from referrals.models import Referral
from tests.factories import UserFactory, take_call
from tests.referrals.factories import ReferralFactory, ReferralNoteFactory, justify

pytestmark = pytest.mark.django_db

WHY = {"HTTP_X_JUSTIFICATION": "Weekly review meeting"}
CONTRACT = {
    "id",
    "dwelling",
    "status",
    "source",
    "triggered_at",
    "trigger_calls",
    "assignee",
    "review_due",
}


def _automatic(handler, address="7 Mill Lane, Littleport CB6 1HH"):
    calls = [take_call(handler=handler, address=address) for _ in range(3)]
    return Referral.objects.get(dwelling=calls[0].dwelling), calls


def _patch(client, referral, body):
    return client.patch(f"/api/referrals/{referral.pk}/", body, content_type="application/json")


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


# --- list ------------------------------------------------------------------------------------


def test_the_list_returns_the_contract_for_each_referral(login, triage_staff, handler):
    referral, calls = _automatic(handler)
    response = login(triage_staff).get("/api/referrals/")
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert set(item) >= CONTRACT
    assert item["id"] == referral.pk
    assert {"key": item["dwelling"]["key"], "address": item["dwelling"]["address"]} == {
        "key": referral.dwelling.key,
        "address": referral.dwelling.address,
    }
    assert (item["status"], item["source"], item["assignee"]) == ("new", "automatic", None)
    assert sorted(item["trigger_calls"]) == sorted(c.pk for c in calls)
    assert item["triggered_at"] is not None
    assert item["review_due"] == timezone.localdate().isoformat()


def test_the_list_filters_by_status_and_dwelling_key(login, triage_staff, handler):
    referral, _ = _automatic(handler)
    other = ReferralFactory(status="in_review")
    client = login(triage_staff)

    def ids(**params):
        return [r["id"] for r in client.get("/api/referrals/", params).json()["results"]]

    assert ids(status="in_review") == [other.pk]
    assert ids(status="new") == [referral.pk]
    assert ids(dwelling=referral.dwelling.key) == [referral.pk]
    assert ids(dwelling_key=other.dwelling.key) == [other.pk]
    assert ids(dwelling="no|such||key") == []


def test_a_dwelling_matched_to_a_gazetteer_uprn_is_found_by_the_key_of_its_address(
    login, triage_staff, handler
):
    from callers.addresses import dwelling_key
    from callers.models import GazetteerAddress

    address = "12 High Street, Ely CB7 4AA"
    GazetteerAddress.objects.create(
        uprn="300",
        number="12",
        street="High Street",
        town="Ely",
        postcode="CB7 4AA",
        key=dwelling_key(address),
    )
    referral, _ = _automatic(handler, address=address)
    assert referral.dwelling.key == "uprn:300"
    client = login(triage_staff)
    listed = client.get("/api/referrals/", {"dwelling_key": dwelling_key(address)}).json()
    assert [r["id"] for r in listed["results"]] == [referral.pk]
    referral.status = "closed"
    referral.save(update_fields=["status"])
    body = {"dwelling": dwelling_key(address), "referred_by": "PC 12", "referral_reason": "x"}
    created = _post(client, "/api/referrals/", body)
    assert created.status_code == 201, created.json()
    assert created.json()["dwelling"]["key"] == "uprn:300"


def test_the_list_leaves_the_referrals_reason_and_outcome_note_to_the_justified_detail(
    login, triage_staff
):
    referral = ReferralFactory(
        status="closed", outcome="other", outcome_note="Moved in with her daughter"
    )
    client = login(triage_staff)
    response = client.get("/api/referrals/", {"dwelling": referral.dwelling.key})
    [item] = response.json()["results"]
    assert set(item) >= CONTRACT
    body = response.content.decode()
    assert referral.referral_reason not in body and "Moved in with her daughter" not in body
    detail = client.get(f"/api/referrals/{referral.pk}/", **WHY).json()
    assert (detail["referral_reason"], detail["outcome_note"]) == (
        referral.referral_reason,
        "Moved in with her daughter",
    )


def test_the_schema_documents_the_list_without_the_reason_or_outcome_note():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    ok = schema["paths"]["/api/referrals/"]["get"]["responses"]["200"]
    page = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    components = schema["components"]["schemas"]
    item = components[page]["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[-1]
    fields = set(components[item]["properties"])
    assert fields >= CONTRACT
    assert not fields & {"referral_reason", "outcome_note"}


def test_a_bad_status_filter_is_a_400(login, triage_staff):
    response = login(triage_staff).get("/api/referrals/", {"status": "sideways"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_a_list_read_logs_each_referral_shown_with_its_query(login, triage_staff):
    shown, other = ReferralFactory(), ReferralFactory(status="closed")
    login(triage_staff).get("/api/referrals/", {"status": "new"})
    log = ProcessingLog.objects.get(operation="consultation", object_type="referral")
    assert log.object_id == str(shown.pk) and "status=new" in log.justification
    assert log.user == triage_staff
    assert not ProcessingLog.objects.filter(object_id=str(other.pk)).exists()


@pytest.mark.parametrize("param", ["dwelling", "dwelling_key"])
def test_a_list_by_dwelling_keeps_the_address_out_of_the_log(login, triage_staff, param):
    referral = ReferralFactory()
    key = referral.dwelling.key
    query = {param: key, "address": "Flat 2, 10 High St, Ely", "status": "new"}
    response = login(triage_staff).get("/api/referrals/", query)
    assert [r["id"] for r in response.json()["results"]] == [referral.pk]
    log = ProcessingLog.objects.get(operation="consultation", object_type="referral")
    assert log.object_id == str(referral.pk)
    assert log.justification == f"list status=new&{param}=given&limit=50&offset=0"


def test_a_list_that_shows_nothing_is_logged_once_without_an_id(login, triage_staff):
    response = login(triage_staff).get("/api/referrals/", {"dwelling": "1|high st||ely"})
    assert response.json()["count"] == 0
    log = ProcessingLog.objects.get(operation="consultation", object_type="referral")
    assert (log.object_id, log.justification) == ("", "list dwelling=given&limit=50&offset=0")


def test_text_typed_into_any_filter_never_reaches_the_log(login, triage_staff):
    ReferralFactory()
    typed = "Flat 2, 10 High St, Ely"
    query = {"open": typed, "limit": "Mrs Smith 07700900123", "assignee": "Mrs Smith"}
    assert login(triage_staff).get("/api/referrals/", query).status_code == 200
    log = ProcessingLog.objects.get(operation="consultation", object_type="referral")
    assert log.justification == "list assignee=given&limit=50&offset=0"


def test_the_list_takes_a_fixed_number_of_queries(
    login, triage_staff, handler, django_assert_max_num_queries
):
    for n in range(5):
        _automatic(handler, address=f"{n + 1} Mill Lane, Littleport CB6 1HH")
    client = login(triage_staff)
    client.get("/api/referrals/")
    with django_assert_max_num_queries(12):
        response = client.get("/api/referrals/")
    assert response.json()["count"] == 5


# --- detail reads need a justification ---------------------------------------------------------


def test_reading_a_referral_without_a_justification_is_refused_with_a_reason(login, triage_staff):
    referral = ReferralFactory()
    response = login(triage_staff).get(f"/api/referrals/{referral.pk}/")
    assert response.status_code == 403
    assert "X-Justification" in response.json()["detail"]
    assert not ProcessingLog.objects.filter(object_id=str(referral.pk)).exists()


def test_reading_a_referral_with_a_justification_header_is_logged(login, triage_staff):
    referral = ReferralFactory()
    response = login(triage_staff).get(f"/api/referrals/{referral.pk}/", **WHY)
    assert response.status_code == 200
    assert response.json()["id"] == referral.pk
    log = ProcessingLog.objects.get(
        operation="consultation", object_type="referral", object_id=str(referral.pk)
    )
    assert log.justification == "Weekly review meeting"


def test_a_justification_query_parameter_is_accepted(login, triage_staff):
    referral = ReferralFactory()
    response = login(triage_staff).get(
        f"/api/referrals/{referral.pk}/", {"justification": "Partner request"}
    )
    assert response.status_code == 200


def test_a_justification_given_on_the_page_covers_the_api_for_30_minutes(login, triage_staff):
    referral = ReferralFactory()
    client = login(triage_staff)
    justify(triage_staff, referral)
    assert client.get(f"/api/referrals/{referral.pk}/").status_code == 200
    assert ProcessingLog.objects.filter(object_id=str(referral.pk)).count() == 1


@pytest.mark.parametrize("sub", ["actions", "notes", "plans"])
def test_reading_a_referrals_history_needs_a_justification(login, triage_staff, sub):
    referral = ReferralNoteFactory().referral
    client = login(triage_staff)
    assert client.get(f"/api/referrals/{referral.pk}/{sub}/").status_code == 403
    assert client.get(f"/api/referrals/{referral.pk}/{sub}/", **WHY).status_code == 200


# --- permissions -------------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/api/referrals/"),
    ("post", "/api/referrals/"),
    ("get", "/api/referrals/{pk}/"),
    ("patch", "/api/referrals/{pk}/"),
    ("get", "/api/referrals/{pk}/actions/"),
    ("post", "/api/referrals/{pk}/actions/"),
    ("get", "/api/referrals/{pk}/notes/"),
    ("post", "/api/referrals/{pk}/notes/"),
    ("get", "/api/referrals/{pk}/plans/"),
    ("post", "/api/referrals/{pk}/plans/"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_call_handlers_are_refused_every_referral_endpoint(login, handler, method, url):
    referral = ReferralNoteFactory().referral
    client = login(handler)
    response = getattr(client, method)(
        url.format(pk=referral.pk), {}, content_type="application/json", **WHY
    )
    assert response.status_code == 403
    assert "Spoke to the GP" not in response.content.decode()


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_users_are_refused_every_referral_endpoint(client, method, url):
    referral = ReferralFactory()
    response = getattr(client, method)(
        url.format(pk=referral.pk), {}, content_type="application/json", **WHY
    )
    assert response.status_code in (401, 403)


@pytest.mark.parametrize("role", ["triage_staff", "supervisor"])
def test_triage_staff_and_supervisors_can_read_notes(login, request, role):
    user = request.getfixturevalue(role)
    referral = ReferralNoteFactory().referral
    response = login(user).get(f"/api/referrals/{referral.pk}/notes/", **WHY)
    assert response.status_code == 200
    assert [n["text"] for n in response.json()] == [referral.notes.get().text]


# --- PATCH ---------------------------------------------------------------------------------


def test_patch_moves_the_status_on(login, triage_staff):
    referral = ReferralFactory()
    response = _patch(login(triage_staff), referral, {"status": "in_review"})
    assert response.status_code == 200
    assert response.json()["status"] == "in_review"
    referral.refresh_from_db()
    assert referral.status == "in_review"


def test_patch_refuses_a_move_outside_the_workflow_with_a_field_message(login, triage_staff):
    referral = ReferralFactory()
    response = _patch(login(triage_staff), referral, {"status": "monitoring"})
    assert response.status_code == 400
    assert response.json()["status"] == ["A referral cannot move from new to monitoring."]


def test_patch_closes_with_an_outcome(login, triage_staff):
    referral = ReferralFactory(status="monitoring")
    client = login(triage_staff)
    response = _patch(client, referral, {"status": "closed"})
    assert response.status_code == 400
    assert "outcome" in response.json()
    response = _patch(client, referral, {"status": "closed", "outcome": "demand_reduced"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["outcome"]) == ("closed", "demand_reduced")


@pytest.mark.parametrize(
    ("status", "body"),
    [
        ("new", {"outcome_note": "Moved to a care home"}),
        ("new", {"status": "in_review", "outcome_note": "Moved to a care home"}),
        ("monitoring", {"status": "monitoring", "outcome": "moved_away"}),
    ],
)
def test_patch_refuses_an_outcome_or_its_note_without_closing(login, triage_staff, status, body):
    referral = ReferralFactory(status=status)
    events = referral.events.count()
    response = _patch(login(triage_staff), referral, body)
    assert response.status_code == 400
    field = "outcome_note" if "outcome_note" in body else "outcome"
    assert "only when the referral is closed" in response.json()[field][0]
    referral.refresh_from_db()
    assert (referral.status, referral.outcome_note, referral.events.count()) == (
        status,
        "",
        events,
    )


@pytest.mark.parametrize(
    "body", [{"status": "closed", "outcome": "moved_away"}, {"outcome_note": "Moved away"}]
)
def test_patch_says_a_closed_referral_keeps_the_outcome_it_was_closed_with(
    login, triage_staff, body
):
    referral = ReferralFactory(status="closed", outcome="demand_reduced")
    response = _patch(login(triage_staff), referral, body)
    assert response.status_code == 400
    assert response.json()["status"] == [
        "This referral is closed. If there is a new concern, raise a new referral."
    ]
    referral.refresh_from_db()
    assert (referral.outcome, referral.outcome_note) == ("demand_reduced", "")


def test_patch_closes_with_an_outcome_note(login, triage_staff):
    referral = ReferralFactory(status="monitoring")
    body = {"status": "closed", "outcome": "other", "outcome_note": "Moved to a care home"}
    response = _patch(login(triage_staff), referral, body)
    assert response.status_code == 200
    referral.refresh_from_db()
    assert (referral.outcome, referral.outcome_note) == ("other", "Moved to a care home")


def test_patch_assigns_by_username_and_sets_the_review_date(login, triage_staff, supervisor):
    referral = ReferralFactory()
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    response = _patch(
        login(supervisor), referral, {"assignee": triage_staff.username, "review_due": due}
    )
    assert response.status_code == 200
    assert (response.json()["assignee"], response.json()["review_due"]) == (
        triage_staff.username,
        due,
    )


def test_patch_unassigns_with_null(login, triage_staff):
    referral = ReferralFactory(assignee=triage_staff)
    response = _patch(login(triage_staff), referral, {"assignee": None})
    assert response.json()["assignee"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"assignee": "nobody-here"}, "assignee"),
        ({"review_due": "next tuesday"}, "review_due"),
        ({"status": "sideways"}, "status"),
        ({"outcome": "moved_away"}, "outcome"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_patch_answers_bad_input_with_field_messages(login, triage_staff, body, field):
    referral = ReferralFactory()
    response = _patch(login(triage_staff), referral, body)
    assert response.status_code == 400
    assert field in response.json()


def test_patch_refuses_a_handler_as_holder(login, triage_staff, handler):
    referral = ReferralFactory()
    response = _patch(login(triage_staff), referral, {"assignee": handler.username})
    assert response.status_code == 400
    assert "not a member of the referral team" in response.json()["assignee"][0]


def test_a_failed_patch_changes_nothing(login, triage_staff):
    referral = ReferralFactory()
    response = _patch(
        login(triage_staff), referral, {"assignee": triage_staff.username, "status": "monitoring"}
    )
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.assignee is None


def _reads(referral):
    return ProcessingLog.objects.filter(
        operation="consultation", object_type="referral", object_id=str(referral.pk)
    )


def test_a_patch_logs_the_referral_it_answers_with_as_read(login, triage_staff):
    """Without a justification the answer is what the queue shows (issue 27): no reason."""
    referral = ReferralFactory()
    response = _patch(login(triage_staff), referral, {"status": "in_review"})
    assert response.json()["id"] == referral.pk
    assert "referral_reason" not in response.json()
    log = _reads(referral).get()
    assert (log.user, log.justification) == (triage_staff, "referral update (API)")
    assert log.request_id


@pytest.mark.parametrize("field", ["review_due", "assignee"])
def test_a_patch_that_changes_nothing_still_logs_the_read(login, triage_staff, field):
    referral = ReferralFactory(review_due=timezone.localdate(), assignee=None)
    body = {field: referral.review_due.isoformat() if field == "review_due" else None}
    response = _patch(login(triage_staff), referral, body)
    assert response.status_code == 200
    assert response.json()["dwelling"]["address"] == referral.dwelling.address
    assert _reads(referral).get().justification == "referral update (API)"


def test_a_refused_patch_shows_nothing_and_logs_no_read(login, triage_staff):
    referral = ReferralFactory()
    response = _patch(login(triage_staff), referral, {"status": "monitoring"})
    assert response.status_code == 400
    assert referral.dwelling.address not in response.content.decode()
    assert not _reads(referral).exists()


# --- POST: manual referrals -------------------------------------------------------------------


def test_post_raises_a_manual_referral_from_an_address(login, triage_staff):
    response = _post(
        login(triage_staff),
        "/api/referrals/",
        {
            "address": "3 Station Road, March PE15 8NH",
            "referred_by": "Adult social care, duty desk",
            "referral_reason": "Carer asked for support.",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["source"], body["status"], body["referred_by"]) == (
        "manual",
        "new",
        "Adult social care, duty desk",
    )
    assert body["trigger_calls"] == []


def test_post_raises_a_manual_referral_from_a_dwelling_key(login, triage_staff, handler):
    dwelling = take_call(handler=handler).dwelling
    response = _post(
        login(triage_staff),
        "/api/referrals/",
        {"dwelling": dwelling.key, "referred_by": "PC 12", "referral_reason": "Concern."},
    )
    assert response.status_code == 201
    assert response.json()["dwelling"]["key"] == dwelling.key


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"referred_by": "PC 12", "referral_reason": "Concern."}, "address"),
        ({"address": "High Street", "referred_by": "PC 12", "referral_reason": "x"}, "address"),
        ({"dwelling": "no|such||key", "referred_by": "PC 12", "referral_reason": "x"}, "dwelling"),
        ({"address": "3 Station Road, March PE15 8NH", "referral_reason": "x"}, "referred_by"),
    ],
)
def test_post_answers_bad_input_with_field_messages(login, triage_staff, body, field):
    response = _post(login(triage_staff), "/api/referrals/", body)
    assert response.status_code == 400
    assert field in response.json()
    assert Referral.objects.count() == 0


def test_post_for_a_dwelling_with_an_open_referral_is_refused(login, triage_staff):
    existing = ReferralFactory()
    response = _post(
        login(triage_staff),
        "/api/referrals/",
        {"dwelling": existing.dwelling.key, "referred_by": "PC 12", "referral_reason": "x"},
    )
    assert response.status_code == 400
    assert str(existing.pk) in response.json()["address"][0]


# --- actions, notes, plans ---------------------------------------------------------------------


def test_a_cpw_before_a_meeting_is_a_400_and_after_it_a_201(login, triage_staff):
    referral = ReferralFactory(status="action")
    client = login(triage_staff)
    url = f"/api/referrals/{referral.pk}/actions/"
    response = _post(client, url, {"kind": "cpw"})
    assert response.status_code == 400
    assert "only after a multi-agency meeting" in response.json()["kind"][0]
    meeting = _post(
        client, url, {"kind": "multi_agency_meeting", "care_plan": "Joint plan agreed."}
    )
    assert meeting.status_code == 201
    response = _post(client, url, {"kind": "cpw", "notes": "Issued in person."})
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["taken_by"]) == ("cpw", triage_staff.username)
    listed = client.get(url, **WHY).json()
    assert [a["kind"] for a in listed] == ["multi_agency_meeting", "cpw"]


def test_a_note_is_posted_and_read_back(login, triage_staff, supervisor):
    referral = ReferralFactory()
    url = f"/api/referrals/{referral.pk}/notes/"
    assert _post(login(triage_staff), url, {"text": "Visited."}).status_code == 201
    colleague = UserFactory(role="triage_staff")
    notes = login(colleague).get(url, **WHY).json()
    assert [(n["text"], n["author"]) for n in notes] == [("Visited.", triage_staff.username)]


def test_plans_are_versioned_under_the_referral(login, triage_staff):
    referral = ReferralFactory()
    client = login(triage_staff)
    url = f"/api/referrals/{referral.pk}/plans/"
    review_by = (timezone.localdate() + timedelta(days=90)).isoformat()
    for text in ("Offer the crisis line.", "Call the care coordinator first."):
        response = _post(client, url, {"what_to_do": text, "review_by": review_by})
        assert response.status_code == 201
    plans = client.get(url, **WHY).json()
    assert [(p["version"], p["what_to_do"], p["expired"]) for p in plans] == [
        (2, "Call the care coordinator first.", False),
        (1, "Offer the crisis line.", False),
    ]


def test_a_plan_without_a_review_date_is_a_400(login, triage_staff):
    referral = ReferralFactory()
    response = _post(
        login(triage_staff), f"/api/referrals/{referral.pk}/plans/", {"what_to_do": "x"}
    )
    assert response.status_code == 400
    assert "review_by" in response.json()


# --- schema ------------------------------------------------------------------------------------


def test_the_schema_documents_the_referral_api_and_stays_valid():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/referrals/"])
    assert {"get", "patch"} <= set(paths["/api/referrals/{id}/"])
    for sub in ("actions", "notes", "plans"):
        assert {"get", "post"} <= set(paths[f"/api/referrals/{{id}}/{sub}/"])
    parameters = {p["name"] for p in paths["/api/referrals/{id}/"]["get"]["parameters"]}
    assert {"X-Justification", "justification"} <= parameters


@pytest.mark.parametrize("path", ["/api/referrals/", "/api/referrals/{pk}/"])
def test_a_control_character_in_a_justification_is_refused_not_a_500(login, triage_staff, path):
    referral = ReferralFactory()
    url = path.format(pk=referral.pk)
    response = login(triage_staff).get(url, {"justification": "weekly\x00review"})
    assert response.status_code in (400, 403)
    # A NUL is refused before any other work (issue 27), with one message for any field.
    text = response.content.decode().lower()
    assert "justification" in text or "nul character" in text or response.status_code == 403
    assert all(
        "\x00" not in j for j in ProcessingLog.objects.values_list("justification", flat=True)
    )
