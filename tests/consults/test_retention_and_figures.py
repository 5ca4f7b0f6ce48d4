from datetime import timedelta

import pytest
from django.utils import timezone

from consults.models import Consult
from consults.selectors import consult_figures, percentile
from consults.services import consult_answer
from core.retention import apply_retention
from tests.consults.helpers import ask
from tests.factories import take_call
from triage.models import Call

pytestmark = pytest.mark.django_db


def _answer(consult, user, **changes):
    kwargs = {"known_to_services": "yes", "advice": "Known; crisis team will ring."} | changes
    return consult_answer(consult=consult, user=user, **kwargs)


def test_an_anonymised_call_takes_its_consults_text_with_it(settings, handler, practitioner):
    settings.RETENTION_DAYS_CALLS = 30
    old = take_call(handler=handler, received_at=timezone.now() - timedelta(days=40))
    consult = _answer(ask(call=old), practitioner, service="Crisis team", risk_notes="Self-harm")
    apply_retention()
    consult.refresh_from_db()
    assert (consult.question, consult.advice, consult.service, consult.risk_notes) == ("",) * 4


def test_a_deleted_call_deletes_its_consults(handler):
    consult = ask(call=take_call(handler=handler))
    Call.objects.filter(pk=consult.call_id).delete()
    assert not Consult.objects.exists()


def test_percentiles_interpolate():
    assert percentile([], 90) is None
    assert percentile([10.0], 90) == 10.0
    assert percentile([float(s) for s in range(1, 11)], 90) == pytest.approx(9.1)


def test_the_figures_count_days_times_late_answers_and_matches(handler, practitioner):
    now = timezone.now()
    quick = ask(call=take_call(handler=handler))
    Consult.objects.filter(pk=quick.pk).update(asked_at=now - timedelta(seconds=120))
    _answer(quick, practitioner, recommended_agency="AMBULANCE", now=now)
    slow = ask(call=take_call(handler=handler))
    Consult.objects.filter(pk=slow.pk).update(asked_at=now - timedelta(seconds=600))
    _answer(slow, practitioner, recommended_agency="POLICE", now=now)
    waiting = ask(call=take_call(handler=handler))
    Consult.objects.filter(pk=waiting.pk).update(asked_at=now - timedelta(seconds=400))
    Call.objects.filter(pk=quick.call_id).update(final_agency="AMBULANCE")
    Call.objects.filter(pk=slow.call_id).update(final_agency="AMBULANCE")

    figures = consult_figures(now=now)

    assert figures.total == 3 and figures.answered == 2
    assert figures.median_seconds == pytest.approx(360)
    assert figures.p90_seconds == pytest.approx(120 + 0.9 * 480)
    assert figures.late == 2  # one answered after 10 minutes, one still waiting after 6
    assert (figures.matched, figures.with_recommendation, figures.matched_percent) == (1, 2, 50)
    assert sum(n for _, n in figures.days) == 3
