# Runs in the guest under Debian's python3.11 with its full standard library (libpython3.11-stdlib):
# `python3 programs.py asyncio|multiprocessing|pty`, one part per section of run.sh. Prints only what must
# be the same on Linux and Lichen (no pids, times or fd numbers).
import os, sys

def part_asyncio():
    """An asyncio unix-socket echo server and several clients at once (epoll, non-blocking accept and
    connect, the self-pipe's socketpair), then a subprocess through asyncio (its child watcher thread)."""
    import asyncio
    path = "/tmp/asyncio.sock"

    async def handle(reader, writer):
        while line := await reader.readline():
            writer.write(line.upper())
            await writer.drain()
        writer.close()
        await writer.wait_closed()

    async def client(i):
        reader, writer = await asyncio.open_unix_connection(path)
        replies = []
        for n in range(3):
            writer.write(b"client %d line %d\n" % (i, n))
            await writer.drain()
            replies.append((await reader.readline()).decode().strip())
        writer.write_eof()
        rest = await reader.read()
        writer.close()
        await writer.wait_closed()
        return replies, rest

    async def main():
        server = await asyncio.start_unix_server(handle, path)
        async with server:
            results = await asyncio.gather(*(client(i) for i in range(6)))
        for replies, rest in results:
            print(" | ".join(replies), rest)
        proc = await asyncio.create_subprocess_exec("/bin/echo", "from", "a", "child",
                                                    stdout=asyncio.subprocess.PIPE)
        out, _ = await proc.communicate()
        print("subprocess", out, proc.returncode)

    asyncio.run(main())
    print("asyncio done")

def square(n):
    return n * n

def producer(queue, start):
    for n in range(start, start + 5):
        queue.put(("item", n))
    queue.put(("done", start))

def part_multiprocessing():
    """multiprocessing.Queue between forked processes (a pipe, a feeder thread, a SemLock in /dev/shm),
    a Lock and a Pool."""
    import multiprocessing as mp
    mp.set_start_method("fork")
    queue = mp.Queue()
    workers = [mp.Process(target=producer, args=(queue, start)) for start in (0, 100)]
    for w in workers:
        w.start()
    items, done = [], 0
    while done < len(workers):
        kind, n = queue.get(timeout=20)
        if kind == "done":
            done += 1
        else:
            items.append(n)
    for w in workers:
        w.join()
    print("queue", sorted(items), [w.exitcode for w in workers])
    lock = mp.Lock()
    print("lock", lock.acquire(), lock.acquire(timeout=0.1), lock.release())
    with mp.Pool(2) as pool:
        print("pool", pool.map(square, range(10)))
    value = mp.Value("i", 0)
    def bump():
        with value.get_lock():
            value.value += 1
    ps = [mp.Process(target=bump) for _ in range(4)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    print("shared value", value.value)
    # forkserver: a server process forks the workers and hands them their fds over a unix socket
    with mp.get_context("forkserver").Pool(2) as pool:
        print("forkserver pool", pool.map(square, range(5)))
    print("multiprocessing done")

def part_pty():
    """os.openpty with a forked child writing to the slave (ONLCR turns \\n into \\r\\n; EIO once every
    slave fd is closed), then pty.fork: the child gets the slave as its controlling terminal."""
    import pty, termios, tty
    master, slave = os.openpty()
    print("openpty", os.isatty(master), os.isatty(slave), os.ttyname(slave).startswith("/dev/pts/"))
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.write(slave, b"hello from the child\n")
        os._exit(0)
    os.close(slave)
    os.waitpid(pid, 0)
    import select
    poller = select.poll()
    poller.register(master, select.POLLIN | select.POLLOUT)
    print("poll after the child", [hex(events) for _, events in poller.poll(5000)])
    got = b""
    while True:
        try:
            chunk = os.read(master, 100)
        except OSError as e:
            print("read", got, "then errno", e.errno)
            break
        if not chunk:
            print("read", got, "then eof")
            break
        got += chunk
    os.close(master)
    master, slave = os.openpty()
    tty.setraw(slave)
    os.write(master, b"raw\n")
    print("raw", os.read(slave, 10), termios.tcgetattr(slave)[3] & termios.ICANON)
    os.close(master)
    os.close(slave)
    pid, fd = pty.fork()
    if pid == 0:
        print("child tty", os.ttyname(0).startswith("/dev/pts/"), os.getsid(0) == os.getpid(),
              os.tcgetpgrp(0) == os.getpgrp())
        sys.stdout.flush()
        os._exit(3)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 100)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    print("pty.fork", out, os.waitstatus_to_exitcode(status))
    print("pty done")

if __name__ == "__main__":
    globals()["part_" + sys.argv[1]]()
