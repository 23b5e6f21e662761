#!/bin/sh
# The primary (Tokyo), once, when its data directory is created (docker-entrypoint-initdb.d):
# the role the second site's standby replicates as, and the pg_hba.conf line that admits it.
# An existing primary: run the same two steps by hand (docs/deploy.md, "Second site").
set -eu
psql -v ON_ERROR_STOP=1 -v role="$REPLICATION_USER" -v password="$REPLICATION_PASSWORD" \
  --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE :"role" WITH REPLICATION LOGIN PASSWORD :'password';
SQL
echo "host replication $REPLICATION_USER all scram-sha-256" >> "$PGDATA/pg_hba.conf"
