"""400, never 500: JSON nested too deep and NUL characters, on every endpoint, before any
other work (the role check included), with one message each."""

import json

import pytest
from django.urls import reverse

from core.middleware import HAS_NUL, MAX_JSON_DEPTH, TOO_DEEP, json_too_deep
from tests.factories import take_call
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_depth_is_counted_on_brackets_outside_strings():
    assert not json_too_deep(_nested(MAX_JSON_DEPTH).encode())
    assert json_too_deep(_nested(MAX_JSON_DEPTH + 1).encode())
    assert not json_too_deep(json.dumps({"text": "[" * 500}).encode())
    assert not json_too_deep(json.dumps({"text": '\\"[[[' * 100}).encode())
    assert json_too_deep(('{"a":' * 40 + "1" + "}" * 40).encode())


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/calls/"),
        ("post", "/api/referrals/"),
        ("patch", "/api/referrals/{referral}/"),
        ("post", "/api/referrals/{referral}/notes/"),
        ("post", "/api/suggest/"),
    ],
)
@pytest.mark.parametrize("who", ["handler", "triage_staff", "nobody"])
def test_json_nested_a_thousand_levels_is_a_400_for_any_role(
    request, login, client, method, path, who
):
    referral = ReferralFactory()
    user_client = client if who == "nobody" else login(request.getfixturevalue(who))
    body = _nested(1000)
    response = getattr(user_client, method)(
        path.format(referral=referral.pk), body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": TOO_DEEP}


def test_a_deep_json_body_sent_to_a_page_is_a_400_page(login, handler):
    response = login(handler).post(
        reverse("triage:call-new"), _nested(1000), content_type="application/json"
    )
    assert response.status_code == 400
    assert TOO_DEEP in response.content.decode()


@pytest.mark.parametrize(
    "body",
    [{"assignee": "a\u0000"}, {"review_due": "2026-01-01\u0000"}, {"status\u0000": "new"}],
    ids=["value", "date", "key"],
)
def test_a_nul_in_a_json_field_is_a_400_with_one_message(login, triage_staff, body):
    referral = ReferralFactory()
    response = login(triage_staff).patch(
        f"/api/referrals/{referral.pk}/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": HAS_NUL}


def test_an_escaped_backslash_before_u0000_is_plain_text_not_a_nul(login, triage_staff):
    referral = ReferralFactory()
    response = login(triage_staff).post(
        f"/api/referrals/{referral.pk}/notes/",
        json.dumps({"text": "a path C:\\u0000 typed"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


def test_a_nul_in_a_query_parameter_is_a_400_page(login, triage_staff):
    response = login(triage_staff).get("/dwellings/?q=%00abcd")
    assert response.status_code == 400
    assert HAS_NUL in response.content.decode()


def test_a_nul_in_an_api_query_parameter_is_a_400(login, triage_staff):
    response = login(triage_staff).get("/api/referrals/?assignee=%00x")
    assert response.status_code == 400
    assert response.json() == {"detail": HAS_NUL}


def test_a_nul_in_a_form_field_is_a_400_page(login, handler):
    take_call(handler=handler)
    response = login(handler).post(reverse("triage:call-new"), {"address": "1 High St\x00"})
    assert response.status_code == 400
    assert HAS_NUL in response.content.decode()


@pytest.mark.parametrize("content_type", ["application/*", "*/*", "text/plain"])
def test_a_wildcard_content_type_does_not_get_round_the_guard(login, triage_staff, content_type):
    """DRF's JSON parser also takes a wildcard media type: the guard reads those bodies."""
    referral = ReferralFactory()
    client = login(triage_staff)
    url = f"/api/referrals/{referral.pk}/"
    deep = client.patch(url, _nested(1000), content_type=content_type)
    assert deep.status_code == 400 and deep.json()["detail"] == TOO_DEEP
    nul = client.patch(url, '{"assignee": "a\\u0000"}', content_type=content_type)
    assert nul.status_code == 400 and nul.json()["detail"] == HAS_NUL


def test_a_session_cookie_holding_a_nul_is_no_session_not_a_server_error(client):
    client.cookies["sessionid"] = "abcdefghij\x00klmnop"
    assert client.get("/login/").status_code == 200
