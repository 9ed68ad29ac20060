#!/usr/bin/env bash
# Goal 5 of the performance round, the design's catalogue of a million products, one command: bench/million.sh
# Starts the platform (Release, Lucene search, no stock) with PRODUCTS (default 1,000,000) seeded, then measures:
# the catalog seed time, the start-up search rebuild and one admin full reindex (docs/s = indexed / (finishedAt −
# startedAt) of GET /api/search/reindex), search text+facets at 115 q/s and browse pages at 100/s through the gateway
# (open loop, DURATION s each, default 20, after a 5-s unrecorded warm-up), and the resident memory of search-api and
# catalog-api. Writes results.jsonl and report.md to bench/results/<date>-million/ (-million-<n>/ when PRODUCTS is not
# a million, so a small trial never passes for the real run). Nothing else may be running on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
products="${PRODUCTS:-1000000}"; duration="${DURATION:-20}"; port=18480; gw="http://127.0.0.1:$port"
out="bench/results/$(date -u +%Y-%m-%d)-million$([ "$products" = 1000000 ] || echo "-$products")"
mkdir -p "$out"; results="$out/results.jsonl"; : > "$results"
dotnet build Ecommerce.slnx -c Release -nologo -v quiet -clp:ErrorsOnly
# Socket callbacks inline on the generator only (docs/decision-load-generator.md).
bench="env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet bench/Ecommerce.Bench/bin/Release/net10.0/Ecommerce.Bench.dll"
state=$(mktemp -d); log="$state/platform.log"; key="$state/jwt-signing-key"
head -c 48 /dev/urandom | base64 | tr -d "/+=" > "$key"
touch "$state/started"   # service consoles (DCP's *_out files) newer than this are this platform's
started=$(date +%s)
# In a subshell: a plain `cmd &` of a non-interactive shell ignores SIGINT, and the AppHost stops its resources on SIGINT.
# Own ports (gateway 18480, dashboard 17400/17401) so another platform on the default ports is not disturbed.
( exec env CONFIGURATION=Release DASHBOARD_PORT=17400 DASHBOARD_OTLP_PORT=17401 ./scripts/run --gateway-port "$port" \
    --state "$state/data" --fresh --seed "$products" --stock 0 --environment Production --Search:Engine lucene \
    --Parameters:jwt-signing-key "$(cat "$key")" ) >"$log" 2>&1 &
apphost=$!
stop() {
  # The AppHost stops every resource it started before it exits; SIGTERM after 60 s as a fallback.
  kill -INT "$apphost" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$apphost" 2>/dev/null || break; sleep 1; done
  kill -TERM "$apphost" 2>/dev/null || true
  wait "$apphost" 2>/dev/null || true
  # The database and the index of a million products are gigabytes; the log stays for a look afterwards.
  rm -rf "$state/data"; echo "platform stopped; its log: $log"
}
trap stop EXIT
# The catalog seeds before it listens and search waits for the catalog, so "Ready in" includes the seed (an hour at most).
for _ in $(seq 1 3600); do grep -q "Ready in" "$log" && break; kill -0 "$apphost" 2>/dev/null || { tail -30 "$log"; exit 1; }; sleep 1; done
grep -q "Ready in" "$log" || { echo "platform not ready after an hour; see $log"; exit 1; }
ready=$(sed -n 's/^Ready in \([0-9.]*\) s\./\1/p' "$log")
for _ in $(seq 1 120); do [ "$(curl -s -o /dev/null -w '%{http_code}' "$gw/health")" = 200 ] && break; sleep 1; done
token=$($bench token --key-file "$key")
record() { echo "$1" | tee -a "$results"; }   # one JSON line of our own (not a load run) to the results
# The catalog's own "Seeded N products in M ms" line, from its console (DCP copies each service's output to a file).
seed_ms=$(find /tmp -maxdepth 2 -path '/tmp/aspire-dcp*' -name '*_out' -newer "$state/started" 2>/dev/null \
  | xargs -r grep -ah "Seeded $products products in" | sed -n 's/.* in \([0-9]*\) ms.*/\1/p' | tail -1)
record "{\"Measure\":\"catalog seed\",\"Products\":$products,\"SeedMs\":${seed_ms:-null},\"ReadySeconds\":$ready}"

status() { curl -s -H "Authorization: Bearer $token" "$gw/api/search/reindex"; }
# Waits until the rebuild is done or failed (at start-up it may still be "idle" for a moment), then records its rate.
rebuild() {
  local s
  for _ in $(seq 1 7200); do s=$(status); echo "$s" | grep -q '"state":"\(done\|failed\)"' && break; sleep 0.5; done
  python3 - "$1" "$s" <<'PY' | tee -a "$results"
import json, sys, datetime
s = json.loads(sys.argv[2]); at = lambda t: datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))
seconds = (at(s["finishedAt"]) - at(s["startedAt"])).total_seconds()
print(json.dumps({"Measure": sys.argv[1], "State": s["state"], "Indexed": s["indexed"], "Seconds": round(seconds, 2),
                  "DocsPerSecond": round(s["indexed"] / seconds) if seconds > 0 else None, "Error": s["error"]}))
PY
}
rebuild "start-up rebuild"
sleep 5   # the start-up rebuild's aftermath (merges, GC) is not charged to the admin reindex
# 202, or the status read next would be the start-up rebuild's again. 409 while a reconciliation runs (search-api
# reconciles every 15 min, which a million-product run outlasts): try again for up to 10 min.
for _ in $(seq 1 120); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" "$gw/api/search/reindex")
  [ "$code" = 409 ] || break; sleep 5
done
[ "$code" = 202 ] || { echo "POST /api/search/reindex answered $code"; exit 1; }
rebuild "admin reindex"

# Text queries (bench/search/text.txt, the lab's "search text+facets"): GET /api/search answers brand, category and
# price facets for every query (suggest has none); check that each URL really returns hits and facets here.
urls_text=bench/search/text.txt
for u in $(cat "$urls_text"); do
  curl -s "$gw$u" | python3 -c 'import json,sys; r=json.load(sys.stdin); f=r["facets"]; sys.exit(0 if r["total"] > 0 and f["brand"] and f["category"] and f["price"] else 1)' \
    || echo "WARNING: $u returns no hits or no facets" | tee -a "$state/checks.txt"
done
# Browse pages: the lab's catalog list queries (never cached at the gateway).
printf '%s\n' "/api/catalog/products?category=shoes&sort=price" "/api/catalog/products?sort=newest" \
  "/api/catalog/products?brand=Corvid&minPrice=1000&maxPrice=2000&sort=-price" "/api/catalog/products?attr.color=red&category=t-shirts" > "$state/browse.txt"
load() {  # name rate url-file: 5 s warm-up (JIT, pools, caches), not recorded, then the measured run
  $bench urls --url "$gw" --url-file "$3" --rate "$2" --duration 5 --connections 32 --name warm-up >/dev/null
  $bench urls --url "$gw" --url-file "$3" --rate "$2" --duration "$duration" --connections 32 --name "$1" --out "$results"
}
load "search text+facets 115/s" 115 "$urls_text"
load "browse page 100/s" 100 "$state/browse.txt"

# Resident memory now (VmRSS) and at its peak so far (VmHWM, the rebuilds included): the newest such process of this
# checkout is ours (another checkout's platform may be running from another folder).
for svc in Search.Api Catalog.Api; do
  pid=$(pgrep -n -f "^$PWD/services/$svc/bin/Release/net10.0/$svc\$")
  record "{\"Measure\":\"memory $svc\",\"VmRSSkB\":$(awk '/^VmRSS/{print $2}' "/proc/$pid/status"),\"VmHWMkB\":$(awk '/^VmHWM/{print $2}' "/proc/$pid/status")}"
done

# search-api's own account, into the report: where each rebuild's time went, and any reconciliation (a full pass over
# the catalog) that ran during the measurements. Its console is the DCP output file that names our state folder.
search_out=$(find /tmp -maxdepth 2 -path '/tmp/aspire-dcp*' -name '*_out' -newer "$state/started" 2>/dev/null | xargs -r grep -la "Reindex stages" | head -1 || true)
[ -n "$search_out" ] && grep -ah "Reindex stages\|Reindexed\|Reconcil" "$search_out" | sed -E 's/^[0-9]+ [^ ]+T([0-9:]+)[.0-9]*Z +/search-api, \1 UTC: /' >> "$state/checks.txt" || true

python3 - "$results" "$out/report.md" "$duration" "$(( $(date +%s) - started ))" "$state/checks.txt" <<'PY'
import json, sys, os
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
m = {r.get("Measure") or r["Scenario"]: r for r in rows}
seed, up, re = m["catalog seed"], m["start-up rebuild"], m["admin reindex"]
text, browse = m["search text+facets 115/s"], m["browse page 100/s"]
ok = lambda c: "**met**" if c else "**not met**"
mb = lambda kb: f"{kb / 1024:,.0f} MiB"
def run_ok(r, rate, p99): return r["Errors"] == 0 and r["AchievedRps"] >= 0.98 * rate and r["P99Ms"] <= p99
def docs(r): return f"{r['DocsPerSecond']:,} docs/s ({r['Indexed']:,} in {r['Seconds']} s, {r['State']})"
seed_s = f"{seed['SeedMs'] / 1000:.1f} s (catalog's log)" if seed["SeedMs"] is not None else "not in the catalog's log"
lines = [f"# A million products (goal 5): {seed['Products']:,} products", "",
  f"{os.cpu_count()} cores; Lucene search, PostgreSQL catalog, no stock, Production; load through the gateway, open loop, "
  f"{sys.argv[3]} s per run after a 5-s unrecorded warm-up. Whole run: {int(sys.argv[4]) // 60} min {int(sys.argv[4]) % 60} s.", "",
  "| measure | value | goal | |", "|---|---|---|---|",
  f"| catalog seed | {seed_s}; platform ready in {seed['ReadySeconds']} s | | |",
  f"| start-up search rebuild | {docs(up)} | ≥ 10,000 docs/s | {ok((up['DocsPerSecond'] or 0) >= 10000)} |",
  f"| admin full reindex | {docs(re)} | ≥ 10,000 docs/s | {ok((re['DocsPerSecond'] or 0) >= 10000)} |",
  f"| search text+facets, 115 q/s | p50 {text['P50Ms']:.2f} ms, p99 {text['P99Ms']:.2f} ms ({text['AchievedRps']:.0f} q/s, {text['Errors']} errors) | p99 ≤ 25 ms | {ok(run_ok(text, 115, 25))} |",
  f"| browse page, 100/s | p50 {browse['P50Ms']:.2f} ms, p99 {browse['P99Ms']:.2f} ms ({browse['AchievedRps']:.0f}/s, {browse['Errors']} errors) | p99 ≤ 20 ms | {ok(run_ok(browse, 100, 20))} |"]
for svc in ("Search.Api", "Catalog.Api"):
  r = m[f"memory {svc}"]
  lines.append(f"| {svc} resident memory | VmRSS {mb(r['VmRSSkB'])}, peak VmHWM {mb(r['VmHWMkB'])} | stated | **stated** |")
if os.path.exists(sys.argv[5]): lines += ["", *open(sys.argv[5]).read().splitlines()]
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
echo "Report: $out/report.md"
