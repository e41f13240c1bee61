# Runs in the guest under Debian's python3.11: prints only what must be the same on Linux and Lichen.
import os, selectors, signal, subprocess, threading, time, re, struct

print("arith", 2 ** 100, 7 // 2, 7 / 2, -7 % 3, float("2.5") * 4, 1e300 * 10, 0.1 + 0.2)
print("format", "{:>8.3f}|{:x}|{:,}|{!r}".format(3.14159, 255, 1234567, "é"), "%5.2e" % 12345.678)
print("re", re.sub(r"(\w+)@(\w+)", r"\2 at \1", "user@example"), struct.pack("<Id", 7, 2.5).hex())
os.makedirs("/tmp/py/d")
for name in ("b", "a", "c"):
    with open("/tmp/py/" + name, "w") as f:
        f.write(name * 3)
print("listdir", sorted(os.listdir("/tmp/py")), open("/tmp/py/c").read(), os.stat("/tmp/py/a").st_size)
results = []
threads = [threading.Thread(target=lambda i=i: results.append(i * i)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads", sorted(results))
# subprocess: fork/exec (vfork or posix_spawn in 3.11), a CLOEXEC error pipe, pipes for the output.
print("true", subprocess.run(["/bin/true"]).returncode, subprocess.run(["/bin/false"]).returncode)
r = subprocess.run(["/bin/echo", "from", "echo"], capture_output=True, text=True)
print("echo", r.returncode, repr(r.stdout))
r = subprocess.run(["/bin/cat"], input="piped through cat\n", capture_output=True, text=True, timeout=10)
print("cat", r.returncode, repr(r.stdout))
print("shell", subprocess.check_output("echo $((6 * 7))", shell=True).decode().strip())
try:
    subprocess.run(["/nonexistent"])
except FileNotFoundError as e:
    print("missing", e.errno)
r = subprocess.run(["/bin/cat"], input=b"x" * 1000000, capture_output=True, timeout=20)   # partial writes, poll
print("big pipe", r.returncode, len(r.stdout))
print("env", subprocess.run("echo $FOO", shell=True, env={"FOO": "bar"}, capture_output=True).stdout)
try:
    subprocess.run(["/bin/sleep", "10"], timeout=0.5)
except subprocess.TimeoutExpired:
    print("timeout expired")
alarms = []
signal.signal(signal.SIGALRM, lambda sig, frame: alarms.append(sig))
signal.setitimer(signal.ITIMER_REAL, 0.05)
time.sleep(0.3)                     # interrupted by the handler, then resumed (PEP 475)
print("alarm", alarms, signal.getitimer(signal.ITIMER_REAL))
r, w = os.pipe()
with selectors.DefaultSelector() as sel:          # epoll where the kernel has it (Linux's is chosen first)
    sel.register(r, selectors.EVENT_READ, "pipe")
    os.write(w, b"!")
    print("selector", type(sel).__name__, [(key.data, events) for key, events in sel.select(5)])
print("cpus", os.cpu_count(), len(os.sched_getaffinity(0)), time.strftime("%Y-%m-%d", time.gmtime(86400)))
print("sum", sum(i * i for i in range(300000)))
print("python done")
