#!/usr/bin/env python3
"""What a hostile or slow client costs the server (issue 16, items 7 and 9). Starts the release
server on a fresh SQLite database, stores a 40 MiB video in it, then measures the server's
resident memory (VmRSS, and the peak VmHWM) from /proc:

  1. three whole downloads of the video at once (no Range header, gzip asked for), read slowly;
  2. N connections that send half a request and then nothing: how many the server has closed
     after the header timeout (15 s), and its memory while they are open.

    python3 bench/transport.py [N]         (needs target/release/hocvuso; N defaults to 3000)
"""
import os, socket, sqlite3, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "hocvuso")
PART = 256 * 1024
SIZE = 40 * 1024 * 1024


def rss(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM")):
                k, v = line.split(":")
                out[k] = int(v.split()[0]) / 1024
    return out


def main():
    halfs = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    work = tempfile.mkdtemp(prefix="hocvuso-transport-")
    port = 18500 + os.getpid() % 1000
    base = f"http://127.0.0.1:{port}"
    db = f"{work}/x.db"
    server = subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{port}", "--database",
                               f"sqlite://{db}"], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        c = sqlite3.connect(db, timeout=30)
        cur = c.execute(
            "INSERT INTO media (name, content_type, alt, size, created_at) "
            "VALUES ('do-lon.mp4', 'video/mp4', 'Video 40 MiB', ?, CURRENT_TIMESTAMP)", (SIZE,))
        mid = cur.lastrowid
        chunk = bytes(i % 251 for i in range(PART))
        for seq in range(SIZE // PART):
            c.execute("INSERT INTO media_part (media_id, seq, bytes) VALUES (?, ?, ?)",
                      (mid, seq, chunk))
        c.commit()
        c.close()
        idle = rss(server.pid)
        print(f"server at rest: RSS {idle['VmRSS']:.0f} MiB")

        got = []

        def download():
            req = urllib.request.Request(base + "/phuong-tien/do-lon.mp4",
                                         headers={"Accept-Encoding": "gzip"})
            n = 0
            with urllib.request.urlopen(req, timeout=120) as r:
                enc = r.headers.get("Content-Encoding")
                while True:
                    b = r.read(64 * 1024)
                    if not b:
                        break
                    n += len(b)
                    time.sleep(0.001)  # a slow reader: the server must not buffer ahead
            got.append((n, enc))

        peak = 0.0
        ts = [threading.Thread(target=download) for _ in range(3)]
        t0 = time.time()
        for t in ts:
            t.start()
        while any(t.is_alive() for t in ts):
            peak = max(peak, rss(server.pid)["VmRSS"])
            time.sleep(0.05)
        took = time.time() - t0
        print(f"3 downloads of 40 MiB at once: {[n for n, _ in got]} bytes, "
              f"Content-Encoding {[e for _, e in got]}, {took:.1f} s, "
              f"peak RSS {peak:.0f} MiB (at rest {idle['VmRSS']:.0f} MiB)")

        socks = []
        for _ in range(halfs):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            socks.append(s)
        time.sleep(1)
        held = rss(server.pid)["VmRSS"]
        print(f"{halfs} half-sent requests open: RSS {held:.0f} MiB")
        time.sleep(16)
        closed = 0
        for s in socks:
            s.setblocking(False)
            try:
                s.recv(1)  # end of stream or a 408: the server answered and closed
                closed += 1
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
            s.close()
        print(f"after 17 s: {closed} of {halfs} closed by the server; "
              f"RSS {rss(server.pid)['VmRSS']:.0f} MiB")
        ok = urllib.request.urlopen(base + "/healthz", timeout=5).status
        print(f"/healthz afterwards: {ok}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
