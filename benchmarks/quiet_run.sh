#!/usr/bin/env bash
# Every benchmark behind the quiet-machine table in benchmarks/README.md, one after the
# other on an otherwise idle machine: the figures are wall-clock times, so nothing else may
# run meanwhile (no test suite, no build). Each output goes to
# benchmarks/results/quiet_<STAMP>_<name>.txt with its command, start and end time and the
# load average at both ends.
#
# Build the databases first (not timed, may run while the machine is busy):
#   .venv/bin/python benchmarks/search.py --build-only                       # 1M: SQLite + PostgreSQL
#   .venv/bin/python benchmarks/search.py --count 100000 --no-postgres --build-only
#   .venv/bin/python benchmarks/search.py --count 5000000 --no-postgres --build-only
#   .venv/bin/python benchmarks/recommend.py --queries 30 --postgres "$PG"  # interactions + copies
# then:  bash benchmarks/quiet_run.sh
#
# PostgreSQL is measured warm and maintained, as a production server runs: before each
# PostgreSQL run the scratch databases get VACUUM (ANALYZE) (a bulk COPY leaves hint bits
# to set and no statistics) and pg_prewarm loads their tables and indexes into
# shared_buffers, which must be large enough to hold them (docs/deploy.md: at 1M
# businesses the figures were taken with shared_buffers = 4GB, effective_cache_size = 16GB).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG=${DEKAT_BENCH_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}
STAMP=${STAMP:-$(date -u +%Y%m%d)}
ONLY=${ONLY:-}  # e.g. ONLY="search_1m import_sqlite" to run some of them
# wrk pinned to the last CPU (taskset); the two uvicorn workers are not pinned.
WRK_CPU=$(($(nproc) - 1))
export DEKAT_BENCH_WRK_CPU=$WRK_CPU

PG_PLAIN=${PG/postgresql+psycopg:/postgresql:}
PG_BASE=${PG_PLAIN%/*}

pg_ready() {
  local db
  command -v psql >/dev/null || return 0
  for db in "$@"; do
    psql -q "$PG_BASE/$db" -c "VACUUM (ANALYZE)" >/dev/null 2>&1 || continue
    psql -qAt "$PG_BASE/$db" -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" \
      -c "SELECT count(pg_prewarm(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 'm', 't')" >/dev/null 2>&1
    echo "  $db: vacuumed, analysed, prewarmed"
  done
}

run() {
  local name=$1
  shift
  if [ -n "$ONLY" ] && [[ " $ONLY " != *" $name "* ]]; then
    return 0
  fi
  local out=benchmarks/results/quiet_${STAMP}_${name}.txt
  echo "== $name → $out"
  {
    echo "\$ $*"
    echo "start: $(date -u '+%F %T') UTC; load average $(cut -d' ' -f1-3 /proc/loadavg);" \
      "$(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GiB; commit $(git rev-parse --short HEAD)"
    "$@"
    echo "exit $?; end: $(date -u '+%F %T') UTC; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  } >"$out" 2>&1
  tail -n 3 "$out"
}

# Search at 1M: SQLite, the PostGIS / pg_trgm anchors, the project on PostgreSQL, each
# PostgreSQL query paired with its anchor, nearest 20 over HTTP on both backends.
pg_ready dekat_bench_search dekat_bench_search_app
run search_1m "$PY" -u benchmarks/search.py --http --wrk-cpu "$WRK_CPU"
# Growth: the same workload at 100k and 5M (SQLite; 1M is the row above).
run search_100k "$PY" -u benchmarks/search.py --count 100000 --no-postgres --only nearest,typo,autocomplete
run search_5m "$PY" -u benchmarks/search.py --count 5000000 --no-postgres --only nearest,typo,autocomplete
# Recommendations at 1M businesses / 1M interactions, refresh included, both backends, HTTP.
pg_ready dekat_bench_recommend
run recommend_1m "$PY" -u benchmarks/recommend.py --http --postgres "$PG"
# First import of 1M rows into an empty database, then the same file again.
run import_sqlite "$PY" -u benchmarks/import_businesses.py
run import_postgres "$PY" -u benchmarks/import_businesses.py --postgres "$PG"
