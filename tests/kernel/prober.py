# Runs inside the proxy namespace. Reads one JSON request per line:
#   {"timeout": seconds, "probes": [[src, dst, port], ...]}
# and answers one JSON line per probe, then {"done": n}.
# Each probe is a non-blocking TCP connect bound to `src`; all run at once.
import errno, json, selectors, socket, struct, sys, time

def name(err):
    return errno.errorcode.get(err, str(err))

def outcome(s):
    # The handshake completed if the socket has a peer. Errors that arrive
    # after that (a rule rejecting ESTABLISHED packets answers our ACK with
    # an ICMP error, reported through SO_ERROR as a soft error, or a RST,
    # ECONNRESET) do not undo the accepted SYN.
    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    try:
        s.getpeername()
        return "accepted"
    except OSError:
        pass
    if err == 0 or err == errno.ECONNRESET:
        return "accepted"
    return "refused:" + name(err)

for line in sys.stdin:
    req = json.loads(line)
    timeout = float(req["timeout"])
    probes = req["probes"]
    res = [None] * len(probes)
    sel = selectors.DefaultSelector()
    live = {}
    for i, (src, dst, port) in enumerate(probes):
        fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setblocking(False)
        # Close with RST so nothing lingers in TIME_WAIT between rulesets.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        try:
            s.bind((src, 0))
        except OSError as e:
            res[i] = "error:bind " + name(e.errno)
            s.close()
            continue
        err = s.connect_ex((dst, port))
        if err == 0:
            res[i] = "accepted"
            s.close()
        elif err == errno.EINPROGRESS:
            sel.register(s, selectors.EVENT_WRITE, i)
            live[i] = s
        else:
            res[i] = "refused:" + name(err)
            s.close()
    deadline = time.monotonic() + timeout
    while live:
        rem = deadline - time.monotonic()
        if rem <= 0:
            break
        for key, _ in sel.select(rem):
            i, s = key.data, key.fileobj
            res[i] = outcome(s)
            sel.unregister(s)
            s.close()
            del live[i]
    for i, s in live.items():
        res[i] = "timeout"
        sel.unregister(s)
        s.close()
    sel.close()
    for r in res:
        sys.stdout.write(json.dumps({"result": r}) + "\n")
    sys.stdout.write(json.dumps({"done": len(res)}) + "\n")
    sys.stdout.flush()
