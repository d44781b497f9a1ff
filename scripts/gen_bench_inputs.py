#!/usr/bin/env python3
"""Writes large, realistic tool outputs for scripts/compare-jc.sh:
iptables -L -n -v, ufw status, dig, netstat -tlnp and ss -tlnp, each about
N lines (default 50000), into DIR. Deterministic (seeded) so runs compare.

Also writes DIR/expected.json: how many rules, listeners and answers each
file holds, by construction."""
import json
import random
import sys

out_dir = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 50000
rng = random.Random(521)


def ip4():
    return f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def cidr4():
    return f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.0/24"


expected = {}

# iptables -L -n -v: chains of rules, a blank line between chains.
lines, rules = [], 0
chain_no = 0
while len(lines) < N:
    name = "INPUT" if chain_no == 0 else f"cf-{chain_no}"
    if chain_no == 0:
        lines.append("Chain INPUT (policy DROP 2339 packets, 772K bytes)")
    else:
        lines.append(f"Chain {name} (1 references)")
    lines.append(" pkts bytes target     prot opt in     out     source               destination         ")
    for _ in range(rng.randrange(20, 200)):
        target = rng.choice(["ACCEPT", "DROP", "REJECT", "RETURN"])
        port = rng.choice([80, 443, 22, 8443])
        src = rng.choice([cidr4(), ip4(), "0.0.0.0/0", "173.245.48.0/20"])
        extra = f"tcp dpt:{port}"
        if target == "REJECT":
            extra += " reject-with icmp-port-unreachable"
        pk = rng.randrange(100000)
        lines.append(f"{pk:>5} {pk * 60:>5} {target:<10} tcp  --  *      *       {src:<20} 0.0.0.0/0            {extra}")
        rules += 1
    lines.append("")
    chain_no += 1
open(f"{out_dir}/iptables-L.txt", "w").write("\n".join(lines) + "\n")
expected["iptables"] = rules

# ufw status (numbered-free plain listing).
lines = ["Status: active", "", "To                         Action      From",
         "--                         ------      ----"]
rules = 0
while len(lines) < N:
    to = rng.choice(["80/tcp", "443/tcp", "22/tcp", "8443/tcp", "80,443/tcp"])
    action = rng.choice(["ALLOW", "DENY", "REJECT", "ALLOW IN", "LIMIT"])
    frm = rng.choice([cidr4(), ip4(), "Anywhere"])
    lines.append(f"{to:<27}{action:<12}{frm}")
    rules += 1
open(f"{out_dir}/ufw-status.txt", "w").write("\n".join(lines) + "\n")
expected["ufw"] = rules

# dig: many queries back to back, each with A answers.
lines, answers = [], 0
q = 0
while len(lines) < N:
    host = f"www{q}.example.org."
    n = rng.randrange(1, 4)
    # One `dig a b c ...` run: the banner comes once, then one answer
    # block per name (jc fails on several banners, i.e. concatenated runs).
    if q == 0:
        lines += ["; <<>> DiG 9.18.24-0ubuntu0.22.04.1-Ubuntu <<>> www0.example.org ...",
                  ";; global options: +cmd"]
    lines += [
        ";; Got answer:",
        f";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: {rng.randrange(65536)}",
        f";; flags: qr rd ra; QUERY: 1, ANSWER: {n}, AUTHORITY: 0, ADDITIONAL: 1",
        "",
        ";; OPT PSEUDOSECTION:",
        "; EDNS: version: 0, flags:; udp: 65494",
        ";; QUESTION SECTION:",
        f";{host}\t\tIN\tA",
        "",
        ";; ANSWER SECTION:",
    ]
    for _ in range(n):
        lines.append(f"{host}\t300\tIN\tA\t{rng.choice(['104.21', '172.67'])}.{rng.randrange(256)}.{rng.randrange(256)}")
        answers += 1
    lines += [
        "",
        ";; Query time: 24 msec",
        ";; SERVER: 127.0.0.53#53(127.0.0.53) (UDP)",
        ";; WHEN: Tue May 07 09:12:44 UTC 2024",
        ";; MSG SIZE  rcvd: 117",
        "",
    ]
    q += 1
open(f"{out_dir}/dig.txt", "w").write("\n".join(lines) + "\n")
expected["dig"] = answers

# netstat -tlnp: only listening sockets.
lines = ["Active Internet connections (only servers)",
         "Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name"]
listeners = 0
while len(lines) < N:
    port = rng.randrange(1, 65536)
    v6 = rng.random() < 0.3
    prog = rng.choice(["nginx: master", "sshd", "apache2", "docker-proxy", "node"])
    pid = rng.randrange(1, 99999)
    if v6:
        local, foreign, proto = f":::{port}", ":::*", "tcp6"
    else:
        local, foreign, proto = f"{rng.choice(['0.0.0.0', '127.0.0.1', ip4()])}:{port}", "0.0.0.0:*", "tcp "
    lines.append(f"{proto:<5}      0      0 {local:<23} {foreign:<23} LISTEN      {pid}/{prog}")
    listeners += 1
open(f"{out_dir}/netstat.txt", "w").write("\n".join(lines) + "\n")
expected["netstat"] = listeners

# ss -tulnp (with the Netid column: jc's ss parser needs it).
lines = ["Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess"]
listeners = 0
while len(lines) < N:
    port = rng.randrange(1, 65536)
    local = rng.choice(["0.0.0.0", "127.0.0.1", "[::]", "*", ip4()]) + f":{port}"
    peer = "[::]:*" if local.startswith("[") else "0.0.0.0:*"
    prog = rng.choice(["nginx", "sshd", "apache2", "node"])
    pid = rng.randrange(1, 99999)
    lines.append(f"tcp   LISTEN 0      511    {local:<19} {peer:<17} users:((\"{prog}\",pid={pid},fd=6))")
    listeners += 1
open(f"{out_dir}/ss.txt", "w").write("\n".join(lines) + "\n")
expected["ss"] = listeners

json.dump(expected, open(f"{out_dir}/expected.json", "w"), indent=1)
