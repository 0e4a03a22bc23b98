#!/usr/bin/env bash
# Park Pings on the SOGo peer with curl and measure what the comparison needs, without bin/eas-bench:
#   - how many Pings are actually held by sogod workers (not just queued in its listen backlog),
#   - the summed VmRSS of all sogod processes before and while they are parked (per parked Ping),
#   - wake latency: mail delivered with deliver.sh to W parked users, time until each one's Ping answers.
#
#   benchmarks/peer/sogo/park.sh [--pings K] [--wakes W] [--hold S] [--heartbeat S] [--parallel P]
#
# Each device does FolderSync 0, Sync 0 and Sync of its INBOX, then one Ping (HeartbeatInterval --heartbeat)
# that is left open. Every loop is bounded: K <= users, curl --max-time on every request, the hold phase lasts
# --hold seconds, all curl processes are ended at the end. Loopback only. Results go to stdout and
# $STATE/park-K.txt.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
. "$here/common.sh"

pings=16 wakes=5 hold=30 heartbeat=900 parallel=8
while [ $# -gt 0 ]; do
  case "$1" in
    --pings) pings="$2"; shift 2 ;;
    --wakes) wakes="$2"; shift 2 ;;
    --hold) hold="$2"; shift 2 ;;
    --heartbeat) heartbeat="$2"; shift 2 ;;
    --parallel) parallel="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$pings" -le "$USERS" ] || die "--pings $pings > users $USERS"
[ "$wakes" -le "$pings" ] || wakes="$pings"
[ "$hold" -le 3000 ] || die "--hold at most 3000 s"
work="$(mktemp -d /tmp/sogo-park.XXXX)"
out="$STATE/park-$pings.txt"
cleanup() {
  # end the parked curls this script started (their pids are in $work/*.pid)
  local f p
  for f in "$work"/*.pid; do
    [ -f "$f" ] || continue
    p="$(cat "$f")"; pkill -P "$p" 2>/dev/null; kill "$p" 2>/dev/null
  done
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# WBXML request bodies from XML with libwbxml's xml2wbxml
enc() { xml2wbxml -v 1.3 -o "$2" "$1" >/dev/null 2>&1 || die "xml2wbxml failed on $1"; }
hdr='<?xml version="1.0"?><!DOCTYPE ActiveSync PUBLIC "-//MICROSOFT//DTD ActiveSync//EN" "http://www.microsoft.com/">'
printf '%s<FolderSync xmlns="FolderHierarchy:"><SyncKey>0</SyncKey></FolderSync>' "$hdr" > "$work/fs.xml"
enc "$work/fs.xml" "$work/fs.wbxml"

# "RSS_KB PROCESSES PSS_KB" of sogod's parent and children (VmRSS counts shared pages in every process; Pss
# shares them out, so its sum is the memory they really take together)
sogod_rss_kb() {
  local parent pid sum=0 pss=0 n=0 v p
  parent="$(cat "$STATE/sogo/sogod.pid")"
  for pid in "$parent" $(pgrep -P "$parent"); do
    v="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
    p="$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)"
    sum=$((sum + ${v:-0})); pss=$((pss + ${p:-0})); n=$((n + 1))
  done
  echo "$sum $n $pss"
}
# connections sogod holds = established to its port minus those still waiting in its accept queue
held_by_sogod() {
  local est q
  est="$(ss -Htn state established "( sport = :$SOGO_PORT )" | wc -l)"
  q="$(ss -Hltn "( sport = :$SOGO_PORT )" | awk '{print $2}' | head -1)"
  echo "$((est - ${q:-0})) $est ${q:-0}"
}

eas() { # eas USER DEVICE CMD BODYFILE OUTFILE MAXTIME -> http code
  curl -s -o "$5" -w '%{http_code}' --max-time "$6" -u "$1:$PASSWORD" \
    -H 'MS-ASProtocolVersion: 14.1' -H 'Content-Type: application/vnd.ms-sync.wbxml' \
    --data-binary @"$4" "$EAS_URL?Cmd=$3&User=$1&DeviceId=$2&DeviceType=peerpark"
}

# one device: first sync, then a Ping left open; writes $work/U.ready (or U.fail), U.end when the Ping answers
setup_one() {
  local i="$1" u d code inbox key n
  u="$(user_name "$i")"; d="PARK$(printf '%06d' "$i")"
  code="$(eas "$u" "$d" FolderSync "$work/fs.wbxml" "$work/$u.fs" 60)" || true
  [ "$code" = 200 ] || { echo "FolderSync HTTP $code" > "$work/$u.fail"; return; }
  wbxml2xml -l ACTIVESYNC -o "$work/$u.fs.xml" "$work/$u.fs" >/dev/null 2>&1 || true
  inbox="$(tr -d '\n' < "$work/$u.fs.xml" | grep -o '<ServerId>[^<]*</ServerId><ParentId>[^<]*</ParentId><DisplayName>[^<]*</DisplayName><Type>2</Type>' | sed 's/<ServerId>\([^<]*\)<.*/\1/' | head -1)"
  [ -n "$inbox" ] || { echo "no INBOX in FolderSync" > "$work/$u.fail"; return; }
  key=0
  for n in 1 2 3 4; do # Sync 0, then Syncs until the server has nothing more (bounded)
    printf '%s<Sync xmlns="AirSync:"><Collections><Collection><SyncKey>%s</SyncKey><CollectionId>%s</CollectionId>%s</Collection></Collections></Sync>' \
      "$hdr" "$key" "$inbox" "$([ "$key" = 0 ] || echo '<GetChanges/><WindowSize>100</WindowSize>')" > "$work/$u.sync.xml"
    enc "$work/$u.sync.xml" "$work/$u.sync.wbxml"
    code="$(eas "$u" "$d" Sync "$work/$u.sync.wbxml" "$work/$u.sync" 120)" || true
    [ "$code" = 200 ] || { echo "Sync HTTP $code" > "$work/$u.fail"; return; }
    [ -s "$work/$u.sync" ] || break # empty answer: nothing new
    wbxml2xml -l ACTIVESYNC -o "$work/$u.sync.out.xml" "$work/$u.sync" >/dev/null 2>&1 || true
    key="$(grep -o '<SyncKey>[^<]*</SyncKey>' "$work/$u.sync.out.xml" | tail -1 | sed 's/<[^>]*>//g')"
    grep -q '<MoreAvailable' "$work/$u.sync.out.xml" || [ "$n" = 1 ] || break
  done
  printf '%s<Ping xmlns="Ping:"><HeartbeatInterval>%s</HeartbeatInterval><Folders><Folder><Id>%s</Id><Class>Email</Class></Folder></Folders></Ping>' \
    "$hdr" "$heartbeat" "$inbox" > "$work/$u.ping.xml"
  enc "$work/$u.ping.xml" "$work/$u.ping.wbxml"
  (
    eas "$u" "$d" Ping "$work/$u.ping.wbxml" "$work/$u.ping" $((heartbeat + 120)) > "$work/$u.code" || true
    date +%s%3N > "$work/$u.end"
  ) </dev/null >/dev/null 2>&1 &
  echo $! > "$work/$u.pid"
  echo "$inbox" > "$work/$u.ready"
}
export -f setup_one eas enc user_name die log
export work hdr heartbeat PASSWORD EAS_URL USER_PREFIX

read -r rss0 procs0 pss0 <<<"$(sogod_rss_kb)"
echo "before: sogod processes $procs0, VmRSS sum $((rss0 / 1024)) MiB (Pss sum $((pss0 / 1024)) MiB); workers $WORKERS, poll ${POLL}s"
t0=$(date +%s)
seq 0 $((pings - 1)) | xargs -P "$parallel" -I{} bash -c "setup_one {}" || true
count() { find "$work" -maxdepth 1 -name "*.$1" | wc -l; }
ready=$(count ready)
failed=$(count fail)
echo "set up $ready of $pings devices in $(( $(date +%s) - t0 )) s ($failed failed$( [ "$failed" -gt 0 ] && echo ": $(cat "$work"/*.fail | sort | uniq -c | head -3 | tr '\n' ';')"))"
sleep 5
end=$(( $(date +%s) + hold ))
while [ "$(date +%s)" -lt "$end" ]; do sleep 5; done
read -r held est queued <<<"$(held_by_sogod)"
answered=$(count end)
read -r rss1 procs1 pss1 <<<"$(sogod_rss_kb)"
busy_cpu="$(ps -o %cpu= -p "$(cat "$STATE/sogo/sogod.pid")" $(pgrep -P "$(cat "$STATE/sogo/sogod.pid")" | sed 's/^/-p /') 2>/dev/null | awk '{s+=$1} END {print s}')"
echo "after ${hold}s hold: Pings answered early $answered; connections to sogod: held by workers $held, in accept queue $queued"
echo "parked: sogod processes $procs1, VmRSS sum $((rss1 / 1024)) MiB (Pss sum $((pss1 / 1024)) MiB); per held Ping $(( held > 0 ? (rss1 - rss0) / held : 0 )) KiB over idle, $(( held > 0 ? rss1 / held : 0 )) KiB total/held; sogod %CPU sum ${busy_cpu:-?}"

# wake: deliver to W parked users at once, time until each Ping answers
lat=()
if [ "$wakes" -gt 0 ]; then
  declare -A t_deliver
  for ((i = 0; i < wakes; i++)); do
    u="$(user_name "$i")"
    [ -f "$work/$u.ready" ] && [ ! -f "$work/$u.end" ] || continue
    t_deliver[$u]="$("$here/deliver.sh" "$u")"
  done
  deadline=$(( $(date +%s) + POLL * 3 + 30 ))
  for u in "${!t_deliver[@]}"; do
    while [ ! -f "$work/$u.end" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.05; done
    if [ -f "$work/$u.end" ]; then
      wbxml2xml -l ACTIVESYNC -o "$work/$u.ping.out.xml" "$work/$u.ping" >/dev/null 2>&1 || true
      st="$(grep -o '<Status>[0-9]*</Status>' "$work/$u.ping.out.xml" 2>/dev/null | sed 's/<[^>]*>//g' | head -1)"
      lat+=("$(( $(cat "$work/$u.end") - ${t_deliver[$u]} )) ms (HTTP $(cat "$work/$u.code") Ping status ${st:-?})")
    else
      lat+=("no wake within $((POLL * 3 + 30)) s")
    fi
  done
  echo "wake latency after delivery (SOGoInternalSyncInterval ${POLL}s):"
  printf '  %s\n' "${lat[@]}"
fi
{
  echo "$(date -u +%FT%TZ) pings=$pings workers=$WORKERS poll=$POLL heartbeat=$heartbeat ready=$ready failed=$failed"
  echo "held=$held queued=$queued answered_early=$answered rss_idle_kb=$rss0 rss_parked_kb=$rss1 pss_idle_kb=$pss0 pss_parked_kb=$pss1 procs=$procs1"
  printf 'wake %s\n' "${lat[@]}"
} > "$out"
echo "summary in $out"
