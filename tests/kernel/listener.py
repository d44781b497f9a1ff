# Runs inside the origin namespace: accepts (and closes) TCP connections on
# every port given as an argument, IPv4 and IPv6 through one dual-stack socket.
# Prints "ready" once every port is bound; exits when stdin closes.
import selectors, socket, sys, threading

sel = selectors.DefaultSelector()
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", int(p)))
    s.listen(4096)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)

def serve():
    while True:
        for key, _ in sel.select():
            try:
                c, _ = key.fileobj.accept()
                c.close()
            except OSError:
                pass

threading.Thread(target=serve, daemon=True).start()
sys.stdout.write("ready\n")
sys.stdout.flush()
sys.stdin.read()
