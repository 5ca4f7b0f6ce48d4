"""import_calls records the collection of each call in the processing log (DPA 2018 s62),
as intake does: a COLLECTION entry per call and a COMBINATION entry when it is linked to a
dwelling, by the system, in the calls' own transaction."""

import pytest

from core.models import ProcessingLog
from triage import engine
from triage.importing import import_calls
from triage.models import Call

pytestmark = pytest.mark.django_db

HEADER = "received_at,channel,address,concern_type,caller_type"
HOME = '"Flat 2, 10 High St, Ely CB7 4AA"'


def calls_csv(tmp_path, count, *, address=HOME):
    rows = [
        f"2025-01-{1 + n % 28:02}T10:00:00+00:00,999,{address},welfare_check,public"
        for n in range(count)
    ]
    path = tmp_path / "calls.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def call_entries(operation):
    return ProcessingLog.objects.filter(object_type="call", operation=operation)


def test_each_imported_call_is_logged_as_collected_and_linked_to_its_dwelling(tmp_path):
    path = calls_csv(tmp_path, 2)
    with path.open("a", encoding="utf-8") as handle:  # a bare street names no dwelling
        handle.write("2025-02-01T10:00:00+00:00,101,High Street,welfare_check,public\n")
    import_calls(path, detect=False, log=lambda message: None)

    calls = {str(c.pk): c for c in Call.objects.all()}
    collected = call_entries("collection")
    assert sorted(e.object_id for e in collected) == sorted(calls)
    # By the system, as the import logs the dwelling it creates (log_objects(user=None)).
    dwelling = ProcessingLog.objects.get(object_type="dwelling", operation="collection")
    who = {(e.user_id, e.username, e.role, e.request_id) for e in collected}
    assert who == {(dwelling.user_id, dwelling.username, dwelling.role, dwelling.request_id)}
    assert dwelling.username == "system"
    linked = {e.object_id: e.justification for e in call_entries("combination")}
    assert linked == {
        pk: f"linked to dwelling {call.dwelling_id}"
        for pk, call in calls.items()
        if call.dwelling_id is not None
    }
    assert len(linked) == 2


def test_calls_imported_over_several_batches_are_each_logged_once(tmp_path):
    import_calls(calls_csv(tmp_path, 7), batch_size=3, detect=False, log=lambda message: None)
    ids = sorted(str(pk) for pk in Call.objects.values_list("pk", flat=True))
    assert len(ids) == 7
    assert sorted(call_entries("collection").values_list("object_id", flat=True)) == ids
    assert sorted(call_entries("combination").values_list("object_id", flat=True)) == ids


def test_a_failed_import_leaves_neither_calls_nor_their_log_entries(tmp_path, monkeypatch):
    evaluate, seen = engine.evaluate, []

    def failing_on_the_fifth_call(facts, rules, **flags):
        seen.append(facts)
        if len(seen) == 5:
            raise RuntimeError("database gone")
        return evaluate(facts, rules, **flags)

    # Repeat counts differ from call to call at one dwelling, so each call is evaluated.
    monkeypatch.setattr(engine, "evaluate", failing_on_the_fifth_call)
    with pytest.raises(RuntimeError):
        import_calls(calls_csv(tmp_path, 6), batch_size=2, detect=False, log=lambda m: None)
    assert not Call.objects.exists()
    assert not ProcessingLog.objects.filter(object_type="call").exists()
