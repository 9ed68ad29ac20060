#!/usr/bin/env bash
# one-off: consumer delay at 100 orders/s on a fresh Release polyglot platform (lab settings), consumers found by newest PID
set -uo pipefail
cd /work/main
out=bench/results/2026-12-03-lab
st=/tmp/delay-state; rm -rf $st; mkdir -p $st; chmod 755 $st
head -c 48 /dev/urandom | base64 | tr -d "/+=" > $st.key
bench="env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet bench/Ecommerce.Bench/bin/Release/net10.0/Ecommerce.Bench.dll"
ASPNETCORE_URLS=http://127.0.0.1:17100 ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:17101 ASPIRE_ALLOW_UNSECURED_TRANSPORT=true ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true \
  dotnet Ecommerce.AppHost/bin/Release/net10.0/Ecommerce.AppHost.dll --gateway-port 0 --state $st --fresh --seed 100000 --stock 0 \
  --Parameters:jwt-signing-key "$(cat $st.key)" --environment Production --Gateway:WritesPerMinute 100000000 > /tmp/delay-run.log 2>&1 &
ap=$!
trap 'kill -TERM $ap; wait $ap' EXIT
for _ in $(seq 1 300); do grep -q "Ready in" /tmp/delay-run.log && break; sleep 1; done
gw=$(awk '/^Gateway: /{ print $2; exit }' /tmp/delay-run.log)
$bench sample --url "$gw" --skus 3000 --id-file $st/ids.txt --sku-file $st/skus.txt
$bench stock --url "$gw" --sku-file $st/skus.txt --on-hand 1000000 --key-file $st.key --connections 16 >/dev/null
sleep 60
pids=()
for svc in Cart.Api Search.Api Payments.Api; do
  pid=$(pgrep -n -f "services/$svc/bin/Release/net10.0/$svc\$")
  dotnet dotnet-counters collect -p "$pid" --counters "Ecommerce.Messaging[ecommerce.consumer.delay]" --refresh-interval 10 \
    --duration 00:00:00:38 --format csv -o "$out/delay-$svc-polyglot.csv" >/dev/null 2>&1 & pids+=($!)
done
sleep 3
$bench checkout --url "$gw" --duration 30 --out /tmp/delay-results.jsonl --rate 100 --sku-file $st/skus.txt --key-file $st.key --name "checkout 100/s, consumer delay [polyglot, re-run]"
wait "${pids[@]}"
for svc in Cart.Api Search.Api Payments.Api; do
  echo "[polyglot] ordering-stream delay to $svc at 100 orders/s, worst 10-s p99: $(awk -F, '/Percentile=99/ && $NF+0 > max { max = $NF+0 } END { if (max == "") print "no reading"; else printf "%.1f ms", max * 1000 }' "$out/delay-$svc-polyglot.csv")"
done
# and per-process CPU during checkout at maximum rate with telemetry on (the lab's polyglot measurement of it failed)
sleep 30
. bench/lib/process-cpu.sh
{ sleep 1; process_cpu "$ap" 28; } > "$out/load-cpu-checkout-max-30-s-polyglot-re-run.txt" & m=$!
$bench checkout --url "$gw" --duration 30 --out /tmp/delay-results.jsonl --rate 0 --connections 16 --sku-file $st/skus.txt --key-file $st.key --name "checkout max, 30 s [polyglot, re-run]"
wait $m
head -8 "$out/load-cpu-checkout-max-30-s-polyglot-re-run.txt"; tail -1 "$out/load-cpu-checkout-max-30-s-polyglot-re-run.txt"
python3 bench/dashboard-telemetry.py http://127.0.0.1:17100 | head -12
