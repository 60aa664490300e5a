#!/usr/bin/env bash
# A local streaming replica of the PostgreSQL primary, for tests and for trying read scaling.
#
#   scripts/pg_replica.sh start    # pg_basebackup -R -X stream into a new cluster, start it
#   scripts/pg_replica.sh status   # is it up, in recovery and streaming?
#   scripts/pg_replica.sh stop     # stop it (fast) and delete its directory
#
# Settings (environment):
#   DEKAT_PG_PRIMARY_HOST  primary host            (127.0.0.1)
#   DEKAT_PG_PRIMARY_PORT  primary port            (5432)
#   DEKAT_PG_PRIMARY_USER  superuser on primary    (postgres)
#   DEKAT_PG_REPLICA_PORT  port of the replica     (54330)
#   DEKAT_PG_REPLICA_DIR   its data directory      (/tmp/dekat-replica-<port>)
#   DEKAT_PG_BINDIR        PostgreSQL server binaries (/usr/lib/postgresql/<primary major>/bin)
#   DEKAT_PG_REPLICA_WAIT_S how long start waits for the replica to stream (120)
#
# The primary must accept replication connections from 127.0.0.1: when its pg_hba.conf has
# no "host replication all 127.0.0.1/32 trust" line, start inserts one at the top and
# reloads the primary (so it needs write access to that file: run as root or postgres).
# That is fine for a developer machine or CI; a production replica authenticates with a
# replication role and scram-sha-256 instead (docs/deploy.md).
#
# On success start prints the replica's SQLAlchemy URL (database "postgres") on stdout.
set -euo pipefail

HOST=${DEKAT_PG_PRIMARY_HOST:-127.0.0.1}
PORT=${DEKAT_PG_PRIMARY_PORT:-5432}
PGUSER_=${DEKAT_PG_PRIMARY_USER:-postgres}
RPORT=${DEKAT_PG_REPLICA_PORT:-54330}
RDIR=${DEKAT_PG_REPLICA_DIR:-/tmp/dekat-replica-${RPORT}}
MARKER=.dekat-replica
HBA_LINE="host replication all 127.0.0.1/32 trust"

say() { echo "pg_replica: $*" >&2; }
die() { say "$*"; exit 1; }

# Server binaries run as the postgres user when we are root (initdb/pg_ctl refuse root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

primary_sql() {
  psql -X -q -At -h "$HOST" -p "$PORT" -U "$PGUSER_" -d postgres -v ON_ERROR_STOP=1 -c "$1"
}

replica_sql() {
  psql -X -q -At -h 127.0.0.1 -p "$RPORT" -U "$PGUSER_" -d postgres -c "$1" 2>/dev/null
}

bindir() {
  if [ -n "${DEKAT_PG_BINDIR:-}" ]; then echo "$DEKAT_PG_BINDIR"; return; fi
  local major
  major=$(primary_sql "SELECT current_setting('server_version_num')::int / 10000")
  [ -x "/usr/lib/postgresql/${major}/bin/pg_ctl" ] || die "no server binaries for ${major}"
  echo "/usr/lib/postgresql/${major}/bin"
}

ensure_replication_hba() {
  local hba
  hba=$(primary_sql "SHOW hba_file")
  if grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    return
  fi
  [ -w "$hba" ] || die "cannot add '${HBA_LINE}' to ${hba}: not writable"
  say "adding '${HBA_LINE}' to ${hba} and reloading the primary"
  sed -i "1i ${HBA_LINE}  # added by dekat scripts/pg_replica.sh" "$hba"
  primary_sql "SELECT pg_reload_conf()" >/dev/null
}

# A standby refuses to start when these are lower than on its primary.
copy_required_settings() {
  local name
  for name in max_connections max_worker_processes max_wal_senders \
              max_prepared_transactions max_locks_per_transaction; do
    echo "${name} = $(primary_sql "SHOW ${name}")"
  done
}

write_config() {
  {
    echo "# written by dekat scripts/pg_replica.sh"
    echo "port = ${RPORT}"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '${RDIR}'"
    echo "hot_standby = on"
    echo "hot_standby_feedback = on"
    echo "shared_buffers = 32MB"
    echo "ssl = off"
    echo "logging_collector = off"
    echo "cluster_name = 'dekat-replica-${RPORT}'"
    copy_required_settings
  } | as_pg tee -a "${RDIR}/postgresql.conf" >/dev/null
  # Debian keeps pg_hba.conf/pg_ident.conf outside the data directory, so the copy lacks them.
  if [ ! -f "${RDIR}/pg_hba.conf" ]; then
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' \
      | as_pg tee "${RDIR}/pg_hba.conf" >/dev/null
  fi
  [ -f "${RDIR}/pg_ident.conf" ] || as_pg touch "${RDIR}/pg_ident.conf"
}

start() {
  command -v psql >/dev/null || die "psql not found"
  local bin
  bin=$(bindir)
  if "${bin}/pg_isready" -q -h 127.0.0.1 -p "$RPORT"; then
    die "something already listens on port ${RPORT}"
  fi
  if [ -e "$RDIR" ] && [ -n "$(ls -A "$RDIR" 2>/dev/null)" ]; then
    die "${RDIR} exists and is not empty (stop the old replica first)"
  fi
  ensure_replication_hba
  mkdir -p "$RDIR"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$RDIR"; fi
  chmod 700 "$RDIR"
  say "base backup of ${HOST}:${PORT} into ${RDIR}"
  as_pg "${bin}/pg_basebackup" -h "$HOST" -p "$PORT" -U "$PGUSER_" -D "$RDIR" \
    -R -X stream -c fast --no-sync || die "pg_basebackup failed"
  as_pg touch "${RDIR}/${MARKER}"
  write_config
  as_pg "${bin}/pg_ctl" -D "$RDIR" -l "${RDIR}/replica.log" -w -t 60 start >/dev/null \
    || { cat "${RDIR}/replica.log" >&2 || true; die "replica did not start"; }
  local state=""
  for _ in $(seq 1 $((2 * ${DEKAT_PG_REPLICA_WAIT_S:-120}))); do
    state=$(replica_sql "SELECT status FROM pg_stat_wal_receiver" || true)
    [ "$state" = "streaming" ] && break
    sleep 0.5
  done
  if [ "$state" != "streaming" ]; then
    tail -20 "${RDIR}/replica.log" >&2 || true
    die "replica started but is not streaming (${state:-no receiver}); stop it with: $0 stop"
  fi
  say "replica streaming on 127.0.0.1:${RPORT}"
  echo "postgresql+psycopg://${PGUSER_}@127.0.0.1:${RPORT}/postgres"
}

stop() {
  if [ ! -d "$RDIR" ]; then say "no replica at ${RDIR}"; return 0; fi
  [ -f "${RDIR}/${MARKER}" ] || die "${RDIR} was not made by this script; not touching it"
  if [ -f "${RDIR}/postmaster.pid" ]; then
    local bin
    bin=${DEKAT_PG_BINDIR:-/usr/lib/postgresql/$(cat "${RDIR}/PG_VERSION")/bin}
    as_pg "${bin}/pg_ctl" -D "$RDIR" -m fast -w -t 60 stop >/dev/null || say "pg_ctl stop failed"
  fi
  rm -rf "$RDIR"
  say "replica on port ${RPORT} stopped and ${RDIR} removed"
}

status() {
  local recovery receiver
  recovery=$(replica_sql "SELECT pg_is_in_recovery()") || { echo "down"; return 1; }
  receiver=$(replica_sql "SELECT status FROM pg_stat_wal_receiver" || true)
  echo "up on 127.0.0.1:${RPORT}: in_recovery=${recovery} receiver=${receiver:-none}"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
