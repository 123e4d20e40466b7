# Sourced by the fault, backup, API-fuzz and load scripts: a throwaway PostgreSQL cluster of their own
# (initdb/pg_ctl from the machine's server binaries, as the test command does) and a Common Ground server
# on loopback over it. Nothing here touches another PostgreSQL server or the project's data folder.
#
# Settings: PG_PORT (default 55432), APP_PORT (default 18080), PROFILE (debug or release; default debug).

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PG_PORT="${PG_PORT:-55432}"
APP_PORT="${APP_PORT:-18080}"
PROFILE="${PROFILE:-debug}"
BASE="http://127.0.0.1:$APP_PORT"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/commonground-check-XXXXXX")"
chmod 755 "$WORK"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/$PROFILE/commonground"
DATABASE="commonground"
ADMIN_EMAIL="admin@example.org"
ADMIN_PASSWORD="a long admin password"
SERVER_PID=""

say() { printf '%s  %s\n' "$(date +%H:%M:%S)" "$*"; }
fail() { say "FAILED: $*"; exit 1; }

build() {
  local flag=()
  [ "$PROFILE" = release ] && flag=(--release)
  say "building commonground ($PROFILE)"
  (cd "$ROOT" && cargo build --quiet "${flag[@]}" -p commonground)
}

pg_tool() {
  local dir
  dir="$(dirname "$(command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1)")"
  [ -x "$dir/$1" ] || fail "no PostgreSQL server binaries (initdb, pg_ctl): install postgresql"
  echo "$dir/$1"
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

database_url() { echo "postgres://postgres@127.0.0.1:$PG_PORT/${1:-$DATABASE}"; }

psql_in() { local db="$1"; shift; psql -X -q -v ON_ERROR_STOP=1 -t -A "$(database_url "$db")" "$@"; }

cluster_start() {
  mkdir -p "$WORK/pg"
  [ "$(id -u)" = 0 ] && chown postgres: "$WORK/pg"
  if [ ! -f "$WORK/pg/data/PG_VERSION" ]; then
    as_postgres "$(pg_tool initdb)" -D "$WORK/pg/data" -U postgres -A trust -E UTF8 --locale=C >/dev/null
  fi
  as_postgres "$(pg_tool pg_ctl)" -D "$WORK/pg/data" -l "$WORK/pg/log" -w \
    -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1" start >/dev/null
}

cluster_stop() {
  [ -f "$WORK/pg/data/postmaster.pid" ] && as_postgres "$(pg_tool pg_ctl)" -D "$WORK/pg/data" -m fast -w stop >/dev/null
  return 0
}

server_start() {
  COMMONGROUND_BIND="127.0.0.1:$APP_PORT" DATABASE_URL="$(database_url)" COMMONGROUND_DATA_DIR="$WORK/app" \
    RUST_LOG="${RUST_LOG:-warn}" "$BIN" serve >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 600); do
    curl -fsS "$BASE/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || fail "the server stopped: $(tail -n 5 "$WORK/server.log")"
    sleep 0.1
  done
  fail "the server did not get ready in 60 s"
}

server_kill9() {
  kill -9 "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

server_stop() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

cleanup() {
  server_stop
  cluster_stop
  [ -n "${KEEP_WORK:-}" ] && say "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

# A fresh database with the admin account; prints nothing. Sets TOKEN to a bearer token of that admin.
fresh_deployment() {
  cluster_start
  psql_in postgres -c "CREATE DATABASE $DATABASE" >/dev/null
  COMMONGROUND_DATA_DIR="$WORK/app" DATABASE_URL="$(database_url)" "$BIN" migrate >/dev/null 2>>"$WORK/server.log"
  COMMONGROUND_DATA_DIR="$WORK/app" DATABASE_URL="$(database_url)" COMMONGROUND_PASSWORD="$ADMIN_PASSWORD" \
    "$BIN" admin create-user --email "$ADMIN_EMAIL" >/dev/null 2>>"$WORK/server.log"
  server_start
  TOKEN="$(new_token)"
}

# A personal token of the admin, made through the API (sign in, then create a token with the session).
new_token() {
  local cookie
  cookie="$(curl -fsS -D - -o /dev/null -H 'content-type: application/json' \
    -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" "$BASE/api/v1/session" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(cg_session=[^;]*\).*/\1/p')"
  curl -fsS -H "cookie: $cookie" -H 'content-type: application/json' -d '{"name":"checks"}' \
    "$BASE/api/v1/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])'
}

api() { curl -sS -H "authorization: Bearer $TOKEN" "$@"; }

# Waits up to LIMIT seconds (default 300) until the search index has applied every change and matches
# PostgreSQL exactly (GET /api/v1/search-index); fails otherwise. Prints how many organisations it holds.
wait_until_indexed() {
  local limit="${1:-300}" started="$SECONDS" report
  until report="$(api "$BASE/api/v1/search-index" 2>/dev/null)" &&
    python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["in_step"] else 1)' "$report" 2>/dev/null; do
    [ $((SECONDS - started)) -lt "$limit" ] || fail "the search index was not in step with PostgreSQL after $limit s"
    sleep 0.5
  done
  python3 -c 'import json,sys; print(json.loads(sys.argv[1])["indexed"])' "$report"
}
