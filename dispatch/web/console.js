// Jardam operators' console: plain DOM, same-origin API, session cookie + CSRF header.
"use strict";
let csrf = sessionStorage.getItem("jardam_csrf") || "";
let me = null;
let current = null;

const $ = (id) => document.getElementById(id);

function el(tag, text, attrs) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: "same-origin" };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  if (method !== "GET") opts.headers["X-CSRF-Token"] = csrf;
  const r = await fetch(path, opts);
  const data = await r.json().catch(() => null);
  if (!r.ok) throw new Error(data && data.error ? data.error.message : "HTTP " + r.status);
  return data;
}

function row(cells) {
  const tr = el("tr");
  for (const c of cells) {
    const td = el("td");
    if (c instanceof Node) td.appendChild(c); else td.textContent = c === null ? "—" : String(c);
    tr.appendChild(td);
  }
  return tr;
}

async function loadDistricts() {
  const ds = await api("GET", "/api/districts");
  const sel = $("district-select");
  ds.sort((a, b) => a.name.localeCompare(b.name));
  for (const d of ds) sel.appendChild(el("option", d.name + (d.name_ru ? " / " + d.name_ru : ""), { value: d.id }));
}

async function loadRequests() {
  const list = await api("GET", "/api/requests?limit=50");
  const tb = $("requests");
  tb.replaceChildren();
  for (const r of list) {
    const b = el("button", "Open", { class: "secondary", "data-id": r.id });
    b.addEventListener("click", () => openRequest(r.id));
    tb.appendChild(row([r.created_at, r.district, r.risk, el("span", r.state, { class: "state" }), r.escalation_level || "", b]));
  }
}

async function openRequest(id) {
  const r = await api("GET", "/api/requests/" + encodeURIComponent(id));
  current = id;
  $("detail").classList.remove("hidden");
  $("detail-id").textContent = r.id;
  const body = $("detail-body");
  body.replaceChildren();
  body.appendChild(el("p", `State: ${r.state} · district ${r.district} · risk ${r.risk} · party ${r.adults}+${r.children}`, { id: "detail-state" }));
  body.appendChild(el("p", `Shelter: ${r.shelter ? r.shelter.name : "—"} · vehicle: ${r.vehicle ? r.vehicle.driver_name : "—"} · escort: ${r.escort_volunteer ? r.escort_volunteer.id : "—"}`));
  const t = el("table");
  t.appendChild(row(["At", "Event", "Detail"]));
  for (const e of r.events) t.appendChild(row([e.at, e.type, e.detail]));
  body.appendChild(t);
}

async function loadEscalations() {
  const list = await api("GET", "/api/escalations?open=1");
  const tb = $("escalations");
  tb.replaceChildren();
  for (const e of list) {
    const b = el("button", e.acked_at ? "Acknowledged" : "Acknowledge", { class: "secondary" });
    b.disabled = !!e.acked_at;
    b.addEventListener("click", async () => { await api("POST", `/api/escalations/${e.id}/ack`, {}); loadEscalations(); });
    tb.appendChild(row([e.created_at, e.request, e.reason, e.level, b]));
  }
}

async function loadRegistry() {
  const shelters = await api("GET", "/api/shelters");
  $("shelters").replaceChildren(...shelters.map((s) => row([s.name, s.district, s.beds_total, s.beds_available, s.beds_held])));
  const vehicles = await api("GET", "/api/vehicles");
  $("vehicles").replaceChildren(...vehicles.map((v) => {
    let b = "";
    if (me && me.role === "admin") {
      b = el("button", "New link", { class: "secondary" });
      b.addEventListener("click", async () => {
        const r = await api("POST", `/api/vehicles/${v.id}/link`, {});
        $("new-link").textContent = `New link for ${v.driver_name}: ${r.link}`;
      });
    }
    return row([v.driver_name, v.district, v.seats, v.status, b]);
  }));
}

async function refresh() {
  await Promise.all([loadRequests(), loadEscalations(), loadRegistry()]);
  if (current) await openRequest(current);
}

function showApp() {
  $("login-box").classList.add("hidden");
  $("app").classList.remove("hidden");
  $("logout").classList.remove("hidden");
  $("who").textContent = me.username + " (" + me.role + ")";
}

async function start() {
  try {
    me = await api("GET", "/api/me");
    if (me.csrf) { csrf = me.csrf; sessionStorage.setItem("jardam_csrf", csrf); }
  } catch (e) { return; }
  showApp();
  await loadDistricts();
  await refresh();
}

$("login").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  try {
    const r = await api("POST", "/api/login", { username: f.username.value, password: f.password.value });
    csrf = r.csrf;
    sessionStorage.setItem("jardam_csrf", csrf);
    f.password.value = "";
    $("login-error").textContent = "";
    await start();
  } catch (e) { $("login-error").textContent = e.message; }
});

$("logout").addEventListener("click", async () => {
  await api("POST", "/api/logout", {}).catch(() => null);
  sessionStorage.removeItem("jardam_csrf");
  location.reload();
});

$("new-request").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  const needs = ["child_seat", "wheelchair", "female_driver"].filter((n) => f["need_" + n].checked);
  const consent = {};
  for (const k of ["police", "medical", "social", "crisis_center", "legal", "psychological"]) consent[k] = f["consent_" + k].checked;
  const body = {
    lat: Number(f.lat.value), lon: Number(f.lon.value), adults: Number(f.adults.value),
    children: Number(f.children.value), risk: f.risk.value, destination: f.destination.value,
    needs, escort: f.escort.checked, consent, pickup_note: f.pickup_note.value, notes: f.notes.value,
  };
  if (f.district.value) body.district = f.district.value;
  try {
    const r = await api("POST", "/api/requests", body);
    $("request-error").textContent = "";
    f.pickup_note.value = "";
    f.notes.value = "";
    current = r.id;
    await refresh();
  } catch (e) { $("request-error").textContent = e.message; }
});

$("refresh").addEventListener("click", refresh);
$("cancel").addEventListener("click", async () => {
  if (!current) return;
  try { await api("POST", `/api/requests/${current}/cancel`, { reason: "cancelled by operator" }); } catch (e) { alert(e.message); }
  await refresh();
});

start();
setInterval(() => { if (me) refresh().catch(() => null); }, 10000);
