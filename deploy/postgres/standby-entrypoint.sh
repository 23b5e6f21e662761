#!/bin/sh
# The second site's PostgreSQL (Osaka). First start: a base backup of the primary, which
# also writes primary_conninfo and standby.signal (-R) and creates a replication slot (-C -S)
# so the primary keeps the WAL this standby has not received yet. Every start: a hot standby
# streaming from the primary, read-only until `manage.py site_promote`.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT"; do
    echo "standby: waiting for the primary at $PRIMARY_HOST:$PRIMARY_PORT"
    sleep 2
  done
  PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup \
    -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$REPLICATION_USER" -D "$PGDATA" \
    -R -X stream --checkpoint=fast -C -S "$STANDBY_NAME" -d "application_name=$STANDBY_NAME"
  chmod 700 "$PGDATA"
fi
# hot_standby_feedback: the primary keeps rows Osaka's readers still need, so their queries
# are not cancelled by replication conflicts.
exec postgres -c hot_standby=on -c hot_standby_feedback=on -c cluster_name="$STANDBY_NAME"
