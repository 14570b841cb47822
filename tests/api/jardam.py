"""Black-box harness: the real jardam binary on 127.0.0.1 with a temporary
config and SQLite file, a local webhook receiver, and small HTTP helpers."""
import http.client
import http.server
import json
import os
import socket
import subprocess
import tempfile
import threading
import time

BIN = os.environ.get("JARDAM_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "jardam"))
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DISTRICTS = os.path.join(ROOT, "config", "districts", "kg.geojson")
ADMIN_PW = "admin-password-123"
OPER_PW = "operator-password-123"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


def request(port, method, path, body=None, token=None, headers=None, raw=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    h = {"Content-Type": "application/json"}
    if token:
        h["Authorization"] = "Bearer " + token
    h.update(headers or {})
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    out = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    conn.close()
    return out


class Receiver:
    """A webhook receiver on 127.0.0.1 that records every POST and answers
    with the status the test sets (200 by default)."""

    def __init__(self):
        self.messages = []
        self.status = 200
        self.lock = threading.Lock()
        recv = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(n)
                with recv.lock:
                    status = recv.status(self.path, body) if callable(recv.status) else recv.status
                    answer = b"{}"
                    if isinstance(status, tuple):
                        status, answer = status
                    recv.messages.append({"path": self.path, "headers": dict(self.headers),
                                          "body": body, "status": status})
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def delivered(self):
        with self.lock:
            return [m for m in self.messages if 200 <= m["status"] < 300]

    def wait_for(self, pred, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                got = [m for m in self.messages if 200 <= m["status"] < 300 and pred(m)]
            if got:
                return got
            time.sleep(0.05)
        return []

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Jardam:
    """One jardam server with its own folder, config and database."""

    def __init__(self, **overrides):
        self.dir = tempfile.mkdtemp(prefix="jardam-test-")
        self.port = free_port()
        self.proc = None
        self.log_path = os.path.join(self.dir, "server.log")
        sections = {
            "server": {"listen": f"127.0.0.1:{self.port}",
                       "public_url": f"http://127.0.0.1:{self.port}"},
            "storage": {"database": "jardam.db", "key_file": "jardam.key"},
            "geo": {"districts": DISTRICTS},
            "dispatch": {},
            "escalation": {},
            "notify": {"webhook_secret": "test-secret-at-least-24-bytes!!"},
        }
        for key, value in overrides.items():
            section, _, name = key.partition("__")
            sections.setdefault(section, {})[name] = value
        self.config = os.path.join(self.dir, "jardam.ini")
        with open(self.config, "w") as fh:
            for section, keys in sections.items():
                fh.write(f"[{section}]\n")
                for k, v in keys.items():
                    fh.write(f"{k} = {v}\n")
        self.cli("user", "add", "admin", "--role", "admin", stdin=ADMIN_PW + "\n")
        self.cli("user", "add", "oper", "--role", "operator", stdin=OPER_PW + "\n")
        self.start()
        self.admin = self.login("admin", ADMIN_PW)
        self.oper = self.login("oper", OPER_PW)

    def cli(self, *args, stdin="", check=True):
        r = subprocess.run([BIN, "--config", self.config, *args], input=stdin,
                           capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            raise AssertionError(f"jardam {args}: {r.returncode} {r.stderr}")
        return r

    def start(self):
        self.logf = open(self.log_path, "a")
        self.proc = subprocess.Popen([BIN, "--config", self.config, "serve"],
                                     stdout=self.logf, stderr=self.logf)
        end = time.time() + 10
        while time.time() < end:
            try:
                if request(self.port, "GET", "/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.02)
        raise AssertionError("jardam did not start: " + open(self.log_path).read()[-2000:])

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.logf.close()

    def restart(self):
        self.kill9()
        self.start()

    def stop(self):
        """Stop cleanly; a sanitizer report in the log fails the test."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.logf.close()
        log = self.log()
        for bad in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            assert bad not in log, log[log.index(bad) - 200:][:3000]

    def log(self):
        with open(self.log_path) as fh:
            return fh.read()

    def login(self, user, pw):
        r = request(self.port, "POST", "/api/login", {"username": user, "password": pw})
        assert r.status == 200, r
        return r.json["token"]

    def call(self, method, path, body=None, token="admin", **kw):
        tok = {"admin": self.admin, "oper": self.oper, None: None}.get(token, token)
        return request(self.port, method, path, body, tok, **kw)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body if body is not None else {}, **kw)

    def link(self, url):
        """The /api path of a link URL."""
        return "/api/l/" + url.rsplit("/l/", 1)[1]

    # registry helpers
    def shelter(self, district="bishkek", lat=42.875, lon=74.61, beds=4, avail=None, **kw):
        body = {"name": "Shelter", "district": district, "lat": lat, "lon": lon,
                "address": "SECRET-SHELTER-ADDRESS 1", "beds_total": beds,
                "beds_available": beds if avail is None else avail, "phone": "+996700111222"}
        body.update(kw)
        r = self.post("/api/shelters", body)
        assert r.status == 201, r
        return r.json

    def vehicle(self, district="bishkek", lat=42.87, lon=74.59, seats=4, features=(),
                available=True, vetted="2099-01-01T00:00:00Z", **kw):
        body = {"driver_name": "Driver", "phone": "+996700333444", "district": district,
                "lat": lat, "lon": lon, "seats": seats, "vetted_until": vetted,
                "features": list(features)}
        body.update(kw)
        r = self.post("/api/vehicles", body)
        assert r.status == 201, r
        v = r.json
        if available:
            a = self.post(self.link(v["link"]), {"action": "available", "lat": lat, "lon": lon},
                          token=None)
            assert a.status == 200, a
        return v

    def volunteer(self, district="bishkek", lat=42.88, lon=74.60, role="escort", available=True,
                  vetted="2099-01-01T00:00:00Z", **kw):
        body = {"name": "Volunteer", "phone": "+996700555666", "district": district,
                "lat": lat, "lon": lon, "role": role, "vetted_until": vetted}
        body.update(kw)
        r = self.post("/api/volunteers", body)
        assert r.status == 201, r
        v = r.json
        if available:
            a = self.post(self.link(v["link"]), {"action": "available"}, token=None)
            assert a.status == 200, a
        return v

    def service(self, kind="social", district="bishkek", **kw):
        body = {"name": f"{kind} service", "kind": kind, "district": district, "phone": "+996700777888"}
        body.update(kw)
        r = self.post("/api/services", body)
        assert r.status == 201, r
        return r.json

    def new_request(self, **kw):
        body = {"lat": 42.87, "lon": 74.59, "adults": 1, "children": 0, "risk": "standard",
                "pickup_note": "SECRET-PICKUP-NOTE", "notes": "SECRET-CASE-NOTES",
                "consent": {"social": True}}
        body.update(kw)
        r = self.post("/api/requests", body, token="oper")
        assert r.status == 201, r
        return r.json

    def req(self, rid):
        r = self.get(f"/api/requests/{rid}")
        assert r.status == 200, r
        return r.json

    def offers_of(self, vehicle):
        """The vehicle's open offers, as its personal link shows them."""
        r = self.get(self.link(vehicle["link"]), token=None)
        assert r.status == 200, r
        return r.json["offers"]

    def wait(self, pred, timeout=10, step=0.05):
        end = time.time() + timeout
        while time.time() < end:
            v = pred()
            if v:
                return v
            time.sleep(step)
        return pred()
