// Screenshots of the web app's screens, to look at (desktop 1366×768 and a
// 390-wide phone), with axe-core's findings per screen.
//
//   node tests/browser/screens.mjs http://127.0.0.1:50051 <user> <password> <out dir>
//
// Drives Debian's chromium (CHROMIUM, default /usr/bin/chromium); no browser
// is downloaded.
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";
import { mkdirSync } from "node:fs";

const [base, user, password, out = "screens"] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium" });

async function shoot(page, name) {
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations.filter((v) => ["serious", "critical"].includes(v.impact));
  console.log(`${name}: ${axe.violations.length} axe findings, ${serious.length} serious or critical`);
  for (const v of serious) console.log(`  ${v.id}: ${v.help} (${v.nodes.length})`);
}

for (const [label, viewport] of [["desktop", { width: 1366, height: 768 }], ["phone", { width: 390, height: 844 }]]) {
  const context = await browser.newContext({ viewport, locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh" });
  const page = await context.newPage();
  await page.goto(`${base}/dang-nhap`);
  await shoot(page, `${label}-sign-in`);
  await page.fill("#ten_dang_nhap", user);
  await page.fill("#mat_khau", "wrong password");
  await page.click("button[type=submit]");
  await shoot(page, `${label}-sign-in-refused`);
  await page.fill("#mat_khau", password);
  await page.click("button[type=submit]");
  await shoot(page, `${label}-home`);
  await page.goto(`${base}/ho-so/tiep-nhan`);
  await shoot(page, `${label}-receive-choose`);
  const code = await page.$eval("#thu_tuc_chon option:nth-child(2)", (o) => o.value);
  await page.goto(`${base}/ho-so/tiep-nhan?thu_tuc=${code}`);
  await shoot(page, `${label}-receive-form`);
  await page.click("#tiep_nhan");
  await shoot(page, `${label}-receive-refused`);
  await page.fill("#ho_ten", "Nguyễn Văn An");
  await page.fill("#so_dinh_danh", "031204001234");
  await page.fill("#dien_thoai", "0912345678");
  await page.fill("#dia_chi", "Số 5, phường Đằng Lâm, quận Hải An");
  await page.check("input[name=thanh_phan] >> nth=0");
  await page.click("#tiep_nhan");
  await page.waitForURL(/da-tiep-nhan/);
  await shoot(page, `${label}-received`);
  const dossier = page.url().replace(/\/da-tiep-nhan$/, "");
  await page.goto(`${base}/ho-so`);
  await shoot(page, `${label}-list`);
  await page.goto(dossier);
  await shoot(page, `${label}-dossier`);
  await page.goto(`${dossier}/bieu-mau/01`);
  await page.screenshot({ path: `${out}/${label}-form-01.png`, fullPage: true });
  await page.goto(`${base}/khong-co`);
  await shoot(page, `${label}-not-found`);
  await context.close();
}
await browser.close();
