#!/usr/bin/env bash
# Source this: starts a throw-away PostgreSQL 15 cluster and a Chroma server on free
# 127.0.0.1 ports, exports ASSISTANT_TEST_DATABASE_URL / ASSISTANT_TEST_CHROMA_URL, and
# stops both when the sourcing shell exits.
PG_BIN=/usr/lib/postgresql/15/bin
SERVICES_DIR=$(mktemp -d /tmp/assistant-ci.XXXXXX)
chmod 755 "$SERVICES_DIR"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Postgres is restarted by the fault test: a port below the ephemeral range (32768 up) cannot be
# taken meanwhile by a client's outgoing connection (a retrying worker's included).
restartable_port() { python3 -c 'import random, socket
for p in random.sample(range(20000, 32000), 200):
    s = socket.socket()
    try: s.bind(("127.0.0.1", p))
    except OSError: continue
    print(p); break'; }

as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }

stop_services() {
    [ -n "${CHROMA_PID:-}" ] && kill "$CHROMA_PID" 2>/dev/null && wait "$CHROMA_PID" 2>/dev/null
    [ -f "$SERVICES_DIR/pg/PG_VERSION" ] && as_postgres "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg" -m immediate stop >/dev/null 2>&1
    rm -rf "$SERVICES_DIR"
}
trap stop_services EXIT

PG_PORT=$(restartable_port)
mkdir -p "$SERVICES_DIR/pg" && chown postgres "$SERVICES_DIR/pg" 2>/dev/null || true
# UTF8 whatever the locale: with LANG unset initdb picks SQL_ASCII, and drivers then read bytes.
as_postgres "$PG_BIN/initdb" -D "$SERVICES_DIR/pg" -A trust -U postgres -E UTF8 --locale=C --no-sync >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg" -l "$SERVICES_DIR/pg/log" -w \
    -o "-p $PG_PORT -k $SERVICES_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
export ASSISTANT_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres"
export ASSISTANT_TEST_PG_DATA="$SERVICES_DIR/pg"  # the fault tests restart the cluster

CHROMA_PORT=$(free_port)
CHROMA=$(dirname "$(command -v python3)")/chroma
[ -x .venv/bin/chroma ] && CHROMA=.venv/bin/chroma
"$CHROMA" run --path "$SERVICES_DIR/chroma" --host 127.0.0.1 --port "$CHROMA_PORT" >"$SERVICES_DIR/chroma.log" 2>&1 &
CHROMA_PID=$!
heartbeat() { python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$CHROMA_PORT/api/v2/heartbeat', timeout=2)" 2>/dev/null; }
for _ in $(seq 1 60); do heartbeat && break; sleep 0.5; done
heartbeat || { cat "$SERVICES_DIR/chroma.log"; exit 1; }
export ASSISTANT_TEST_CHROMA_URL="http://127.0.0.1:$CHROMA_PORT"
echo "services: $ASSISTANT_TEST_DATABASE_URL, $ASSISTANT_TEST_CHROMA_URL" >&2
