#!/usr/bin/env bash
# What an idle platform costs: starts it with ./scripts/run (Release), waits until the gateway is healthy, lets it
# settle, then measures the CPU the whole process tree (AppHost, dashboard, DCP, stores, services) uses over a window,
# as a percent of the machine (all cores). With the dashboard's telemetry API reachable it also reports the
# dashboard's trace count and Error log count after IDLE_MINUTES. Stops the platform with SIGINT at the end.
# TELEMETRY=false starts it with --AppHost:Telemetry false (no OTLP export: what the services cost alone);
# ENVIRONMENT=Production as the bench lab runs the services.
#   SETTLE=60 WINDOW=60 IDLE_MINUTES=5 TELEMETRY=true ENVIRONMENT=Development ./bench/idle.sh
set -uo pipefail
cd "$(dirname "$0")/.."
settle=${SETTLE:-60} window=${WINDOW:-60} idle_minutes=${IDLE_MINUTES:-5} telemetry=${TELEMETRY:-true} environment=${ENVIRONMENT:-Development}
port=${GATEWAY_PORT:-18180} dash=${DASHBOARD_PORT:-17100} otlp=${DASHBOARD_OTLP_PORT:-17101}
state=$(mktemp -d /tmp/idle-state.XXXXXX); chmod 755 "$state"
log=$(mktemp /tmp/idle-run.XXXXXX.log)

CONFIGURATION=Release DASHBOARD_PORT=$dash DASHBOARD_OTLP_PORT=$otlp env --default-signal=INT \
  ./scripts/run --gateway-port "$port" --state "$state" --stock 0 --environment "$environment" --AppHost:Telemetry "$telemetry" >"$log" 2>&1 &
apphost=$!
stop() { kill -INT "$apphost" 2>/dev/null; for _ in $(seq 1 60); do kill -0 "$apphost" 2>/dev/null || break; sleep 1; done; rm -rf "$state"; }
trap stop EXIT

for _ in $(seq 1 600); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/health" && break
  kill -0 "$apphost" 2>/dev/null || { echo "the platform ended; log: $log"; exit 1; }
  sleep 1
done
started=$(date +%s)
echo "healthy; settling ${settle} s"
sleep "$settle"

. bench/lib/process-cpu.sh
process_cpu "$apphost" "$window"

if [ "$telemetry" = true ] && command -v python3 >/dev/null; then
  left=$(( idle_minutes * 60 - ($(date +%s) - started) ))
  [ "$left" -gt 0 ] && { echo "waiting ${left} s more (idle ${idle_minutes} min in all)"; sleep "$left"; }
  python3 bench/dashboard-telemetry.py "http://127.0.0.1:$dash"
fi
