#!/usr/bin/env bash
# easgate and SOGo side by side in one run: the same device set, the same machine, the same bin/eas-bench scenarios.
#
#   benchmarks/peer/side-by-side.sh [--devices N] [--rate R] [--idle S] [--wake S] [--miss-timeout S] [--out DIR]
#                                   [--down]
#
# For N devices (users load000000.., password loadpass, eas-bench's own naming) it runs, one after the other:
#   1. SOGo peer (benchmarks/peer/sogo/up.sh; sogod restarted so its idle memory is read before any request):
#      eas-bench idle --url (memory of all sogod processes: VmRSS and Pss sums, cold idle vs parked) and
#      eas-bench wake --url (changes by SendMail to oneself at R/s: SOGo -> smtp-lda.py -> dovecot LDA -> INBOX),
#   2. one easgate node started by eas-bench itself (shipped JVM options and defaults, memory backend):
#      eas-bench idle (node RSS and live heap) and eas-bench wake (same rate, same change source, same miss timeout),
# then writes DIR/side-by-side.md (and .json): memory per parked device, wake latency p50/p99/max, the ratios and
# the load average. N must leave SOGo workers free for the change senders (N <= WOWorkersCount - 16): SOGo holds
# one Ping per worker process. Every run is bounded (eas-bench's own deadline and an outer timeout); loopback only.
# Run as root (the SOGo peer needs it). --down stops the SOGo peer at the end (benchmarks/peer/sogo/down.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
sogo="$here/sogo"
# shellcheck source=sogo/common.sh
. "$sogo/common.sh"

devices=100 rate=1 idle_s=60 wake_s=60 miss_s=30 out="" down=0
while [ $# -gt 0 ]; do
  case "$1" in
    --devices) devices="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --idle) idle_s="$2"; shift 2 ;;
    --wake) wake_s="$2"; shift 2 ;;
    --miss-timeout) miss_s="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --down) down=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || die "run as root (the SOGo peer needs it)"
for v in "$devices" "$idle_s" "$wake_s" "$miss_s"; do
  case "$v" in ''|*[!0-9]*) die "--devices, --idle, --wake and --miss-timeout want whole numbers" ;; esac
done
[ "$devices" -ge 1 ] || die "--devices at least 1"
[ "$devices" -le $((WORKERS - 16)) ] || die "--devices $devices: SOGo has $WORKERS workers, one per parked Ping; \
keep 16 free for SendMail and the Syncs after a wake (or raise up.sh --workers)"
[ "$idle_s" -le 600 ] && [ "$wake_s" -le 600 ] && [ "$miss_s" -le 120 ] || die "--idle/--wake at most 600 s, --miss-timeout 120"
[ -x "$root/bin/eas-bench" ] || die "bin/eas-bench missing"
[ -f "$root/benchmarks/target/classes/dev/easgate/bench/cli/EasBench.class" ] && [ -f "$root/gateway-core/target/gateway-core.jar" ] ||
  die "build first: (cd $root && mvn -q -B -DskipTests package)"
out="${out:-$root/bench-results/side-by-side-$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$out"
users=$(( devices > USERS ? devices : USERS ))
common=(--devices "$devices" --user-prefix "$USER_PREFIX" --password "$PASSWORD" --mail-domain "$MAIL_DOMAIN")
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# the eas-bench run in progress (ended with this script; eas-bench then stops the node it started)
bench_pid=""
trap '[ -z "$bench_pid" ] || kill -TERM "$bench_pid" 2>/dev/null || true' EXIT
echo "start $(date -u +%FT%TZ) load $(loadavg)" | tee "$out/loadavg.txt"

# "RSS_KB PSS_KB PROCESSES" of sogod's parent and its worker children (Pss shares shared pages out among the
# processes that map them, so its sum is what they take together; the VmRSS sum counts shared pages once per process)
sogod_mem() {
  local parent pid rss=0 pss=0 n=0 v p
  parent="$(alive_pid "$STATE/sogo/sogod.pid")" || { echo "0 0 0"; return; }
  for pid in "$parent" $(pgrep -P "$parent"); do
    v="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)"
    p="$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || true)"
    rss=$((rss + ${v:-0})); pss=$((pss + ${p:-0})); n=$((n + 1))
  done
  echo "$rss $pss $n"
}
sogod_pids() {
  local parent
  parent="$(alive_pid "$STATE/sogo/sogod.pid")" || return 1
  { echo "$parent"; pgrep -P "$parent"; } | paste -sd,
}

# runs eas-bench (bounded by its own --deadline and an outer timeout); $1 = name, $2 = phase word to sample in (or
# "-"), rest = eas-bench arguments. When the progress shows the phase, "$out/$1.during" gets sogod_mem after 5 s.
bench() {
  local name="$1" phase="$2" limit log pid sampled=0
  shift 2
  limit=$(( 300 + devices / 20 + idle_s + wake_s + miss_s + 300 ))
  log="$out/$name.log"
  echo "== $name: load $(loadavg)" | tee -a "$out/loadavg.txt"
  timeout --kill-after=30 "$limit" "$root/bin/eas-bench" "$@" --out "$out/$name" --deadline "${limit}s" \
    >"$log" 2>&1 &
  pid=$!
  bench_pid=$pid
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$phase" != - ] && [ "$sampled" = 0 ] && grep -q "\] $phase:" "$log"; then
      sleep 5
      sogod_mem > "$out/$name.during"
      sampled=1
    fi
    sleep 1
  done
  wait "$pid" || { bench_pid=""; tail -20 "$log" >&2; die "$name failed (see $log)"; }
  bench_pid=""
  [ -s "$out/$name/report.json" ] || die "$name wrote no report"
  tail -n 40 "$log" | sed -n '/^---/,$p'
}

# ---------------------------------------------------------------- SOGo
log "SOGo peer up (users $users, workers $WORKERS)"
"$sogo/up.sh" --users "$users" --workers "$WORKERS" >"$out/sogo-up.log" 2>&1 || { cat "$out/sogo-up.log" >&2; die "up.sh failed"; }
# restart sogod alone, so that its idle memory is read from workers that have served nothing yet
if pid="$(alive_pid "$STATE/sogo/sogod.pid")"; then
  children="$(pgrep -P "$pid" || true)"
  kill -TERM "$pid"
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  for c in $children; do kill -KILL "$c" 2>/dev/null || true; done
fi
"$sogo/up.sh" --users "$users" --workers "$WORKERS" >>"$out/sogo-up.log" 2>&1 || { cat "$out/sogo-up.log" >&2; die "up.sh failed"; }
"$sogo/status.sh" >"$out/sogo-status.log" 2>&1 || true   # this request reaches one worker only
sleep 10
sogod_mem > "$out/sogo.cold"
log "sogod cold: $(cat "$out/sogo.cold") (VmRSS KiB, Pss KiB, processes)"

url="http://127.0.0.1:$HTTP_PORT"
bench sogo-idle idle idle --url "$url" --gateway-pid "$(sogod_pids)" "${common[@]}" --duration "${idle_s}s"
bench sogo-wake - wake --url "$url" --gateway-pid "$(sogod_pids)" "${common[@]}" --rate "$rate" \
  --duration "${wake_s}s" --miss-timeout "${miss_s}s"

# ---------------------------------------------------------------- easgate (one node, started by eas-bench)
bench easgate-idle - idle "${common[@]}" --duration "${idle_s}s"
bench easgate-wake - wake "${common[@]}" --rate "$rate" --duration "${wake_s}s" --miss-timeout "${miss_s}s"
echo "end $(date -u +%FT%TZ) load $(loadavg)" | tee -a "$out/loadavg.txt"

if [ "$down" = 1 ]; then
  "$sogo/down.sh" >>"$out/sogo-up.log" 2>&1 || true
fi

# ---------------------------------------------------------------- one report
python3 "$here/side_by_side_report.py" "$out" "$devices" "$rate" "$WORKERS" "$POLL"
echo "report: $out/side-by-side.md"
