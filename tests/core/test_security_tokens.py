"""API tokens for integrations: hashed, shown once, revocable by their user or an admin."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.models import ApiToken, hash_token
from core.services import api_token_create, api_token_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _api(client, key, path="/api/calls/", keyword="Token"):
    return client.get(path, HTTP_AUTHORIZATION=f"{keyword} {key}")


def test_a_token_authenticates_as_its_user_with_that_users_roles(client, handler):
    _, key = api_token_create(user=handler, name="CAD link")
    assert _api(client, key).status_code == 200
    triage_key = api_token_create(user=UserFactory(role="triage_staff"), name="x")[1]
    assert _api(client, triage_key).status_code == 403


def test_the_bearer_keyword_works_too(client, handler):
    _, key = api_token_create(user=handler, name="CAD link")
    assert _api(client, key, keyword="Bearer").status_code == 200


def test_only_the_hash_of_a_key_is_stored(handler):
    token, key = api_token_create(user=handler, name="CAD link")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hash_token(key)
    assert key not in {stored.key_hash, stored.prefix, stored.name}
    assert key.startswith(stored.prefix)


def test_a_wrong_token_is_refused(client, handler):
    api_token_create(user=handler, name="CAD link")
    response = _api(client, "not-a-real-key")
    assert response.status_code in (401, 403)


def test_a_revoked_token_is_refused_at_once(client, handler):
    token, key = api_token_create(user=handler, name="CAD link")
    assert _api(client, key).status_code == 200
    api_token_revoke(token=token)
    assert _api(client, key).status_code in (401, 403)


def test_a_token_of_a_deactivated_user_is_refused(client, handler):
    _, key = api_token_create(user=handler, name="CAD link")
    handler.is_active = False
    handler.save()
    assert _api(client, key).status_code in (401, 403)


def test_token_requests_need_no_csrf_token(client, handler):
    from tests.factories import facts

    _, key = api_token_create(user=handler, name="CAD link")
    client = client.__class__(enforce_csrf_checks=True)
    response = client.post(
        "/api/calls/",
        {"channel": "101", "address": "5 Mill Lane, Ely CB7 4AB", "facts": facts()},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert response.status_code == 201


def test_use_is_recorded(client, handler):
    token, key = api_token_create(user=handler, name="CAD link")
    _api(client, key)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_user_revokes_their_own_token_from_their_account(login, handler):
    token, key = api_token_create(user=handler, name="CAD link")
    client = login(handler)
    assert b"CAD link" in client.get(reverse("core:account")).content
    response = client.post(reverse("core:token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_user_cannot_revoke_someone_elses_token(login, handler):
    token, _ = api_token_create(user=UserFactory(role="call_handler"), name="x")
    response = login(handler).post(reverse("core:token-revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_admin_revokes_tokens_in_the_admin(client, handler):
    token, _ = api_token_create(user=handler, name="CAD link")
    client.force_login(UserFactory(role=None, is_superuser=True, is_staff=True))
    response = client.post(
        reverse("admin:core_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_command_prints_the_key_once(client, handler):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", handler.username, "--name", "CAD link", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert _api(client, key).status_code == 200
    assert key not in err.getvalue()
    assert ApiToken.objects.get(user=handler).name == "CAD link"


def test_the_command_refuses_an_unknown_user():
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_schema_documents_the_token_scheme(login, handler):
    schema = login(handler).get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    assert "tokenAuth" in schema["components"]["securitySchemes"]
