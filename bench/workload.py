"""What the intake benchmarks send, and how they summarise timings (no Django here)."""

import os
import random

from bench.bench_engine import random_facts

STREETS = ["High Street", "Station Road", "Mill Lane", "Church Road", "Victoria Road", "Park Road"]
TOWNS = [("Ely", "CB7 4AA"), ("March", "PE15 8NH"), ("Wisbech", "PE13 1AB"), ("Soham", "CB7 5AB")]


def call_body(rng: random.Random, *, houses: int = 400) -> dict:
    """A POST /api/calls/ body: a typed address (30% flats) and random valid facts."""
    town, postcode = rng.choice(TOWNS)
    flat = f"Flat {rng.randint(1, 8)}, " if rng.random() < 0.3 else ""
    return {
        "channel": rng.choice(["999", "101"]),
        "address": f"{flat}{rng.randint(1, houses)} {rng.choice(STREETS)}, {town} {postcode}",
        "narrative": "Caller concerned for a neighbour.",
        "facts": random_facts(rng),
    }


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank p-th percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def cpu_snapshot(proc: str = "/proc") -> dict | None:
    """CPU seconds used so far by each process and by its children that have ended, with
    its role: ``web`` (a command line naming gunicorn), ``database`` (postgres), ``load``
    (this process) or ``other``; and the whole machine's idle and total seconds
    (/proc/stat). None without a Linux /proc. ``cpu_window`` of two snapshots is where a
    window's CPU went."""
    try:
        with open(f"{proc}/stat") as f:
            machine = [int(n) for n in f.readline().split()[1:9]]
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    me, pids = str(os.getpid()), {}
    for pid in os.listdir(proc):
        if not pid.isdigit():
            continue
        try:
            with open(f"{proc}/{pid}/stat") as f:
                stat = f.read()
            with open(f"{proc}/{pid}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        name = stat[stat.find("(") + 1 : stat.rfind(")")]
        fields = stat[stat.rfind(")") + 2 :].split()  # after "pid (comm) "
        if pid == me:
            role = "load"
        elif "gunicorn" in command:
            role = "web"
        elif name == "postgres" or command.startswith("postgres"):
            role = "database"
        else:
            role = "other"
        own = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        ended_children = (int(fields[13]) + int(fields[14])) / tick  # cutime + cstime
        pids[pid] = (role, own, ended_children)
    # user nice system idle iowait irq softirq steal
    return {"idle": (machine[3] + machine[4]) / tick, "total": sum(machine) / tick, "pids": pids}


def cpu_window(before: dict | None, after: dict | None) -> dict[str, float] | None:
    """Cores busy per role between two ``cpu_snapshot``s, and cores idle: each role's share
    of the machine's CPU time times the number of cores.

    A process that ends in the window (a gunicorn worker replaced after max_requests, its
    PostgreSQL backend) is counted through its parent, whose ended-children time grows by
    the child's whole life when it is reaped; the part the child had used before the
    window is taken off again. Such children count in their parent's role."""
    if before is None or after is None:
        return None
    total = after["total"] - before["total"]
    if total <= 0:
        return None
    spent = {"web": 0.0, "database": 0.0, "load": 0.0, "other": 0.0}
    for pid, (role, own, children) in after["pids"].items():
        _, own_before, children_before = before["pids"].get(pid, (role, 0.0, 0.0))
        spent[role] += own - own_before + children - children_before
    for pid, (role, own, children) in before["pids"].items():
        if pid not in after["pids"]:
            spent[role] -= own + children
    spent["idle"] = after["idle"] - before["idle"]
    cores = os.cpu_count() or 1
    return {role: cores * seconds / total for role, seconds in spent.items()}
