#!/usr/bin/env bash
# Stop everything benchmarks/peer/sogo/up.sh started (nginx, sogod, the SMTP shim, memcached, dovecot,
# PostgreSQL), by the pid files in the state dir. Packages stay installed; data stays in the state dir
# (add --purge to delete it).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
purge=0
[ "${1:-}" = "--purge" ] && purge=1
# shellcheck source=common.sh
. "$here/common.sh"

# stop the process in pid file $2 (name $1), waiting up to 15 s, then SIGKILL it
stop_pidfile() {
  local name="$1" f="$2" pid
  if pid="$(alive_pid "$f")"; then
    log "stopping $name ($pid)"
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "$name did not stop, SIGKILL"; kill -KILL "$pid" 2>/dev/null; fi
  fi
  rm -f "$f"
}

stop_pidfile nginx "$STATE/nginx/nginx.pid"
# sogod's parent stops its children; any child still there after the parent has gone is killed
sogo_parent="$(alive_pid "$STATE/sogo/sogod.pid" || true)"
sogo_children="$( [ -n "$sogo_parent" ] && pgrep -P "$sogo_parent" || true)"
stop_pidfile sogod "$STATE/sogo/sogod.pid"
for pid in $sogo_children; do kill -KILL "$pid" 2>/dev/null; done
stop_pidfile smtp-lda "$STATE/smtp/smtp-lda.pid"
stop_pidfile memcached "$STATE/memcached/memcached.pid"
stop_pidfile dovecot "$STATE/dovecot/run/master.pid"
if [ -s "$STATE/pg/data/PG_VERSION" ] && [ -n "$PG_BIN" ]; then
  if runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$STATE/pg/data" status >/dev/null 2>&1; then
    log "stopping PostgreSQL"
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$STATE/pg/data" -w -m fast stop >/dev/null
  fi
fi
if [ "$purge" = 1 ]; then
  log "removing $STATE"
  rm -rf "$STATE"
fi
left="$(pgrep -a -f "$STATE" || true)"
if [ -n "$left" ]; then
  log "still running with $STATE in the command line:"; echo "$left" >&2; exit 1
fi
log "down"
