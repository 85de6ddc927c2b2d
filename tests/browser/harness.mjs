// What the browser tests share: the binaries under test, a server of their
// own on a free port with its own data directory, sign-in, and the check every
// screen gets (a screenshot to look at, and axe-core with no serious or
// critical finding).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

const target = process.env.CARGO_TARGET_DIR || "target";
export const serverBin = join(target, "debug", "eiso-server");
export const cliBin = join(target, "debug", "eiso");
export const screens = process.env.EISO_SCREENS || join(target, "browser-screens");
mkdirSync(screens, { recursive: true });

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

// Starts eiso-server on its embedded default with data under `dir`; resolves
// to { base, stop } once it answers.
export async function startServer(dir, adminPassword) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // The tests' own settings are not the server's, which refuses EISO_* names it does
  // not know.
  const { EISO_SCREENS: _screens, ...inherited } = process.env;
  const server = spawn(serverBin, [], {
    env: {
      ...inherited,
      EISO_DATA_DIR: join(dir, "data"),
      EISO_LISTEN_ADDR: `127.0.0.1:${port}`,
      EISO_ADMIN_PASSWORD: adminPassword,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/dang-nhap`)).ok) break; } catch { /* not yet */ }
    if (i > 300) throw new Error("eiso-server did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async () => {
    if (server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  };
  return { base, stop };
}

export function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium" });
}

// A screenshot of the page as `name`, and axe-core's serious findings (none allowed).
export async function checked(page, name) {
  await page.screenshot({ path: join(screens, `${name}.png`), fullPage: true });
  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.help}`), [], `axe on ${name}`);
}

// A new page of `context`, signed in as `username` at `base`, on the home page.
export async function signIn(context, base, username, password) {
  const page = await context.newPage();
  await page.goto(`${base}/dang-nhap`);
  await page.fill("#ten_dang_nhap", username);
  await page.fill("#mat_khau", password);
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/`);
  return page;
}
