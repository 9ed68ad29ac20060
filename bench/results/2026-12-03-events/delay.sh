#!/usr/bin/env bash
# Consumer delay at RATE orders/s (default 100) on a fresh Release polyglot platform started as the lab starts it;
# ROOT is the checkout to run (the "before" build was a worktree of be2fbdd), OUT the folder for the readings.
set -uo pipefail
cd ${ROOT:-/work/main}
out=${OUT:?directory for the readings}; mkdir -p $out
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
for svc in Cart.Api Search.Api Payments.Api Ordering.Api; do
  pid=$(pgrep -n -f "services/$svc/bin/Release/net10.0/$svc\$")
  dotnet dotnet-counters collect -p "$pid" --counters "Ecommerce.Messaging,System.Runtime[dotnet.thread_pool.queue.length]" --refresh-interval 10 \
    --duration 00:00:00:38 --format csv -o "$out/delay-$svc.csv" >/dev/null 2>&1 & pids+=($!)
done
sleep 3
$bench checkout --url "$gw" --duration 30 --out $out/results.jsonl --rate ${RATE:-100} --sku-file $st/skus.txt --key-file $st.key --name "checkout ${RATE:-100}/s, consumer delay"
wait "${pids[@]}"
for svc in Cart.Api Search.Api Payments.Api; do
  echo "delay to $svc at ${RATE:-100} orders/s, worst 10-s p99: $(awk -F, '/consumer.delay/ && /Percentile=99/ && $NF+0 > max { max = $NF+0 } END { if (max == "") print "no reading"; else printf "%.1f ms", max * 1000 }' "$out/delay-$svc.csv")"
done
grep -h "backlog\|queue.length" $out/delay-Ordering.Api.csv | cut -d, -f1,3,5 | tail -8
