#!/usr/bin/env python3
"""Counts the HTTP calls between services in one trace from the Aspire dashboard's telemetry API
(/api/telemetry/spans?traceId=, OTLP JSON). Each service exports on its own 5-second batch clock, so a trace read
early can miss a service's spans; a call is counted from either end: a server span in a service (its caller is not
the gateway: that call is the public request itself), or an HTTP client span of a service whose callee's server span
is not (yet) there. Lists each call as caller -> callee."""
import json, sys

path, label = sys.argv[1], sys.argv[2]
try:
    doc = json.load(open(path))
    groups = (doc.get("data") or {}).get("resourceSpans", [])
except (OSError, ValueError, AttributeError) as e:
    print(f"[{label}] calls between services in one cart checkout: 0"); print(f"  (no trace read: {e})"); sys.exit(0)

spans = []
for rs in groups:
    attrs = {a["key"]: a.get("value", {}) for a in rs.get("resource", {}).get("attributes", [])}
    service = next(iter(attrs.get("service.name", {}).values()), "?")
    for ss in rs.get("scopeSpans", []):
        for s in ss.get("spans", []):
            a = {x["key"]: next(iter(x.get("value", {}).values()), None) for x in s.get("attributes", [])}
            spans.append((service, s.get("kind"), s.get("spanId"), s.get("parentSpanId"), s.get("name"), a))

by_id = {s[2]: s for s in spans}
servers = [s for s in spans if s[1] in (2, "SPAN_KIND_SERVER") and s[0] != "gateway"]
clients = [s for s in spans if s[1] in (3, "SPAN_KIND_CLIENT") and "http.request.method" in s[5]]
calls = []
for s in servers:
    parent = by_id.get(s[3])
    if parent is not None and parent[0] == "gateway":
        continue  # the public request
    calls.append(f"{parent[0] if parent else '?'} -> {s[0]} {s[4]}")
answered = {s[3] for s in servers}
for c in clients:
    if c[0] != "gateway" and c[2] not in answered:
        calls.append(f"{c[0]} -> {c[5].get('url.full') or c[5].get('server.address')} (callee's spans not exported yet)")
print(f"[{label}] calls between services in one cart checkout: {len(calls)}")
for c in sorted(calls):
    print(f"  {c}")
