#!/bin/sh
# Temporal's own schema on PostgreSQL (temporal-sql-tool from temporalio/admin-tools, which
# reads SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and SQL_PASSWORD): creates the databases the
# first time, then brings both schemas to the version this image ships. Safe to run again.
set -eu
schema=/etc/temporal/schema/postgresql/v12
for db in temporal temporal_visibility; do
    dir=temporal
    [ "$db" = temporal_visibility ] && dir=visibility
    if temporal-sql-tool --db "$db" create 2>/dev/null; then
        temporal-sql-tool --db "$db" setup-schema -v 0.0
    fi
    temporal-sql-tool --db "$db" update-schema -d "$schema/$dir/versioned"
done
echo "Temporal schema up to date"
