"""Black-box tests of notifications and referrals: signed webhooks,
at-least-once delivery through failures and crashes, the consent gate,
acknowledgements, and the Telegram and SMS adapters against local stubs."""
import base64
import hashlib
import hmac
import json
import time
import urllib.parse

from jardam import Receiver

SECRET = "test-secret-at-least-24-bytes!!"
CANARIES = ("SECRET-PICKUP-NOTE", "SECRET-CASE-NOTES", "SECRET-SHELTER-ADDRESS", "Gulshan Canary")


def bodies(receiver, kind=None):
    out = []
    for m in receiver.delivered():
        try:
            b = json.loads(m["body"])
        except ValueError:
            continue
        if kind is None or b.get("kind") == kind:
            out.append(b)
    return out


def test_signatures_verify_and_shape(make_jardam, receiver):
    j = make_jardam(notify__webhook_url=receiver.url + "/outbox")
    j.shelter()
    j.vehicle(driver_name="Signed")
    r = j.new_request()
    msgs = receiver.wait_for(lambda m: b'"offer"' in m["body"])
    assert msgs
    m = msgs[0]
    h = {k.lower(): v for k, v in m["headers"].items()}
    body = json.loads(m["body"])
    assert h["webhook-id"] == body["id"]
    signed = f"{h['webhook-id']}.{h['webhook-timestamp']}.".encode() + m["body"]
    want = base64.b64encode(hmac.new(SECRET.encode(), signed, hashlib.sha256).digest()).decode()
    assert h["webhook-signature"] == "v1," + want
    assert abs(int(h["webhook-timestamp"]) - time.time()) < 60
    assert body["kind"] == "offer" and body["request"] == r["id"]
    assert body["to"] == {"name": "Signed", "phone": "+996700333444"}
    assert body["link"].startswith(f"http://127.0.0.1:{j.port}/l/")
    # on the webhook the link travels in its own field, not in the text
    assert body["text"].startswith("Jardam: ") and body["link"] not in body["text"]
    assert m["path"] == "/outbox"


def test_no_message_carries_secrets(make_jardam, receiver):
    j = make_jardam(notify__webhook_url=receiver.url + "/outbox", escalation__step="1s")
    j.shelter()
    j.service("social")
    j.service("coordinator")
    v = j.vehicle()
    r = j.new_request(notes="SECRET-CASE-NOTES Gulshan Canary", consent={"social": True})
    j.post("/api/referrals", {"request": r["id"], "kinds": ["social"], "summary": "needs housing"},
           token="oper")
    o = j.offers_of(v)[0]
    pv = j.link(v["link"])
    j.post(pv, {"action": "accept", "offer": o["id"]}, token=None)
    j.post(pv, {"action": "picked_up", "offer": o["id"]}, token=None)
    r2 = j.new_request(pickup_note="SECRET-PICKUP-NOTE", risk="high")   # escalates: no vehicle
    assert j.wait(lambda: len(bodies(receiver, "escalation")) >= 2, timeout=6)
    assert bodies(receiver, "referral")
    for m in receiver.messages:
        for canary in CANARIES:
            assert canary.encode() not in m["body"], canary
            assert canary not in m["path"]
    assert r2["id"]


def test_receiver_failing_then_recovering_gets_everything(make_jardam):
    fails_until = time.time() + 2.5
    rec = Receiver()
    rec.status = lambda path, body: 500 if time.time() < fails_until else 200
    try:
        j = make_jardam(notify__webhook_url=rec.url + "/outbox")
        j.shelter(beds=10)
        for i in range(3):
            j.vehicle(driver_name=f"D{i}", lat=42.87 + i * 0.01, lon=74.59)
        ids = {j.new_request()["id"] for _ in range(3)}
        assert j.wait(lambda: {b["request"] for b in bodies(rec, "offer")} == ids, timeout=20)
        failed = [m for m in rec.messages if m["status"] == 500]
        assert failed, "the receiver never failed"
        # every failed id came back later with the same id
        ok_ids = {json.loads(m["body"])["id"] for m in rec.delivered()}
        assert {json.loads(m["body"])["id"] for m in failed} <= ok_ids
        assert j.wait(lambda: "jardam_outbox_pending 0" in j.get("/metrics", token=None).body.decode())
    finally:
        rec.close()


def test_kill9_with_pending_messages_then_restart_delivers(make_jardam):
    rec = Receiver()
    rec.status = 503
    try:
        j = make_jardam(notify__webhook_url=rec.url + "/outbox")
        j.shelter()
        j.vehicle(driver_name="Pending")
        r = j.new_request()
        assert j.wait(lambda: rec.messages)     # tried, failed
        j.kill9()
        rec.status = 200
        j.start()
        got = rec.wait_for(lambda m: json.loads(m["body"])["request"] == r["id"], timeout=10)
        assert got and json.loads(got[0]["body"])["kind"] == "offer"
    finally:
        rec.close()


def test_referral_consent_gate_ack_and_timeline(make_jardam, receiver):
    own = Receiver()
    try:
        j = make_jardam(notify__webhook_url=receiver.url + "/outbox")
        j.shelter()
        svc = j.service("social", name="Social Bishkek", webhook_url=own.url + "/social")
        j.service("police")
        r = j.new_request(consent={"social": True, "police": False})
        no = j.post("/api/referrals", {"request": r["id"], "kinds": ["police"], "summary": "x"}, token="oper")
        assert no.status == 422 and no.json["error"]["code"] == "consent_required"
        no = j.post("/api/referrals", {"request": r["id"], "kinds": ["social", "police"]}, token="oper")
        assert no.status == 422
        assert j.post("/api/referrals", {"request": r["id"], "kinds": ["wizardry"]}).status == 400
        assert j.post("/api/referrals", {"request": "req_nope", "kinds": ["social"]}).status == 404
        ok = j.post("/api/referrals", {"request": r["id"], "kinds": ["social"],
                                       "summary": "Mother and two children need housing"}, token="oper")
        assert ok.status == 201
        assert ok.json["referrals"][0]["service"]["id"] == svc["id"] and ok.json["neighbors"] == []
        msg = j.wait(lambda: [b for b in bodies(receiver, "referral") if b["request"] == r["id"]])
        assert msg and msg[0]["to"]["name"] == "Social Bishkek"
        copy = own.wait_for(lambda m: m["path"] == "/social")
        assert copy and json.loads(copy[0]["body"])["link"] == msg[0]["link"]
        link = j.link(msg[0]["link"])
        g = j.get(link, token=None)
        assert g.status == 200 and g.json["kind"] == "referral" and g.json["state"] == "sent"
        assert g.json["summary"] == "Mother and two children need housing"
        assert b"SECRET" not in g.body
        a = j.post(link, {"action": "ack", "note": "we will call her today"}, token=None)
        assert a.status == 200 and a.json["state"] == "acknowledged"
        assert j.post(link, {"action": "ack"}, token=None).status == 409
        assert j.post(link, {"action": "done", "note": "housed"}, token=None).status == 200
        ev = j.req(r["id"])["events"]
        acked = [e for e in ev if e["type"] == "referral_acked"]
        assert acked and "we will call her today" in acked[0]["detail"]
        assert [e for e in ev if e["type"] == "referral_done"]
    finally:
        own.close()


def test_referral_uses_neighbours_and_says_so(make_jardam, receiver):
    j = make_jardam(notify__webhook_url=receiver.url + "/outbox")
    j.service("medical", district="alamudun", name="Alamudun clinic")
    j.service("medical", district="osh-city")
    r = j.new_request(consent={"medical": True})
    ok = j.post("/api/referrals", {"request": r["id"], "kinds": ["medical"]}, token="oper")
    assert ok.status == 201 and ok.json["neighbors"] == ["medical"]
    assert [x["service"]["name"] for x in ok.json["referrals"]] == ["Alamudun clinic"]
    r2 = j.new_request(lat=42.49, lon=78.39, consent={"legal": True})
    none = j.post("/api/referrals", {"request": r2["id"], "kinds": ["legal"]}, token="oper")
    assert none.status == 422


def test_unacknowledged_referral_escalates(make_jardam, receiver):
    j = make_jardam(notify__webhook_url=receiver.url + "/outbox", dispatch__referral_ack_timeout="1s")
    j.service("social")
    r = j.new_request(consent={"social": True})
    j.post("/api/referrals", {"request": r["id"], "kinds": ["social"]}, token="oper")
    esc = j.wait(lambda: [e for e in j.get("/api/escalations?open=1").json
                          if e["reason"] == "referral_unacknowledged"], timeout=5)
    assert esc and esc[0]["request"] == r["id"]
    link = j.link(j.wait(lambda: bodies(receiver, "referral"))[0]["link"])
    assert j.post(link, {"action": "ack"}, token=None).status == 200
    assert not [e for e in j.get("/api/escalations?open=1").json
                if e["reason"] == "referral_unacknowledged"]


def test_revoking_consent_cancels_unsent_notices(make_jardam):
    rec = Receiver()
    rec.status = 500
    try:
        j = make_jardam(notify__webhook_url=rec.url + "/outbox")
        j.service("social")
        r = j.new_request(consent={"social": True})
        assert j.post("/api/referrals", {"request": r["id"], "kinds": ["social"]}, token="oper").status == 201
        p = j.call("PATCH", f"/api/requests/{r['id']}", {"consent": {"social": False}}, token="oper")
        assert p.status == 200
        rec.status = 200
        time.sleep(3)
        assert not bodies(rec, "referral")
    finally:
        rec.close()


def test_telegram_adapter_honours_retry_after(make_jardam):
    calls = []
    tg = Receiver()

    def answer(path, body):
        calls.append(time.time())
        if len(calls) == 1:
            return 429, b'{"ok":false,"error_code":429,"parameters":{"retry_after":2}}'
        return 200, b'{"ok":true,"result":{}}'
    tg.status = answer
    try:
        j = make_jardam(notify__telegram_api=tg.url, notify__telegram_token="123:ABC")
        j.shelter()
        j.vehicle(driver_name="Tg", channel="telegram", telegram_chat="777", lang="en")
        j.new_request()
        assert j.wait(lambda: len(calls) >= 2, timeout=10)
        m = tg.messages[-1]
        assert m["path"] == "/bot123:ABC/sendMessage" and m["status"] == 200
        b = json.loads(m["body"])
        assert b["chat_id"] == "777" and b["disable_web_page_preview"] is True
        assert "/l/" in b["text"] and "trip offer" in b["text"]
        assert calls[1] - calls[0] >= 1.9     # retry_after, not the 1 s backoff
    finally:
        tg.close()


def test_sms_adapter_kannel_style(make_jardam):
    gw = Receiver()
    gw.status = 202
    try:
        j = make_jardam(notify__sms_url=gw.url + "/cgi-bin/sendsms?to={to}&text={text}")
        j.shelter()
        j.vehicle(channel="sms", phone="+996700999000", lang="ru")
        j.new_request()
        got = gw.wait_for(lambda m: m["path"].startswith("/cgi-bin/sendsms"))
        assert got
        q = urllib.parse.parse_qs(urllib.parse.urlparse(got[0]["path"]).query)
        assert q["to"] == ["+996700999000"]
        text = q["text"][0]
        assert "/l/" in text
        body = text.split(" http")[0]
        assert len(body) <= 70, body
        assert "поездка" in body
    finally:
        gw.close()


def test_languages_and_sms_length(make_jardam, receiver):
    j = make_jardam(notify__webhook_url=receiver.url + "/outbox", notify__default_lang="ky")
    j.shelter(beds=8)
    j.vehicle(driver_name="Ky")
    j.vehicle(driver_name="Ru", lang="ru", lat=42.80, lon=74.55)
    j.new_request(risk="high")
    assert j.wait(lambda: len(bodies(receiver, "offer")) >= 2)
    got = bodies(receiver, "offer")
    texts = {b["to"]["name"]: b["text"].split(" http")[0] for b in got}
    assert "сапар" in texts["Ky"] and "поездка" in texts["Ru"]
    for t in texts.values():
        assert len(t) <= 70, t


def test_hanging_receiver_never_slows_the_dispatcher(make_jardam):
    """A receiver that accepts connections and never answers: requests are
    still answered at once; the messages wait for their retry."""
    import socket
    import threading
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(64)
    held = []
    stop = threading.Event()

    def hold():
        lsock.settimeout(0.2)
        while not stop.is_set():
            try:
                c, _ = lsock.accept()
                held.append(c)      # read nothing, answer nothing
            except OSError:
                pass
    t = threading.Thread(target=hold, daemon=True)
    t.start()
    try:
        j = make_jardam(notify__webhook_url=f"http://127.0.0.1:{lsock.getsockname()[1]}/outbox")
        j.shelter(beds=50)
        for i in range(5):
            j.vehicle(lat=42.87 + i * 0.002, lon=74.59)
        worst = 0
        for _ in range(20):
            t0 = time.time()
            j.new_request()
            worst = max(worst, time.time() - t0)
        assert held, "jardam never tried to deliver"
        assert worst < 0.5, worst
        assert j.get("/healthz", token=None).status == 200
    finally:
        stop.set()
        for c in held:
            c.close()
        lsock.close()


def test_demo_referral_reaches_a_receiver_and_ack_shows_on_timeline(tmp_path, receiver):
    """The demo as a newcomer runs it, with a local receiver configured."""
    import re
    import subprocess
    from jardam import BIN, DISTRICTS, free_port, request
    port = free_port()
    cfg = tmp_path / "demo.ini"
    cfg.write_text(f"[server]\nlisten = 127.0.0.1:{port}\npublic_url = http://127.0.0.1:{port}\n"
                   f"[storage]\ndatabase = j.db\nkey_file = j.key\n[geo]\ndistricts = {DISTRICTS}\n"
                   f"[notify]\nwebhook_url = {receiver.url}/outbox\n")
    demo = subprocess.run([BIN, "--config", str(cfg), "demo"], capture_output=True, text=True)
    assert demo.returncode == 0, demo.stderr
    pw = re.search(r"operator: operator / (\S+)", demo.stdout).group(1)
    log = open(tmp_path / "log", "w")
    proc = subprocess.Popen([BIN, "--config", str(cfg), "serve"], stdout=log, stderr=log)
    try:
        for _ in range(200):
            try:
                if request(port, "GET", "/healthz").status == 200:
                    break
            except OSError:
                time.sleep(0.02)
        tok = request(port, "POST", "/api/login", {"username": "operator", "password": pw}).json["token"]
        r = request(port, "POST", "/api/requests", {"lat": 42.87, "lon": 74.59, "adults": 1,
                                                    "consent": {"social": True}}, tok).json
        ref = request(port, "POST", "/api/referrals", {"request": r["id"], "kinds": ["social"],
                                                       "summary": "needs a place"}, tok)
        assert ref.status == 201
        assert ref.json["referrals"][0]["service"]["name"] == "Bishkek social service (demo)"
        got = receiver.wait_for(lambda m: json.loads(m["body"])["kind"] == "referral")
        assert got
        link = json.loads(got[0]["body"])["link"]
        ack = request(port, "POST", "/api/l/" + link.rsplit("/l/", 1)[1], {"action": "ack", "note": "called her"})
        assert ack.status == 200
        ev = request(port, "GET", f"/api/requests/{r['id']}", token=tok).json["events"]
        assert any(e["type"] == "referral_acked" and "called her" in e["detail"] for e in ev)
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
