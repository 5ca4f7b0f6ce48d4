"""Bulk-load realistic dwellings and calls into PostgreSQL with COPY, for benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/triage_bench \\
        python bench/seed.py --calls 1000000 [--days 365] [--dwellings N] \\
        [--repeat-share 0.02] [--truncate] [--seed 1]

Creates the database if it does not exist and migrates it. Writes callers_dwelling,
triage_call (facts, the engine's suggestion and rule id for the live rule set, FLAG-FARMINGTON
where a dwelling had 3 calls in 30 days) and triage_decision (most calls decided, some
overridden or downgraded), then ANALYZEs. No referrals: run detection for those
(bench/bench_detection.py, or manage.py detect_repeat_callers --full-history).

Shape: --dwellings defaults to calls/4. A --repeat-share of the dwellings are repeat
callers with bursts of 3-6 calls within a few weeks (some bursts spread just past 30 days);
other calls fall uniformly at random over the last --days days, ending now. 0.5% of calls
name no dwelling. Same --seed, same data (apart from "now").

Other benchmarks reuse it: ``from seed import ensure_seeded`` (bench/ on sys.path) reuses a
database already seeded with the same parameters (recorded as a comment on triage_call),
and reseeds otherwise. Refuses SQLite: COPY is PostgreSQL's.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

DAY = 86_400.0
NAMES = [
    "Acacia",
    "Alder",
    "Ash",
    "Aspen",
    "Beech",
    "Birch",
    "Bramble",
    "Briar",
    "Cedar",
    "Chestnut",
    "Clover",
    "Cypress",
    "Daisy",
    "Elder",
    "Elm",
    "Fern",
    "Foxglove",
    "Hawthorn",
    "Hazel",
    "Heather",
    "Holly",
    "Honeysuckle",
    "Ivy",
    "Juniper",
    "Laburnum",
    "Larch",
    "Laurel",
    "Lavender",
    "Lilac",
    "Linden",
    "Magnolia",
    "Maple",
    "Myrtle",
    "Oak",
    "Olive",
    "Poplar",
    "Primrose",
    "Rowan",
    "Saffron",
    "Sorrel",
    "Spruce",
    "Sycamore",
    "Tamarisk",
    "Teasel",
    "Thistle",
    "Walnut",
    "Willow",
    "Yew",
    "Ashby",
    "Bedford",
    "Carlton",
    "Denham",
    "Everard",
    "Fairfax",
    "Granville",
    "Harcourt",
    "Kingsley",
    "Lancaster",
    "Melbourne",
]
TYPES = ("Road", "Street", "Lane", "Avenue", "Close", "Drive", "Gardens", "Way")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
MAX_NUMBER = 300
HANDLERS = 20
TOLD = "Told the caller who will help and to call back if things change."
OVERRIDE_REASONS = ("risk_higher", "partner_unavailable", "new_information", "response_plan")


def setup_django():
    """Django configured; the database created and migrated if it is new. Exits on SQLite."""
    import django

    django.setup()
    from django.db import OperationalError, connection

    if connection.vendor != "postgresql":
        sys.exit(
            "bench needs PostgreSQL (COPY and the figures are PostgreSQL's): set "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/triage_bench"
        )
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
        _create_database(connection.settings_dict)
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
    except Exception as exc:  # noqa: BLE001 - a half-migrated bench database still serves
        print(f"warning: migrate failed ({exc}); using the schema as it is", file=sys.stderr)


def _connect_like(settings_dict, dbname=None):
    """A plain psycopg connection to the database Django uses (or another on its server)."""
    import psycopg

    return psycopg.connect(
        dbname=dbname or settings_dict["NAME"],
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        autocommit=True,
    )


def _create_database(settings_dict):
    name = settings_dict["NAME"]
    with _connect_like(settings_dict, dbname="postgres") as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"created database {name}", file=sys.stderr)


# --- dwellings ---------------------------------------------------------------------------


def _dwelling(i: int):
    """The i-th dwelling: (address, key, postcode, number, sub_building, street, town).

    Mixed radix over town, street, number and flat, so every index is a distinct dwelling;
    the parts are what callers.addresses.parse_address returns (checked on a sample)."""
    from triage.demo import TOWNS

    town, outward = TOWNS[i % len(TOWNS)]
    rest = i // len(TOWNS)
    street_no = rest % (len(NAMES) * len(TYPES))
    rest //= len(NAMES) * len(TYPES)
    number = rest % MAX_NUMBER + 1
    flat = rest // MAX_NUMBER
    name, kind = NAMES[street_no % len(NAMES)], TYPES[street_no // len(NAMES)]
    street = f"{name} {kind}"
    # One postcode per street and hundred: close enough to ~15-50 homes a postcode.
    code = street_no * 7 + number // 100
    inward = f"{code % 9 + 1}{INWARD_LETTERS[code // 9 % 20]}{INWARD_LETTERS[code // 180 % 20]}"
    postcode = f"{outward} {inward}"
    sub = f"flat {flat}" if flat else ""
    prefix = f"Flat {flat}, " if flat else ""
    address = f"{prefix}{number} {street}, {town} {postcode}"
    key = f"{number}|{street.lower().replace(' ', '')}|{sub}|{town.lower()}"
    return address, key, postcode, str(number), sub, street.lower(), town.lower()


def _variant(address: str, rng: random.Random) -> str:
    """Another way a handler types the same address."""
    roll = rng.random()
    if roll < 0.7:
        return address
    if roll < 0.85:
        return address.lower()
    return (
        address.replace(" Road,", " Rd,").replace(" Street,", " St,").replace(" Avenue,", " Ave,")
    )


def check_dwellings(count: int, rng: random.Random, sample: int = 300):
    """Fail loudly if the generated parts ever differ from what the parser makes of them."""
    from callers.addresses import dwelling_key, parse_address

    for i in rng.sample(range(count), min(sample, count)) + [0, count - 1]:
        address, key, postcode, number, sub, street, town = _dwelling(i)
        parsed = parse_address(address)
        got = (parsed.postcode, parsed.number, parsed.sub_building, parsed.street, parsed.town)
        if dwelling_key(address) != key or got != (postcode, number, sub, street, town):
            sys.exit(f"seed: generated dwelling {address!r} parses as {parsed} ({key!r})")
        for _ in range(3):
            variant = _variant(address, rng)
            if dwelling_key(variant) != key:
                sys.exit(f"seed: variant {variant!r} of {address!r} has another key")


# --- calls -------------------------------------------------------------------------------


class Profiles:
    """Realistic fact sets, each evaluated once by the live rule set (with and without the
    Farmington flag) and pre-serialised, so a million calls cost no engine time."""

    def __init__(self, rng: random.Random, count: int = 400):
        from triage import engine
        from triage.demo import NARRATIVES, _facts
        from triage.selectors import ruleset_current

        self.ruleset, rules = ruleset_current()
        self.items = []
        while len(self.items) < count:
            data = _facts(rng)
            try:
                facts = engine.parse_facts({**data, "repeat_calls_30d": 1})
            except engine.FactsError:
                continue
            plain = engine.evaluate(facts, rules)
            flagged = engine.evaluate(
                engine.Facts(**{**facts.__dict__, "repeat_calls_30d": 3}), rules, repeat_due=True
            )
            facts_json = json.dumps(engine.facts_to_dict(facts))
            # repeat_calls_30d is the last field: the JSON ends with "...": 1}; cut the 1}.
            assert facts_json.endswith('"repeat_calls_30d": 1}')
            self.items.append(
                {
                    "concern_type": facts.concern_type,
                    "facts_prefix": facts_json[: -len("1}")],
                    "plain": json.dumps(plain.to_dict()),
                    "flagged": json.dumps(flagged.to_dict()),
                    "rule_id": plain.rule_id,
                    "agency": plain.agency,
                    "attend": plain.police_attend,
                    "checks": json.dumps(
                        {c: "Caller confirmed no present risk." for c in plain.checks}
                    ),
                    "advice": plain.caller_advice,
                    "narratives": NARRATIVES[facts.concern_type],
                }
            )


def _repeat_calls(rng, repeat_dwellings, start, days, budget):
    """Bursts at repeat dwellings: (time, dwelling index), bucketed by day."""
    by_day: dict[int, list] = {}
    total = 0
    episodes_per = max(1.0, days / 120)
    for d in repeat_dwellings:
        for _ in range(max(1, round(episodes_per * rng.uniform(0.5, 1.5)))):
            if total >= budget:
                return by_day, total
            calls = rng.randint(3, 6)
            span = rng.uniform(31, 45) if rng.random() < 0.2 else rng.uniform(1, 28)
            first = rng.uniform(0, max(1.0, days * DAY - span * DAY))
            for _ in range(calls):
                t = min(start + first + rng.uniform(0, span * DAY), start + days * DAY - 1)
                by_day.setdefault(int((t - start) // DAY), []).append((t, d))
                total += 1
    return by_day, total


def seed(
    *,
    calls: int,
    days: int = 365,
    dwellings: int | None = None,
    repeat_share: float = 0.02,
    truncate: bool = False,
    seed_value: int = 1,
    out=sys.stderr,
) -> dict:
    """Load the data; returns what was seeded (also stored as a comment on triage_call)."""
    from django.db import connection

    rng = random.Random(seed_value)
    dwellings = dwellings or max(100, calls // 4)
    with connection.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM callers_dwelling)")
        if cur.fetchone()[0] and not truncate:
            sys.exit("seed: the database already has dwellings; pass --truncate to replace them")
        if truncate:
            # The dashboard's aggregates count the calls being replaced: they go too.
            cur.execute(
                "TRUNCATE triage_decision, triage_call, callers_dwelling, "
                f"{', '.join(_aggregate_tables())} RESTART IDENTITY CASCADE"
            )
    check_dwellings(dwellings, random.Random(seed_value))
    profiles = Profiles(rng)
    handler_ids = _handlers()
    end = datetime.now(UTC).replace(microsecond=0)
    start = end - timedelta(days=days)
    started = time.perf_counter()
    with connection.cursor() as cur:
        # Generated rows are consistent by construction: skip the per-row foreign-key
        # triggers while loading (superuser only; the usual bulk-load setting).
        cur.execute("SET session_replication_role = replica")
    try:
        addresses = _copy_dwellings(dwellings, start, out)
        repeat = rng.sample(range(dwellings), int(dwellings * repeat_share))
        by_day, repeat_total = _repeat_calls(rng, repeat, start.timestamp(), days, calls // 2)
        counts = _copy_calls(
            rng,
            profiles,
            handler_ids,
            addresses=addresses,
            repeat_set=set(repeat),
            by_day=by_day,
            background=calls - repeat_total,
            start=start.timestamp(),
            days=days,
            out=out,
        )
    finally:
        with connection.cursor() as cur:
            cur.execute("SET session_replication_role = DEFAULT")
    with connection.cursor() as cur:
        for table in ("callers_dwelling", "triage_call", "triage_decision"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
    elapsed = time.perf_counter() - started
    info = {
        "calls": calls,
        "days": days,
        "dwellings": dwellings,
        "repeat_share": repeat_share,
        "seed": seed_value,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "repeat_calls": repeat_total,
        "decisions": counts["decisions"],
        "seconds": round(elapsed, 1),
    }
    # DDL takes no bound parameters (the server binds them, see DB_PREPARED_STATEMENTS):
    # the comment goes in as a quoted literal.
    comment = sql.SQL("COMMENT ON TABLE triage_call IS {}").format(
        sql.Literal("seed:" + json.dumps(info))
    )
    with connection.cursor() as cur:
        cur.execute(comment.as_string(cur.connection))
    print(
        f"seeded {calls:,} calls, {dwellings:,} dwellings, {counts['decisions']:,} decisions "
        f"in {elapsed:.1f} s ({calls / elapsed:,.0f} calls/s)",
        file=out,
    )
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE callers_dwelling")
        cur.execute("VACUUM ANALYZE triage_call")
        cur.execute("VACUUM ANALYZE triage_decision")
    print(f"vacuum analyze {time.perf_counter() - t:.1f} s", file=out)
    return info


def seeded_info() -> dict | None:
    """What the database was seeded with, or None."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT obj_description('triage_call'::regclass, 'pg_class')")
        comment = cur.fetchone()[0]
    if not comment or not comment.startswith("seed:"):
        return None
    return json.loads(comment[len("seed:") :])


def ensure_seeded(*, calls: int, days: int = 365, repeat_share: float = 0.02, out=sys.stderr):
    """Reuse a database seeded with these parameters, or seed it afresh (truncating)."""
    info = seeded_info()
    if (
        info
        and info["calls"] == calls
        and info["days"] == days
        and info["repeat_share"] == repeat_share
    ):
        print(f"reusing seeded data: {calls:,} calls ending {info['end']}", file=out)
        return info
    return seed(calls=calls, days=days, repeat_share=repeat_share, truncate=True, out=out)


def _aggregate_tables() -> list[str]:
    """The dashboard's aggregate tables and the repeat-share cache's mark."""
    from django.db import connection

    from dashboards import models

    return [
        connection.ops.quote_name(model._meta.db_table)
        for model in (
            models.DailyCallStat,
            models.HourlyCallStat,
            models.HandlerDailyStat,
            models.DwellingDailyStat,
            models.RepeatDayStat,
            models.RepeatStatMark,
        )
    ]


def _handlers() -> list[int]:
    from django.contrib.auth.models import Group, User

    group, _ = Group.objects.get_or_create(name="call_handler")
    ids = []
    for n in range(HANDLERS):
        user, created = User.objects.get_or_create(username=f"bench_handler{n}")
        if created:
            user.set_unusable_password()
            user.save()
            user.groups.add(group)
        ids.append(user.pk)
    return ids


def _text(value: str) -> str:
    """A string as a field of COPY's text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _copy_dwellings(count: int, start: datetime, out) -> list[str]:
    """COPY the dwellings; returns their addresses (index i is dwelling id i + 1)."""
    from django.db import connection

    t = time.perf_counter()
    addresses = []
    created = start.isoformat()
    with (
        connection.cursor() as cur,
        cur.copy(
            "COPY callers_dwelling (id, key, address, postcode, number, sub_building, street, "
            "town, uprn, match_method, created_at) FROM STDIN"
        ) as copy,
    ):
        lines = []
        for i in range(count):
            address, key, postcode, number, sub, street, town = _dwelling(i)
            addresses.append(address)
            lines.append(
                f"{i + 1}\t{key}\t{address}\t{postcode}\t{number}\t{sub}\t{street}\t{town}"
                f"\t\\N\tkey\t{created}\n"
            )
            if len(lines) >= 20_000:
                copy.write("".join(lines))
                lines = []
        copy.write("".join(lines))
    elapsed = time.perf_counter() - t
    print(f"dwellings: {count:,} in {elapsed:.1f} s ({count / elapsed:,.0f}/s)", file=out)
    return addresses


CALL_COPY = (
    "COPY triage_call (id, client_token, channel, received_at, created_at, handler_id, address, "
    "dwelling_id, narrative, facts, concern_type, repeat_calls_30d, ruleset_id, rule_id, "
    "suggested_agency, suggested_police_attend, suggestion, decided_at, final_agency, "
    "final_police_attend, overridden, grade) FROM STDIN"
)
DECISION_COPY = (
    "COPY triage_decision (id, call_id, decided_at, decided_by_id, accepted, final_agency, "
    "final_police_attend, override_reason, override_note, thrive, grade, caller_told, "
    "caller_told_text, check_confirmations, downgraded) FROM STDIN"
)


def _copy_calls(
    rng, profiles, handler_ids, *, addresses, repeat_set, by_day, background, start, days, out
):
    """Calls in time order, day by day (ids follow time, as they do live), as COPY text.

    Strings are escaped once per profile rather than once per row: this loop is the cost."""
    from django.db import connection
    from psycopg.copy import QueuedLibpqWriter

    from triage.demo import TOWNS
    from triage.management.commands.seed_demo import THRIVE

    random_ = rng.random
    dwellings = len(addresses)
    thrive = _text(json.dumps(THRIVE))
    items = []
    for p in profiles.items:
        attend = "t" if p["attend"] else "f"
        items.append(
            (
                # channel..handler go first; this is the fixed middle of a call row.
                f"\t{_text(p['facts_prefix'])}",
                f"}}\t{p['concern_type']}\t",
                f"\t{profiles.ruleset.pk}\t{p['rule_id']}\t{p['agency']}\t{attend}\t",
                _text(p["plain"]),
                _text(p["flagged"]),
                [_text(n) for n in p["narratives"]],
                p["attend"],
                p["agency"],
                _text(p["checks"]),
                _text(p["advice"]),
            )
        )
    handlers = [str(h) for h in handler_ids]
    towns = [t for t, _ in TOWNS]
    history: dict[int, list[float]] = {}
    call_id = decision_id = 0
    t0 = time.perf_counter()
    # The live repeat-caller policy's numbers for the stored counts and flags (detection
    # opens the referrals). Every call is counted: a policy counting one channel only
    # would need the channel drawn first.
    from referrals import farmington

    policy = farmington.policy_current()
    if len(policy.channels) != 2:
        raise SystemExit("seed.py writes flags for a policy counting 999 and 101 calls alike")
    window, threshold = policy.window.total_seconds(), policy.threshold
    per_day, extra = divmod(background, days)
    fromtimestamp = datetime.fromtimestamp
    # Calls and decisions stream at once, over two connections, each through a writer thread,
    # so that generating rows here overlaps with two server processes parsing them. Foreign
    # keys are not checked while loading (session_replication_role), so decisions need not
    # wait for their calls to commit.
    other = _connect_like(connection.settings_dict)
    other.execute("SET session_replication_role = replica")
    with (
        connection.cursor() as cur,
        other.cursor() as other_cur,
        cur.copy(CALL_COPY, writer=QueuedLibpqWriter(cur)) as copy_calls,
        other_cur.copy(DECISION_COPY, writer=QueuedLibpqWriter(other_cur)) as copy_decisions,
    ):
        for day in range(days):
            day_start = start + day * DAY
            todays = by_day.pop(day, [])
            for _ in range(per_day + (1 if day < extra else 0)):
                d = int(random_() * dwellings)
                while d in repeat_set:
                    d = int(random_() * dwellings)
                todays.append((day_start + random_() * DAY, d))
            todays.sort()
            calls, decisions = [], []
            for ts, d in todays:
                call_id += 1
                if random_() < 0.005:
                    address = f"Near the bus station, {towns[int(random_() * len(towns))]}"
                    dwelling_id, repeat = "\\N", 1
                else:
                    address = addresses[d]
                    roll = random_()
                    if roll > 0.85:
                        address = address.replace(" Road,", " Rd,").replace(" Street,", " St,")
                    elif roll > 0.7:
                        address = address.lower()
                    dwelling_id = d + 1
                    cutoff = ts - window
                    recent = [x for x in history.get(d, ()) if x >= cutoff]
                    recent.append(ts)
                    history[d] = recent
                    repeat = len(recent)
                (
                    facts_head,
                    facts_tail,
                    middle,
                    plain,
                    flagged,
                    narratives,
                    p_attend,
                    p_agency,
                    checks,
                    advice,
                ) = items[int(random_() * len(items))]
                received = fromtimestamp(ts, UTC)
                handler = handlers[int(random_() * len(handlers))]
                channel = "999" if random_() < 0.55 else "101"
                created = received + timedelta(seconds=20 + int(random_() * 220))
                narrative = narratives[int(random_() * len(narratives))]
                head = (
                    f"{call_id}\t\\N\t{channel}\t{received.isoformat()}\t{created.isoformat()}"
                    f"\t{handler}\t{address}\t{dwelling_id}\t{narrative}{facts_head}{repeat}"
                    f"{facts_tail}{repeat}{middle}{flagged if repeat >= threshold else plain}"
                )
                if random_() < 0.95:
                    decision_id += 1
                    override = random_() < 0.08
                    attend = p_attend != override
                    agency = p_agency
                    if override:
                        agency = "POLICE" if attend else "MENTAL_HEALTH_CRISIS"
                    grade = 1 if attend else (3 if random_() < 0.5 else 4)
                    decided_at = (
                        received + timedelta(seconds=120 + int(random_() * 420))
                    ).isoformat()
                    a = "t" if attend else "f"
                    o = "t" if override else "f"
                    calls.append(f"{head}\t{decided_at}\t{agency}\t{a}\t{o}\t{grade}\n")
                    reason = OVERRIDE_REASONS[int(random_() * 4)] if override else ""
                    told = "" if attend else (TOLD if override else advice)
                    decisions.append(
                        f"{decision_id}\t{call_id}\t{decided_at}\t{handler}\t{'f' if override else 't'}"
                        f"\t{agency}\t{a}\t{reason}\t{'Bench override.' if override else ''}"
                        f"\t{thrive}\t{grade}\t{'f' if attend else 't'}\t{told}"
                        f"\t{checks}\t{'t' if p_attend and not attend else 'f'}\n"
                    )
                else:
                    calls.append(f"{head}\t\\N\t\t\\N\tf\t\\N\n")
            copy_calls.write("".join(calls))
            copy_decisions.write("".join(decisions))
            if (day + 1) % 30 == 0:
                rate = call_id / (time.perf_counter() - t0)
                print(f"  calls: {call_id:,} ({rate:,.0f}/s)", file=out)
    other.close()
    elapsed = time.perf_counter() - t0
    print(
        f"calls: {call_id:,} and decisions: {decision_id:,} in {elapsed:.1f} s "
        f"({call_id / elapsed:,.0f} calls/s)",
        file=out,
    )
    return {"calls": call_id, "decisions": decision_id}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--dwellings", type=int, default=None, help="default: calls / 4")
    parser.add_argument("--repeat-share", type=float, default=0.02)
    parser.add_argument("--truncate", action="store_true", help="replace existing data")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.calls < 1 or args.days < 1 or not 0 <= args.repeat_share <= 1:
        parser.error("--calls and --days must be positive, --repeat-share within 0-1")
    setup_django()
    seed(
        calls=args.calls,
        days=args.days,
        dwellings=args.dwellings,
        repeat_share=args.repeat_share,
        truncate=args.truncate,
        seed_value=args.seed,
    )


if __name__ == "__main__":
    main()
