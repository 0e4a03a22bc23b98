#!/usr/bin/env bash
# Bring up SOGo's ActiveSync on loopback as a peer for the EAS load generator (Debian 12, run as root).
#
#   benchmarks/peer/sogo/up.sh [--users N] [--workers N] [--poll S] [--password P] [--state DIR] [--no-install]
#
# SOGO_DEBUG=1 in the environment logs every EAS request/response and IMAP exchange to $STATE/sogo/sogo.log.
# Starts, each on 127.0.0.1 only and each with its configuration and data under the state dir
# (default /var/tmp/sogo-peer):
#   PostgreSQL  own cluster on :5433   SOGo's user source (table sogo_users) and its own tables
#   dovecot     IMAP on :1143          passwd-file with the same N users, Maildir under $STATE/mail
#   memcached   :11212                 required by sogod
#   smtp-lda.py :2525                  SOGo's outgoing SMTP; hands mail to dovecot's LDA (EAS SendMail works)
#   sogod       :20000                 SOGo itself, WOWorkersCount = --workers child processes
#   nginx       :8090                  /Microsoft-Server-ActiveSync -> sogod /SOGo/Microsoft-Server-ActiveSync
# Idempotent: a component that is running with the same configuration is left alone; one whose configuration
# changed is restarted. /etc/sogo/sogo.conf is not touched: sogod runs in a private mount namespace in which
# $STATE/sogo/sogo.conf is bind-mounted over it (sogod reads only that fixed path).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export SOGO_PEER_FRESH=1
install=1
while [ $# -gt 0 ]; do
  case "$1" in
    --users) USERS="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --poll) POLL="$2"; shift 2 ;;
    --ping-max) PING_MAX="$2"; shift 2 ;;
    --password) PASSWORD="$2"; shift 2 ;;
    --state) SOGO_PEER_STATE="$2"; shift 2 ;;
    --no-install) install=0; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
# shellcheck source=common.sh
. "$here/common.sh"

[ "$(id -u)" = 0 ] || die "run as root"
case "$USERS" in ''|*[!0-9]*) die "--users wants a number" ;; esac
case "$WORKERS" in ''|*[!0-9]*) die "--workers wants a number" ;; esac
[ "$USERS" -ge 1 ] && [ "$USERS" -le 999999 ] || die "--users between 1 and 999999"
case "$PASSWORD" in *[!A-Za-z0-9._-]*|'') die "--password: letters, digits . _ - only" ;; esac

# ---------------------------------------------------------------- packages
pkgs=(sogo sogo-activesync nginx-light dovecot-imapd memcached postgresql curl libwbxml2-utils)
if [ "$install" = 1 ]; then
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -q
    # policy-rc.d or not, the packages' own services are not what we run: we start our own instances below
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
fi
[ -x /usr/sbin/sogod ] || die "/usr/sbin/sogod missing (package sogo)"
ls /usr/lib/GNUstep/SOGo/ActiveSync.SOGo >/dev/null 2>&1 || die "ActiveSync bundle missing (package sogo-activesync)"
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"

mkdir -p "$STATE"
chmod 755 "$STATE"

# writes stdin to $1 if different; returns 0 when the file changed
put() {
  local f="$1" tmp
  tmp="$(mktemp "$f.XXXX")"
  cat > "$tmp"
  if [ -f "$f" ] && cmp -s "$tmp" "$f"; then rm -f "$tmp"; return 1; fi
  mv "$tmp" "$f"; chmod 644 "$f"; return 0
}

# ---------------------------------------------------------------- PostgreSQL
pgdata="$STATE/pg/data"
pgrun="$STATE/pg/run"
pg_maxconn=$(( WORKERS * 2 + 50 ))
mkdir -p "$STATE/pg" "$pgrun"
chown postgres:postgres "$STATE/pg" "$pgrun"
if [ ! -s "$pgdata/PG_VERSION" ]; then
  log "initdb $pgdata"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
# loopback TCP and a private socket dir only; trust auth is acceptable since nothing but 127.0.0.1 can connect
pg_conf_changed=0
put "$pgdata/peer.conf" <<EOF && pg_conf_changed=1 || true
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$pgrun'
max_connections = $pg_maxconn
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
EOF
chown postgres:postgres "$pgdata/peer.conf"
grep -q "^include_if_exists = 'peer.conf'" "$pgdata/postgresql.conf" ||
  echo "include_if_exists = 'peer.conf'" >> "$pgdata/postgresql.conf"
pgctl() { runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pgdata" -l "$STATE/pg/postgres.log" "$@"; }
if pgctl status >/dev/null 2>&1; then
  if [ "$pg_conf_changed" = 1 ]; then log "restarting PostgreSQL (config changed)"; pgctl -w -m fast restart </dev/null >/dev/null 2>&1; fi
else
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  pgctl -w -t 60 start </dev/null >/dev/null 2>&1 || die "PostgreSQL did not start; see $STATE/pg/postgres.log"
fi
psql_() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -h "$pgrun" -p "$PG_PORT" "$@"; }
psql_ -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='sogo'" | grep -q 1 ||
  psql_ -d postgres -c "CREATE ROLE sogo LOGIN PASSWORD 'sogo'"
psql_ -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='sogo'" | grep -q 1 ||
  psql_ -d postgres -c "CREATE DATABASE sogo OWNER sogo"
# the SQL user source: c_uid logs in, c_name identifies, c_password is plain text (userPasswordAlgorithm = plain)
psql_ -d sogo -U sogo <<EOF
SET client_min_messages = warning;
CREATE TABLE IF NOT EXISTS sogo_users (
  c_uid varchar(64) PRIMARY KEY,
  c_name varchar(64) NOT NULL,
  c_password varchar(128) NOT NULL,
  c_cn varchar(128),
  mail varchar(128)
);
CREATE TEMP TABLE wanted AS
  SELECT '$USER_PREFIX' || lpad(i::text, 6, '0') AS u FROM generate_series(0, $USERS - 1) AS i
  UNION ALL SELECT '$USER_PREFIX' || 'warmup-0-' || i FROM generate_series(0, 4) AS i;
INSERT INTO sogo_users (c_uid, c_name, c_password, c_cn, mail)
  SELECT u, u, '$PASSWORD', 'Load user ' || u, u || '@$MAIL_DOMAIN' FROM wanted
ON CONFLICT (c_uid) DO UPDATE SET c_password = EXCLUDED.c_password, mail = EXCLUDED.mail;
DELETE FROM sogo_users WHERE c_uid NOT IN (SELECT u FROM wanted);
EOF
log "user source: $(psql_ -d sogo -U sogo -tAc 'SELECT count(*) FROM sogo_users') users in sogo_users"

# ---------------------------------------------------------------- dovecot
dv="$STATE/dovecot"
mkdir -p "$dv" "$STATE/mail"
chown mail:mail "$STATE/mail"
chmod 700 "$STATE/mail"
# passwd-file: user:{PLAIN}password:::: (uid/gid/home come from the static userdb below)
users_tmp="$(mktemp)"
{ for ((i = 0; i < USERS; i++)); do user_name "$i"; echo; done; warmup_users; } |
  sed "s/\$/:{PLAIN}$PASSWORD::::::/" > "$users_tmp"
dv_changed=0
if ! cmp -s "$users_tmp" "$dv/users" 2>/dev/null; then mv "$users_tmp" "$dv/users"; else rm -f "$users_tmp"; fi
chown root:dovecot "$dv/users"; chmod 640 "$dv/users"
imap_procs=$(( WORKERS * 2 + 100 ))
put "$dv/dovecot.conf" <<EOF && dv_changed=1 || true
# SOGo peer: IMAP on loopback only, plain-text logins, one static mail uid (mail), Maildir per user.
protocols = imap
listen = 127.0.0.1
base_dir = $dv/run
state_dir = $dv/state
log_path = $dv/dovecot.log
info_log_path = $dv/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 8
first_valid_gid = 8
mail_uid = mail
mail_gid = mail
mail_location = maildir:$STATE/mail/%n
mail_max_userip_connections = 1000
postmaster_address = postmaster@$MAIL_DOMAIN
default_vsz_limit = 512M
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    auto = subscribe
    special_use = \\Drafts
  }
  mailbox Sent {
    auto = subscribe
    special_use = \\Sent
  }
  mailbox Trash {
    auto = subscribe
    special_use = \\Trash
  }
  # SOGo creates these two at a user's first FolderSync otherwise (SOGoJunkFolderName, SOGoTemplatesFolderName);
  # made here so that they exist before the modseq priming below
  mailbox Junk {
    auto = subscribe
    special_use = \\Junk
  }
  mailbox Templates {
    auto = subscribe
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $dv/users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$STATE/mail/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
  service_count = 0
  process_min_avail = 2
  client_limit = 4096
}
service imap {
  process_limit = $imap_procs
}
service auth {
  client_limit = 8192
}
service anvil {
  client_limit = 8192
}
EOF
dv_master_pid() { alive_pid "$dv/run/master.pid"; }
if pid="$(dv_master_pid)"; then
  if [ "$dv_changed" = 1 ]; then log "reloading dovecot (config changed)"; doveadm -c "$dv/dovecot.conf" reload; fi
else
  log "starting dovecot IMAP on 127.0.0.1:$IMAP_PORT"
  mkdir -p "$dv/state"
  dovecot -c "$dv/dovecot.conf" </dev/null >>"$dv/dovecot.log" 2>&1
  for _ in $(seq 50); do dv_master_pid >/dev/null && break; sleep 0.1; done
  dv_master_pid >/dev/null || die "dovecot did not start; see $dv/dovecot.log"
fi

# SOGo's EAS sync key for a mail folder is "UIDNEXT-HIGHESTMODSEQ" read from a plain SELECT, but dovecot reports
# HIGHESTMODSEQ on SELECT only for a mailbox whose index already tracks modseqs, and it starts tracking them only
# once some client enabled CONDSTORE on that mailbox. Without it SOGo's Sync of the INBOX stays empty (SyncKey -1,
# then empty answers, no wake ever). Raising each mailbox's highest modseq to 2 turns tracking on for good; new
# mail delivered by the LDA is then counted too. Done once per user list (the marker holds its checksum).
primed="$dv/modseq-primed"
want_primed="$(cksum < "$dv/users" | cut -d' ' -f1)"
if [ "$(cat "$primed" 2>/dev/null)" != "$want_primed" ]; then
  log "turning on modseq tracking in every user's mailboxes ($(wc -l < "$dv/users") users)"
  cut -d: -f1 "$dv/users" > "$dv/user-names"
  for mb in INBOX Drafts Sent Trash Junk Templates; do
    doveadm -c "$dv/dovecot.conf" mailbox update -F "$dv/user-names" --min-highest-modseq 2 "$mb" ||
      die "doveadm mailbox update $mb failed; see $dv/dovecot.log"
  done
  echo "$want_primed" > "$primed"
fi

# ---------------------------------------------------------------- memcached
# memcached writes its pid file as the memcache user through a temporary file in the same directory
mkdir -p "$STATE/memcached"; chown memcache "$STATE/memcached"
mc_pidfile="$STATE/memcached/memcached.pid"
if ! alive_pid "$mc_pidfile" >/dev/null; then
  log "starting memcached on 127.0.0.1:$MEMCACHED_PORT"
  memcached -d -u memcache -l 127.0.0.1 -p "$MEMCACHED_PORT" -U 0 -m 128 -c 8192 -P "$mc_pidfile" </dev/null >/dev/null 2>&1
  for _ in $(seq 50); do alive_pid "$mc_pidfile" >/dev/null && break; sleep 0.1; done
  alive_pid "$mc_pidfile" >/dev/null || die "memcached did not start"
fi

# ---------------------------------------------------------------- SMTP for SOGo's outgoing mail
# EAS SendMail makes SOGo submit by SMTP; smtp-lda.py (this folder) hands each message to dovecot's LDA for the
# recipients' local parts, so the load generator's `wake` change (a mail to oneself) reaches the INBOX.
sm="$STATE/smtp"
mkdir -p "$sm"
if ! alive_pid "$sm/smtp-lda.pid" >/dev/null; then
  log "starting smtp-lda on 127.0.0.1:$SMTP_PORT"
  rm -f "$sm/smtp-lda.pid"
  # as root: dovecot-lda itself switches to the mail user after its userdb lookup
  setsid /usr/bin/python3 "$here/smtp-lda.py" --port "$SMTP_PORT" \
    --dovecot-conf "$dv/dovecot.conf" --pidfile "$sm/smtp-lda.pid" --log "$sm/smtp-lda.log" \
    </dev/null >>"$sm/smtp-lda.log" 2>&1 &
  for _ in $(seq 50); do alive_pid "$sm/smtp-lda.pid" >/dev/null && break; sleep 0.1; done
  alive_pid "$sm/smtp-lda.pid" >/dev/null || die "smtp-lda did not start; see $sm/smtp-lda.log"
fi

# ---------------------------------------------------------------- sogod
sg="$STATE/sogo"
mkdir -p "$sg/home"
chown sogo:sogo "$sg" "$sg/home"
db="postgresql://sogo:sogo@127.0.0.1:$PG_PORT/sogo"
sogo_changed=0
put "$sg/sogo.conf" <<EOF && sogo_changed=1 || true
/* SOGo peer for the EAS load generator: written by benchmarks/peer/sogo/up.sh, bind-mounted over
   /etc/sogo/sogo.conf inside sogod's own mount namespace. */
{
  WOPort = "127.0.0.1:$SOGO_PORT";
  WOWorkersCount = $WORKERS;
  /* connections waiting for a free worker queue here */
  WOListenQueueSize = 4096;
  /* minutes a child may spend on one request before the parent kills it: above SOGoMaximumPingInterval */
  WOWatchDogRequestTimeout = $(( PING_MAX / 60 + 2 ));
  SxVMemLimit = 512;

  SOGoProfileURL = "$db/sogo_user_profile";
  OCSFolderInfoURL = "$db/sogo_folder_info";
  OCSSessionsFolderURL = "$db/sogo_sessions_folder";
  /* one table each for all users' content, ACLs and caches (EAS sync state) instead of tables per folder */
  OCSStoreURL = "$db/sogo_store";
  OCSAclURL = "$db/sogo_acl";
  OCSCacheFolderURL = "$db/sogo_cache_folder";

  SOGoUserSources = (
    {
      type = sql;
      id = peerusers;
      viewURL = "$db/sogo_users";
      canAuthenticate = YES;
      isAddressBook = NO;
      userPasswordAlgorithm = plain;
    }
  );

  SOGoIMAPServer = "imap://127.0.0.1:$IMAP_PORT";
  SOGoMailDomain = "$MAIL_DOMAIN";
  SOGoDraftsFolderName = Drafts;
  SOGoSentFolderName = Sent;
  SOGoTrashFolderName = Trash;
  SOGoMailingMechanism = smtp;
  SOGoSMTPServer = "smtp://127.0.0.1:$SMTP_PORT";
  SOGoSieveScriptsEnabled = NO;
  SOGoVacationEnabled = NO;
  SOGoForwardEnabled = NO;
  SOGoEnableEMailAlarms = NO;
  SOGoMemcachedHost = "127.0.0.1:$MEMCACHED_PORT";
  SOGoTimeZone = UTC;
  SOGoLanguage = English;

  /* ActiveSync: let Ping and Sync park up to 59 minutes, look for changes every $POLL s while parked */
  SOGoMaximumPingInterval = $PING_MAX;
  SOGoMaximumSyncInterval = $SYNC_MAX;
  SOGoInternalSyncInterval = $POLL;
  SOGoEASDebugEnabled = $( [ -n "${SOGO_DEBUG:-}" ] && echo YES || echo NO );
  ImapDebugEnabled = $( [ -n "${SOGO_DEBUG:-}" ] && echo YES || echo NO );
}
EOF
sogo_pidfile="$sg/sogod.pid"
start_sogod() {
  log "starting sogod on 127.0.0.1:$SOGO_PORT with $WORKERS workers"
  touch "$sg/sogo.log"; chown sogo:sogo "$sg/sogo.log"; rm -f "$sogo_pidfile"
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  # private mount namespace: sogod sees our sogo.conf at the one path it reads, the system's file stays as it is
  unshare -m --propagation private /bin/sh -c '
    mount --bind "$1" /etc/sogo/sogo.conf || exit 1
    shift
    exec setpriv --reuid=sogo --regid=sogo --init-groups env HOME="$1" /usr/sbin/sogod \
      -WOPidFile "$2" -WOLogFile "$3"' sh "$sg/sogo.conf" "$sg/home" "$sogo_pidfile" "$sg/sogo.log" \
    </dev/null >>"$sg/sogo.log" 2>&1
  for _ in $(seq 100); do alive_pid "$sogo_pidfile" >/dev/null && break; sleep 0.1; done
  alive_pid "$sogo_pidfile" >/dev/null || die "sogod did not start; see $sg/sogo.log"
}
chown sogo:sogo "$sg"
if pid="$(alive_pid "$sogo_pidfile")"; then
  if [ "$sogo_changed" = 1 ]; then
    log "restarting sogod (config changed)"
    kill "$pid"
    # the old parent and its children must be gone and the port free before the new sogod binds it
    for _ in $(seq 300); do
      kill -0 "$pid" 2>/dev/null || [ -n "$(ss -Hltn "( sport = :$SOGO_PORT )")" ] || break
      sleep 0.1
    done
    start_sogod
  fi
else
  start_sogod
fi
# wait until sogod answers on its port
for _ in $(seq 100); do
  curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$SOGO_PORT/SOGo/" && break
  sleep 0.2
done

# ---------------------------------------------------------------- nginx
ng="$STATE/nginx"
mkdir -p "$ng/tmp" "$ng/logs"
ng_changed=0
put "$ng/nginx.conf" <<EOF && ng_changed=1 || true
# SOGo peer: EAS on 127.0.0.1:$HTTP_PORT proxied to sogod, timeouts above the longest Ping (${PING_MAX}s).
worker_processes 1;
worker_rlimit_nofile 65536;
pid $ng/nginx.pid;
error_log $ng/logs/error.log warn;
events {
  worker_connections 30000;
}
http {
  access_log off;
  client_body_temp_path $ng/tmp/body;
  proxy_temp_path $ng/tmp/proxy;
  fastcgi_temp_path $ng/tmp/fastcgi;
  uwsgi_temp_path $ng/tmp/uwsgi;
  scgi_temp_path $ng/tmp/scgi;
  client_max_body_size 64m;
  keepalive_timeout 3700s;
  server {
    listen 127.0.0.1:$HTTP_PORT backlog=4096;
    proxy_connect_timeout 10s;
    proxy_send_timeout $(( PING_MAX + 120 ))s;
    proxy_read_timeout $(( PING_MAX + 120 ))s;
    proxy_buffering off;
    proxy_request_buffering on;
    proxy_set_header Host \$host;
    proxy_set_header x-webobjects-server-protocol HTTP/1.0;
    proxy_set_header x-webobjects-remote-host \$remote_addr;
    proxy_set_header x-webobjects-server-name \$server_name;
    proxy_set_header x-webobjects-server-port \$server_port;
    proxy_set_header x-webobjects-server-url http://\$host:\$server_port;
    location /Microsoft-Server-ActiveSync {
      proxy_pass http://127.0.0.1:$SOGO_PORT/SOGo/Microsoft-Server-ActiveSync;
    }
    location /SOGo {
      proxy_pass http://127.0.0.1:$SOGO_PORT;
    }
  }
}
EOF
if pid="$(alive_pid "$ng/nginx.pid")"; then
  if [ "$ng_changed" = 1 ]; then log "reloading nginx (config changed)"; kill -HUP "$pid"; fi
else
  log "starting nginx on 127.0.0.1:$HTTP_PORT"
  nginx -p "$ng" -e "$ng/logs/error.log" -c "$ng/nginx.conf" </dev/null >>"$ng/logs/error.log" 2>&1
  for _ in $(seq 50); do alive_pid "$ng/nginx.pid" >/dev/null && break; sleep 0.1; done
  alive_pid "$ng/nginx.pid" >/dev/null || die "nginx did not start; see $ng/logs/error.log"
fi

# ---------------------------------------------------------------- record and report
cat > "$STATE/peer.env" <<EOF
# written by up.sh $(date -u +%FT%TZ)
HTTP_PORT=$HTTP_PORT
SMTP_PORT=$SMTP_PORT
SOGO_PORT=$SOGO_PORT
IMAP_PORT=$IMAP_PORT
PG_PORT=$PG_PORT
MEMCACHED_PORT=$MEMCACHED_PORT
USERS=$USERS
USER_PREFIX=$USER_PREFIX
PASSWORD=$PASSWORD
MAIL_DOMAIN=$MAIL_DOMAIN
WORKERS=$WORKERS
PING_MAX=$PING_MAX
SYNC_MAX=$SYNC_MAX
POLL=$POLL
EOF

cat <<EOF
SOGo ActiveSync peer is up (state in $STATE)
  EAS URL:      $EAS_URL   (load generator base: http://127.0.0.1:$HTTP_PORT)
  users:        $(user_name 0) .. $(user_name $((USERS - 1)))   password: $PASSWORD   mail domain: $MAIL_DOMAIN
  eas-bench:    bin/eas-bench idle --url http://127.0.0.1:$HTTP_PORT --user-prefix $USER_PREFIX --password $PASSWORD --devices N
  sogod:        127.0.0.1:$SOGO_PORT, WOWorkersCount=$WORKERS (each parked Ping holds one worker)
  tuning:       SOGoMaximumPingInterval=$PING_MAX SOGoMaximumSyncInterval=$SYNC_MAX SOGoInternalSyncInterval=$POLL
  IMAP:         127.0.0.1:$IMAP_PORT   SMTP (smtp-lda.py): 127.0.0.1:$SMTP_PORT   PostgreSQL: 127.0.0.1:$PG_PORT   memcached: 127.0.0.1:$MEMCACHED_PORT
  check:        $here/status.sh
  new mail:     $here/deliver.sh $(user_name 0)
  stop:         $here/down.sh
EOF
