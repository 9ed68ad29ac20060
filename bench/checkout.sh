#!/usr/bin/env bash
# Checkout from a cart through the gateway at a fixed rate (issue 14's before/after of the call graph):
#   ./bench/checkout.sh [label]     RATE (orders/s, default 50), DURATION (s, default 20)
# Starts the platform (Release, Production settings, 1,000 seeded products, the gateway's write limit raised
# because all load comes from one address), gives the sampled skus stock, prepares one guest cart per order,
# then times POST /api/orders {cartId} only. Also sends one traced checkout and counts, from the dashboard's
# telemetry, the HTTP calls between services it made. Appends to bench/results/<date>-checkout.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/prerequisites.sh
ensure_servers
label="${1:-now}"; rate="${RATE:-50}"; duration="${DURATION:-20}"
out="bench/results/$(date -u +%Y-%m-%d)-checkout.jsonl"; mkdir -p bench/results
dotnet build Ecommerce.slnx -c Release -nologo -v quiet -clp:ErrorsOnly
bench="dotnet bench/Ecommerce.Bench/bin/Release/net10.0/Ecommerce.Bench.dll"
state=$(mktemp -d /tmp/bench-checkout.XXXXXX); log="$state.log"
head -c 48 /dev/urandom | base64 | tr -d "/+=" > "$state/key"
apphost=""
stop() { if [ -n "$apphost" ]; then kill -TERM "$apphost" 2>/dev/null || true; wait "$apphost" 2>/dev/null || true; apphost=""; fi; rm -rf "$state" 2>/dev/null || true; }
trap stop EXIT
dashboard=17200
ASPNETCORE_URLS=http://127.0.0.1:$dashboard ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:17201 ASPIRE_ALLOW_UNSECURED_TRANSPORT=true \
ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true dotnet Ecommerce.AppHost/bin/Release/net10.0/Ecommerce.AppHost.dll --gateway-port 0 \
  --state "$state/platform" --fresh --seed 1000 --Parameters:jwt-signing-key "$(cat "$state/key")" \
  --environment Production --Gateway:WritesPerMinute 100000000 >"$log" 2>&1 &
apphost=$!
for _ in $(seq 1 300); do grep -q "Ready in" "$log" && break; kill -0 "$apphost" 2>/dev/null || break; sleep 1; done
grep -q "Ready in" "$log" || { echo "platform did not start; see $log"; cat "$log" | tail -30; exit 1; }
gw=$(awk '/^Gateway: /{ print $2; exit }' "$log")
$bench sample --url "$gw" --skus 500 --id-file "$state/ids.txt" --sku-file "$state/skus.txt"
$bench stock --url "$gw" --sku-file "$state/skus.txt" --on-hand 1000000 --key-file "$state/key" --connections 8 >/dev/null
# Warm-up (JIT, pools), not recorded.
$bench cart-checkout --url "$gw" --rate 20 --duration 5 --sku-file "$state/skus.txt" --key-file "$state/key" >/dev/null
$bench cart-checkout --url "$gw" --rate "$rate" --duration "$duration" --sku-file "$state/skus.txt" --key-file "$state/key" \
  --name "checkout from a cart $rate/s [$label]" --out "$out"
# One traced checkout: its trace id is ours (traceparent), the dashboard lists the spans every service exported.
trace=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
token=$($bench token --key-file "$state/key")
cart=$(curl -sf -X POST "$gw/api/carts" | sed 's/.*"id":"\([^"]*\)".*/\1/')
curl -sf -o /dev/null -X POST -H 'content-type: application/json' -d "{\"sku\":\"$(head -1 "$state/skus.txt")\",\"quantity\":1}" "$gw/api/carts/$cart/items"
curl -sf -o /dev/null -X POST -H "traceparent: 00-$trace-0000000000000001-01" -H "Authorization: Bearer $token" -H "Idempotency-Key: trace-$trace" \
  -H 'content-type: application/json' -d "{\"cartId\":\"$cart\",\"shippingAddress\":{\"name\":\"Bench\",\"line1\":\"1 Load St\",\"city\":\"Berlin\",\"postalCode\":\"10115\",\"country\":\"DE\"}}" "$gw/api/orders"
# The services export spans in batches (every 5 s), each on its own clock: read the trace until two reads 5 s apart agree.
sleep 6; last=-1
for _ in $(seq 1 8); do
  curl -s "http://127.0.0.1:$dashboard/api/telemetry/spans?traceId=$trace" > "$state/spans.json" || true
  now=$(python3 bench/trace-calls.py "$state/spans.json" probe | head -1 | awk '{ print $NF }')
  [ "$now" = "$last" ] && [ "$now" != 0 ] && break
  last=$now; sleep 5
done
cp "$state/spans.json" "/tmp/checkout-spans-$label.json"; python3 bench/trace-calls.py "$state/spans.json" "$label" | tee -a "bench/results/$(date -u +%Y-%m-%d)-checkout-calls.txt"
