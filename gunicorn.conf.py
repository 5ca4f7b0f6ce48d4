"""gunicorn's settings wherever the app is served: the container (Dockerfile,
docker-compose.yml), ``make stack`` and ``bench/bench_load.py``. gunicorn reads
./gunicorn.conf.py from its working directory by itself; command-line flags override it.

Sync workers, one request at a time each: an intake is CPU-bound Python, and under
bench_load a pool of gthread workers with keep-alive served fewer calls than as many sync
workers (131 against 231 intakes/s on 2 cores). Threads would shield the workers from
slow clients; control-room browsers are on the force's network.
"""

import gc
import multiprocessing
import os

# WEB_CONCURRENCY, else 2 x cores + 1, at most 9: in a container the count is the host's
# cores, and each worker keeps a PostgreSQL connection (PostgreSQL's default is 100 in all).
workers = int(os.environ.get("WEB_CONCURRENCY") or min(multiprocessing.cpu_count() * 2 + 1, 9))
# A sync worker does not report in while it streams a response, so the arbiter would kill
# it mid-export after `timeout` seconds: long enough for a large CSV export (the processing
# log, a year of calls), short enough to replace a hung worker.
timeout = 300
# The app is loaded once, in the arbiter (config/wsgi.py imports every view), and each
# worker is forked from it: a worker replaced after max_requests serves its first call at
# once instead of spending a second of CPU loading Django and the app while the others
# carry its share (paced at 120 intakes/s with a replacement every 4 s: p99 0.4-1.0 s
# against 2.5-3.8 s). Loading opens no database or Redis connection, so none
# is shared across the fork. New code therefore needs a restart, not a HUP.
preload_app = True


def pre_fork(server, worker):
    """The loaded app (about 100,000 objects) lives as long as the worker: frozen before
    the fork, the garbage collector's full passes in the worker no longer walk it. Each
    full pass cost a request about 50 ms, once every thousand or so intakes; frozen, 5 ms
    (bench: 1,000 intakes in process). As the gc module's documentation advises for
    servers that fork."""
    gc.freeze()


# A worker is replaced after about this many requests (spread out so that they do not all
# restart at once); a restart waits up to graceful_timeout for the request in hand.
max_requests = 5000
max_requests_jitter = 500
graceful_timeout = 30
backlog = 2048
# One line per request, without the query string (it can carry a search or a
# justification); GUNICORN_ACCESS_LOG="" turns the log off (the load benchmark does).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(L)ss'
