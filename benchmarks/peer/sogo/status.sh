#!/usr/bin/env bash
# Check that the SOGo peer answers EAS through nginx: OPTIONS, then FolderSync with SyncKey 0 for one user,
# decoded with wbxml2xml (libwbxml2-utils). Exit 0 when both work.
#
#   benchmarks/peer/sogo/status.sh [USER]     (default: the first load user, load000000)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
. "$here/common.sh"
user="${1:-$(user_name 0)}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

for pf in nginx/nginx.pid sogo/sogod.pid memcached/memcached.pid dovecot/run/master.pid pg/data/postmaster.pid; do
  if pid="$(head -1 "$STATE/$pf" 2>/dev/null | tr -dc 0-9)" && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    printf '  %-26s pid %s\n' "$pf" "$pid"
  else
    printf '  %-26s NOT RUNNING\n' "$pf"
  fi
done
workers="$(pgrep -c -P "$(cat "$STATE/sogo/sogod.pid" 2>/dev/null || echo 0)" 2>/dev/null || echo 0)"
echo "  sogod workers: $workers"

code="$(curl -s -o /dev/null -D "$tmp/opt.h" -w '%{http_code}' --max-time 20 -X OPTIONS -u "$user:$PASSWORD" "$EAS_URL")"
versions="$(grep -i '^MS-ASProtocolVersions:' "$tmp/opt.h" | tr -d '\r' || true)"
echo "OPTIONS $EAS_URL -> HTTP $code; $versions"
[ "$code" = 200 ] || { echo "FAIL: OPTIONS"; exit 1; }

# FolderSync, SyncKey 0: <FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>
printf '\x03\x01\x6a\x00\x00\x07\x56\x52\x03\x30\x00\x01\x01' > "$tmp/fs.wbxml"
dev="PEERSTATUS$(date +%s)"
code="$(curl -s -o "$tmp/fs.out" -D "$tmp/fs.h" -w '%{http_code}' --max-time 60 -u "$user:$PASSWORD" \
  -H 'MS-ASProtocolVersion: 14.1' -H 'Content-Type: application/vnd.ms-sync.wbxml' \
  --data-binary @"$tmp/fs.wbxml" "$EAS_URL?Cmd=FolderSync&User=$user&DeviceId=$dev&DeviceType=peerstatus")"
ctype="$(grep -i '^Content-Type:' "$tmp/fs.h" | tr -d '\r' || true)"
echo "FolderSync -> HTTP $code; $ctype; $(stat -c %s "$tmp/fs.out") bytes"
[ "$code" = 200 ] || { echo "FAIL: FolderSync HTTP $code"; exit 1; }
wbxml2xml -l ACTIVESYNC -o "$tmp/fs.xml" "$tmp/fs.out" >/dev/null 2>&1 || { echo "FAIL: response is not WBXML"; exit 1; }
status="$(grep -o '<Status>[0-9]*</Status>' "$tmp/fs.xml" | head -1)"
folders="$(grep -o '<DisplayName>[^<]*</DisplayName>' "$tmp/fs.xml" | sed 's/<[^>]*>//g' | paste -sd, -)"
echo "FolderSync $status folders: $folders"
[ "$status" = "<Status>1</Status>" ] || { echo "FAIL: FolderSync status"; cat "$tmp/fs.xml"; exit 1; }
echo "OK: SOGo EAS at $EAS_URL, users $(user_name 0)..$(user_name $((USERS - 1))) / $PASSWORD"
