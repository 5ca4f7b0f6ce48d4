"""bench/bench_load.py's CPU accounting (bench.workload.cpu_snapshot / cpu_window): which
process is which, and cores busy over a window, read from a made-up /proc."""

import os

import pytest

from bench.workload import cpu_snapshot, cpu_window

TICK = os.sysconf("SC_CLK_TCK")


def _proc(root, machine, processes):
    """A /proc with /proc/stat (user nice system idle iowait irq softirq steal, in ticks)
    and one directory per process: pid -> (comm, cmdline, utime, stime, cutime) in ticks."""
    root.mkdir(exist_ok=True)
    (root / "stat").write_text("cpu  " + " ".join(map(str, machine)) + " 0 0\ncpu0 0\n")
    for pid, (comm, cmdline, utime, stime, cutime) in processes.items():
        d = root / str(pid)
        d.mkdir(exist_ok=True)
        # After "(comm) ": state, ppid ... utime is the 12th, stime, cutime, cstime next.
        rest = ["S"] + ["0"] * 10 + [str(utime), str(stime), str(cutime), "0"] + ["0"] * 5
        (d / "stat").write_text(f"{pid} ({comm}) " + " ".join(rest) + "\n")
        (d / "cmdline").write_bytes(cmdline.replace(" ", "\0").encode() + b"\0")
    return str(root)


def test_processes_are_told_apart_by_role_and_a_window_is_cores_busy(tmp_path):
    me = os.getpid()
    gunicorn = "/app/.venv/bin/python /app/.venv/bin/gunicorn config.wsgi"
    backend = "postgres: postgres triage 127.0.0.1(5000) idle"
    before = {
        101: ("gunicorn", gunicorn, 100, 10, 0),  # the arbiter
        102: ("python", gunicorn, 50, 0, 0),
        103: ("python", gunicorn, 2 * TICK, 0, 0),  # replaced in the window
        201: ("postgres", backend, 20, 0, 0),
        301: ("redis-server", "redis-server 127.0.0.1:6379", 5, 0, 0),
        me: ("python", "python bench/bench_load.py", 7, 0, 0),
    }
    after = {
        # 1 s of its own, and worker 103's whole life (2 s before the window, 1 s in it)
        # added when it reaped it.
        101: ("gunicorn", gunicorn, 100 + TICK, 10, 3 * TICK),
        102: ("python", gunicorn, 50 + 4 * TICK, 0, 0),  # 4 s
        104: ("python", gunicorn, TICK, 0, 0),  # 103's successor: 1 s
        201: ("postgres", backend, 20 + 2 * TICK, 0, 0),
        202: ("postgres", "", TICK, 0, 0),  # started in the window: counted from zero
        301: ("redis-server", "redis-server 127.0.0.1:6379", 5 + TICK, 0, 0),
        me: ("python", "python bench/bench_load.py", 7 + TICK, 0, 0),
    }
    cores = os.cpu_count()
    # 10 s of wall time: the machine's total grows by 10 s per core, of which 3 s idle.
    first = cpu_snapshot(_proc(tmp_path / "a", [0, 0, 0, 0, 0, 0, 0, 0], before))
    second = cpu_snapshot(
        _proc(tmp_path / "b", [0, 0, (10 * cores - 3) * TICK, 2 * TICK, TICK, 0, 0, 0], after)
    )
    assert first["pids"][str(101)][0] == "web" and first["pids"][str(me)][0] == "load"
    busy = cpu_window(first, second)
    # web: 1 + 4 + 1 + 1 (103 in the window) = 7 s of the 10 s
    assert busy == pytest.approx(
        {"web": 0.7, "database": 0.3, "load": 0.1, "other": 0.1, "idle": 0.3}
    )


def test_no_proc_means_no_figures(tmp_path):
    assert cpu_snapshot(str(tmp_path / "missing")) is None
    assert cpu_window(None, None) is None
