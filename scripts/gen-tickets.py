#!/usr/bin/env python3
"""Generate a JSON Lines archive of helpdesk tickets for `err521 diagnose --jsonl`.

Each ticket is about SIZE bytes of pasted output stitched from the fixture
corpus (tests/fixtures), with an id, and now and then an ssl_mode or a port,
as a helpdesk export would carry them. Deterministic (seeded).

    python3 scripts/gen-tickets.py [COUNT] [SIZE] > tickets.jsonl
"""
import json
import pathlib
import random
import sys

count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
size = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
root = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures"
parts = sorted(
    p.read_text(errors="replace")
    for p in root.rglob("*")
    if p.is_file() and "fuzz-regressions" not in p.parts and p.stat().st_size < size
)
rng = random.Random(521)
modes = [None, None, "full", "strict", "flexible", "off"]
out = sys.stdout
for i in range(count):
    text = []
    length = 0
    while length < size:
        part = rng.choice(parts)
        text.append(part)
        length += len(part) + 1
    ticket = {"id": f"T-{i + 1}", "inputs": [{"name": "ticket.txt", "text": "\n".join(text)}]}
    mode = rng.choice(modes)
    if mode:
        ticket["ssl_mode"] = mode
    if rng.random() < 0.1:
        ticket["ports"] = [rng.choice([8080, 8443, 2053])]
    out.write(json.dumps(ticket) + "\n")
