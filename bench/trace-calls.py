#!/usr/bin/env python3
"""Counts the HTTP calls between services in one trace from the Aspire dashboard's telemetry API
(/api/telemetry/traces/{id}, OTLP JSON): client spans with an HTTP method, made by any resource but the gateway
(the gateway's call is the public request itself, not a call between services)."""
import json, sys

path, label = sys.argv[1], sys.argv[2]
try:
    doc = json.load(open(path))
except (OSError, ValueError) as e:
    print(f"[{label}] no trace read from the dashboard ({e})"); sys.exit(0)
calls = []
for rs in (doc.get("data") or {}).get("resourceSpans", []):
    attrs = {a["key"]: a.get("value", {}) for a in rs.get("resource", {}).get("attributes", [])}
    service = next(iter(attrs.get("service.name", {}).values()), "?")
    for ss in rs.get("scopeSpans", []):
        for span in ss.get("spans", []):
            sattrs = {a["key"]: next(iter(a.get("value", {}).values()), None) for a in span.get("attributes", [])}
            if span.get("kind") in (3, "SPAN_KIND_CLIENT") and "http.request.method" in sattrs and not service.startswith("gateway"):
                calls.append(f"{service} -> {sattrs.get('http.request.method')} {sattrs.get('url.full') or sattrs.get('server.address')}")
print(f"[{label}] calls between services in one cart checkout: {len(calls)}")
for c in sorted(calls):
    print(f"  {c}")
