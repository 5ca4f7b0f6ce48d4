"""Historical import of calls: python manage.py import_calls (triage.importing)."""

import csv
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from referrals.models import Referral
from tests.factories import take_call
from triage import engine
from triage.importing import ImportFileError, import_calls
from triage.models import Call

pytestmark = pytest.mark.django_db

HEADER = "received_at,channel,address,narrative,concern_type,caller_type"
FACTS = [spec for spec in engine.FACT_FIELDS if spec.name != "repeat_calls_30d"]
HOME = "Flat 2, 10 High St, Ely CB7 4AA"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def csv_file(tmp_path, *rows, header=HEADER, name="calls.csv"):
    return write(tmp_path, name, "\n".join([header, *rows]) + "\n")


def row(received_at="2025-01-10T09:00:00+00:00", channel="999", address=HOME, **extra):
    values = {
        "received_at": received_at,
        "channel": channel,
        "address": address,
        "narrative": "Neighbour worried.",
        "concern_type": "welfare_check",
        "caller_type": "public",
        **extra,
    }
    return ",".join(f'"{v}"' if "," in str(v) else str(v) for v in values.values())


def run(path, *args):
    """(stdout, stderr) of the command; CommandError propagates."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_calls", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- a good file ---------------------------------------------------------------------------


def test_a_valid_csv_is_imported_with_repeat_counts_and_the_repeat_caller_is_referred(tmp_path):
    path = csv_file(
        tmp_path,
        row("2025-01-01T10:00:00+00:00"),
        row("2025-01-05T10:00:00Z", channel="101", address="10 high street flat 2 ely cb74aa"),
        row("2025-01-20T10:00:00+00:00", address="2/10 High Street, Ely"),
        row("2025-01-21T10:00:00+00:00", address="14 Station Road, March PE15 8NH"),
    )
    out, _ = run(path)
    assert "Imported 4 calls of 4 rows" in out
    calls = list(Call.objects.order_by("received_at"))
    assert len({c.dwelling_id for c in calls[:3]}) == 1
    assert [c.repeat_calls_30d for c in calls] == [1, 2, 3, 1]
    assert [c.facts["repeat_calls_30d"] for c in calls] == [1, 2, 3, 1]
    assert "FLAG-FARMINGTON" in calls[2].flags
    assert "FLAG-FARMINGTON" not in calls[1].flags
    assert calls[0].rule_id and calls[0].ruleset is not None
    assert calls[0].suggestion["rule_id"] == calls[0].rule_id
    referral = Referral.objects.get()
    assert referral.triggered_at == calls[2].received_at
    assert set(referral.trigger_calls.all()) == set(calls[:3])


def test_facts_left_out_take_their_neutral_defaults(tmp_path):
    run(csv_file(tmp_path, row()))
    facts = Call.objects.get().facts
    assert facts["location_type"] == "home"
    assert facts["immediate_risk"] == "none"
    assert facts["vulnerability_flags"] == []
    assert facts["hours_since_last_seen"] is None


def test_csv_fact_columns_are_read_by_their_kind(tmp_path):
    header = HEADER + ",vulnerability_flags,entry_required,hours_since_last_seen"
    run(
        csv_file(
            tmp_path,
            row() + ',"mental_distress;self_harm_injury",yes,36',
            header=header,
        )
    )
    facts = Call.objects.get().facts
    assert facts["vulnerability_flags"] == ["mental_distress", "self_harm_injury"]
    assert facts["entry_required"] is True
    assert facts["hours_since_last_seen"] == 36


def test_json_lines_with_facts_nested_or_flat_are_imported(tmp_path):
    lines = [
        {
            "received_at": "2025-02-01T08:00:00+00:00",
            "channel": "101",
            "address": HOME,
            "facts": {"concern_type": "medical", "caller_type": "self", "medical_need": "urgent"},
        },
        {
            "received_at": "2025-02-02T08:00:00+00:00",
            "channel": 999,
            "address": HOME,
            "concern_type": "welfare_check",
            "caller_type": "public",
        },
    ]
    path = write(tmp_path, "calls.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n\n")
    run(path)
    first, second = Call.objects.order_by("received_at")
    assert (first.rule_id, first.suggested_agency) == ("MED-URGENT", "AMBULANCE")
    assert second.channel == "999"


def test_calls_already_stored_count_towards_the_repeat_window(tmp_path):
    now = datetime.now(UTC)
    take_call(received_at=now - timedelta(days=20))
    path = csv_file(
        tmp_path,
        row((now - timedelta(days=10)).isoformat()),
        row((now - timedelta(days=5)).isoformat()),
    )
    run(path)
    newest = Call.objects.order_by("-received_at").first()
    assert newest.repeat_calls_30d == 3
    assert Referral.objects.get().triggered_at == newest.received_at


def test_progress_is_reported_every_n_rows_with_the_rate(tmp_path):
    path = csv_file(tmp_path, *(row(f"2025-01-0{d}T10:00:00+00:00") for d in range(1, 5)))
    _, err = run(path, "--progress-every", "2", "--batch-size", "3")
    assert "validated 2 rows (" in err and "rows/s)" in err
    assert "imported 4 rows (" in err
    assert Call.objects.count() == 4


def test_no_detect_leaves_referrals_to_the_nightly_run(tmp_path):
    path = csv_file(tmp_path, *(row(f"2025-01-0{d}T10:00:00+00:00") for d in range(1, 4)))
    run(path, "--no-detect")
    assert Call.objects.count() == 3
    assert not Referral.objects.exists()


# --- bad rows ------------------------------------------------------------------------------

BAD_ROWS = [
    (row("10/01/2025 09:00"), "received_at: not an ISO-8601 date-time"),
    (row("2025-01-10T09:00:00"), "has no UTC offset"),
    (row(channel="112"), "channel: must be one of 999, 101"),
    (row(concern_type="burglary"), "concern_type: must be one of: welfare_check, "),
    (row(address=""), "address: required"),
]


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(tmp_path):
    path = csv_file(tmp_path, row(), *(bad for bad, _ in BAD_ROWS), row())
    with pytest.raises(CommandError) as excinfo:
        run(path)
    assert "5 of 7 rows are invalid; nothing was imported" in str(excinfo.value)
    assert Call.objects.count() == 0
    _, err = _errors(path)
    for line, (_, reason) in enumerate(BAD_ROWS, start=3):
        assert any(e.startswith(f"line {line}: ") and reason in e for e in err), reason


def _errors(path):
    messages = []
    report = import_calls(path, log=messages.append, detect=False)
    return report, messages


def test_each_bad_row_is_one_line_with_every_reason(tmp_path):
    path = csv_file(tmp_path, row("yesterday", channel="1", address=" "))
    report, messages = _errors(path)
    assert report.rejected == 1 and report.imported == 0
    (message,) = messages
    assert message.startswith("line 2: ")
    assert "received_at" in message and "channel" in message and "address" in message


def test_a_call_before_2000_is_rejected_as_intake_rejects_it(tmp_path):
    path = csv_file(tmp_path, row("1800-01-01T00:00:00+00:00"))
    report, messages = _errors(path)
    assert report.rejected == 1 and report.imported == 0
    assert messages[0].startswith("line 2: received_at") and "2000-01-01" in messages[0]


def test_a_future_call_and_a_bad_fact_value_are_rejected(tmp_path):
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    path = csv_file(
        tmp_path,
        row(future) + ",",
        row() + ",sometimes",
        header=HEADER + ",entry_required",
    )
    _, messages = _errors(path)
    assert messages[0].startswith("line 2: received_at") and "in the future" in messages[0]
    assert messages[1].startswith("line 3: entry_required: Must be true or false")


def test_a_file_with_only_the_required_columns_imports_as_welfare_checks(tmp_path):
    path = write(
        tmp_path, "c.csv", f'received_at,channel,address\n2025-01-01T00:00Z,999,"{HOME}"\n'
    )
    run(path)
    call = Call.objects.get()
    assert (call.facts["concern_type"], call.facts["caller_type"]) == ("welfare_check", "public")
    assert call.rule_id == "CFW-ADVICE"


def test_a_bad_json_line_is_reported_by_its_line(tmp_path):
    good = json.dumps(
        {
            "received_at": "2025-01-01T00:00:00+00:00",
            "channel": "999",
            "address": HOME,
            "concern_type": "welfare_check",
            "caller_type": "public",
        }
    )
    path = write(tmp_path, "c.jsonl", f'{good}\n{{"received_at": \n\n[1, 2]\n{good}\n')
    _, messages = _errors(path)
    assert [m.split(":")[0] for m in messages] == ["line 2", "line 4"]
    assert "not valid JSON" in messages[0] and "must be a JSON object" in messages[1]


def test_skip_invalid_imports_the_good_rows_and_writes_the_rejects(tmp_path):
    path = csv_file(tmp_path, row(), BAD_ROWS[1][0], row("2025-01-11T09:00:00+00:00"))
    rejects = tmp_path / "rejects.csv"
    out, err = run(path, "--skip-invalid", "--rejects", str(rejects))
    assert "Imported 2 calls of 3 rows (1 rejected)" in out
    assert "line 3: received_at" in err
    assert Call.objects.count() == 2
    with rejects.open(newline="") as handle:
        header, record = list(csv.reader(handle))
    assert header == [*HEADER.split(","), "reject_line", "reject_reason"]
    assert record[:3] == ["2025-01-10T09:00:00", "999", HOME]
    assert record[-2] == "3" and "no UTC offset" in record[-1]


def test_a_fixed_rejects_file_can_be_imported_again(tmp_path):
    path = csv_file(tmp_path, row(), BAD_ROWS[1][0])
    run(path, "--skip-invalid")
    rejects = tmp_path / "calls.csv.rejects.csv"
    fixed = rejects.read_text().replace("2025-01-10T09:00:00,", "2025-01-10T09:00:00+00:00,")
    rejects.write_text(fixed)
    run(rejects, "--no-detect")
    assert Call.objects.count() == 2


def test_json_lines_rejects_keep_the_original_record(tmp_path):
    path = write(tmp_path, "c.jsonl", '{"received_at": "x", "channel": "999"}\nnot json\n')
    with pytest.raises(CommandError):
        run(path, "--skip-invalid")
    lines = (tmp_path / "c.jsonl.rejects.jsonl").read_text().splitlines()
    first, second = map(json.loads, lines)
    assert first["received_at"] == "x" and first["reject_line"] == 1
    assert second == {
        "reject_line": 2,
        "reject_reason": second["reject_reason"],
        "reject_original": "not json",
    }


# --- the file as a whole -------------------------------------------------------------------


def test_an_unknown_column_stops_the_import_before_any_row(tmp_path):
    path = csv_file(tmp_path, row() + ",x", header=HEADER + ",colour")
    with pytest.raises(CommandError) as excinfo:
        run(path)
    assert "unknown column(s) in the header: colour" in str(excinfo.value)


def test_the_format_comes_from_the_extension_or_the_flag(tmp_path):
    path = write(tmp_path, "calls.txt", HEADER + "\n" + row() + "\n")
    with pytest.raises(CommandError) as excinfo:
        run(path)
    assert "--format" in str(excinfo.value)
    run(path, "--format", "csv")
    assert Call.objects.count() == 1


def test_a_missing_file_is_one_clear_error(tmp_path):
    with pytest.raises(ImportFileError, match="no such file"):
        import_calls(tmp_path / "nope.csv")


# --- rows the csv and json modules refuse --------------------------------------------------

GOOD_JSON = json.dumps(
    {"received_at": "2025-01-01T00:00:00+00:00", "channel": "999", "address": HOME}
)
OVERSIZED = "x" * 200_000  # past the csv module's field size limit (131,072)


@pytest.mark.parametrize("tail", [3, 2_000], ids=["short tail", "long tail"])
@pytest.mark.parametrize("skip", [False, True], ids=["strict", "skip-invalid"])
def test_a_record_that_cannot_be_read_as_csv_stops_the_import_naming_its_line(tmp_path, skip, tail):
    """A quote left open swallows the lines after it into one field: reading on would
    drop them unreported, so the import stops at that line and nothing is imported, nor
    is a partial rejects file left (an earlier one is kept)."""
    # No quotes after the broken record (an address without commas): nothing closes it.
    rows = [
        row(f"2025-01-{11 + n % 20:02}T09:00:00+00:00", address="10 Mill Lane Ely CB7 4AA")
        for n in range(tail)
    ]
    bad_date = row("2999-01-01T09:00:00+00:00", narrative="Mrs Smith is scared")
    path = csv_file(tmp_path, row(), bad_date, row(narrative='"Neighbour says ' + "x" * 100), *rows)
    rejects = tmp_path / "calls.csv.rejects.csv"
    rejects.write_text("an earlier import's rejects\n")
    args = ("--skip-invalid",) if skip else ()
    with pytest.raises(CommandError, match=r"line 4: cannot be read as CSV .*check its quotes"):
        run(path, *args)
    assert Call.objects.count() == 0
    assert rejects.read_text() == "an earlier import's rejects\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calls.csv", "calls.csv.rejects.csv"]


def test_a_quote_left_open_past_the_field_limit_names_the_limit(tmp_path):
    rows = [row(address="10 Mill Lane Ely CB7 4AA") for _ in range(2_000)]
    path = csv_file(tmp_path, row(), row(narrative='"Neighbour says ' + "x" * 100), *rows)
    message = excinfo_text(path, "--skip-invalid")
    assert "calls.csv: line 3: cannot be read as CSV (a field is longer than the limit" in message
    assert "131,072 characters" in message and message.endswith("check its quotes")
    assert Call.objects.count() == 0


def test_a_csv_header_past_the_size_limit_is_one_clear_error_naming_line_1(tmp_path):
    path = csv_file(tmp_path, row(), header=HEADER + "," + OVERSIZED)
    with pytest.raises(
        CommandError,
        match=r"line 1: the header cannot be read as CSV \(a field is longer than the limit "
        r"of 131,072 characters\)",
    ):
        run(path)
    assert Call.objects.count() == 0


# A field in a record that closes its quotes; with its newlines, it spans 201 lines.
LONG_FIELDS = {
    "one line": (OVERSIZED, 1),
    "several lines": ('"' + ("x" * 1_000 + "\n") * 200 + '"', 201),
}


@pytest.mark.parametrize("long", LONG_FIELDS.values(), ids=LONG_FIELDS.keys())
def test_a_field_past_the_csv_limit_is_a_bad_row_naming_the_column_and_the_limit(tmp_path, long):
    narrative, _ = long
    path = csv_file(tmp_path, row(), row(narrative=narrative), row())
    with pytest.raises(CommandError, match="1 of 3 rows are invalid; nothing was imported"):
        run(path)
    _, messages = _errors(path)
    assert messages == ["line 3: narrative: longer than the CSV field limit (131,072 characters)"]
    assert Call.objects.count() == 0


@pytest.mark.parametrize("long", LONG_FIELDS.values(), ids=LONG_FIELDS.keys())
def test_skip_invalid_rejects_a_row_with_a_field_past_the_csv_limit_and_reads_on(tmp_path, long):
    narrative, lines = long
    after = 3 + lines  # the line of the row after the long one
    path = csv_file(
        tmp_path,
        row(),
        row(narrative=narrative),
        row("2025-01-10T09:00:00"),  # no UTC offset: reported by its own line
        row("2025-01-11T09:00:00+00:00"),
    )
    out, err = run(path, "--skip-invalid", "--no-detect")
    assert "Imported 2 calls of 4 rows (2 rejected)" in out
    assert "line 3: narrative: longer than the CSV field limit (131,072 characters)" in err
    assert f"line {after}: received_at: has no UTC offset" in err
    assert Call.objects.count() == 2
    limit = csv.field_size_limit(10**6)  # to read the long field back
    try:
        with (tmp_path / "calls.csv.rejects.csv").open(newline="") as handle:
            _, long_row, bad_date = list(csv.reader(handle))
    finally:
        csv.field_size_limit(limit)
    assert long_row[3] == narrative.strip('"') and long_row[-2] == "3"
    assert bad_date[-2] == str(after)


def test_a_json_line_nested_too_deeply_is_a_bad_row_reported_by_its_line(tmp_path):
    path = write(tmp_path, "c.jsonl", f"{GOOD_JSON}\n{'[' * 100_000}\n{GOOD_JSON}\n")
    with pytest.raises(CommandError, match="1 of 3 rows are invalid; nothing was imported"):
        run(path)
    _, messages = _errors(path)
    assert messages == ["line 2: not valid JSON (nested too deeply)"]
    assert Call.objects.count() == 0


def test_a_json_number_with_too_many_digits_is_a_bad_row_reported_by_its_line(tmp_path):
    path = write(tmp_path, "c.jsonl", f'{GOOD_JSON}\n{{"channel": {"9" * 5000}}}\n')
    _, messages = _errors(path)
    assert len(messages) == 1
    assert messages[0].startswith("line 2: not valid JSON (Exceeds the limit (4300 digits)")


@pytest.mark.parametrize(
    ("field", "value"),
    [("address", HOME + "\x00"), ("address", HOME + "\ud800"), ("narrative", "a\x00b")],
    ids=["nul-in-address", "surrogate-in-address", "nul-in-narrative"],
)
def test_text_intake_would_refuse_is_a_bad_row_not_a_failed_insert(tmp_path, field, value):
    bad = json.dumps({**json.loads(GOOD_JSON), field: value})
    path = write(tmp_path, "c.jsonl", f"{GOOD_JSON}\n{bad}\n")
    out, err = run(path, "--skip-invalid", "--no-detect")
    assert "Imported 1 calls of 2 rows (1 rejected)" in out
    assert f"line 2: {field}: contains a NUL character or an unpaired surrogate" in err


def test_json_lines_rejects_keep_an_unpaired_surrogate_escaped(tmp_path):
    bad = json.dumps({**json.loads(GOOD_JSON), "channel": "9\ud800"})
    path = write(tmp_path, "c.jsonl", f"{bad}\n{GOOD_JSON}\n")
    run(path, "--skip-invalid", "--no-detect")
    (line,) = (tmp_path / "c.jsonl.rejects.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["channel"] == "9\ud800"


def excinfo_text(path, *args):
    """What the failed command printed and raised, as one text."""
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_calls", str(path), *args, stdout=StringIO(), stderr=err)
    return err.getvalue() + str(excinfo.value)


# --- no personal data in messages (issue 7: they reach terminals and logs) ----------------

PERSONAL = "Mrs Jones 07700 900123, 10 High St"


def leaks(text):
    return any(part in text for part in ("Jones", "07700", "900123", "High St"))


def _rejects_reasons(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return [record[-1] for record in list(csv.reader(handle))[1:]]


@pytest.mark.parametrize("name", ["received_at", "channel", *(s.name for s in FACTS)])
def test_a_bad_value_is_reported_by_line_and_column_without_quoting_it(tmp_path, name):
    header = HEADER if name in HEADER.split(",") else f"{HEADER},{name}"
    path = csv_file(tmp_path, row(**{name: PERSONAL}), header=header)
    messages = []
    import_calls(path, skip_invalid=True, detect=False, log=messages.append)
    (message,) = messages
    assert message.startswith(f"line 2: {name}: ")
    assert not leaks(message)
    (reason,) = _rejects_reasons(tmp_path / "calls.csv.rejects.csv")
    assert not leaks(reason)


def test_the_phone_number_in_the_channel_column_is_not_printed(tmp_path):
    path = csv_file(tmp_path, row(channel="07700 900123", caller_type="Mrs Jones 07700900123"))
    text = excinfo_text(path)
    assert "line 2: channel: must be one of 999, 101; caller_type: must be one of: public" in text
    assert not leaks(text)


def test_a_bad_value_in_a_json_line_or_an_unknown_key_is_not_quoted(tmp_path):
    record = {
        "received_at": PERSONAL,
        "channel": PERSONAL,
        "address": HOME,
        PERSONAL: 1,
        "facts": {"concern_type": PERSONAL, "vulnerability_flags": [PERSONAL]},
    }
    path = write(tmp_path, "c.jsonl", json.dumps(record) + "\n")
    messages = []
    import_calls(path, skip_invalid=True, detect=False, log=messages.append)
    (message,) = messages
    assert not leaks(message)
    for reason in ("1 unknown field(s)", "received_at: ", "channel: ", "concern_type: "):
        assert reason in message
    assert "vulnerability_flags: unknown value(s); allowed: " in message
    (line,) = (tmp_path / "c.jsonl.rejects.jsonl").read_text().splitlines()
    assert not leaks(json.loads(line)["reject_reason"])


def test_a_csv_without_its_header_row_does_not_print_the_first_call(tmp_path):
    path = write(tmp_path, "calls.csv", row(address=PERSONAL) + "\n" + row() + "\n")
    text = excinfo_text(path)
    assert "unknown column(s)" in text and "is the header row missing?" in text
    assert not leaks(text)
