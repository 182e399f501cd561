#!/usr/bin/env python3
"""Medians per label of measure.sh result rows (lines "<label> <run> <value>..."; "-" = not reported)."""
import statistics
import sys
from collections import OrderedDict

rows = OrderedDict()
header = None
for line in open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin:
    fields = line.split()
    if len(fields) > 2 and fields[0] == "label":
        header = line.rstrip()
    elif len(fields) > 2 and not line.startswith(" ") and fields[1].isdigit():
        rows.setdefault(fields[0], []).append(fields[2:])
if header:
    print(header)
for label, runs in rows.items():
    medians = []
    for column in zip(*runs):
        values = [float(v) for v in column if v != "-"]
        medians.append("-" if not values else str(round(statistics.median(values))))
    print(f"{label:<12} {'med':>3} " + " ".join(f"{m:>14}" for m in medians) + f"   (n={len(runs)})")
