"""hocvuso benchmarks: every rate against a reference measured in the same run.

Scenarios (DESIGN §7, issue 3):
  REF  a bare axum handler returning a fixed string (hocvuso bench-reference)
  P1   a logged-in learner's lesson page, same load shape as REF; ratio = P1 / REF
  MEM  server RSS idle and under P1 load
  P2   durable quiz submissions (acknowledged = 303 after commit), SQLite and PostgreSQL
  P3   10,000 learners start the same quiz within one second (open loop)
  P4   province dashboard and one commune's page on the scale dataset; freshness of a pass
  GEN  generating the scale dataset (when not cached) and `stats verify` afterwards
  P1-SEND  P1 while the server sends a reminder's text messages through a gateway (50 a second)
  REMINDERS  a reminder to every adult non-finisher of the province queued (copy of the scale dataset)
  PERIOD  a reporting period's completeness page (communes and departments, half reported), the
         province admin's view, on a copy of the scale dataset
  ROSTER  import a 1,000,000-row roster (.xlsx) with `hocvuso import roster`: dry run, import,
         the same file again; wall time and peak RSS of the process, and the ratio against
         only reading the file through the same streaming reader (same run)
  CRASH  SIGKILL the server at random moments during submissions (>= 20 times), restart,
         check every acknowledged submission is stored and `stats verify` agrees
  SOAK   P1's load for a long time (--soak-seconds, default 3600; on demand only, never in
         the default run): the server's RSS every minute must stay flat, and 0 errors
  CONTEST  contests: 10,000 entrants start a round within one second (open loop, SQLite and
         PostgreSQL); durable contest submissions (right answer sheets with a prediction,
         128 connections); ranking a closed round of 1,000,000 entries from the raw entries
  MULTI  two servers on one PostgreSQL behind nginx (started here) take P2's submissions;
         one is killed with SIGKILL mid-load and started again while the other writes, then
         `hocvuso backup` runs while both write; every acknowledged submission stored,
         `stats verify` agrees on the database and on the backup

Only 127.0.0.1 is used. Every step is bounded in time.
"""

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "hocvuso")
LOAD = os.path.join(ROOT, "target", "release", "hocvuso-load")
PG = "postgres://postgres@127.0.0.1:5432"
COMMUNE = "22918"
results = []


def log(msg):
    print(msg, flush=True)


def run(args, timeout=3600, check=True, env=None):
    e = dict(os.environ, NO_COLOR="1", HOCVUSO_LOG="warn")
    if env:
        e.update(env)
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=e)
    if check and p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(args)}\n{p.stdout}\n{p.stderr}")
    return p


def parse_result(text):
    for line in text.splitlines():
        if line.startswith("RESULT "):
            return dict(kv.split("=", 1) for kv in line[7:].split())
    sys.exit(f"no RESULT line in:\n{text}")


def psql(sql, db="test"):
    return run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-tAq", "-c", sql], check=False)


def fresh_pg(name):
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    p = psql(f'CREATE DATABASE "{name}"')
    if p.returncode != 0:
        sys.exit(f"PostgreSQL is needed at 127.0.0.1:5432: {p.stderr}")
    return f"{PG}/{name}"


class Server:
    def __init__(self, args, port, env=None):
        self.port = port
        e = dict(os.environ, NO_COLOR="1", HOCVUSO_LOG="warn")
        if env:
            e.update(env)
        self.log = tempfile.TemporaryFile()
        self.p = subprocess.Popen(args + ["--listen", f"127.0.0.1:{port}"], stdout=self.log, stderr=self.log, env=e)
        deadline = time.time() + 60
        path = "/healthz" if "serve" in args else "/"
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1)
                return
            except Exception:
                if self.p.poll() is not None:
                    self.log.seek(0)
                    sys.exit(f"server exited: {self.log.read().decode()}")
                time.sleep(0.05)
        sys.exit("server did not start in 60 s")

    def rss_kib(self, field="VmRSS"):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def kill(self, sig=signal.SIGTERM):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


def serve(db, port):
    return Server([BIN, "serve", "--database", db], port)


def fixture(db, kind, n, out, extra=()):
    run([BIN, "bench-fixture", "--database", db, "--kind", kind, "--learners", str(n), "--out", out, *extra], timeout=1800)


def load(*args, timeout=600):
    p = run([LOAD, *map(str, args)], timeout=timeout)
    return parse_result(p.stdout)


def record(name, r, **extra):
    r = dict(r, **extra)
    results.append((name, r))
    log(f"  {name}: " + " ".join(f"{k}={v}" for k, v in r.items()))
    return r


def bench_reference(seconds, conns):
    log("REF: bare axum handler")
    srv = Server([BIN, "bench-reference"], 18090)
    try:
        r = load("get", "--addr", "127.0.0.1:18090", "--path", "/", "--connections", conns, "--seconds", seconds, "--name", "reference")
    finally:
        srv.kill()
    return record("REF bare handler", r)


def bench_lesson(db, seconds, conns, work):
    log("P1: lesson page of a logged-in learner (+ memory)")
    reqs = os.path.join(work, "lesson.tsv")
    fixture(db, "lesson", 1000, reqs)
    srv = serve(db, 18091)
    try:
        time.sleep(1)
        idle = srv.rss_kib()
        r = load("replay", "--addr", "127.0.0.1:18091", "--file", reqs, "--repeat", "--connections", conns, "--seconds", seconds, "--name", "lesson")
        peak = srv.rss_kib("VmHWM")
    finally:
        srv.kill()
    record("MEM idle", {"rss_mib": f"{idle / 1024:.1f}"})
    record("MEM under P1 load (peak)", {"rss_mib": f"{peak / 1024:.1f}"})
    return record("P1 lesson page", r)


def bench_submit(label, db, n, seconds, conns, work):
    log(f"P2: durable quiz submissions on {label}")
    tag = label.replace("/", "-")
    reqs = os.path.join(work, f"submit-{tag}.tsv")
    acks = os.path.join(work, f"acks-{tag}.txt")
    fixture(db, "submit", n, reqs)
    srv = serve(db, 18092)
    try:
        r = load("replay", "--addr", "127.0.0.1:18092", "--file", reqs, "--connections", conns, "--seconds", seconds, "--acks", acks, "--name", f"submit-{tag}")
    finally:
        srv.kill()
    check = parse_result(run([BIN, "bench-check", "--database", db, "--acks", acks], check=False).stdout)
    verify = run([BIN, "stats", "verify", "--database", db], check=False)
    return record(f"P2 submissions {label}", r, stored=check["stored"], acknowledged=check["acknowledged"],
                  verify="ok" if verify.returncode == 0 else "FAILED")


def bench_storm(label, db, n, work):
    log(f"P3: {n} learners start the same quiz within one second ({label})")
    reqs = os.path.join(work, f"start-{label}.tsv")
    fixture(db, "start", n, reqs)
    srv = serve(db, 18093)
    try:
        r = load("storm", "--addr", "127.0.0.1:18093", "--file", reqs, "--within-ms", 1000, "--name", f"storm-{label}", timeout=300)
    finally:
        srv.kill()
    return record(f"P3 start storm {label}", r)


def bench_contest(label, db_storm, db_submit, db_rank, seconds, rank_entries, work):
    log(f"CONTEST: start storm, submissions and ranking ({label})")
    tag = label.lower()
    reqs = os.path.join(work, f"contest-start-{tag}.tsv")
    fixture(db_storm, "contest-start", 10000, reqs)
    srv = serve(db_storm, 18097)
    try:
        r = load("storm", "--addr", "127.0.0.1:18097", "--file", reqs, "--within-ms", 1000, "--name", f"contest-storm-{tag}", timeout=300)
    finally:
        srv.kill()
    record(f"CONTEST start storm {label}", r, budget="p99 <= 2000 ms, all served")
    reqs = os.path.join(work, f"contest-submit-{tag}.tsv")
    acks = os.path.join(work, f"contest-acks-{tag}.txt")
    fixture(db_submit, "contest-submit", 30000, reqs)
    srv = serve(db_submit, 18098)
    try:
        r = load("replay", "--addr", "127.0.0.1:18098", "--file", reqs, "--connections", 128, "--seconds", seconds, "--acks", acks, "--name", f"contest-submit-{tag}")
    finally:
        srv.kill()
    record(f"CONTEST submissions {label}/128", r, budget="SQLite >= 2000/s")
    p = run([BIN, "bench-contest-rank", "--database", db_rank, "--entries", str(rank_entries)], timeout=3600)
    return record(f"CONTEST ranking {label}", parse_result(p.stdout), budget="rank_s <= 5 for 1,000,000 entries")


def search_queries():
    path = os.path.join(ROOT, "src", "tests", "search_queries.tsv")
    with open(path, encoding="utf-8") as f:
        return [l.split("\t")[0] for l in f.read().splitlines() if l and not l.startswith("#")]


def bench_search(db, articles, seconds, work):
    log(f"SEARCH: /tim-kiem over {articles} handbook articles + courses and lessons")
    t0 = time.time()
    run([BIN, "bench-handbook", "--database", db, "--articles", str(articles)], timeout=1800)
    record("SEARCH fixture", {"articles": articles, "seconds": f"{time.time() - t0:.1f}"})
    reqs = os.path.join(work, "search.tsv")
    with open(reqs, "w", encoding="utf-8") as f:
        for q in search_queries():
            f.write(f"GET\t/tim-kiem?q={urllib.parse.quote_plus(q)}\t\t\t{q}\n")
    srv = serve(db, 18096)
    try:
        time.sleep(1)
        idle = srv.rss_kib()
        # One connection: the latency one reader sees; four: a few readers at once.
        r1 = load("replay", "--addr", "127.0.0.1:18096", "--file", reqs, "--repeat", "--connections", 1, "--seconds", seconds, "--name", "search-1")
        r4 = load("replay", "--addr", "127.0.0.1:18096", "--file", reqs, "--repeat", "--connections", 4, "--seconds", seconds, "--name", "search-4")
        peak = srv.rss_kib("VmHWM")
    finally:
        srv.kill()
    record("SEARCH memory", {"idle_rss_mib": f"{idle / 1024:.1f}", "peak_rss_mib": f"{peak / 1024:.1f}"})
    record("SEARCH 1 connection", r1, budget="p95 < 50 ms")
    return record("SEARCH 4 connections", r4, budget="p95 < 50 ms")


# Bump when `hocvuso demo` generates different data (2: every target group in villages,
# schools, cooperatives, enterprises, union branches and teams; pupils' classes), so that a kept
# dataset of the older kind is not measured as if it were the new one.
DATASET_VERSION = 2


def scale_dataset(label, people, cache_dir):
    """The scale dataset, generated once and kept (bench/data/ or a PostgreSQL database)."""
    if label == "SQLite":
        path = os.path.join(cache_dir, f"scale-{people}-v{DATASET_VERSION}.db")
        db = f"sqlite://{path}"
        cached = os.path.exists(path)
    else:
        name = f"hocvuso_bench_scale_{people}_v{DATASET_VERSION}"
        exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").stdout.strip() == "1"
        db = f"{PG}/{name}"
        cached = exists and psql("SELECT value FROM setting WHERE key = 'demo_people'", name).stdout.strip() == str(people)
        if not cached:
            fresh_pg(name)
    if cached:
        log(f"GEN: reusing the {people}-person dataset on {label}")
        return db
    log(f"GEN: generating {people} people on {label} (streams in batches)")
    t = time.time()
    p = run([BIN, "demo", "--database", db, "--people", str(people), "--seed", "1410"], timeout=3 * 3600)
    took = time.time() - t
    rows = re.findall(r"(\d+) rows,", p.stdout)
    t = time.time()
    v = run([BIN, "stats", "verify", "--database", db], check=False, timeout=3600)
    vt = time.time() - t
    record(f"GEN {label}", {"people": people, "rows": rows[-1] if rows else "?", "seconds": f"{took:.0f}",
                            "verify": "ok" if v.returncode == 0 else "FAILED", "verify_seconds": f"{vt:.1f}"})
    if v.returncode != 0:
        log(v.stdout[-2000:])
    return db


def scratch_copy(label, db, work, name):
    """A copy of the scale dataset to write into (the cached one stays as generated)."""
    if label == "SQLite":
        src = db[len("sqlite://"):]
        copy = os.path.join(work, f"{name}.db")
        shutil.copyfile(src, copy)
        return f"sqlite://{copy}"
    pg_name = f"hocvuso_bench_{name}"
    psql(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{pg_name}" TEMPLATE "{db.rsplit("/", 1)[1]}"')
    return f"{PG}/{pg_name}"


def bench_reminders(label, db, work):
    """Queueing a reminder to every adult of the province who has not finished, on a copy of
    the scale dataset."""
    log(f"REMINDERS: queueing on the scale dataset ({label})")
    target = scratch_copy(label, db, work, "reminders")
    p = run([BIN, "bench-reminders", "--database", target, "--unit", "68", "--group", "adults"], timeout=1800)
    r = parse_result(p.stdout)
    queued = int(r.get("queued", "0"))
    per_500k = float(r.get("queue_s", "0")) * 500_000 / queued if queued else float("nan")
    return record(f"REMINDERS {label}", r, per_500k_s=f"{per_500k:.1f}", budget="queue 500,000 <= 30 s")


def bench_period(label, db, seconds, work, conns=8, reporters="commune,department"):
    """A reporting period's completeness page (communes and departments, or every kind that
    may report with reporters="all"; half of them reported) as the province admin reads it, on
    a copy of the scale dataset."""
    log(f"PERIOD: a period's completeness page on the scale dataset ({label}, {reporters})")
    target = scratch_copy(label, db, work, "period")
    p = run([BIN, "bench-period", "--database", target, "--every", "2", "--reporters", reporters], timeout=3600)
    made = parse_result(p.stdout)
    reqs = os.path.join(work, f"period-{label}.tsv")
    fixture(target, "lesson", 16, reqs, ("--role", "province_admin", "--unit", "68",
                                         "--path", f"/bao-cao-dinh-ky/{made['period']}"))
    srv = serve(target, 18095)
    try:
        r = load("replay", "--addr", "127.0.0.1:18095", "--file", reqs, "--repeat", "--connections", conns,
                 "--seconds", seconds, "--name", f"period-{label}")
    finally:
        srv.kill()
    return record(f"PERIOD completeness page {label} ({reporters})", r, units=made.get("units"), reports_sent=made.get("sent"),
                  setup_s=made.get("seconds"), budget="p95 <= 50 ms")


def bench_lesson_while_sending(seconds, conns, work, rate=50):
    """P1's load while the server sends a reminder's text messages through a gateway at
    `rate` a second (the gateway, in this process, answers after 0.2 s)."""
    import sqlite3
    log(f"P1-SEND: lesson page of a logged-in learner while sending {rate} messages a second")
    path = os.path.join(work, "p1-send.db")
    db = f"sqlite://{path}"
    reqs = os.path.join(work, "lesson-send.tsv")
    fixture(db, "lesson", 1000, reqs)
    con = sqlite3.connect(path)
    con.execute("UPDATE person SET phone = '09' || printf('%08d', id) WHERE phone IS NULL")
    con.commit()
    con.close()
    p = run([BIN, "bench-reminders", "--database", db, "--unit", "68", "--group", "adults", "--no-claim"])
    queued = int(parse_result(p.stdout).get("queued", "0"))
    gw = Gateway(18102)
    env = {"HOCVUSO_SMS__GATEWAY_URL": "http://127.0.0.1:18102/sms", "HOCVUSO_SMS__PER_SECOND": str(rate),
           "HOCVUSO_SMS__QUIET_HOURS": "false"}
    srv = Server([BIN, "serve", "--database", db], 18103, env)
    try:
        time.sleep(1)
        before = gw.received()
        r = load("replay", "--addr", "127.0.0.1:18103", "--file", reqs, "--repeat", "--connections", conns,
                 "--seconds", seconds, "--name", "lesson-while-sending")
        during = gw.received() - before
    finally:
        srv.kill()
        gw.stop()
    return record("P1 lesson page while sending", r, queued=queued, sent_during_load=during,
                  sent_per_s=f"{during / float(seconds):.1f}")


def bench_dashboard(label, db, seconds, work, conns=8):
    log(f"P4: dashboards on the scale dataset ({label})")
    prov = os.path.join(work, f"prov-{label}.tsv")
    commune = os.path.join(work, f"commune-{label}.tsv")
    fixture(db, "lesson", 16, prov, ("--role", "province_admin", "--unit", "68", "--path", "/thong-ke"))
    fixture(db, "lesson", 16, commune, ("--role", "province_admin", "--unit", "68", "--path", f"/thong-ke/{COMMUNE}"))
    one = os.path.join(work, f"one-{label}.tsv")
    fixture(db, "submit", 1, one)
    srv = serve(db, 18094)
    try:
        rp = load("replay", "--addr", "127.0.0.1:18094", "--file", prov, "--repeat", "--connections", conns, "--seconds", seconds, "--name", f"province-{label}")
        rc = load("replay", "--addr", "127.0.0.1:18094", "--file", commune, "--repeat", "--connections", conns, "--seconds", seconds, "--name", f"commune-{label}")
        fresh = freshness(18094, commune, one)
    finally:
        srv.kill()
    record(f"P4 province dashboard {label}", rp)
    record(f"P4 commune page {label}", rc)
    return record(f"P4 freshness {label}", fresh)


def request_line(path):
    with open(path) as f:
        method, p, cookie, body, tag = f.readline().rstrip("\n").split("\t")
    return method, p, cookie, body


def http(port, method, path, cookie, body=""):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=body.encode() if method == "POST" else None,
                                 headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def achieved_on(port, page_req):
    m, p, c, _ = request_line(page_req)
    status, html = http(port, m, p, c)
    found = re.search(r'data-field="achieved">([\d.]+)<', html)
    if status != 200 or not found:
        sys.exit(f"commune page: {status}")
    return int(found.group(1).replace(".", ""))


def freshness(port, commune_req, submit_req):
    """A pass, then the commune page: how long until the count shows it."""
    before = achieved_on(port, commune_req)
    m, p, c, b = request_line(submit_req)
    status, _ = http(port, m, p, c, b)
    acked = time.time()
    if status != 303:
        sys.exit(f"submission answered {status}")
    while True:
        now = achieved_on(port, commune_req)
        waited = time.time() - acked
        if now == before + 1 or waited > 5:
            break
    return {"before": before, "after": now, "visible_after_ms": f"{waited * 1000:.1f}"}


def crash_test(label, db, kills, work):
    log(f"CRASH: SIGKILL the server {kills} times during submissions ({label})")
    reqs = os.path.join(work, f"crash-{label}.tsv")
    acks = os.path.join(work, f"crash-acks-{label}.txt")
    fixture(db, "submit", 60000, reqs)
    rng = random.Random(1410)
    # Few connections, so that the prepared submissions last through every kill.
    loader = subprocess.Popen([LOAD, "replay", "--addr", "127.0.0.1:18095", "--file", reqs, "--connections", "3",
                               "--seconds", str(kills * 1.6 + 5), "--acks", acks, "--name", f"crash-{label}"],
                              stdout=subprocess.PIPE, text=True)
    during = 0
    for _ in range(kills):
        srv = serve(db, 18095)
        time.sleep(rng.uniform(0.2, 1.0))
        srv.kill(signal.SIGKILL)
        during += loader.poll() is None
    srv = serve(db, 18095)
    out, _ = loader.communicate(timeout=600)
    srv.kill()
    r = parse_result(out)
    check = parse_result(run([BIN, "bench-check", "--database", db, "--acks", acks], check=False).stdout)
    verify = run([BIN, "stats", "verify", "--database", db], check=False)
    return record(f"CRASH {label}", {"kills": kills, "kills_during_load": during, "acknowledged": check["acknowledged"], "stored": check["stored"],
                                     "connection_errors": r["errors"], "verify": "ok" if verify.returncode == 0 else "FAILED"})


NGINX_CONF = """
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 2048; }}
http {{
  access_log off;
  client_body_temp_path {work}/nginx-body;
  proxy_temp_path {work}/nginx-proxy;
  fastcgi_temp_path {work}/nginx-fastcgi;
  uwsgi_temp_path {work}/nginx-uwsgi;
  scgi_temp_path {work}/nginx-scgi;
  upstream hocvuso {{
    server 127.0.0.1:{a} max_fails=1 fail_timeout=2s;
    server 127.0.0.1:{b} max_fails=1 fail_timeout=2s;
    keepalive 64;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://hocvuso;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      # A POST already sent is never sent again (non_idempotent is not set): a submission
      # whose server died answers 502 and is not acknowledged; nothing is applied twice.
      proxy_next_upstream error timeout;
    }}
  }}
}}
"""


class Gateway:
    """A fake SMS gateway on 127.0.0.1: answers 200 after 0.2 s (so a server is always mid-send
    when it is killed) and counts each
    message by its Idempotency-Key (as a provider that honours the key would deliver once)."""

    def __init__(self, port):
        import http.server
        import threading
        self.keys = {}
        lock = threading.Lock()
        keys = self.keys

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                key = self.headers.get("Idempotency-Key", "")
                time.sleep(0.2)  # slow enough that a server is always mid-send
                with lock:
                    keys[key] = keys.get(key, 0) + 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                del body

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            # The senders open up to `per_second` connections at once; Python's default
            # backlog of 5 would make them wait for SYN retries.
            request_queue_size = 512

        self.server = Server(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def received(self):
        return sum(self.keys.values())

    def stop(self):
        self.server.shutdown()


def queue_crash_test(people, work):
    """Two servers send a reminder's messages through a fake gateway; one is killed with
    SIGKILL mid-send and started again. Every message must reach the gateway, and none twice
    by its key once the killed server's claims ran out."""
    log("QUEUE-CRASH: two servers send a reminder; one SIGKILLed mid-send")
    db = fresh_pg("hocvuso_bench_queue")
    fixture(db, "lesson", people, os.path.join(work, "queue.tsv"))
    # The fixture's learners have no phone numbers: give each one (a message needs one).
    psql("UPDATE person SET phone = '09' || LPAD(id::text, 8, '0') WHERE phone IS NULL", "hocvuso_bench_queue")
    gw_port, a, b = 18099, 18100, 18101
    gw = Gateway(gw_port)
    env = {"HOCVUSO_SMS__GATEWAY_URL": f"http://127.0.0.1:{gw_port}/sms", "HOCVUSO_SMS__PER_SECOND": "100",
           "HOCVUSO_SMS__QUIET_HOURS": "false"}
    one = Server([BIN, "serve", "--database", db], a, env)
    two = Server([BIN, "serve", "--database", db], b, env)
    try:
        p = run([BIN, "bench-reminders", "--database", db, "--unit", "68", "--group", "adults", "--no-claim"])
        queued = int(parse_result(p.stdout).get("queued", "0"))
        t0 = time.time()
        while gw.received() < queued // 3 and time.time() - t0 < 120:
            time.sleep(0.05)
        sent_before_kill = gw.received()
        one.kill(signal.SIGKILL)
        time.sleep(1)
        one = Server([BIN, "serve", "--database", db], a, env)
        left = None
        while time.time() - t0 < 600:
            left = psql("SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')", "hocvuso_bench_queue").stdout.strip()
            if left == "0":
                break
            time.sleep(1)
        took = time.time() - t0
        statuses = psql("SELECT status || '=' || COUNT(*) FROM outbox GROUP BY status", "hocvuso_bench_queue").stdout.split()
    finally:
        one.kill()
        two.kill()
        gw.stop()
    twice = sum(1 for n in gw.keys.values() if n > 1)
    # Everyone with a phone must have been sent their message (the sender of the reminder,
    # made by bench-reminders, has none: skipped).
    with_phone = int(psql("SELECT COUNT(*) FROM outbox o JOIN person p ON p.id = o.person_id WHERE p.phone IS NOT NULL",
                          "hocvuso_bench_queue").stdout.strip() or "0")
    ok = left == "0" and len(gw.keys) == with_phone
    r = record("QUEUE-CRASH PostgreSQL", {"queued": queued, "with_phone": with_phone, "at_kill": sent_before_kill, "keys_received": len(gw.keys),
                                          "posts": gw.received(), "keys_posted_twice": twice,
                                          "statuses": ",".join(statuses), "seconds": f"{took:.0f}",
                                          "verdict": "ok" if ok else "FAILED"})
    if not ok:
        sys.exit("QUEUE-CRASH: a message was lost")
    return r


def multi_test(seconds, work):
    log("MULTI: two servers on one PostgreSQL behind nginx; one killed with SIGKILL mid-load")
    nginx = "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        sys.exit("MULTI needs nginx (apt-get install nginx-light)")
    db = fresh_pg("hocvuso_bench_multi")
    reqs = os.path.join(work, "multi.tsv")
    acks = os.path.join(work, "multi-acks.txt")
    fixture(db, "submit", 60000, reqs)
    a, b, port = 18096, 18097, 18098
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(work=work, a=a, b=b, port=port))
    proxy = subprocess.Popen([nginx, "-p", work, "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    one, two = serve(db, a), serve(db, b)
    try:
        deadline = time.time() + 10
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
                break
            except Exception:
                if time.time() > deadline:
                    sys.exit("nginx did not answer in 10 s")
                time.sleep(0.05)
        loader = subprocess.Popen([LOAD, "replay", "--addr", f"127.0.0.1:{port}", "--file", reqs, "--connections", "32",
                                   "--seconds", str(seconds), "--acks", acks, "--name", "multi"],
                                  stdout=subprocess.PIPE, text=True)
        time.sleep(seconds / 3)
        one.kill(signal.SIGKILL)
        killed_during = loader.poll() is None
        time.sleep(1)
        # Started again while the other server writes (the startup lock, migrations done).
        one = serve(db, a)
        # A backup taken while both servers write must be consistent on its own.
        backup = os.path.join(work, "multi-backup.db")
        backed_during = loader.poll() is None
        run([BIN, "--database", db, "backup", backup], timeout=600)
        out, _ = loader.communicate(timeout=600)
    finally:
        one.kill()
        two.kill()
        proxy.terminate()
        proxy.wait(timeout=30)
    r = parse_result(out)
    check = parse_result(run([BIN, "bench-check", "--database", db, "--acks", acks], check=False).stdout)
    verify = run([BIN, "stats", "verify", "--database", db], check=False)
    backup_verify = run([BIN, "stats", "verify", "--database", f"sqlite://{backup}"], check=False)
    ok = (verify.returncode == 0 and backup_verify.returncode == 0 and check["stored"] == check["acknowledged"]
          and killed_during)
    rec = record("MULTI 2 servers PostgreSQL", dict(r, killed_during_load=killed_during, acknowledged=check["acknowledged"],
                                                   stored=check["stored"], verify="ok" if verify.returncode == 0 else "FAILED",
                                                   backup_during_load=backed_during,
                                                   backup_verify="ok" if backup_verify.returncode == 0 else "FAILED"))
    if not ok:
        sys.exit(f"MULTI failed: {rec}\n{verify.stdout}")
    return rec


def soak_test(seconds, conns, work):
    log(f"SOAK: P1 load for {seconds:.0f} s; RSS sampled every minute")
    db = f"sqlite://{os.path.join(work, 'soak')}.db"
    reqs = os.path.join(work, "soak.tsv")
    fixture(db, "lesson", 1000, reqs)
    srv = serve(db, 18099)
    samples = []
    try:
        loader = subprocess.Popen([LOAD, "replay", "--addr", "127.0.0.1:18099", "--file", reqs, "--repeat",
                                   "--connections", str(conns), "--seconds", str(seconds), "--name", "soak"],
                                  stdout=subprocess.PIPE, text=True)
        started = time.time()
        while loader.poll() is None:
            time.sleep(min(60, max(1, seconds / 10)))
            if loader.poll() is None:
                samples.append((time.time() - started, srv.rss_kib() / 1024))
                log(f"  {samples[-1][0]:.0f} s: RSS {samples[-1][1]:.1f} MiB")
        out, _ = loader.communicate(timeout=60)
    finally:
        srv.kill()
    r = parse_result(out)
    # Flat: the last third's mean within 10% of the second third's (the first third warms up).
    third = max(1, len(samples) // 3)
    mid = [m for _, m in samples[third:2 * third]] or [0]
    last = [m for _, m in samples[2 * third:]] or [0]
    growth = (sum(last) / len(last)) / max(1e-9, sum(mid) / len(mid)) - 1
    return record("SOAK P1", dict(r, rss_first_mib=f"{samples[0][1]:.1f}" if samples else "?",
                                  rss_last_mib=f"{samples[-1][1]:.1f}" if samples else "?",
                                  rss_growth_last_third=f"{growth * 100:.1f}%"))


def timed(args, timeout=1800):
    """Runs a command under /usr/bin/time: (seconds, peak RSS in MiB, stdout)."""
    p = run(["/usr/bin/time", "-f", "TIME %e %M", *args], timeout=timeout)
    line = [l for l in p.stderr.splitlines() if l.startswith("TIME ")][-1]
    secs, kib = line.split()[1:]
    return float(secs), int(kib) / 1024, p.stdout


def bench_roster(label, db, rows, cache, work):
    path = os.path.join(cache, f"roster-{rows}.xlsx")
    if not os.path.exists(path):
        log(f"  writing a {rows:,}-row roster to {path}")
        gen_db = f"sqlite://{os.path.join(work, 'roster-gen')}.db"
        run([BIN, "bench-roster", "--database", gen_db, "--rows", str(rows), "--out", path])
    read = parse_result(run([BIN, "bench-roster", "--read", path]).stdout)
    steps = {}
    for name, extra in (("dry_run", ["--dry-run"]), ("import", []), ("again", [])):
        secs, mib, out = timed([BIN, "--database", db, "import", "roster", path, *extra])
        if "không đổi" not in out:
            sys.exit(f"unexpected import output:\n{out}")
        steps[name] = (secs, mib, out)
    if f"Thêm mới {rows}," not in steps["import"][2]:
        sys.exit(f"the import did not add every row:\n{steps['import'][2]}")
    if f"không đổi {rows}." not in steps["again"][2]:
        sys.exit(f"importing the same file again changed something:\n{steps['again'][2]}")
    verify = run([BIN, "--database", db, "stats", "verify"], check=False)
    return record(f"ROSTER {label} {rows:,} rows", {
        "file_mib": f"{os.path.getsize(path) / 1048576:.0f}",
        "read_s": read["seconds"],
        "dry_run_s": f"{steps['dry_run'][0]:.1f}",
        "import_s": f"{steps['import'][0]:.1f}",
        "again_s": f"{steps['again'][0]:.1f}",
        "import/read": f"{steps['import'][0] / float(read['seconds']):.2f}",
        "peak_rss_mib": f"{max(s[1] for s in steps.values()):.0f}",
        "verify": "ok" if verify.returncode == 0 else "FAILED",
        "budget": "import <= 30 s, RSS <= 1024 MiB",
    })


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=4_000_000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--soak-seconds", type=float, default=3600)
    ap.add_argument("--only", default="", help="comma-separated: ref,p1,p1-send,p2,p3,p4,reminders,period,contest,crash,multi,search,roster; soak and queue-crash only when named")
    ap.add_argument("--contest-entries", type=int, default=1_000_000, help="entries of the round the contest ranking is timed on")
    ap.add_argument("--roster-rows", type=int, default=1_000_000)
    ap.add_argument("--articles", type=int, default=10_000, help="handbook size for the search benchmark")
    a = ap.parse_args()
    only = set(filter(None, a.only.split(",")))
    want = lambda s: not only or s in only
    cache = os.path.join(ROOT, "bench", "data")
    os.makedirs(cache, exist_ok=True)
    work = tempfile.mkdtemp(prefix="hocvuso-bench-")
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    log(f"hocvuso benchmarks, {started}, {os.cpu_count()} cores; work files in {work}")

    def fresh_sqlite(name):
        return f"sqlite://{os.path.join(work, name)}.db"

    ref = bench_reference(a.seconds, a.connections) if want("ref") or want("p1") else None
    if want("p1"):
        p1 = bench_lesson(fresh_sqlite("p1"), a.seconds, a.connections, work)
        record("P1 / REF", {"ratio": f"{float(p1['rps']) / float(ref['rps']):.2f}", "budget": ">= 0.40"})
    if want("p1-send"):
        ref = ref or bench_reference(a.seconds, a.connections)
        sending = bench_lesson_while_sending(a.seconds, a.connections, work)
        record("P1 while sending / REF", {"ratio": f"{float(sending['rps']) / float(ref['rps']):.2f}",
                                          "budget": ">= 0.40"})
    if want("p2"):
        # 128 connections: at 5,000 submissions/s with real phones' round trips, hundreds of
        # submissions are in flight at once; 32 is reported too, as the lighter case.
        for conns in (32, 128):
            bench_submit(f"SQLite/{conns}", fresh_sqlite(f"p2-{conns}"), 60000, a.seconds, conns, work)
            bench_submit(f"PostgreSQL/{conns}", fresh_pg("hocvuso_bench_p2"), 60000, a.seconds, conns, work)
    if want("p3"):
        bench_storm("SQLite", fresh_sqlite("p3"), 10000, work)
        bench_storm("PostgreSQL", fresh_pg("hocvuso_bench_p3"), 10000, work)
    if want("contest"):
        bench_contest("SQLite", fresh_sqlite("contest-storm"), fresh_sqlite("contest-submit"),
                      fresh_sqlite("contest-rank"), a.seconds, a.contest_entries, work)
        bench_contest("PostgreSQL", fresh_pg("hocvuso_bench_contest_storm"), fresh_pg("hocvuso_bench_contest_submit"),
                      fresh_pg("hocvuso_bench_contest_rank"), a.seconds, a.contest_entries, work)
    if want("p4"):
        for label in ("SQLite", "PostgreSQL"):
            db = scale_dataset(label, a.people, cache)
            bench_dashboard(label, db, a.seconds, work)
    if want("reminders"):
        for label in ("SQLite", "PostgreSQL"):
            bench_reminders(label, scale_dataset(label, a.people, cache), work)
    if want("period"):
        for label in ("SQLite", "PostgreSQL"):
            db = scale_dataset(label, a.people, cache)
            bench_period(label, db, a.seconds, work)
            bench_period(label, db, a.seconds, work, reporters="all")
    if want("search"):
        bench_search(fresh_sqlite("search"), a.articles, a.seconds, work)
    if want("roster"):
        bench_roster("SQLite", fresh_sqlite("roster"), a.roster_rows, cache, work)
        bench_roster("PostgreSQL", fresh_pg("hocvuso_bench_roster"), a.roster_rows, cache, work)
    if want("crash"):
        crash_test("SQLite", fresh_sqlite("crash"), a.kills, work)
        crash_test("PostgreSQL", fresh_pg("hocvuso_bench_crash"), a.kills, work)
    if want("multi"):
        multi_test(a.seconds, work)
    if "queue-crash" in only:
        queue_crash_test(3000, work)
    if "soak" in only:
        soak_test(a.soak_seconds, a.connections, work)

    for name in ("hocvuso_bench_p2", "hocvuso_bench_p3", "hocvuso_bench_crash", "hocvuso_bench_roster",
                 "hocvuso_bench_multi", "hocvuso_bench_contest_storm", "hocvuso_bench_contest_submit",
                 "hocvuso_bench_contest_rank", "hocvuso_bench_reminders", "hocvuso_bench_queue",
                 "hocvuso_bench_period"):
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    out = os.path.join(ROOT, "bench", "results", time.strftime("%Y%m%d-%H%M%S") + ".txt")
    with open(out, "w") as f:
        f.write(f"# hocvuso benchmarks {started}, people={a.people} seconds={a.seconds} connections={a.connections}\n")
        for name, r in results:
            f.write(f"{name}: " + " ".join(f"{k}={v}" for k, v in r.items()) + "\n")
    log(f"\nresults written to {out}")


if __name__ == "__main__":
    main()
