"""Black-box tests of the foundation: the command line, HTTP limits and
headers, staff logins and roles, the registry and its links."""
import json
import os
import re
import subprocess

from jardam import BIN, DISTRICTS, Jardam, request


def run(*args, stdin=""):
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, timeout=30)


def test_cli_help_version_usage(tmp_path):
    r = run("--help")
    assert r.returncode == 0 and "serve" in r.stdout and "offer_timeout" in r.stdout
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("jardam ")
    assert run().returncode == 64
    assert run("--bogus", "serve").returncode == 64
    assert run("frobnicate").returncode == 64


def test_check_reports_every_error_with_lines(tmp_path):
    good = tmp_path / "good.ini"
    good.write_text(f"[geo]\ndistricts = {DISTRICTS}\n")
    r = run("--config", str(good), "check")
    assert r.returncode == 0, r.stderr
    assert "55 districts" in r.stdout
    bad = tmp_path / "bad.ini"
    bad.write_text("[server]\nlisten = nowhere\n[dispatch]\noffer_timeout = 5 minutes\n"
                   "[nope]\nx = 1\n")
    r = run("--config", str(bad), "check")
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert f"{bad}:2: [server] listen" in lines[0]
    assert any(l.startswith(f"{bad}:4: [dispatch] offer_timeout") for l in lines)
    assert any(l.startswith(f"{bad}:6: unknown key [nope] x") for l in lines)
    # a districts file that is not valid is reported too
    geo = tmp_path / "d.geojson"
    geo.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
                   '{"id":"a","name":"A"},"geometry":{"type":"Polygon","coordinates":'
                   '[[[0,0],[1,0],[1,1],[0,1]]]}}]}')
    g = tmp_path / "g.ini"
    g.write_text(f"[geo]\ndistricts = {geo}\n")
    r = run("--config", str(g), "check")
    assert r.returncode == 1 and "not closed" in r.stderr


def test_env_overrides_and_bad_env(tmp_path):
    cfg = tmp_path / "c.ini"
    cfg.write_text(f"[geo]\ndistricts = {DISTRICTS}\n")
    env = dict(os.environ, JARDAM_SERVER_LISTEN="127.0.0.1:0")
    r = subprocess.run([BIN, "--config", str(cfg), "check"], capture_output=True, text=True,
                       env=env)
    assert r.returncode == 1 and "JARDAM_SERVER_LISTEN" in r.stderr


def test_user_add(tmp_path):
    cfg = tmp_path / "c.ini"
    cfg.write_text(f"[storage]\ndatabase = j.db\nkey_file = j.key\n[geo]\ndistricts = {DISTRICTS}\n")
    r = run("--config", str(cfg), "user", "add", "amina", "--role", "operator", stdin="long-enough-pw\n")
    assert r.returncode == 0, r.stderr
    r = run("--config", str(cfg), "user", "add", "amina", "--role", "operator", stdin="long-enough-pw\n")
    assert r.returncode == 1 and "exists" in r.stderr
    r = run("--config", str(cfg), "user", "add", "x", "--role", "boss", stdin="long-enough-pw\n")
    assert r.returncode == 64
    r = run("--config", str(cfg), "user", "add", "y", "--role", "admin", stdin="short\n")
    assert r.returncode == 1
    assert oct(os.stat(tmp_path / "j.key").st_mode & 0o777) == "0o600"


def test_health_headers_and_errors(jardam):
    r = jardam.get("/healthz", token=None)
    assert r.status == 200 and r.json == {"status": "ok"}
    for h, v in (("cache-control", "no-store"), ("referrer-policy", "no-referrer"),
                 ("x-content-type-options", "nosniff")):
        assert r.headers[h] == v
    r = jardam.get("/api/nothing-here")
    assert r.status == 404 and r.json["error"]["code"] == "not_found"
    assert r.headers["cache-control"] == "no-store"
    r = jardam.call("DELETE", "/api/shelters")
    assert r.status == 405
    page = jardam.get("/", token=None)
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_body_limits(jardam):
    big = '{"name":"' + "x" * (100 * 1024) + '"}'
    r = jardam.call("POST", "/api/shelters", raw=big)
    assert r.status == 413 and r.json["error"]["code"] == "too_large"
    r = jardam.call("POST", "/api/shelters", raw='{"name": "unterminated')
    assert r.status == 400 and r.json["error"]["code"] == "bad_request"
    r = jardam.call("POST", "/api/shelters", raw=b'{"name": "\xff\xfe bad utf8"}')
    assert r.status == 400
    r = jardam.call("POST", "/api/shelters", raw="[" * 40 + "]" * 40)
    assert r.status == 400 and "deeper" in r.json["error"]["message"]
    r = jardam.call("POST", "/api/shelters", raw="[1,2]")
    assert r.status == 400
    r = jardam.call("GET", "/healthz", headers={"X-Big": "y" * 9000})
    assert r.status in (400, 413)
    assert len(jardam.get("/api/shelters").json) == 0


def test_login_logout_rate_limit(jardam):
    r = request(jardam.port, "POST", "/api/login", {"username": "admin", "password": "wrong-one"})
    assert r.status == 401 and r.json["error"]["code"] == "unauthorized"
    r = request(jardam.port, "POST", "/api/login", {"username": "ghost", "password": "wrong-one"})
    assert r.status == 401
    r = request(jardam.port, "POST", "/api/login", {"username": "admin"})
    assert r.status == 400
    r = request(jardam.port, "POST", "/api/login", {"username": "admin", "password": "admin-password-123"})
    assert r.status == 200
    assert r.json["role"] == "admin" and re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r.json["expires_at"])
    assert len(r.json["token"]) >= 22
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    tok = r.json["token"]
    assert jardam.get("/api/me", token=tok).status == 200
    assert jardam.post("/api/logout", token=tok).status == 200
    assert jardam.get("/api/me", token=tok).status == 401
    for _ in range(4):
        request(jardam.port, "POST", "/api/login", {"username": "oper", "password": "nope-nope"})
    r = request(jardam.port, "POST", "/api/login", {"username": "oper", "password": "nope-nope"})
    r = request(jardam.port, "POST", "/api/login", {"username": "oper", "password": "operator-password-123"})
    assert r.status == 429 and r.json["error"]["code"] == "rate_limited"
    # other users are not locked out
    assert request(jardam.port, "POST", "/api/login",
                   {"username": "admin", "password": "admin-password-123"}).status == 200


def test_cookie_session_needs_csrf(jardam):
    r = request(jardam.port, "POST", "/api/login", {"username": "admin", "password": "admin-password-123"})
    cookie = r.headers["set-cookie"].split(";")[0]
    csrf = r.json["csrf"]
    g = request(jardam.port, "GET", "/api/me", headers={"Cookie": cookie})
    assert g.status == 200 and g.json["username"] == "admin"
    body = {"name": "S", "kind": "police", "district": "bishkek"}
    p = request(jardam.port, "POST", "/api/services", body, headers={"Cookie": cookie})
    assert p.status == 403
    p = request(jardam.port, "POST", "/api/services", body,
                headers={"Cookie": cookie, "X-CSRF-Token": "wrong"})
    assert p.status == 403
    p = request(jardam.port, "POST", "/api/services", body,
                headers={"Cookie": cookie, "X-CSRF-Token": csrf})
    assert p.status == 201


def test_auth_and_roles(jardam):
    assert jardam.get("/api/shelters", token=None).status == 401
    assert jardam.get("/api/shelters", token="not-a-real-token").status == 401
    assert request(jardam.port, "GET", "/api/shelters", headers={"Authorization": "Basic abc"}).status == 401
    assert jardam.get("/api/shelters", token="oper").status == 200
    r = jardam.post("/api/shelters", {"name": "S", "district": "bishkek", "lat": 42.87, "lon": 74.6,
                                      "address": "a", "beds_total": 2, "beds_available": 2},
                    token="oper")
    assert r.status == 403 and r.json["error"]["code"] == "forbidden"
    assert jardam.post("/api/services", {"name": "S", "kind": "police", "district": "bishkek"},
                       token="oper").status == 403
    assert len(jardam.get("/api/shelters").json) == 0


def test_districts_and_locate(jardam):
    ds = jardam.get("/api/districts", token="oper").json
    assert len(ds) == 55
    by = {d["id"]: d for d in ds}
    assert by["bishkek"]["name_ru"] == "Бишкек"
    assert "alamudun" in by["bishkek"]["neighbors"]
    assert by["at-bashy"]["name"] == "At-Bashy"
    assert by["osh-city"]["oblast"] == "Osh city"
    assert jardam.get("/api/geo/locate?lat=42.87&lon=74.59").json == {"district": "bishkek"}
    assert jardam.get("/api/geo/locate?lat=40.53&lon=72.80").json == {"district": "osh-city"}
    assert jardam.get("/api/geo/locate?lat=43.24&lon=76.89").status == 404
    assert jardam.get("/api/geo/locate?lat=abc&lon=1").status == 400
    assert jardam.get("/api/geo/locate?lat=95&lon=1").status == 400
    assert jardam.get("/api/geo/locate?lat=42").status == 400


def test_shelters(jardam):
    s = jardam.shelter(beds=5, avail=3)
    assert s["id"].startswith("shl_") and not s["id"][4:].isdigit()
    assert s["link"].startswith(f"http://127.0.0.1:{jardam.port}/l/")
    assert s["beds_total"] == 5 and s["beds_available"] == 3 and s["beds_held"] == 0
    jardam.shelter(district="osh-city", lat=40.53, lon=72.8)
    assert len(jardam.get("/api/shelters").json) == 2
    only = jardam.get("/api/shelters?district=osh-city", token="oper").json
    assert len(only) == 1 and only[0]["district"] == "osh-city"
    assert jardam.get("/api/shelters?district=atlantis").status == 422
    base = {"name": "S", "district": "bishkek", "lat": 42.87, "lon": 74.6, "address": "a",
            "beds_total": 2, "beds_available": 2}
    for change, status in (({"beds_total": -1}, 400), ({"beds_available": 3}, 422),
                           ({"beds_total": "2"}, 400), ({"district": "atlantis"}, 422),
                           ({"lat": "north"}, 400), ({"lat": 200}, 400), ({"name": 5}, 400),
                           ({"address": None}, 400), ({"channel": "pigeon"}, 400)):
        body = dict(base, **change)
        r = jardam.post("/api/shelters", body)
        assert r.status == status, (change, r)
        assert r.json["error"]["code"] in ("bad_request", "unprocessable")
    r = jardam.post("/api/shelters", {k: v for k, v in base.items() if k != "name"})
    assert r.status == 400
    assert len(jardam.get("/api/shelters").json) == 2


def test_shelter_link_set_beds(jardam):
    s = jardam.shelter(beds=4)
    path = jardam.link(s["link"])
    g = jardam.get(path, token=None)
    assert g.status == 200 and g.json["kind"] == "shelter" and g.json["beds_available"] == 4
    assert "address" not in g.json
    r = jardam.post(path, {"action": "set_beds", "beds_total": 6, "beds_available": 5}, token=None)
    assert r.status == 200 and r.json["beds_total"] == 6 and r.json["beds_available"] == 5
    for body, status in (({"beds_total": 2, "beds_available": 3}, 422),
                         ({"beds_total": -1, "beds_available": 0}, 400),
                         ({"beds_total": 2}, 400), ({"beds_total": "6", "beds_available": 1}, 400)):
        r = jardam.post(path, dict(body, action="set_beds"), token=None)
        assert r.status == status, (body, r)
    assert jardam.post(path, {"action": "explode"}, token=None).status == 400
    assert jardam.get("/api/shelters").json[0]["beds_available"] == 5


def test_vehicles_and_personal_link(jardam):
    v = jardam.vehicle(available=False, features=["child_seat"])
    assert v["status"] == "off" and v["features"] == ["child_seat"]
    assert v["vetted_until"] == "2099-01-01T00:00:00Z"
    path = jardam.link(v["link"])
    g = jardam.get(path, token=None)
    assert g.json["kind"] == "vehicle" and g.json["status"] == "off" and g.json["offers"] == []
    r = jardam.post(path, {"action": "available", "lat": 40.53, "lon": 72.80}, token=None)
    assert r.status == 200 and r.json["status"] == "available" and r.json["district"] == "osh-city"
    r = jardam.post(path, {"action": "location", "lat": 42.87, "lon": 74.59}, token=None)
    assert r.status == 200 and r.json["district"] == "bishkek"
    assert jardam.post(path, {"action": "location", "lat": 43.24, "lon": 76.89}, token=None).status == 422
    assert jardam.post(path, {"action": "location"}, token=None).status == 400
    r = jardam.post(path, {"action": "unavailable"}, token=None)
    assert r.status == 200 and r.json["status"] == "off"
    listed = jardam.get("/api/vehicles?district=bishkek", token="oper").json
    assert [x["status"] for x in listed] == ["off"]
    for change in ({"seats": 0}, {"seats": "4"}, {"features": ["jetpack"]}, {"features": "child_seat"},
                   {"vetted_until": "soon"}, {"phone": 12345}, {"district": "nowhere"}):
        body = {"driver_name": "D", "phone": "+996", "district": "bishkek", "lat": 42.87,
                "lon": 74.59, "seats": 4, "vetted_until": "2099-01-01T00:00:00Z"}
        body.update(change)
        assert jardam.post("/api/vehicles", body).status in (400, 422), change
    assert len(jardam.get("/api/vehicles").json) == 1


def test_volunteers_and_services(jardam):
    v = jardam.volunteer(available=False)
    assert v["role"] == "escort" and v["status"] == "off"
    bad = jardam.post("/api/volunteers", {"name": "N", "phone": "1", "district": "bishkek", "lat": 42.8,
                                          "lon": 74.5, "role": "astronaut", "vetted_until": "2099-01-01"})
    assert bad.status == 400
    s = jardam.service("police", webhook_url="http://127.0.0.1:9/hook")
    assert s["kind"] == "police" and "link" not in s
    jardam.service("coordinator", district="osh-city")
    assert jardam.post("/api/services", {"name": "x", "kind": "magic", "district": "bishkek"}).status == 400
    assert jardam.post("/api/services", {"name": "x", "kind": "police", "district": "bishkek",
                                         "webhook_url": "ftp://x"}).status == 400
    assert jardam.post("/api/services", {"name": "x", "kind": "police", "district": "bishkek",
                                         "channel": "telegram"}).status == 400
    m = jardam.get("/api/services?district=bishkek&kind=police", token="oper").json
    assert [x["id"] for x in m] == [s["id"]]
    assert len(jardam.get("/api/services?district=osh-city").json) == 1
    assert jardam.get("/api/services?kind=wizard").status == 400


def test_relink_revokes_old_link(jardam):
    v = jardam.vehicle(available=False)
    old = jardam.link(v["link"])
    r = jardam.post(f"/api/vehicles/{v['id']}/link")
    assert r.status == 201
    new = jardam.link(r.json["link"])
    assert new != old
    gone = jardam.get(old, token=None)
    unknown = jardam.get("/api/l/" + "A" * 43, token=None)
    short = jardam.get("/api/l/abc", token=None)
    assert gone.status == unknown.status == short.status == 404
    assert gone.body == unknown.body == short.body
    assert jardam.post(old, {"action": "available"}, token=None).status == 404
    assert jardam.get(new, token=None).status == 200
    assert jardam.post(f"/api/vehicles/veh_nope/link").status == 404
    assert jardam.post(f"/api/vehicles/{v['id']}/link", token="oper").status == 403
    s = jardam.shelter()
    assert jardam.post(f"/api/shelters/{s['id']}/link").status == 201
    assert jardam.get(jardam.link(s["link"]), token=None).status == 404
    vol = jardam.volunteer(available=False)
    assert jardam.post(f"/api/volunteers/{vol['id']}/link").status == 201
    assert jardam.post(f"/api/bananas/{vol['id']}/link").status == 404


def test_link_pages_and_get_changes_nothing(jardam):
    v = jardam.vehicle(available=False)
    token = v["link"].rsplit("/", 1)[1]
    page = jardam.get("/l/" + token, token=None)
    assert page.status == 200 and b"<html" in page.body.lower()
    for _ in range(3):
        jardam.get(jardam.link(v["link"]), token=None)
    assert jardam.get("/api/vehicles").json[0]["status"] == "off"


def test_logs_hold_no_secrets(jardam):
    s = jardam.shelter()
    v = jardam.vehicle()
    jardam.new_request()
    log = jardam.log()
    for secret in ("admin-password-123", jardam.admin, "+996700333444", "SECRET-SHELTER-ADDRESS",
                   "SECRET-PICKUP-NOTE", "SECRET-CASE-NOTES", s["link"].rsplit("/", 1)[1],
                   v["link"].rsplit("/", 1)[1]):
        assert secret not in log, secret
    assert "route=/api/l/:token" in log


def test_metrics_are_prometheus_text(jardam):
    m = jardam.get("/metrics", token=None)
    assert m.status == 200 and m.headers["content-type"].startswith("text/plain")
    assert 'jardam_requests{state="waiting"} 0' in m.body.decode()


def test_full_disk_answers_503_and_keeps_what_was_acknowledged(tmp_path):
    """A write that cannot be committed is never acknowledged: with the
    database on a tiny filesystem, requests fill it until the answer is
    503, and after a restart every 201 is there and nothing else."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=700k", "tmpfs", str(mnt)],
                       capture_output=True)
    if r.returncode != 0:
        import pytest
        pytest.skip("cannot mount a small tmpfs here: " + r.stderr.decode())
    try:
        j = Jardam(storage__database=str(mnt / "jardam.db"))
        try:
            created, failed = [], None
            for i in range(400):
                r = j.post("/api/requests", {"lat": 42.87, "lon": 74.59, "notes": "x" * 8000},
                           token="oper")
                if r.status == 201:
                    created.append(r.json["id"])
                else:
                    failed = r
                    break
            assert failed is not None, "the filesystem never filled"
            assert failed.status == 503 and failed.json["error"]["code"] == "unavailable"
            assert created
            j.restart()
            ids = {x["id"] for x in j.get("/api/requests?limit=1000").json}
            assert ids == set(created)
        finally:
            j.stop()
    finally:
        subprocess.run(["umount", "-l", str(mnt)])


def test_admin_manages_users(jardam):
    r = jardam.post("/api/users", {"username": "amina", "password": "a-long-password", "role": "operator"})
    assert r.status == 201 and r.json["role"] == "operator" and "password" not in r.body.decode()
    assert jardam.login("amina", "a-long-password")
    assert jardam.post("/api/users", {"username": "amina", "password": "another-password",
                                      "role": "operator"}).status == 409
    assert jardam.post("/api/users", {"username": "b", "password": "short", "role": "operator"}).status == 400
    assert jardam.post("/api/users", {"username": "b", "password": "long-enough-1", "role": "boss"}).status == 400
    assert jardam.post("/api/users", {"username": "c", "password": "long-enough-1", "role": "admin"},
                       token="oper").status == 403
    users = jardam.get("/api/users").json
    assert sorted(u["username"] for u in users) == ["admin", "amina", "oper"]
    assert all("pw_hash" not in u for u in users)
    assert jardam.get("/api/users", token="oper").status == 403
