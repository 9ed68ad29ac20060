#!/usr/bin/env bash
# The bench lab, one command: ./bench/lab.sh
# Starts the platform (Release) twice with 100,000 seeded products — the polyglot configuration (Redis carts,
# cached catalog, Lucene search) and the single-PostgreSQL one (PostgreSQL carts, no catalog cache, PostgreSQL
# search) — runs every scenario through the gateway on each, measures the machine's own limits (a trivial ASP.NET
# Core endpoint, redis-benchmark, pgbench -S), and writes results.jsonl, report.md and PNG charts to
# bench/results/<date>-lab/. DURATION (s per scenario, default 15) and RATES (mix offered rates) can be set.
# Each scenario starts once the machine has settled (< 20 % CPU busy over a second, at most 60 s of waiting), so
# one scenario's aftermath (event consumers catching up, merges, GC) is not charged to the next; a scenario that had
# to start unsettled is named in the report. Also measured: the idle CPU of every platform process once started and
# again after the scenarios, the delay from an order's commit to each consumer of its event (p99, dotnet-counters on
# ecommerce.consumer.delay) at 100 orders/s, 60-s checkout runs (distinct skus, one hot sku), and a third start of
# the polyglot platform with telemetry off (its idle CPU and its throughput beside the telemetry-on figures).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/prerequisites.sh
ensure_servers
duration="${DURATION:-15}"; rates="${RATES:-100 200 400 600}"
out="bench/results/$(date -u +%Y-%m-%d)-lab"; mkdir -p "$out"
results="$out/results.jsonl"; checks="$out/checks.txt"; : > "$results"; : > "$checks"
dotnet build Ecommerce.slnx -c Release -nologo -v quiet -clp:ErrorsOnly
# Socket callbacks inline on the generator only (docs/decision-load-generator.md).
dotnet tool restore >/dev/null
. bench/lib/process-cpu.sh
bench="env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet bench/Ecommerce.Bench/bin/Release/net10.0/Ecommerce.Bench.dll"
apphost=""
stop() { if [ -n "$apphost" ]; then kill -TERM "$apphost" 2>/dev/null || true; wait "$apphost" 2>/dev/null || true; apphost=""; fi; }
trap stop EXIT

{ echo "**Machine**: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM,"
  echo "$(. /etc/os-release; echo "$PRETTY_NAME"), .NET SDK $(dotnet --version), $(/usr/lib/postgresql/*/bin/postgres --version | head -1), $(redis-server --version | cut -d' ' -f1-3)."
  echo "Everything — load generator, gateway, services, PostgreSQL, Redis — shares these cores. Run: $(date -u '+%Y-%m-%d %H:%M UTC'), ${duration} s per scenario."
  echo "Gateway write limit raised for the lab (all load comes from one address); scenarios run through the gateway."; } > "$out/machine.md"

# Percent of the machine busy over one second, from /proc/stat (user nice system idle iowait irq softirq steal).
cpu_busy() {
  local a b
  read -r _ a < /proc/stat; sleep 1; read -r _ b < /proc/stat
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); for (i = 1; i <= 8; i++) { t += y[i] - x[i] }
    idle = (y[4] - x[4]) + (y[5] - x[5]); print (t > 0 ? int(100 * (t - idle) / t) : 0) }'
}
settle() {
  local _i
  for _i in $(seq 1 60); do [ "$(cpu_busy)" -lt 20 ] && return 0; done
  return 1
}
# Runs one scenario after the machine settled; when it did not, the report names it.
b() {
  local name="" prev=""
  for a in "$@"; do [ "$prev" = --name ] && name="$a"; prev="$a"; done
  settle || echo "UNSETTLED: \"${name:-$1}\" started while the machine was still ≥ 20 % busy after 60 s of waiting (last second: $(cpu_busy) %); its figures include other work" | tee -a "$checks" >&2
  $bench "$@"
}

# "0.27 %  /path/Catalog.Api …" lines → "Catalog.Api 0.27 %, …" (a PostgreSQL backend by its database, the AppHost as such).
largest() {
  awk '{ n = split($3, a, "/"); name = a[n]
         if (name == "postgres:") name = "postgres " $5; else if (name == "dotnet") { m = split($4, b, "/"); name = b[m] }
         printf "%s%s %s %%", sep, name, $1; sep = ", " }'
}

# Like b, and records the CPU of every platform process during the scenario (its --duration) in load-cpu-<name>.txt.
b_cpu() {
  local name="" prev="" seconds=15 file
  for a in "$@"; do [ "$prev" = --name ] && name="$a"; [ "$prev" = --duration ] && seconds="$a"; prev="$a"; done
  settle || echo "UNSETTLED: \"$name\" started while the machine was still ≥ 20 % busy after 60 s of waiting; its figures include other work" | tee -a "$checks" >&2
  file="$out/load-cpu-$(printf '%s' "$name" | tr -c 'a-zA-Z0-9\n' '-' | tr -s '-').txt"
  { sleep 1; process_cpu "$apphost" "$(( seconds - 2 ))"; } > "$file" & local meter=$!
  $bench "$@"
  wait "$meter" || true
  echo "[$label] CPU during \"$name\": $(tail -1 "$file" | sed 's/^whole platform: //'); largest: $(head -5 "$file" | largest)" | tee -a "$checks"
}

# The idle CPU of every process of the running platform (AppHost, DCP, stores, services), into the report.
idle_cpu() {
  local label="$1" when="$2" file="$out/idle-$1-$2.txt"
  settle || true
  process_cpu "$apphost" 30 > "$file"
  echo "[$label] idle CPU $when, 30 s: $(tail -1 "$file" | sed 's/^whole platform: //'); largest: $(head -3 "$file" | largest)" | tee -a "$checks"
}

# From an order's commit to each consumer of its event starting to handle it, p99 (ecommerce.consumer.delay, read
# with dotnet-counters from the consumers' own processes) while checkout runs at 100 orders/s for 30 s.
consumer_delay() {
  local label="$1" gw="$2" key="$3" svc pid collectors=()
  settle || echo "UNSETTLED: consumer delay [$label] started while the machine was still busy" | tee -a "$checks" >&2
  for svc in Cart.Api Search.Api Payments.Api; do
    # The newest such process: the platform this lab started (another one on the machine must not be measured).
    pid=$(pgrep -n -f "services/$svc/bin/Release/net10.0/$svc\$")
    dotnet dotnet-counters collect -p "$pid" --counters "Ecommerce.Messaging[ecommerce.consumer.delay]" --refresh-interval 10 \
      --duration 00:00:00:38 --format csv -o "$out/delay-$svc-$label.csv" >/dev/null 2>&1 & collectors+=($!)
  done
  sleep 3
  $bench checkout --url "$gw" --duration 30 --out "$results" --rate 100 --sku-file "$state/skus.txt" --key-file "$key" --name "checkout 100/s, consumer delay [$label]" >/dev/null
  wait "${collectors[@]}" || true
  for svc in Cart.Api Search.Api Payments.Api; do
    # Rows: timestamp,provider,"name (unit)[tags;Percentile=99]",kind,value — the worst 10-s interval's p99 is reported.
    echo "[$label] ordering-stream delay to $svc at 100 orders/s, worst 10-s p99: $(awk -F, '/Percentile=99/ && $NF+0 > max { max = $NF+0 } END { if (max == "") print "no reading"; else printf "%.1f ms", max * 1000 }' "$out/delay-$svc-$label.csv" 2>/dev/null || echo "no reading")" | tee -a "$checks"
  done
}

run_config() {
  local label="$1"; shift
  local state="/tmp/bench-lab-$label" log="/tmp/bench-lab-$label.log"
  head -c 48 /dev/urandom | base64 | tr -d "/+=" > "$state.jwt-signing-key"
  ASPNETCORE_URLS=http://127.0.0.1:17100 ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:17101 ASPIRE_ALLOW_UNSECURED_TRANSPORT=true \
  ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true dotnet Ecommerce.AppHost/bin/Release/net10.0/Ecommerce.AppHost.dll --gateway-port 0 --state "$state" --fresh --seed 100000 --stock 0 \
    --Parameters:jwt-signing-key "$(cat "$state.jwt-signing-key")" \
    --environment Production --Gateway:WritesPerMinute 100000000 "$@" >"$log" 2>&1 &
  apphost=$!
  for _ in $(seq 1 300); do grep -q "Ready in" "$log" && break; sleep 1; done
  grep -q "Ready in" "$log" || { echo "platform did not start; see $log"; exit 1; }
  local gw; gw=$(awk '/^Gateway: /{ print $2; exit }' "$log")
  local key="$state.jwt-signing-key" token; token=$($bench token --key-file "$key")
  for _ in $(seq 1 600); do curl -s -H "Authorization: Bearer $token" "$gw/api/search/reindex" | grep -q '"state":"done"' && break; sleep 1; done
  echo "[$label] search rebuilt: $(curl -s -H "Authorization: Bearer $token" "$gw/api/search/reindex")" | tee -a "$checks"
  idle_cpu "$label" "once started"
  $bench sample --url "$gw" --skus 5001 --id-file "$state/ids.txt" --sku-file "$state/skus.txt"
  # The hot sku is kept out of the sku list the other scenarios buy from, so only the hot-sku run sells it.
  local hot; hot=$(tail -1 "$state/skus.txt"); sed -i '$d' "$state/skus.txt"
  $bench stock --url "$gw" --sku-file "$state/skus.txt" --on-hand 1000000 --key-file "$key" --connections 16 >/dev/null
  curl -s -o /dev/null -X PUT -H "Authorization: Bearer $token" -H 'content-type: application/json' -d "{\"warehouse\":\"main\",\"onHand\":$hot_stock}" "$gw/api/inventory/$hot"
  head -100 "$state/ids.txt" | sed 's|^|/api/catalog/products/|' > "$state/hit.txt"
  sed -n '101,5000p' "$state/ids.txt" | sed 's|^|/api/catalog/products/|' > "$state/miss.txt"
  printf '%s\n' "/api/catalog/products?category=shoes&sort=price" "/api/catalog/products?sort=newest" \
    "/api/catalog/products?brand=Corvid&minPrice=1000&maxPrice=2000&sort=-price" "/api/catalog/products?attr.color=red&category=t-shirts" > "$state/browse.txt"
  local run="--url $gw --duration $duration --out $results"
  # Warm-up (JIT, pools, caches of the hit set), not recorded.
  $bench mix --url "$gw" --rate 100 --duration 5 --id-file "$state/ids.txt" --sku-file "$state/skus.txt" --key-file "$key" --out /dev/null >/dev/null
  if [ "$label" = telemetry-off ]; then
    # Telemetry's cost: the same maximum-rate scenarios as the polyglot start, without OTLP export.
    b_cpu urls $run --rate 0 --connections 32 --url-file "$state/hit.txt" --name "product detail, hot set [$label]"
    b mix $run --rate 0 --connections 32 --id-file "$state/ids.txt" --sku-file "$state/skus.txt" --key-file "$key" --name "mix max [$label]"
    b_cpu checkout --url "$gw" --duration 60 --out "$results" --rate 0 --connections 16 --sku-file "$state/skus.txt" --key-file "$key" --name "checkout max, 60 s [$label]" >/dev/null
    stop
    return
  fi
  for rate in $rates; do
    b mix $run --rate "$rate" --id-file "$state/ids.txt" --sku-file "$state/skus.txt" --key-file "$key" --name "mix $rate/s [$label]"
  done
  b mix $run --rate 0 --connections 32 --id-file "$state/ids.txt" --sku-file "$state/skus.txt" --key-file "$key" --name "mix max [$label]"
  b_cpu urls $run --rate 0 --connections 32 --url-file "$state/hit.txt" --name "product detail, hot set [$label]"
  # The goal's shape: fewer connections (less queueing at the same throughput), and open loop at the goal's rate.
  b urls $run --rate 0 --connections 16 --url-file "$state/hit.txt" --name "product detail, hot set, 16 connections [$label]"
  if [ "$label" = polyglot ]; then
    # Open loop at 16 % of the trivial endpoint's rate (the machine's yardstick, measured first): the gateway goal's rate.
    b urls $run --rate "$gateway_goal_rate" --connections 64 --url-file "$state/hit.txt" --name "product detail, hot set $gateway_goal_rate/s (16 % of trivial) [$label]"
  fi
  b urls $run --rate 300 --url-file "$state/miss.txt" --name "product detail, first read 300/s [$label]"
  b urls $run --rate 100 --url-file "$state/browse.txt" --name "browse page 100/s [$label]"
  b urls $run --rate 20 --url-file bench/search/text.txt --name "search text+facets 20/s [$label]"
  b urls $run --rate 20 --url-file bench/search/typo.txt --name "search typo 20/s [$label]"
  b urls $run --rate 50 --url-file bench/search/suggest.txt --name "search suggest 50/s [$label]"
  b cart $run --rate 20 --sku-list "$(sed -n '1p;2p;3p' "$state/skus.txt" | paste -sd,)" --name "cart round trip 20/s [$label]"
  b checkout $run --rate 50 --sku-file "$state/skus.txt" --key-file "$key" --name "checkout 50/s [$label]"
  # The same work straight to the services, without the gateway hop (its cost is the difference).
  local catalog_api search_api cart_api ordering_api
  catalog_api=$(service_url catalog-api "$log"); search_api=$(service_url search-api "$log")
  cart_api=$(service_url cart-api "$log"); ordering_api=$(service_url ordering-api "$log")
  b urls --url "$catalog_api" --duration "$duration" --out "$results" --rate 0 --connections 32 --url-file "$state/hit.txt" --name "direct: product detail, hot set [$label]"
  b urls --url "$search_api" --duration "$duration" --out "$results" --rate 100 --url-file bench/search/text.txt --name "direct: search text+facets 100/s [$label]"
  b cart --url "$cart_api" --duration "$duration" --out "$results" --rate 20 --sku-list "$(sed -n '1p;2p;3p' "$state/skus.txt" | paste -sd,)" --name "direct: cart round trip 20/s [$label]"
  b checkout --url "$ordering_api" --duration "$duration" --out "$results" --rate 50 --sku-file "$state/skus.txt" --key-file "$key" --name "direct: checkout 50/s [$label]" >/dev/null
  # First the consumers' delay at a fixed 100 orders/s (before the maximum-rate runs leave them a backlog), then
  # checkout sustained for 60 s: distinct skus, then every order on one sku (the row every order locks).
  consumer_delay "$label" "$gw" "$key"
  b_cpu checkout --url "$gw" --duration 60 --out "$results" --rate 0 --connections 16 --sku-file "$state/skus.txt" --key-file "$key" --name "checkout max, 60 s [$label]" >/dev/null
  local sold
  sold=$(b checkout --url "$gw" --duration 60 --out "$results" --rate 0 --connections 32 --hot-sku "$hot" --key-file "$key" --name "checkout, hot sku, 60 s [$label]" \
    | tee /dev/stderr | awk '/^orders accepted:/ { print $3 }')
  sleep 2
  # Exactly the stock sold: what is still available plus what the accepted orders took is what there was, never less than 0.
  local inventory available verdict
  inventory=$(curl -s "$gw/api/inventory/$hot"); available=$(printf '%s' "$inventory" | python3 -c 'import json,sys; print(json.load(sys.stdin)["available"])' 2>/dev/null || echo -1)
  if [ "$available" -ge 0 ] && [ $(( available + sold )) -eq "$hot_stock" ]; then verdict="OK: accepted + available == initial stock"; else verdict="MISMATCH"; fi
  echo "[$label] oversell check, hot sku $hot with $hot_stock units: orders accepted $sold, available after $available ($verdict); inventory: $inventory" | tee -a "$checks"
  idle_cpu "$label" "after the scenarios"
  if [ "$label" = polyglot ]; then limits "$log"; fi
  stop
}

# A service's own address, from the lines the AppHost prints when ready ("catalog-api  project  http://…").
service_url() { awk -v name="$1" '$1 == name && $NF ~ /^http:/ { print $NF; exit }' "$2"; }

limits() {
  local log="$1"
  local redis_port pg_port
  redis_port=$(awk '$1 == "redis" && $NF ~ /^redis:/ { n = split($NF, a, ":"); print a[n]; exit }' "$log")
  pg_port=$(awk '$1 == "postgres" && $NF ~ /^postgres:/ { n = split($NF, a, ":"); print a[n]; exit }' "$log")
  echo "redis-benchmark (platform Redis, 32 clients): $(redis-benchmark -p "$redis_port" -q -n 200000 -c 32 -t get,set | tr '\r' '\n' | grep -E 'requests per second' | paste -sd' ')" | tee -a "$checks"
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -qc 'CREATE DATABASE pgbench' >/dev/null
  pgbench -h 127.0.0.1 -p "$pg_port" -U postgres -i -s 10 -q pgbench >/dev/null 2>&1
  echo "pgbench -S (platform PostgreSQL, scale 10, 16 clients, ${duration} s): $(pgbench -h 127.0.0.1 -p "$pg_port" -U postgres -S -c 16 -j 2 -T "$duration" pgbench 2>/dev/null | grep -E '^tps' | head -1)" | tee -a "$checks"
}

# The machine's yardstick first, on a quiet machine: a trivial ASP.NET Core endpoint at maximum rate. Goals are stated
# as shares of it (this machine's speed varies by day), and one scenario runs at a rate derived from it.
yardstick() {
  local port=18999
  # The trivial server runs like the services (default socket settings), not like the generator.
  dotnet bench/Ecommerce.Bench/bin/Release/net10.0/Ecommerce.Bench.dll serve --url "http://127.0.0.1:$port" & local server=$!
  sleep 3
  b get --url "http://127.0.0.1:$port/" --rate 0 --connections 32 --duration "$duration" --out "$results" --name "trivial ASP.NET Core endpoint [limits]" \
    | tee /dev/stderr | sed -n 's/.*achieved \([0-9]*\) rps.*/\1/p' > "$out/trivial-rps.txt"
  kill "$server"; wait "$server" 2>/dev/null || true
}
yardstick
gateway_goal_rate=$(( $(cat "$out/trivial-rps.txt") * 16 / 100 ))
hot_stock="${HOT_STOCK:-20000}"
run_config polyglot
run_config telemetry-off --AppHost:Telemetry false
run_config single-postgres --Cart:Store postgres --Search:Engine postgres --Catalog:CacheEnabled false --Gateway:EdgeCache:Enabled false
$bench report --out "$results"
echo "Report: $out/report.md"
