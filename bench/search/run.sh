#!/usr/bin/env bash
# Search benchmark for one engine: starts the platform (Release) with 100,000 seeded products and the given
# search engine, waits for the start-up rebuild, then offers each query kind at a fixed rate straight to search-api.
# Usage: bench/search/run.sh lucene|postgres [rate=100] [duration=20]. Writes JSON lines to bench/results/search-<engine>-<rate>.jsonl.
set -euo pipefail
cd "$(dirname "$0")/../.."
engine="$1"; rate="${2:-100}"; duration="${3:-20}"
state="/tmp/bench-search-$engine"; log="$state.log"; out="bench/results/search-$engine-$rate.jsonl"
dotnet build Ecommerce.slnx -c Release -nologo -v quiet -clp:ErrorsOnly
rm -f "$out"
head -c 48 /dev/urandom | base64 | tr -d "/+=" > "$state.jwt-signing-key"
  ASPNETCORE_URLS=http://127.0.0.1:17100 ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:17101 ASPIRE_ALLOW_UNSECURED_TRANSPORT=true \
  ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true dotnet Ecommerce.AppHost/bin/Release/net10.0/Ecommerce.AppHost.dll --gateway-port 0 --state "$state" --fresh --seed 100000 --stock 0 \
    --Parameters:jwt-signing-key "$(cat "$state.jwt-signing-key")" \
  --environment Production --Search:Engine "$engine" >"$log" 2>&1 &
apphost=$!
# SIGTERM: a background job of a non-interactive shell ignores SIGINT.
trap 'kill -TERM $apphost 2>/dev/null; wait $apphost 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do grep -q "Ready in" "$log" && break; sleep 1; done
url=$(awk '$1 == "search-api" && $NF ~ /^http:/ { print $NF; exit }' "$log")
echo "search-api at $url"
# Socket callbacks inline on the generator only (docs/decision-load-generator.md).
bench="env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet bench/Ecommerce.Bench/bin/Release/net10.0/Ecommerce.Bench.dll"
key="$state.jwt-signing-key"
token=$(dotnet bench/Ecommerce.Bench/bin/Release/net10.0/Ecommerce.Bench.dll token --key-file "$key" 2>/dev/null || true)
for _ in $(seq 1 600); do
  status=$(curl -s -H "Authorization: Bearer $token" "$url/api/search/reindex")
  echo "$status" | grep -q '"state":"done"' && break; sleep 1
done
echo "rebuild: $status" | tee -a "$out"
for kind in text typo filtered suggest; do
  # 5 s unrecorded warm-up (JIT, caches), then the measured run.
  $bench urls --url "$url" --url-file "bench/search/$kind.txt" --name warmup --rate "$rate" --duration 5 --connections 32 >/dev/null
  $bench urls --url "$url" --url-file "bench/search/$kind.txt" --name "search $kind ($engine)" --rate "$rate" --duration "$duration" --connections 32 --out "$out"
done
