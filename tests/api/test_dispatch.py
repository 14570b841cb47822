"""Black-box scenarios of the dispatch core: one per rule of the issue."""
import json
import threading
import time

import pytest

from jardam import request


def offer_messages(receiver, request_id=None, name=None):
    out = []
    for m in receiver.delivered():
        body = json.loads(m["body"])
        if body["kind"] != "offer":
            continue
        if request_id and body["request"] != request_id:
            continue
        if name and body["to"]["name"] != name:
            continue
        out.append(body)
    return out


def offer_link(j, receiver, request_id, name):
    got = j.wait(lambda: offer_messages(receiver, request_id, name), timeout=10)
    assert got, f"no offer for {name}"
    return j.link(got[-1]["link"])


def test_happy_path_to_delivered(make_jardam, receiver):
    j = make_jardam(notify__webhook_url=receiver.url + "/outbox")
    s = j.shelter(beds=4)
    v = j.vehicle(driver_name="Aigul", features=["child_seat"])
    r = j.new_request(adults=1, children=1, needs=["child_seat"])
    assert r["state"] == "offered"
    assert r["shelter"]["id"] == s["id"] and r["vehicle"] is None
    shel = j.get("/api/shelters").json[0]
    assert (shel["beds_available"], shel["beds_held"]) == (2, 2)
    link = offer_link(j, receiver, r["id"], "Aigul")
    g = j.get(link, token=None)
    assert g.status == 200 and g.json["kind"] == "offer"
    assert g.json["party"] == {"adults": 1, "children": 1} and g.json["district"] == "bishkek"
    for secret in (b"SECRET", b"42.87", b"74.59", b"pickup", b"address"):
        assert secret not in g.body, secret
    assert j.post(link, {"action": "details"}, token=None).status == 409
    a = j.post(link, {"action": "accept"}, token=None)
    assert a.status == 200
    assert j.req(r["id"])["state"] == "accepted"
    assert j.get("/api/vehicles").json[0]["status"] == "busy"
    d = j.post(link, {"action": "details"}, token=None).json
    assert d["pickup"] == {"lat": 42.87, "lon": 74.59} and d["pickup_note"] == "SECRET-PICKUP-NOTE"
    assert "shelter" not in d
    assert j.post(link, {"action": "delivered"}, token=None).status == 409
    assert j.post(link, {"action": "en_route"}, token=None).status == 200
    p = j.post(link, {"action": "picked_up"}, token=None)
    assert p.status == 200 and p.json["shelter"]["address"] == "SECRET-SHELTER-ADDRESS 1"
    d = j.post(link, {"action": "details"}, token=None).json
    assert d["shelter"]["address"] == "SECRET-SHELTER-ADDRESS 1"
    assert j.post(link, {"action": "delivered"}, token=None).status == 200
    done = j.req(r["id"])
    assert done["state"] == "delivered" and done["vehicle"]["id"] == v["id"]
    types = [e["type"] for e in done["events"]]
    for t in ("created", "bed_held", "offer_sent", "accept", "en_route", "picked_up", "delivered"):
        assert t in types, t
    shel = j.get("/api/shelters").json[0]
    assert (shel["beds_total"], shel["beds_available"], shel["beds_held"]) == (4, 2, 0)
    assert j.get("/api/vehicles").json[0]["status"] == "available"
    assert j.post(link, {"action": "accept"}, token=None).status == 409
    # GET on the offer link never changed anything
    assert j.get(link, token=None).json["state"] == "accepted"


def test_offer_timeout_passes_the_offer_on(make_jardam):
    j = make_jardam(dispatch__offer_timeout="1s")
    j.shelter()
    near = j.vehicle(lat=42.871, lon=74.591)
    far = j.vehicle(lat=42.80, lon=74.55)
    r = j.new_request()
    first = j.offers_of(near)
    assert len(first) == 1 and j.offers_of(far) == []
    assert j.wait(lambda: j.offers_of(far), timeout=5)
    assert j.offers_of(near) == []
    assert j.get(j.link(near["link"]), token=None).json["status"] == "available"
    ev = [e["type"] for e in j.req(r["id"])["events"]]
    assert "offer_lapsed" in ev
    # the lapsed offer cannot be accepted
    a = j.post(j.link(near["link"]), {"action": "accept", "offer": first[0]["id"]}, token=None)
    assert a.status in (404, 410)


def test_decline_passes_on_and_is_not_asked_again(jardam):
    jardam.shelter()
    a = jardam.vehicle(lat=42.871, lon=74.591)
    b = jardam.vehicle(lat=42.80, lon=74.55)
    r = jardam.new_request()
    oa = jardam.offers_of(a)[0]
    assert jardam.post(jardam.link(a["link"]), {"action": "decline", "offer": oa["id"]}, token=None).status == 200
    ob = jardam.offers_of(b)
    assert len(ob) == 1
    assert jardam.post(jardam.link(b["link"]), {"action": "decline", "offer": ob[0]["id"]}, token=None).status == 200
    # both declined: nobody left, though A is available again
    assert jardam.offers_of(a) == []
    req = jardam.req(r["id"])
    assert req["state"] == "waiting"
    esc = jardam.get("/api/escalations?open=1").json
    assert [e["reason"] for e in esc] == ["no_vehicle"]
    assert esc[0]["request"] == r["id"] and esc[0]["level"] == 1


def test_neighbour_district_when_own_has_no_vehicle(jardam):
    jardam.shelter()
    osh = jardam.vehicle(district="osh-city", lat=40.53, lon=72.80)
    ala = jardam.vehicle(district="alamudun", lat=42.95, lon=74.62)
    r = jardam.new_request()
    assert r["state"] == "offered"
    assert len(jardam.offers_of(ala)) == 1 and jardam.offers_of(osh) == []


def test_no_vehicle_then_one_becomes_available(jardam):
    jardam.shelter()
    v = jardam.vehicle(available=False)
    r = jardam.new_request()
    assert r["state"] == "waiting"
    esc = jardam.get("/api/escalations?open=1").json
    assert [e["reason"] for e in esc] == ["no_vehicle"]
    assert jardam.post(jardam.link(v["link"]), {"action": "available"}, token=None).status == 200
    assert jardam.wait(lambda: jardam.req(r["id"])["state"] == "offered")
    assert len(jardam.offers_of(v)) == 1
    oid = jardam.offers_of(v)[0]["id"]
    assert jardam.post(jardam.link(v["link"]), {"action": "accept", "offer": oid}, token=None).status == 200
    assert jardam.get("/api/escalations?open=1").json == []
    allesc = jardam.get("/api/escalations").json
    assert allesc[0]["resolved_at"] is not None


def test_no_bed_then_shelter_frees_beds(jardam):
    s = jardam.shelter(beds=2, avail=0)
    v = jardam.vehicle()
    r = jardam.new_request(adults=2)
    assert r["state"] == "waiting" and r["shelter"] is None
    assert [e["reason"] for e in jardam.get("/api/escalations?open=1").json] == ["no_bed"]
    assert jardam.offers_of(v) == []
    ok = jardam.post(jardam.link(s["link"]), {"action": "set_beds", "beds_total": 2,
                                              "beds_available": 2}, token=None)
    assert ok.status == 200
    assert jardam.wait(lambda: jardam.req(r["id"])["state"] == "offered")
    req = jardam.req(r["id"])
    assert req["shelter"]["id"] == s["id"]
    assert jardam.get("/api/escalations?open=1").json == []
    sh = jardam.get("/api/shelters").json[0]
    assert (sh["beds_available"], sh["beds_held"]) == (0, 2)


def test_party_must_fit_one_shelter(jardam):
    jardam.shelter(beds=2)
    jardam.shelter(beds=2, lat=42.86, lon=74.58)
    jardam.vehicle(seats=6)
    r = jardam.new_request(adults=1, children=2)
    assert r["state"] == "waiting"
    assert all(s["beds_held"] == 0 for s in jardam.get("/api/shelters").json)


def test_unfit_vehicles_never_offered(jardam):
    jardam.shelter(beds=6)
    lapsed = jardam.vehicle(vetted="2020-01-01T00:00:00Z", features=["child_seat"])
    small = jardam.vehicle(seats=2, features=["child_seat"])
    noseat = jardam.vehicle(seats=6)
    r = jardam.new_request(adults=1, children=2, needs=["child_seat"])
    assert r["state"] == "waiting"
    for v in (lapsed, small, noseat):
        assert jardam.offers_of(v) == []
    fit = jardam.vehicle(seats=4, features=["child_seat"], lat=42.6, lon=74.4, district="alamudun")
    assert jardam.wait(lambda: jardam.offers_of(fit))


def test_high_risk_parallel_offers_and_one_winner(make_jardam):
    j = make_jardam(dispatch__offer_parallel_high="3")
    j.shelter(beds=50)
    vs = [j.vehicle(lat=42.87 + i * 0.001, lon=74.59) for i in range(4)]
    for rnd in range(100):
        r = j.new_request(risk="high")
        open_offers = [(v, o) for v in vs for o in j.offers_of(v)]
        assert len(open_offers) == 3, open_offers
        (va, oa), (vb, ob) = open_offers[0], open_offers[1]
        results = []
        barrier = threading.Barrier(2)

        def accept(v, o):
            barrier.wait()
            results.append(request(j.port, "POST", j.link(v["link"]),
                                   {"action": "accept", "offer": o["id"]}).status)

        ts = [threading.Thread(target=accept, args=x) for x in ((va, oa), (vb, ob))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert sorted(results) == [200, 409], results
        req = j.req(r["id"])
        assert req["state"] == "accepted"
        # the third offer was withdrawn when the first accept won
        assert sum(len(j.offers_of(v)) for v in vs) == 0
        assert j.post(f"/api/requests/{r['id']}/cancel", {"reason": "test"}).status == 200


def test_same_offer_accepted_twice_at_once(make_jardam, receiver):
    j = make_jardam(notify__webhook_url=receiver.url + "/outbox")
    j.shelter()
    j.vehicle(driver_name="Solo")
    r = j.new_request()
    link = offer_link(j, receiver, r["id"], "Solo")
    results = []
    barrier = threading.Barrier(2)

    def accept():
        barrier.wait()
        results.append(request(j.port, "POST", link, {"action": "accept"}).status)

    ts = [threading.Thread(target=accept) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert sorted(results) == [200, 409]


def test_cancel_releases_hold_and_withdraws_link(make_jardam, receiver):
    j = make_jardam(notify__webhook_url=receiver.url + "/outbox")
    j.shelter(beds=3)
    v = j.vehicle(driver_name="Bakyt")
    r = j.new_request(adults=2)
    link = offer_link(j, receiver, r["id"], "Bakyt")
    assert j.get("/api/shelters").json[0]["beds_held"] == 2
    c = j.post(f"/api/requests/{r['id']}/cancel", {"reason": "safe with family"}, token="oper")
    assert c.status == 200 and c.json["state"] == "cancelled"
    sh = j.get("/api/shelters").json[0]
    assert (sh["beds_available"], sh["beds_held"]) == (3, 0)
    assert j.get(link, token=None).status in (404, 410)
    assert j.post(link, {"action": "accept"}, token=None).status in (404, 409, 410)
    assert j.get("/api/vehicles").json[0]["status"] == "available"
    assert j.post(f"/api/requests/{r['id']}/cancel", {}).status == 409
    assert j.post("/api/requests/req_nope/cancel", {}).status == 404
    withdrawn = j.wait(lambda: [m for m in receiver.delivered()
                                if json.loads(m["body"])["kind"] == "offer_withdrawn"])
    assert withdrawn


def test_cannot_complete_frees_bed_and_redispatches(jardam):
    jardam.shelter(beds=2)
    a = jardam.vehicle(lat=42.871, lon=74.591)
    b = jardam.vehicle(lat=42.80, lon=74.55)
    r = jardam.new_request()
    oa = jardam.offers_of(a)[0]
    pa = jardam.link(a["link"])
    assert jardam.post(pa, {"action": "accept", "offer": oa["id"]}, token=None).status == 200
    assert jardam.post(pa, {"action": "en_route", "offer": oa["id"]}, token=None).status == 200
    assert jardam.post(pa, {"action": "cannot_complete", "offer": oa["id"]}, token=None).status == 200
    assert jardam.wait(lambda: jardam.offers_of(b))
    req = jardam.req(r["id"])
    assert req["state"] == "offered" and req["vehicle"] is None
    assert jardam.get(pa, token=None).json["status"] == "off"


def test_idempotency_key(jardam):
    jardam.shelter()
    body = {"lat": 42.87, "lon": 74.59, "adults": 1}
    h = {"Idempotency-Key": "call-123"}
    a = jardam.post("/api/requests", body, headers=h, token="oper")
    b = jardam.post("/api/requests", body, headers=h, token="oper")
    assert a.status == b.status == 201 and a.json["id"] == b.json["id"]
    c = jardam.post("/api/requests", dict(body, adults=2), headers=h, token="oper")
    assert c.status == 422
    assert len(jardam.get("/api/requests").json) == 1
    d = jardam.post("/api/requests", body, headers={"Idempotency-Key": "call-124"}, token="oper")
    assert d.status == 201 and d.json["id"] != a.json["id"]


def test_request_validation(jardam):
    base = {"lat": 42.87, "lon": 74.59, "adults": 1}
    for change, status in (({"adults": 0, "children": 0}, 400), ({"adults": "1"}, 400),
                           ({"needs": ["jetpack"]}, 400), ({"risk": "extreme"}, 400),
                           ({"destination": "moon"}, 400), ({"district": "atlantis"}, 422),
                           ({"lat": 43.24, "lon": 76.89}, 422), ({"consent": {"aliens": True}}, 400),
                           ({"consent": {"police": "yes"}}, 400), ({"escort": "yes"}, 400),
                           ({"lat": None}, 400), ({"notes": 7}, 400)):
        r = jardam.post("/api/requests", dict(base, **change), token="oper")
        assert r.status == status, (change, r)
    # outside every district but with an explicit one: accepted
    r = jardam.post("/api/requests", dict(base, lat=43.24, lon=76.89, district="bishkek"), token="oper")
    assert r.status == 201
    assert len(jardam.get("/api/requests").json) == 1


def test_list_patch_and_filters(jardam):
    jardam.shelter()
    r1 = jardam.new_request()
    r2 = jardam.new_request(lat=40.53, lon=72.80)
    lst = jardam.get("/api/requests").json
    assert [x["id"] for x in lst][:2] == [r2["id"], r1["id"]]
    assert [x["id"] for x in jardam.get("/api/requests?district=osh-city").json] == [r2["id"]]
    assert jardam.get("/api/requests?state=bogus").status == 400
    waiting = jardam.get("/api/requests?state=waiting").json
    assert {x["id"] for x in waiting} == {r1["id"], r2["id"]}
    p = jardam.call("PATCH", f"/api/requests/{r1['id']}", {"risk": "high"}, token="oper")
    assert p.status == 200 and p.json["risk"] == "high"
    p = jardam.call("PATCH", f"/api/requests/{r1['id']}", {"risk": "medium"}, token="oper")
    assert p.status == 422
    p = jardam.call("PATCH", f"/api/requests/{r1['id']}", {"consent": {"police": True}}, token="oper")
    assert p.status == 200 and p.json["consent"]["police"] is True
    assert p.json["consent"]["social"] is False
    assert jardam.call("PATCH", "/api/requests/req_nope", {"risk": "high"}).status == 404


def test_escort_offered_with_the_vehicle(jardam):
    jardam.shelter()
    v = jardam.vehicle()
    vol = jardam.volunteer()
    other = jardam.volunteer(role="psychologist")
    r = jardam.new_request(escort=True)
    vl = jardam.link(vol["link"])
    offers = jardam.get(vl, token=None).json["offers"]
    assert len(offers) == 1 and offers[0]["offer_kind"] == "escort"
    assert jardam.get(jardam.link(other["link"]), token=None).json["offers"] == []
    assert jardam.post(vl, {"action": "accept", "offer": offers[0]["id"]}, token=None).status == 200
    req = jardam.req(r["id"])
    assert req["escort_volunteer"]["id"] == vol["id"] and req["state"] == "offered"


def test_no_escort_escalates(jardam):
    jardam.shelter()
    jardam.vehicle()
    r = jardam.new_request(escort=True)
    reasons = {e["reason"] for e in jardam.get("/api/escalations?open=1").json}
    assert reasons == {"no_escort"}
    assert r["state"] == "offered"


def test_stall_escalation_rises_and_ack_stops_it(make_jardam, receiver):
    j = make_jardam(dispatch__stall_accepted="1s", escalation__step="1s", escalation__max_level="3",
                    notify__webhook_url=receiver.url + "/outbox")
    j.shelter()
    j.service("coordinator", name="Bishkek coordinator")
    v = j.vehicle()
    r = j.new_request()
    o = j.offers_of(v)[0]
    pv = j.link(v["link"])
    assert j.post(pv, {"action": "accept", "offer": o["id"]}, token=None).status == 200
    esc = j.wait(lambda: [e for e in j.get("/api/escalations?open=1").json
                          if e["reason"] == "stalled_accepted"], timeout=5)
    assert esc and esc[0]["level"] == 1
    assert j.wait(lambda: j.get("/api/escalations?open=1").json[0]["level"] == 2, timeout=5)
    # from level 2 the district's coordinator hears of it
    coord = j.wait(lambda: [m for m in receiver.delivered()
                            if json.loads(m["body"])["kind"] == "escalation"
                            and json.loads(m["body"])["to"]["name"] == "Bishkek coordinator"])
    assert coord
    e = j.get("/api/escalations?open=1").json[0]
    a = j.post(f"/api/escalations/{e['id']}/ack", token="oper")
    assert a.status == 200 and a.json["acked_at"] is not None
    time.sleep(2.2)
    e2 = j.get("/api/escalations?open=1").json[0]
    assert e2["level"] == e["level"] and e2["acked_at"] is not None
    assert j.req(r["id"])["escalation_level"] == e["level"]
    # the cause goes away: the escalation resolves by itself
    assert j.post(pv, {"action": "en_route", "offer": o["id"]}, token=None).status == 200
    assert [x for x in j.get("/api/escalations?open=1").json if x["reason"] == "stalled_accepted"] == []
    assert j.post("/api/escalations/esc_nope/ack").status == 404
    assert j.post(f"/api/escalations/{e['id']}/ack").status == 409


def test_unacked_escalation_stops_at_max_level(make_jardam):
    j = make_jardam(escalation__step="1s", escalation__max_level="2")
    j.shelter()
    j.new_request()
    assert j.wait(lambda: j.get("/api/escalations?open=1").json[0]["level"] == 2, timeout=5)
    time.sleep(1.5)
    assert j.get("/api/escalations?open=1").json[0]["level"] == 2


def test_kill9_mid_trip_and_restart_keeps_everything(make_jardam):
    j = make_jardam(dispatch__stall_accepted="3s")
    j.shelter(beds=3)
    v = j.vehicle()
    r = j.new_request(adults=2)
    o = j.offers_of(v)[0]
    pv = j.link(v["link"])
    assert j.post(pv, {"action": "accept", "offer": o["id"]}, token=None).status == 200
    j.kill9()
    time.sleep(0.5)
    j.start()
    req = j.req(r["id"])
    assert req["state"] == "accepted" and req["vehicle"]["id"] == v["id"]
    sh = j.get("/api/shelters").json[0]
    assert (sh["beds_available"], sh["beds_held"]) == (1, 2)
    assert j.get(pv, token=None).json["status"] == "busy"
    # the stall deadline set before the crash still fires
    assert j.wait(lambda: [e for e in j.get("/api/escalations?open=1").json
                           if e["reason"] == "stalled_accepted"], timeout=8)
    assert j.post(pv, {"action": "en_route", "offer": o["id"]}, token=None).status == 200


def test_kill9_with_pending_offer_deadline_fires_after_restart(make_jardam):
    j = make_jardam(dispatch__offer_timeout="2s")
    j.shelter()
    a = j.vehicle(lat=42.871, lon=74.591)
    b = j.vehicle(lat=42.80, lon=74.55)
    j.new_request()
    assert len(j.offers_of(a)) == 1
    j.kill9()
    time.sleep(2.5)     # the deadline passes while nothing runs
    j.start()
    assert j.wait(lambda: j.offers_of(b), timeout=3)
    assert j.offers_of(a) == []


def test_waiting_requests_rematched_highest_risk_then_oldest(jardam):
    jardam.shelter(beds=10)
    v = jardam.vehicle(available=False)
    old_std = jardam.new_request(risk="standard")
    old_med = jardam.new_request(risk="medium")
    new_high = jardam.new_request(risk="high")
    new_med = jardam.new_request(risk="medium")
    for r in (old_std, old_med, new_high, new_med):
        assert r["state"] == "waiting"
    pv = jardam.link(v["link"])
    order = []
    assert jardam.post(pv, {"action": "available"}, token=None).status == 200
    for _ in range(4):
        # each decline frees the car, which goes to the next in line at once
        offers = jardam.wait(lambda: jardam.offers_of(v))
        rid = [r for r in (old_std, old_med, new_high, new_med)
               if jardam.req(r["id"])["state"] == "offered"]
        assert len(rid) == 1
        order.append(rid[0]["id"])
        assert jardam.post(pv, {"action": "decline", "offer": offers[0]["id"]}, token=None).status == 200
    assert order == [new_high["id"], old_med["id"], new_med["id"], old_std["id"]]


def test_reports_and_metrics(jardam):
    jardam.shelter(beds=5)
    v = jardam.vehicle()
    r = jardam.new_request()
    o = jardam.offers_of(v)[0]
    pv = jardam.link(v["link"])
    for a in ("accept", "en_route", "picked_up", "delivered"):
        assert jardam.post(pv, {"action": a, "offer": o["id"]}, token=None).status == 200
    jardam.new_request(lat=40.53, lon=72.80, destination="same_district")   # Osh: no bed
    rep = {d["district"]: d for d in jardam.get("/api/reports/districts", token="oper").json}
    assert len(rep) == 55
    b = rep["bishkek"]
    assert (b["requests"], b["delivered"], b["cancelled"]) == (1, 1, 0)
    assert b["median_minutes_to_delivery"] is not None and b["median_minutes_to_delivery"] < 1
    assert b["delivered_within_3h"] == 1
    assert (b["beds_total"], b["beds_available"]) == (5, 4)
    o = rep["osh-city"]
    assert (o["requests"], o["unmet_no_bed"], o["median_minutes_to_delivery"]) == (1, 1, None)
    assert rep["naryn"]["requests"] == 0
    assert jardam.get("/api/reports/districts?from=bogus").status == 400
    later = jardam.get("/api/reports/districts?from=2099-01-01T00:00:00Z&to=2099-02-01T00:00:00Z").json
    assert all(d["requests"] == 0 for d in later)
    m = jardam.get("/metrics", token=None).body.decode()
    assert 'jardam_requests{state="delivered"} 1' in m
    assert 'jardam_requests{state="waiting"} 1' in m
    assert "jardam_escalations_open 1" in m
    assert 'jardam_http_responses_total{class="2xx"}' in m


def test_raising_risk_to_high_widens_the_offers(make_jardam):
    j = make_jardam(dispatch__offer_parallel_high="3")
    j.shelter()
    vs = [j.vehicle(lat=42.87 + i * 0.002, lon=74.59) for i in range(4)]
    r = j.new_request()
    assert sum(len(j.offers_of(v)) for v in vs) == 1
    p = j.call("PATCH", f"/api/requests/{r['id']}", {"risk": "high"}, token="oper")
    assert p.status == 200
    assert sum(len(j.offers_of(v)) for v in vs) == 3
    assert "risk_raised" in [e["type"] for e in p.json["events"]]
