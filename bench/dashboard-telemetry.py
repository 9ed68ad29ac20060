#!/usr/bin/env python3
"""What the Aspire dashboard holds: trace count (all, and by root span name) and Error/Critical logs per service.
Reads the dashboard's telemetry HTTP API (/api/telemetry/*, unsecured when the dashboard allows anonymous access, as
./scripts/run starts it). Usage: bench/dashboard-telemetry.py http://127.0.0.1:17000"""
import collections, json, sys, urllib.request

base = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:17000").rstrip("/")

def get(path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return json.load(r)

traces = get("/api/telemetry/traces?limit=10000")
roots = collections.Counter()
for rs in traces["data"]["resourceSpans"]:
    service = next((a["value"].get("stringValue") for a in rs["resource"]["attributes"] if a["key"] == "service.name"), "?")
    for ss in rs["scopeSpans"]:
        for span in ss["spans"]:
            if not span.get("parentSpanId"):
                roots[f"{service}: {span['name']}"] += 1
print(f"traces: {traces['totalCount']}")
for name, n in roots.most_common(10):
    print(f"  {n:6d}  {name}")

logs = get("/api/telemetry/logs?limit=10000")
errors = collections.Counter()
for rl in logs["data"]["resourceLogs"]:
    service = next((a["value"].get("stringValue") for a in rl["resource"]["attributes"] if a["key"] == "service.name"), "?")
    for sl in rl["scopeLogs"]:
        for record in sl["logRecords"]:
            if record.get("severityNumber", 0) >= 17:  # ERROR and above (OTLP severity numbers)
                errors[(service, record.get("body", {}).get("stringValue", "").splitlines()[0][:120])] += 1
print(f"logs: {logs['totalCount']}, Error or worse: {sum(errors.values())}")
for (service, body), n in errors.most_common(20):
    print(f"  {n:4d}  {service}: {body}")
