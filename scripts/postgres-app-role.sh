#!/bin/sh
# The app's database role, created when the compose stack's PostgreSQL volume is first
# initialised (mounted into /docker-entrypoint-initdb.d). The image's POSTGRES_USER owns the
# database and runs migrations (DATABASE_MIGRATE_URL); the app connects as triage_app,
# which owns nothing: `migrate` grants it ordinary rights on every table, and on the
# processing log only INSERT and SELECT (core/dbroles.py).
# An existing volume: docker compose exec db sh /docker-entrypoint-initdb.d/10-app-role.sh
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$POSTGRES_APP_PASSWORD" -v db="$POSTGRES_DB" <<'SQL'
SELECT 'CREATE ROLE triage_app LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'triage_app')
\gexec
ALTER ROLE triage_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
GRANT CONNECT ON DATABASE :"db" TO triage_app;
SQL
