#!/usr/bin/env bash
# The production processes on this machine, without Docker: gunicorn, one Celery worker
# and exactly one Celery beat, against local PostgreSQL and Redis. Ctrl+C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}

# The environment first, then .env (as the app reads it, in one Python start), then the
# local defaults.
SETTINGS=(DATABASE_URL DATABASE_MIGRATE_URL REDIS_URL CELERY_BROKER_URL BIND WEB_CONCURRENCY WORKER_CONCURRENCY)
{ for name in "${SETTINGS[@]}"; do read -r "${name?}"; done; } < <(
  "$BIN/python" - "${SETTINGS[@]}" <<'PY'
import os, sys, environ
environ.Env.read_env(".env")  # never overrides what the environment already holds
for name in sys.argv[1:]:
    print(os.environ.get(name, ""))
PY
)
# Two roles, as in production: migrations as the owner (local postgres), the processes as
# triage_app, which owns nothing and may only INSERT and SELECT on the processing log.
if [ -z "$DATABASE_URL" ] && [ -z "$DATABASE_MIGRATE_URL" ]; then
  DATABASE_MIGRATE_URL=postgres://postgres@127.0.0.1:5432/triage
  DATABASE_URL=postgres://triage_app@127.0.0.1:5432/triage
  APP_ROLE=triage_app
fi
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/triage}
if [ -n "$DATABASE_MIGRATE_URL" ]; then export DATABASE_MIGRATE_URL; else unset DATABASE_MIGRATE_URL; fi
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-$REDIS_URL}
BIND=${BIND:-127.0.0.1:8000}
WORKER_CONCURRENCY=${WORKER_CONCURRENCY:-$(nproc)}
# gunicorn.conf.py reads it before the app has read .env.
if [ -n "$WEB_CONCURRENCY" ]; then export WEB_CONCURRENCY; else unset WEB_CONCURRENCY; fi

case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "make stack: DATABASE_URL must be a PostgreSQL URL (got ${DATABASE_URL%%:*}://...)" >&2; exit 2 ;;
esac
db=${DATABASE_URL##*/}; db=${db%%\?*}
if [ -n "${APP_ROLE:-}" ]; then
  # The app's role, made once by the owner (local trust authentication: no password).
  "$BIN/python" - "$DATABASE_MIGRATE_URL" "$APP_ROLE" <<'PY' || { echo "make stack: cannot create the database role $APP_ROLE as the owner ($DATABASE_MIGRATE_URL); create database '$db' (createdb -h 127.0.0.1 -U postgres $db) or set DATABASE_URL and DATABASE_MIGRATE_URL" >&2; exit 2; }
import sys, psycopg
from psycopg import sql
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    role = sql.Identifier(sys.argv[2])
    if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [sys.argv[2]]).fetchone():
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(role))
    db = conn.info.dbname
    conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(db), role))
PY
fi
if ! "$BIN/python" - "$DATABASE_URL" <<'PY' >/dev/null 2>&1
import sys, psycopg
psycopg.connect(sys.argv[1]).close()
PY
then
  shown=$DATABASE_URL
  case "$shown" in *@*) shown="${shown%%://*}://***@${shown##*@}" ;; esac  # no password shown
  echo "make stack: cannot reach PostgreSQL database '$db' ($shown); create it (createdb -h 127.0.0.1 -U postgres $db) or set DATABASE_URL" >&2
  exit 2
fi
"$BIN/python" -c "import redis, os; redis.Redis.from_url(os.environ['CELERY_BROKER_URL']).ping()" 2>/dev/null || {
  echo "make stack: cannot reach Redis at $CELERY_BROKER_URL; start redis-server or set REDIS_URL" >&2
  exit 2
}

# As DATABASE_MIGRATE_URL's owner when set; it then grants the app's role its rights.
"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py collectstatic --noinput --verbosity 0

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait || true; }
trap stop INT TERM EXIT

# Workers (WEB_CONCURRENCY, else 2 x cores + 1, at most 9) and the rest of gunicorn's
# settings: gunicorn.conf.py, as in the container.
"$BIN/gunicorn" config.wsgi --bind "$BIND" &
pids+=($!)
"$BIN/celery" -A config worker --loglevel INFO --concurrency "$WORKER_CONCURRENCY" &
pids+=($!)
"$BIN/celery" -A config beat --loglevel INFO --schedule "${BEAT_SCHEDULE_FILE:-/tmp/triage-desk-celerybeat-schedule}" &
pids+=($!)

echo "Triage Desk stack: http://$BIND/ (gunicorn, worker x$WORKER_CONCURRENCY, beat x1). Ctrl+C stops."
# If any process dies, stop the rest: a half-running stack hides faults.
wait -n "${pids[@]}"
echo "make stack: a process exited; stopping the others" >&2
exit 1
