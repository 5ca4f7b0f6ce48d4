"""The team's pages: possible pairs and merges, who may use them, what they log."""

import pytest
from django.urls import reverse

from consolidation.models import DwellingMerge, PossibleSameDwelling
from consolidation.services import dwelling_merge, possible_same_queue
from core.models import ProcessingLog
from tests.factories import UserFactory

from .helpers import calls, dwelling

pytestmark = pytest.mark.django_db

A = "Hill Farm, Field Lane, Southfield, Exampletown EX1 2AB"
B = "Hill Farm, Southfield, Exampletown EX1 2AB"


@pytest.fixture
def pair():
    old, new = dwelling(A), dwelling(B)
    possible_same_queue(a=old, b=new, score=12.0)
    return PossibleSameDwelling.objects.get()


@pytest.fixture
def merge():
    return dwelling_merge(survivor=dwelling(A), merged=dwelling(B), score=25.0, by=None)


def urls(pair_pk=1, merge_pk=1):
    return [
        ("get", reverse("consolidation:possible-list")),
        ("post", reverse("consolidation:possible-confirm", args=[pair_pk])),
        ("post", reverse("consolidation:possible-reject", args=[pair_pk])),
        ("get", reverse("consolidation:merge-list")),
        ("post", reverse("consolidation:merge-split", args=[merge_pk])),
    ]


@pytest.mark.parametrize("role", ["call_handler", "mh_practitioner", "auditor", None])
def test_every_consolidation_page_is_refused_to_roles_outside_casework(client, role, pair, merge):
    client.force_login(UserFactory(role=role))
    for method, url in urls(pair.pk, merge.pk):
        response = getattr(client, method)(url, {"reason": "x"})
        assert response.status_code == 403, url
    assert PossibleSameDwelling.objects.get().status == PossibleSameDwelling.Status.OPEN
    assert not DwellingMerge.objects.get().is_split


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("consolidation:possible-list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", ["triage_staff", "supervisor"])
def test_the_possible_list_shows_both_addresses_their_calls_spellings_and_the_score_in_words(
    client, role, pair
):
    calls(pair.second, *[pair.created_at], address="hill farm southfield EX12AB")
    client.force_login(UserFactory(role=role))
    response = client.get(reverse("consolidation:possible-list"))
    text = response.content.decode()
    assert response.status_code == 200
    assert pair.first.address in text and pair.second.address in text
    assert "hill farm southfield EX12AB" in text
    assert "1 call;" in text
    assert "Possibly the same" in text
    assert "12.0" not in text  # words, not the matcher's number


def test_reading_the_possible_list_is_logged_for_each_dwelling_shown(client, triage_staff, pair):
    client.force_login(triage_staff)
    client.get(reverse("consolidation:possible-list"))
    logged = set(
        ProcessingLog.objects.filter(
            operation=ProcessingLog.Operation.CONSULTATION, object_type="dwelling"
        ).values_list("object_id", flat=True)
    )
    assert logged == {str(pair.first_id), str(pair.second_id)}


def test_confirming_merges_and_redirects_to_the_list(client, triage_staff, pair):
    client.force_login(triage_staff)
    response = client.post(reverse("consolidation:possible-confirm", args=[pair.pk]))
    assert response.status_code == 302
    assert DwellingMerge.objects.get().merged_by == triage_staff


def test_rejecting_without_a_reason_shows_the_error_and_changes_nothing(client, triage_staff, pair):
    client.force_login(triage_staff)
    response = client.post(reverse("consolidation:possible-reject", args=[pair.pk]), {"reason": ""})
    assert response.status_code == 400
    assert "Say why: it is recorded with the decision." in response.content.decode()
    assert PossibleSameDwelling.objects.get().status == PossibleSameDwelling.Status.OPEN


def test_rejecting_with_a_reason_records_two_households(client, triage_staff, pair):
    client.force_login(triage_staff)
    response = client.post(
        reverse("consolidation:possible-reject", args=[pair.pk]), {"reason": "Two farms."}
    )
    assert response.status_code == 302
    pair.refresh_from_db()
    assert (pair.status, pair.reason) == (PossibleSameDwelling.Status.REJECTED, "Two farms.")


def test_the_merge_list_shows_what_was_merged_and_splitting_needs_a_reason(
    client, supervisor, merge
):
    client.force_login(supervisor)
    text = client.get(reverse("consolidation:merge-list")).content.decode()
    assert merge.survivor.address in text and merge.merged.address in text
    assert "Nightly consolidation" in text and "Very likely the same" in text
    refused = client.post(reverse("consolidation:merge-split", args=[merge.pk]), {"reason": " "})
    assert refused.status_code == 400
    done = client.post(
        reverse("consolidation:merge-split", args=[merge.pk]), {"reason": "Two households."}
    )
    assert done.status_code == 302
    merge.refresh_from_db()
    assert merge.is_split and merge.split_by == supervisor


def test_the_top_navigation_offers_the_page_to_triage_staff_and_not_to_handlers(
    client, triage_staff, handler
):
    client.force_login(triage_staff)
    assert (
        "Possible same dwelling" in client.get(reverse("core:home"), follow=True).content.decode()
    )
    client.force_login(handler)
    assert (
        "Possible same dwelling"
        not in client.get(reverse("core:home"), follow=True).content.decode()
    )


def test_the_possible_list_reads_a_constant_number_of_queries(
    client, triage_staff, django_assert_max_num_queries
):
    for i in range(6):
        old = dwelling(f"Hill Farm {i}, Field Lane, Southfield, Exampletown EX1 2AB")
        new = dwelling(f"Hill Farm {i}, Southfield, Exampletown EX1 2AB")
        possible_same_queue(a=old, b=new, score=12.0)
    client.force_login(triage_staff)
    with django_assert_max_num_queries(15):
        client.get(reverse("consolidation:possible-list"))
