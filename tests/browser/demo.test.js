// Browser test: in real Chromium, an operator logs in to the console and
// creates a request; a demo driver accepts it on the phone page and drives
// it to delivery; the console shows it delivered. No request leaves
// 127.0.0.1.
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert");
const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { chromium } = require("playwright-core");

const ROOT = path.resolve(__dirname, "..", "..");
const BIN = process.env.JARDAM_BIN || path.join(ROOT, "build", "jardam");
const SHOTS = process.env.JARDAM_SHOTS || null;
let dir, port, server, browser, logins;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function waitHealthy() {
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return;
    } catch (e) { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("jardam did not start");
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "jardam-browser-"));
  port = await freePort();
  const cfg = path.join(dir, "jardam.ini");
  fs.writeFileSync(cfg, `[server]\nlisten = 127.0.0.1:${port}\npublic_url = http://127.0.0.1:${port}\n` +
    `[storage]\ndatabase = jardam.db\nkey_file = jardam.key\n` +
    `[geo]\ndistricts = ${path.join(ROOT, "config", "districts", "kg.geojson")}\n`);
  const demo = spawnSync(BIN, ["--config", cfg, "demo"], { encoding: "utf8" });
  assert.strictEqual(demo.status, 0, demo.stderr);
  logins = demo.stdout;
  server = spawn(BIN, ["--config", cfg, "serve"], { stdio: ["ignore", "ignore", fs.openSync(path.join(dir, "log"), "w")] });
  await waitHealthy();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill("SIGTERM");
});

function localOnly(page, seen) {
  page.on("request", (req) => { seen.push(req.url()); });
}

test("operator creates a request and a demo driver delivers it from the phone page", async () => {
  const operatorPw = logins.match(/operator: operator \/ (\S+)/)[1];
  const driverLink = logins.match(/Aigul \(demo\)\s+bishkek\s+(\S+)/)[1];
  const urls = [];

  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  localOnly(page, urls);
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.fill("input[name=username]", "operator");
  await page.fill("input[name=password]", operatorPw);
  await page.click("#login button[type=submit]");
  await page.waitForSelector("#app:not(.hidden)");
  await page.fill("textarea[name=pickup_note]", "Behind the blue gate");
  await page.check("input[name=need_child_seat]");
  await page.click("#create");
  await page.waitForSelector("#detail:not(.hidden)");
  await page.waitForFunction(() => document.querySelector("#detail-state").textContent.includes("offered"));
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, "console.png"), fullPage: true });

  const phoneCtx = await browser.newContext({ viewport: { width: 390, height: 800 } });
  const phone = await phoneCtx.newPage();
  localOnly(phone, urls);
  await phone.goto(driverLink);
  await phone.waitForSelector("button[data-action=accept]");
  const before = await phone.textContent("main");
  assert.ok(!before.includes("Behind the blue gate"), "the pickup note shows before acceptance");
  await phone.click("button[data-action=accept]");
  await phone.waitForSelector("button[data-action=details]");
  await phone.click("button[data-action=details]");
  await phone.waitForSelector("#details");
  assert.ok((await phone.textContent("#details")).includes("Behind the blue gate"));
  assert.ok(!(await phone.textContent("#details")).includes("Example St"), "the shelter shows before pickup");
  await phone.click("button[data-action=en_route]");
  await phone.waitForSelector("button[data-action=picked_up]");
  await phone.click("button[data-action=picked_up]");
  await phone.waitForFunction(() => document.querySelector("#details") && document.querySelector("#details").textContent.includes("Example St"));
  if (SHOTS) await phone.screenshot({ path: path.join(SHOTS, "phone.png"), fullPage: true });
  await phone.click("button[data-action=delivered]");
  await phone.waitForFunction(() => !document.querySelector("button[data-action=delivered]"));

  await page.click("#refresh");
  await page.waitForFunction(() => document.querySelector("#detail-state").textContent.includes("delivered"));
  const timeline = await page.textContent("#detail-body");
  for (const ev of ["created", "bed_held", "accept", "en_route", "picked_up", "delivered"]) {
    assert.ok(timeline.includes(ev), ev);
  }
  for (const u of urls) assert.ok(u.startsWith(`http://127.0.0.1:${port}/`), "external request: " + u);
  await ctx.close();
  await phoneCtx.close();
});
