#!/bin/sh
# Creates Temporal's two databases (persistence and visibility) on the temporal-db service and brings
# their schemas to the version shipped with the admin-tools image. Runs once per `docker compose up`
# before the server starts; safe to run again (existing databases are kept, schemas only updated).
set -eu

# The password comes from SQL_PASSWORD in the environment (temporal-sql-tool reads it there).
sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"; }
schemas=/etc/temporal/schema/postgresql/v12

echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$DB_PORT ..."
until nc -z "$POSTGRES_SEEDS" "$DB_PORT"; do sleep 1; done

for db in temporal temporal_visibility; do
  sql --db "$db" create || echo "database $db exists"
done
sql --db temporal setup-schema -v 0.0
sql --db temporal update-schema -d "$schemas/temporal/versioned"
sql --db temporal_visibility setup-schema -v 0.0
sql --db temporal_visibility update-schema -d "$schemas/visibility/versioned"
echo "Temporal schemas are up to date"
