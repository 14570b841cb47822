// Jardam phone page: one page for every link; it reads /api/l/TOKEN and
// shows only what that link may see, with a button per allowed action.
"use strict";
const token = location.pathname.split("/").pop();
const api = "/api/l/" + encodeURIComponent(token);
const view = document.getElementById("view");
const errorBox = document.getElementById("error");

function el(tag, text, attrs) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

async function post(body) {
  errorBox.textContent = "";
  const r = await fetch(api, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const data = await r.json().catch(() => null);
  if (!r.ok) { errorBox.textContent = data && data.error ? data.error.message : "HTTP " + r.status; return null; }
  return data;
}

function button(label, body, cls, after) {
  const b = el("button", label, { class: cls || "", "data-action": body.action });
  b.addEventListener("click", async () => {
    const d = await post(body);
    if (d && after) after(d); else if (d) load();
  });
  return b;
}

function details(d) {
  const box = el("div", null, { class: "card", id: "details" });
  box.appendChild(el("p", `Pickup: ${d.pickup.lat.toFixed(5)}, ${d.pickup.lon.toFixed(5)}`));
  if (d.pickup_note) box.appendChild(el("p", "Note: " + d.pickup_note));
  if (d.shelter) box.appendChild(el("p", `Shelter: ${d.shelter.name}, ${d.shelter.address} ${d.shelter.phone || ""}`));
  view.appendChild(box);
}

function offerCard(o, extra) {
  const c = el("div", null, { class: "card big" });
  c.appendChild(el("p", `${o.offer_kind === "escort" ? "Escort" : "Trip"} · ${o.district} · ${o.party.adults} adults, ${o.party.children} children · ${o.distance_km} km`));
  if (o.needs && o.needs.length) c.appendChild(el("p", "Needs: " + o.needs.join(", ")));
  c.appendChild(el("p", `Offer: ${o.state} · trip: ${o.request_state}`, { class: "muted", id: "offer-state" }));
  const act = (a) => Object.assign({ action: a }, extra || {});
  if (o.state === "open") {
    c.appendChild(button("Accept", act("accept")));
    c.appendChild(button("Decline", act("decline"), "secondary"));
  } else if (o.state === "accepted" && o.request_state !== "delivered" && o.request_state !== "cancelled") {
    c.appendChild(button("Show pickup details", act("details"), "secondary", details));
    if (o.offer_kind === "vehicle") {
      if (o.request_state === "accepted") c.appendChild(button("On my way", act("en_route")));
      if (o.request_state === "accepted" || o.request_state === "en_route") c.appendChild(button("Picked up", act("picked_up"), "", (d) => { load().then(() => details(d)); }));
      if (o.request_state === "picked_up") c.appendChild(button("Delivered", act("delivered")));
    }
    c.appendChild(button("Cannot complete", act("cannot_complete"), "danger"));
  }
  return c;
}

function member(v) {
  view.appendChild(el("h2", `${v.name} · ${v.status}`, { id: "status" }));
  view.appendChild(el("p", `District: ${v.district}`, { class: "muted" }));
  const box = el("div", null, { class: "big" });
  if (v.status === "off") {
    const b = el("button", "I am available");
    b.addEventListener("click", () => {
      const send = (pos) => post(pos ? { action: "available", lat: pos.coords.latitude, lon: pos.coords.longitude } : { action: "available" }).then((d) => d && load());
      if (navigator.geolocation) navigator.geolocation.getCurrentPosition(send, () => send(null), { timeout: 5000 });
      else send(null);
    });
    box.appendChild(b);
  } else if (v.status === "available") {
    box.appendChild(button("I am not available", { action: "unavailable" }, "secondary"));
  }
  view.appendChild(box);
  for (const o of v.offers) view.appendChild(offerCard(o, { offer: o.id }));
  for (const o of v.trips) view.appendChild(offerCard(o, { offer: o.id }));
}

function shelter(s) {
  view.appendChild(el("h2", s.name));
  const f = el("form");
  f.appendChild(el("label", "Beds in total"));
  const total = el("input", null, { type: "number", min: "0", value: s.beds_total, name: "beds_total" });
  f.appendChild(total);
  f.appendChild(el("label", "Beds available now"));
  const avail = el("input", null, { type: "number", min: "0", value: s.beds_available, name: "beds_available" });
  f.appendChild(avail);
  f.appendChild(el("p", `Held for incoming trips: ${s.beds_held}`, { class: "muted" }));
  const b = el("button", "Save", { type: "submit" });
  f.appendChild(b);
  f.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (await post({ action: "set_beds", beds_total: Number(total.value), beds_available: Number(avail.value) })) load();
  });
  view.appendChild(f);
  view.appendChild(el("h2", "Incoming"));
  for (const t of s.incoming) {
    const c = el("div", `${t.party} people · ${t.state}`, { class: "card" });
    if (t.state === "picked_up") c.appendChild(button("Arrived", { action: "arrived", request: t.request }));
    view.appendChild(c);
  }
}

function referral(r) {
  view.appendChild(el("h2", `Referral (${r.service_kind}) · ${r.state}`));
  view.appendChild(el("p", `District ${r.request.district} · ${r.request.adults} adults, ${r.request.children} children`));
  if (r.summary) view.appendChild(el("p", r.summary, { class: "card" }));
  const note = el("textarea", null, { placeholder: "Note" });
  view.appendChild(note);
  if (r.state === "sent") view.appendChild(button("Acknowledge", { action: "ack" }, "", () => load()));
  if (r.state !== "done") {
    const b = el("button", "Done", { class: "secondary" });
    b.addEventListener("click", async () => { if (await post({ action: "done", note: note.value })) load(); });
    view.appendChild(b);
  }
}

async function load() {
  const r = await fetch(api);
  const d = await r.json().catch(() => null);
  view.replaceChildren();
  if (!r.ok) { view.appendChild(el("p", r.status === 410 ? "This offer is no longer open." : "This link is not valid.")); return; }
  if (d.kind === "vehicle" || d.kind === "volunteer") member(d);
  else if (d.kind === "offer") view.appendChild(offerCard(d));
  else if (d.kind === "shelter") shelter(d);
  else if (d.kind === "referral") referral(d);
}

load();
