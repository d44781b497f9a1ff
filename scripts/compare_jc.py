#!/usr/bin/env python3
"""Parser throughput and counts, err521 vs jc, on the files of
scripts/gen_bench_inputs.py. Both are timed in process (best of REPEAT runs,
start-up excluded): err521 by examples/parse_bench.rs, jc by jc.parse().
The whole pipeline (`err521::analyze`: split, sniff, parse, diagnose,
report) is timed the same way, and `wc -l` as a whole process, as the floor
of reading the bytes."""
import json
import subprocess
import sys
import time

import jc

bench_bin, data_dir = sys.argv[1], sys.argv[2]
repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 3
expected = json.load(open(f"{data_dir}/expected.json"))

# (label, file, err521 parser, jc parser, jc count)
cases = [
    ("iptables -L", "iptables-L.txt", "iptables", "iptables",
     lambda o: sum(len(c.get("rules", [])) for c in o)),
    ("ufw status", "ufw-status.txt", "ufw", "ufw", lambda o: len(o.get("rules", []))),
    ("dig", "dig.txt", "dns", "dig", lambda o: sum(len(q.get("answer", [])) for q in o)),
    ("netstat -tlnp", "netstat.txt", "listeners", "netstat",
     lambda o: sum(1 for e in o if e.get("state") == "LISTEN")),
    ("ss -tulnp", "ss.txt", "listeners", "ss", lambda o: len(o)),
]
key = {"iptables -L": "iptables", "ufw status": "ufw", "dig": "dig",
       "netstat -tlnp": "netstat", "ss -tulnp": "ss"}

print(f"{'input':<14} {'MB':>6} {'err521 MB/s':>12} {'analyze MB/s':>13} {'jc MB/s':>9} "
      f"{'ratio':>7} {'wc -l MB/s':>11}   {'expected':>8} {'err521':>7} {'jc':>7}")
rows = []
for label, fname, ours, theirs, jc_count in cases:
    path = f"{data_dir}/{fname}"
    text = open(path).read()
    r = json.loads(subprocess.check_output([bench_bin, ours, path, str(repeat)]))
    whole = json.loads(subprocess.check_output([bench_bin, "analyze", path, str(repeat)]))
    wc = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(["wc", "-l", path], check=True, stdout=subprocess.DEVNULL)
        wc = min(wc, time.perf_counter() - t0)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = jc.parse(theirs, text, quiet=True)
        best = min(best, time.perf_counter() - t0)
    mb = len(text.encode()) / 1e6
    jc_mbs = mb / best
    ratio = r["mb_per_s"] / jc_mbs
    n_jc = jc_count(out)
    exp = expected[key[label]]
    print(f"{label:<14} {mb:>6.2f} {r['mb_per_s']:>12.1f} {whole['mb_per_s']:>13.1f} "
          f"{jc_mbs:>9.2f} {ratio:>6.0f}x {mb / wc:>11.0f}   "
          f"{exp:>8} {r['count']:>7} {n_jc:>7}")
    rows.append(dict(input=label, mb=mb, err521=r["mb_per_s"], analyze=whole["mb_per_s"],
                     jc=jc_mbs, ratio=ratio, wc=mb / wc,
                     expected=exp, err521_count=r["count"], jc_count=n_jc))
json.dump(rows, open(f"{data_dir}/results.json", "w"), indent=1)
