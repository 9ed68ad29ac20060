#!/usr/bin/env python3
"""The performance round's goals (issue 21) against one lab run: ./bench/goals.py bench/results/<date>-lab
Reads results.jsonl, checks.txt and the idle-*.txt files the lab wrote and prints a Markdown table (met / not met,
the figures, the trivial endpoint of that run). The 2026-11-30 lab is the baseline the light-load goal scales."""
import json, re, sys, pathlib

run = pathlib.Path(sys.argv[1])
rows = [json.loads(l) for l in (run / "results.jsonl").read_text().splitlines() if l.startswith("{")]
checks = (run / "checks.txt").read_text() if (run / "checks.txt").exists() else ""
by = {r["Scenario"]: r for r in rows}
def get(name):
    return by.get(name)
trivial = get("trivial ASP.NET Core endpoint [limits]")["AchievedRps"]
BASE_TRIVIAL = 72239  # 2026-11-30 lab
BASE = {"mix 100/s": (2.54, 16.40), "browse page 100/s": (3.09, 13.38)}
scale = BASE_TRIVIAL / trivial
out = []
def row(goal, figure, met):
    out.append(f"| {goal} | {figure} | {'met' if met is True else 'not met' if met is False else met} |")

def idle(label, when):
    f = run / f"idle-{label}-{when}.txt"
    if not f.exists():
        return None, None
    lines = f.read_text().splitlines()
    whole = float(re.search(r"([\d.]+) %", lines[-1]).group(1))
    services = sum(float(l.split()[0]) for l in lines[:-1] if "/services/" in l)
    return whole, services

# 1. Idle and event delay
off, _ = idle("telemetry-off", "once started")
on, on_services = idle("polyglot", "once started")
end, end_services = idle("polyglot", "after the scenarios")
row("1. idle, telemetry off, whole platform ≤ 3 %", f"{off:.2f} % once started" if off is not None else "not measured", off is not None and off <= 3)
if on is not None:
    row("1. idle, telemetry on: stated; services' own share ≤ 3 %",
        f"whole {on:.2f} %, services {on_services:.2f} % once started; after the scenarios whole {end:.2f} %, services {end_services:.2f} %",
        on_services <= 3 and (end_services is None or end_services <= 3))
delays = re.findall(r"\[polyglot\] ordering-stream delay to (\S+) at 100 orders/s(?: \(re-run\))?, worst 10-s p99: ([\d.]+) ms", checks)
if delays:
    worst = max(float(d) for _, d in delays)
    row("1. outbox-to-consumer p99 ≤ 50 ms at 100 orders/s", ", ".join(f"{s} {float(d):.0f} ms" for s, d in delays), worst <= 50)

# 2. Light load, scaled by the trivial endpoint
for scenario, (p50, p99) in BASE.items():
    r = get(f"{scenario} [polyglot]")
    if r:
        a50, a99 = p50 * scale, p99 * scale
        row(f"2. {scenario}: p50 ≤ {a50:.2f} ms, p99 ≤ {a99:.1f} ms (11-30 × {scale:.2f})", f"p50 {r['P50Ms']:.2f} ms, p99 {r['P99Ms']:.1f} ms",
            r["P50Ms"] <= a50 and r["P99Ms"] <= a99)
cuts = []
for r in rows:
    m = re.match(r"mix (\d+)/s \[polyglot\]", r["Scenario"])
    s = m and get(f"mix {m.group(1)}/s [single-postgres]")
    if s:
        cuts.append((m.group(1), 1 - r["P95Ms"] / s["P95Ms"]))
if cuts:
    row("2. polyglot p95 ≥ 60 % below single-PostgreSQL at every fixed mix rate", ", ".join(f"{k}/s {c:.0%}" for k, c in cuts), all(c >= 0.6 for _, c in cuts))

# 3. Gateway
gw, direct = get("product detail, hot set [polyglot]"), get("direct: product detail, hot set [polyglot]")
if gw and direct:
    share = gw["AchievedRps"] / direct["AchievedRps"]
    row("3. product view through the gateway ≥ 50 % of direct, max rate", f"{gw['AchievedRps']:.0f} vs {direct['AchievedRps']:.0f} req/s = {share:.0%}", share >= 0.5)
open_loop = next((r for r in rows if r["Scenario"].startswith("product detail, hot set") and "16 % of trivial" in r["Scenario"] and "[polyglot]" in r["Scenario"]), None)
if open_loop:
    row(f"3. p99 ≤ 10 ms at 16 % of trivial ({open_loop['OfferedRps']:.0f}/s), open loop",
        f"achieved {open_loop['AchievedRps']:.0f}/s, p99 {open_loop['P99Ms']:.1f} ms", open_loop["P99Ms"] <= 10 and open_loop["AchievedRps"] >= 0.99 * open_loop["OfferedRps"])

# 4. Checkout
co, hot = get("checkout max, 60 s [polyglot]"), get("checkout, hot sku, 60 s [polyglot]")
if co:
    row(f"4. distinct skus ≥ 0.7 % of trivial ({0.007 * trivial:.0f}/s) for 60 s, p99 ≤ 50 ms",
        f"{co['AchievedRps']:.0f}/s ({co['AchievedRps'] / trivial:.2%}), p99 {co['P99Ms']:.0f} ms", co["AchievedRps"] >= 0.007 * trivial and co["P99Ms"] <= 50)
if hot:
    exact = re.search(r"\[polyglot\] oversell check.*\((OK[^)]*|MISMATCH)\)", checks)
    row(f"4. one hot sku ≥ 1.4 % of trivial ({0.014 * trivial:.0f}/s), p99 ≤ 100 ms, exactly the stock sold",
        f"{hot['AchievedRps']:.0f}/s ({hot['AchievedRps'] / trivial:.2%}), p99 {hot['P99Ms']:.0f} ms; {exact.group(1) if exact else 'stock not checked'}",
        hot["AchievedRps"] >= 0.014 * trivial and hot["P99Ms"] <= 100 and bool(exact) and exact.group(1).startswith("OK"))

# 6. Telemetry's cost
pairs = [(n, get(f"{n} [polyglot]"), get(f"{n} [telemetry-off]")) for n in ("product detail, hot set", "mix max", "checkout max, 60 s")]
pairs = [(n, a, b) for n, a, b in pairs if a and b]
if pairs:
    row("6. throughput with telemetry on ≥ 90 % of off", ", ".join(f"{n} {a['AchievedRps']:.0f}/{b['AchievedRps']:.0f} = {a['AchievedRps'] / b['AchievedRps']:.0%}" for n, a, b in pairs),
        all(a["AchievedRps"] >= 0.9 * b["AchievedRps"] for _, a, b in pairs))

print(f"Trivial ASP.NET Core endpoint of this run: **{trivial:,.0f} req/s** (2026-11-30: {BASE_TRIVIAL:,}).\n")
print("| goal (issue 21) | this run | |\n|---|---|---|")
print("\n".join(out))
unsettled = [l for l in checks.splitlines() if l.startswith("UNSETTLED")]
if unsettled:
    print("\nScenarios that started before the machine settled:\n" + "\n".join(f"- {l[len('UNSETTLED: '):]}" for l in unsettled))
