#!/usr/bin/env bash
# The fault suite's long form, one command (docs/reliability.md):
#   ./bench/faults.sh            every fault: SIGKILL of PostgreSQL, Redis and EACH service, stop/start of Redis through
#                                Aspire's commands, Polly chaos between services, and the combined kill; ~10 min
#   ./bench/faults.sh soak       the same, then a soak of the shopping mix (SOAK_MINUTES, default 30) sampled every minute;
#                                the GC heap comes from dotnet-counters (pinned in dotnet-tools.json, restored below)
# The short form (each fault once, ~3 min) runs in ./scripts/test, on its own after the other suites
# (FAULT_TESTS=1 dotnet test tests/Fault.Tests by hand).
# Writes bench/results/<date>-faults/: fault-table.md (one row per fault), test.log, and for the soak soak.csv + soak.md.
# One platform at a time: it starts its own through the AppHost (Aspire.Hosting.Testing) and stops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/prerequisites.sh
ensure_servers
out="bench/results/$(date -u +%Y-%m-%d)-faults"; mkdir -p "$out"; rm -f "$out/fault-table.md"
export FAULT_TESTS=1 FAULT_LONG=1 FAULT_REPORT="$PWD/$out/fault-table.md" FAULT_SOAK_OUT="$PWD/$out" FAULT_LOGS="$PWD/$out/logs"
if [ "${1:-}" = "soak" ]; then export FAULT_SOAK_MINUTES="${SOAK_MINUTES:-30}"; fi
dotnet tool restore >/dev/null
dotnet build tests/Fault.Tests -nologo -v quiet -clp:ErrorsOnly
status=0
dotnet test tests/Fault.Tests --no-build --logger "console;verbosity=normal" 2>&1 | tee "$out/test.log" || status=$?
echo; cat "$out/fault-table.md" 2>/dev/null || true
[ -f "$out/soak.md" ] && { head -12 "$out/soak.md"; tail -2 "$out/soak.md"; }
exit "$status"
