#!/bin/bash
# Run once by the postgres image when the primary's data folder is created: a replication role for the
# standby in docker-compose.yml, allowed in from the compose network.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'replication';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
