# Shared settings for the SOGo ActiveSync peer scripts (sourced, not run).
# Every value can be overridden from the environment; up.sh records the values it used in $STATE/peer.env,
# which the other scripts read back so that they talk to the instance up.sh started (up.sh itself does not read
# it back: its flags and the environment decide).

STATE="${SOGO_PEER_STATE:-/var/tmp/sogo-peer}"
if [ -z "${SOGO_PEER_FRESH:-}" ] && [ -f "$STATE/peer.env" ]; then
  # shellcheck disable=SC1091
  . "$STATE/peer.env"
fi

HTTP_PORT="${HTTP_PORT:-8090}"          # nginx, the EAS endpoint clients use
SOGO_PORT="${SOGO_PORT:-20000}"         # sogod itself (WOPort)
IMAP_PORT="${IMAP_PORT:-1143}"          # dovecot IMAP, plain text, loopback only
PG_PORT="${PG_PORT:-5433}"              # the peer's own PostgreSQL cluster (not the system one on 5432)
MEMCACHED_PORT="${MEMCACHED_PORT:-11212}"
SMTP_PORT="${SMTP_PORT:-2525}"          # smtp-lda.py: SOGo's outgoing mail (EAS SendMail) -> dovecot LDA
USERS="${USERS:-1000}"
USER_PREFIX="${USER_PREFIX:-load}"
PASSWORD="${PASSWORD:-loadpass}"
MAIL_DOMAIN="${MAIL_DOMAIN:-example.com}"   # eas-bench --mail-domain default; nothing leaves loopback
WORKERS="${WORKERS:-128}"               # WOWorkersCount: sogod child processes; each parked Ping holds one
PING_MAX="${PING_MAX:-3540}"            # SOGoMaximumPingInterval (s)
SYNC_MAX="${SYNC_MAX:-3540}"            # SOGoMaximumSyncInterval (s)
POLL="${POLL:-10}"                      # SOGoInternalSyncInterval (s): how often a parked Ping/Sync looks for changes

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
EAS_URL="http://127.0.0.1:$HTTP_PORT/Microsoft-Server-ActiveSync"

# user name for index i (0-based), as bin/eas-bench names its devices' users: load000000, load000001, ...
user_name() { printf '%s%06d' "$USER_PREFIX" "$1"; }
# the few extra users eas-bench's warm-up logs in as (prefix + "warmup-NODE-I"; one node, five users)
warmup_users() { local i; for i in 0 1 2 3 4; do printf '%swarmup-0-%d\n' "$USER_PREFIX" "$i"; done; }

# pid in a pid file, if that process is alive
alive_pid() {
  local f="$1" pid
  [ -s "$f" ] || return 1
  pid="$(tr -dc '0-9' < "$f")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

log() { printf '[sogo-peer] %s\n' "$*" >&2; }
die() { printf '[sogo-peer] ERROR: %s\n' "$*" >&2; exit 1; }
