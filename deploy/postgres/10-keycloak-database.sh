#!/bin/sh
# Keycloak's own database and role, next to status-service's `infermesh` database in the one PostgreSQL container.
# The postgres image runs the files of /docker-entrypoint-initdb.d/ once, when its data volume is first created; with
# an older volume, create them by hand (the same two statements) or start from `docker compose down -v`.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set=keycloak_password="$KEYCLOAK_DB_PASSWORD" <<'SQL'
CREATE ROLE keycloak LOGIN PASSWORD :'keycloak_password';
CREATE DATABASE keycloak OWNER keycloak;
SQL
