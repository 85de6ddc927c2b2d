// The README's first command on a new installation, in a real browser: the
// administrator signs in, is offered the demo office, loads it and is shown
// the demo people's password once; the clerk then signs in with it and finds
// a living office. axe-core checks every page; screenshots go to $EISO_SCREENS.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, launch, checked, signIn } from "./harness.mjs";

const dir = mkdtempSync(join(tmpdir(), "eiso-first-start-"));
let server, browser;

before(async () => {
  server = await startServer(dir, "admin-password-for-first-start");
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("a first start offers the demo office, and its people find a living office", async () => {
  const admin = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const home = await signIn(admin, server.base, "admin", "admin-password-for-first-start");
  await checked(home, "first-start-home");
  await home.click("text=nạp dữ liệu mẫu");
  await home.waitForURL(/\/du-lieu-mau$/);
  await checked(home, "first-start-offer");
  await home.click("text=Nạp dữ liệu mẫu");
  await home.waitForSelector(".panel.success");
  const password = (await home.textContent("strong.mono")).trim();
  assert.match(password, /^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
  assert.equal(await home.locator("table.list tbody tr").count(), 5, "five demo people");
  await checked(home, "first-start-loaded");
  await admin.close();

  const clerk = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await signIn(clerk, server.base, "mot.cua", password);
  await page.goto(`${server.base}/ho-so`);
  assert.equal(await page.locator("table.list tbody tr").count(), 5, "five demo dossiers");
  await checked(page, "first-start-dossiers");
  await clerk.close();
});
