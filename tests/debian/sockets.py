# Runs in the guest under Debian's python3.11: AF_UNIX sockets through the socket module (no asyncio:
# the extracted userland has no asyncio package). Prints only what must be the same on Linux and Lichen.
import os, socket, struct, threading

a, b = socket.socketpair()
a.sendall(b"ping")
print("socketpair", b.recv(10), a.family == socket.AF_UNIX, a.type == socket.SOCK_STREAM)
b.shutdown(socket.SHUT_WR)
print("eof", a.recv(10))
d1, d2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
d1.send(b"one")
d1.send(b"three")
print("dgram", d2.recv(10), d2.recv(10))
r, w = os.pipe()
x, y = socket.socketpair()
socket.send_fds(x, [b"fd"], [w])
msg, fds, flags, _ = socket.recv_fds(y, 10, 4)
os.write(fds[0], b"through")
print("send_fds", msg, len(fds), os.read(r, 10))
x.settimeout(0.2)
try:
    x.recv(1)
except socket.timeout:
    print("timeout")
path = "/tmp/py.sock"
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(2)
def serve():
    c, _ = srv.accept()
    with c:
        c.sendall(c.recv(100).upper())
t = threading.Thread(target=serve)
t.start()
cl = socket.socket(socket.AF_UNIX)
cl.connect(path)
cl.sendall(b"hello")
print("server", cl.recv(100), cl.getpeername(), srv.getsockname())
pid, uid, gid = struct.unpack("3i", cl.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
print("peercred", pid == os.getpid(), uid, gid)
t.join()
print("closed", cl.recv(10))
try:
    socket.socket(socket.AF_UNIX).connect("/tmp/nobody.sock")
except FileNotFoundError as e:
    print("missing", e.errno)
print("sockets done")
