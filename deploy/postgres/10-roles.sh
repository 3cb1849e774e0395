#!/bin/sh
# Runs once, when the PostgreSQL volume is first created (docker-entrypoint-initdb.d):
# a role for Temporal (it creates its own two databases) and a role and database for the
# OVOP records. Passwords come from the environment compose passes; none is stored here.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v temporal_password="$TEMPORAL_DB_PASSWORD" -v ovop_password="$OVOP_DB_PASSWORD" <<'SQL'
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
CREATE ROLE ovop LOGIN PASSWORD :'ovop_password';
CREATE DATABASE ovop OWNER ovop;
SQL
