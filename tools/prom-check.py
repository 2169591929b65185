#!/usr/bin/python3
"""Reads a Prometheus text exposition on stdin and checks it with the
reference client's parser (python3-prometheus-client), which none of us
wrote: every line must parse, every sample must belong to a family declared
with # TYPE, and no series (name and labels) may appear twice.
Prints one line per family ("name type samples") and exits 1 on a fault."""
import sys
from prometheus_client.parser import text_string_to_metric_families

text = sys.stdin.read()
declared = {}
for line in text.splitlines():
    if line.startswith("# TYPE "):
        _, _, name, kind = line.split(" ", 3)
        if name in declared:
            sys.exit(f"family {name} declared twice")
        declared[name] = kind
seen = set()
faults = []
try:
    families = list(text_string_to_metric_families(text))
except Exception as e:  # the parser's own refusal
    sys.exit(f"unparseable: {e}")
for fam in families:
    if fam.name not in declared and fam.name + "_total" not in declared:
        faults.append(f"{fam.name}: no # TYPE line")
    for s in fam.samples:
        key = (s.name, tuple(sorted(s.labels.items())))
        if key in seen:
            faults.append(f"duplicate series {s.name}{dict(s.labels)}")
        seen.add(key)
    print(f"{fam.name} {fam.type} {len(fam.samples)}")
if faults:
    sys.exit("\n".join(faults))
