#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised (docker-entrypoint-initdb.d).
# The app must not connect as a superuser: superusers (and BYPASSRLS roles) walk straight through
# row-level security, the second wall between villages. So the image's superuser stays `postgres`
# and Etalase gets an ordinary role that owns its database (FORCE RLS applies to owners too).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v pw="$ETALASE_DB_PASSWORD" <<'SQL'
CREATE ROLE etalase LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'pw';
CREATE DATABASE etalase OWNER etalase;
SQL
