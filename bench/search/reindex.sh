#!/usr/bin/env bash
# Full-reindex throughput: starts the platform (Release) with 100,000 seeded products and no stock, waits for the
# start-up rebuild, then times RUNS admin rebuilds (POST /api/search/reindex, polled at GET until done) through the
# gateway: docs/s = indexed / (finishedAt − startedAt) of the status. Also prints search-api's per-stage log line and
# the CPU seconds each platform process used during the timed rebuild. Nothing else may be running on the machine.
# Usage: bench/search/reindex.sh [lucene|postgres] [runs=2]; GATEWAY_PORT (18380), DASHBOARD_PORT (17300),
# DASHBOARD_OTLP_PORT (17301) keep it off the ports of other runs. Build first: dotnet build Ecommerce.slnx -c Release.
set -euo pipefail
cd "$(dirname "$0")/../.."
engine="${1:-lucene}"; runs="${2:-2}"; port="${GATEWAY_PORT:-18380}"; gw="http://127.0.0.1:$port"
state=$(mktemp -d); log="$state/platform.log"; key="$state/jwt-signing-key"
head -c 48 /dev/urandom | base64 | tr -d "/+=" > "$key"
CONFIGURATION=Release DASHBOARD_PORT="${DASHBOARD_PORT:-17300}" DASHBOARD_OTLP_PORT="${DASHBOARD_OTLP_PORT:-17301}" \
  ./scripts/run --gateway-port "$port" --state "$state/data" --fresh --seed 100000 --stock 0 --environment Production \
  --Parameters:jwt-signing-key "$(cat "$key")" --Search:Engine "$engine" >"$log" 2>&1 &
apphost=$!
stop() {
  # The AppHost stops every resource it started before it exits; SIGTERM as a fallback (a background job may ignore SIGINT).
  kill -INT "$apphost" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$apphost" 2>/dev/null || break; sleep 1; done
  kill -TERM "$apphost" 2>/dev/null || true
  wait "$apphost" 2>/dev/null || true
}
trap stop EXIT
for _ in $(seq 1 600); do grep -q "Ready in" "$log" && break; kill -0 "$apphost" || { cat "$log"; exit 1; }; sleep 1; done
for _ in $(seq 1 120); do [ "$(curl -s -o /dev/null -w '%{http_code}' "$gw/health")" = 200 ] && break; sleep 1; done
token=$(dotnet bench/Ecommerce.Bench/bin/Release/net10.0/Ecommerce.Bench.dll token --key-file "$key")
status() { curl -s -H "Authorization: Bearer $token" "$gw/api/search/reindex"; }
until_finished() {
  local s
  for _ in $(seq 1 1200); do s=$(status); echo "$s" | grep -q '"state":"running"' || break; sleep 0.5; done
  echo "$s"
}
rate() {
  python3 - "$1" <<'PY'
import json, sys, datetime
s = json.loads(sys.argv[1]); at = lambda t: datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))
seconds = (at(s["finishedAt"]) - at(s["startedAt"])).total_seconds()
print(f"{s['state']}: {s['indexed']} products in {seconds:.2f} s = {s['indexed'] / seconds:,.0f} docs/s")
PY
}
# CPU seconds (utime+stime) per process of the platform (AppHost tree, DCP, stores, services), before and after a run.
declare -A cpu_before
cpu_snapshot() {
  local p c; cpu_before=()
  # PostgreSQL's backends are children of the postmaster (whose command line names the state folder).
  for p in $(pgrep -f "$state|$PWD/|--monitor $apphost"); do for c in "$p" $(pgrep -P "$p"); do
    cpu_before[$c]=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$c/stat" 2>/dev/null || echo 0)
  done; done
}
cpu_report() {
  local p now hz; hz=$(getconf CLK_TCK)
  for p in "${!cpu_before[@]}"; do
    now=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo "${cpu_before[$p]}")
    if [ $((now - cpu_before[$p])) -gt 0 ]; then
      awk -v d=$((now - cpu_before[$p])) -v hz="$hz" -v c="$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | cut -c1-70)" 'BEGIN { printf "  %6.2f s CPU  %s\n", d / hz, c }'
    fi
  done | sort -rn | head -8
}
# search-api's console (its per-stage log line): DCP copies each service's output to /tmp/aspire-dcp*/<id>_out; this
# platform's search-api is the one that logged its Lucene folder under our state folder.
search_log() { grep -la "$state" /tmp/aspire-dcp*/*_out 2>/dev/null | xargs -r grep -la "Reindex stages" | head -1; }
echo "start-up rebuild: $(rate "$(until_finished)")"
for run in $(seq 1 "$runs"); do
  sleep 5
  cpu_snapshot
  curl -s -o /dev/null -X POST -H "Authorization: Bearer $token" "$gw/api/search/reindex"
  finished=$(until_finished)
  echo "run $run: $(rate "$finished")   $finished"
  cpu_report
  log_file=$(search_log); { [ -n "$log_file" ] && grep -a "Reindex stages" "$log_file" | tail -1 | sed 's/^/  /'; } || echo "  (no stage line found)"
done
