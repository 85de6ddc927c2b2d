// A day at the one-stop counter, in a real browser (Debian's chromium driven
// by Playwright; nothing is downloaded): sign in, receive dossiers (one by
// keyboard alone, the procedure found by typing), print the receipt, a double
// click that makes one dossier, hand over, ask for and receive a supplement, extend with the apology (form 04),
// complete, return, the citizen's lookup on a phone and their rating with the
// receipt's code, a viewer of another unit refused, and a password changed. axe-core
// checks every page it visits; screenshots go to $EISO_SCREENS.
//
// Run by scripts/browser-test (which builds eiso-server and the eiso CLI).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliBin, screens, startServer, launch, checked, signIn as signInAt } from "./harness.mjs";

const dir = mkdtempSync(join(tmpdir(), "eiso-browser-"));
let server, base, browser;
const units = {};
const PROCEDURE = "2.002481";

function eiso(args, input = "") {
  return execFileSync(cliBin, args, {
    input,
    env: { ...process.env, EISO_SERVER: base, EISO_CONFIG_DIR: join(dir, "cli") },
    encoding: "utf8",
  });
}

const signIn = (context, username, password) => signInAt(context, base, username, password);

async function dossierCount(page) {
  await page.goto(`${base}/ho-so`);
  return await page.locator("table.list tbody tr").count();
}

before(async () => {
  server = await startServer(dir, "admin-password-for-browser");
  base = server.base;
  eiso(["login", "--username", "admin", "--password-stdin"], "admin-password-for-browser\n");
  const root = JSON.parse(eiso(["units", "list", "--output", "json"])).units[0].name;
  const unit = (code, name, parent) =>
    JSON.parse(eiso(["units", "create", "--code", code, "--name", name, "--kind", "other", "--parent", parent, "--output", "json"])).name;
  units.office = unit("PGD-HAIAN", "Phòng Giáo dục và Đào tạo quận Hải An", root);
  units.other = unit("PGD-LECHAN", "Phòng Giáo dục và Đào tạo quận Lê Chân", root);
  const user = (username, name, roles) =>
    eiso(["users", "create", "--username", username, "--name", name, ...roles.flatMap((r) => ["--role", r]), "--password-stdin"],
      `${username}-Mat-Khau-1\n`);
  user("mot.cua", "Phạm Thị Hoa", [`counter-staff@${units.office}`]);
  user("chuyen.vien", "Trần Văn Bình", [`processing-officer@${units.office}`]);
  user("xem.le.chan", "Vũ Thị Lan", [`leader@${units.other}`]);
  user("lanh.dao", "Hoàng Minh Tuấn", [`leader@${units.office}`]);
  user("thu.ky", "Đỗ Văn Khoa", [`document-controller@${units.office}`]);
  user("danh.gia", "Ngô Thị Thu", [`internal-auditor@${units.office}`]);
  const csv = readFileSync("services/procedures/samples/thu-tuc-giao-duc.csv", "utf8").replaceAll("units/replace-me", units.office);
  writeFileSync(join(dir, "catalogue.csv"), csv);
  execFileSync(cliBin, ["login", "--username", "thu.ky", "--password-stdin"], {
    input: "thu.ky-Mat-Khau-1\n", env: { ...process.env, EISO_SERVER: base, EISO_CONFIG_DIR: join(dir, "cli-thu-ky") },
  });
  execFileSync(cliBin, ["procedures", "import", join(dir, "catalogue.csv"), "--publish"], {
    env: { ...process.env, EISO_SERVER: base, EISO_CONFIG_DIR: join(dir, "cli-thu-ky") }, encoding: "utf8",
  });
  // This year's reform plan, with its targets (the seed's 2024 plan as a
  // sample): the dashboard sets its rates beside them.
  const leaderCli = { ...process.env, EISO_SERVER: base, EISO_CONFIG_DIR: join(dir, "cli-lanh-dao") };
  execFileSync(cliBin, ["login", "--username", "lanh.dao", "--password-stdin"], { input: "lanh.dao-Mat-Khau-1\n", env: leaderCli });
  execFileSync(cliBin, ["plans", "import", "services/plans/samples/ke-hoach-cchc-2024.csv",
    "--targets", "services/plans/samples/ke-hoach-cchc-2024-chi-tieu.csv",
    "--year", String(new Date().getFullYear()), "--unit", units.office,
    "--title", `Kế hoạch CCHC năm ${new Date().getFullYear()}`], { env: leaderCli, encoding: "utf8" });
  // The search index follows the catalogue asynchronously: the counter finds
  // procedures by typing once it has them.
  for (let i = 0; ; i++) {
    const found = JSON.parse(eiso(["search", PROCEDURE, "--kind", "procedure", "--output", "json"]));
    if ((found.results || []).length > 0) break;
    if (i > 300) throw new Error("the catalogue was not indexed");
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let receivedCode, receivedUrl, ratingCode;

test("sign-in refuses a wrong password in Vietnamese, then lets the clerk in", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await page.goto(`${base}/ho-so`);
  assert.match(page.url(), /\/dang-nhap\?tiep=/);
  await checked(page, "sign-in");
  await page.fill("#ten_dang_nhap", "mot.cua");
  await page.fill("#mat_khau", "sai mật khẩu");
  await page.click("button[type=submit]");
  assert.match(await page.textContent(".error-summary"), /Tên đăng nhập hoặc mật khẩu không đúng/);
  await checked(page, "sign-in-refused");
  await page.fill("#mat_khau", "mot.cua-Mat-Khau-1");
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/ho-so`);
  await context.close();
});

test("the clerk receives a dossier with the keyboard alone and its receipt is ready to print", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await signIn(context, "mot.cua", "mot.cua-Mat-Khau-1");
  await page.goto(`${base}/ho-so/tiep-nhan`);
  await checked(page, "receive-choose");
  // The search box has the focus: words of the name without diacritics
  // narrow the list as they are typed (the search service answers), and
  // Enter takes the best match.
  assert.equal(await page.evaluate(() => document.activeElement.id), "tim");
  await page.keyboard.type("chuyen truong trung hoc co so", { delay: 20 });
  await page.waitForFunction(() => document.querySelector("#thu_tuc_chon").value === "2.002481");
  assert.match(await page.textContent("#tim-ket-qua"), /thủ tục khớp/);
  await checked(page, "receive-search");
  await page.keyboard.press("Enter");
  await page.waitForURL(/thu_tuc=2\.002481/);
  assert.equal(await page.evaluate(() => document.activeElement.id), "ho_ten");
  await checked(page, "receive-form");
  await page.keyboard.type("Nguyễn Văn An");
  await page.keyboard.press("Tab");
  await page.keyboard.type("031204001234");
  await page.keyboard.press("Tab");
  await page.keyboard.type("0912345678");
  await page.keyboard.press("Tab");
  await page.keyboard.type("Số 5, phường Đằng Lâm, quận Hải An");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await page.keyboard.type("Xin chuyển trường cho con");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Space"); // the first document of the checklist
  for (let i = 0; i < 12 && (await page.evaluate(() => document.activeElement.id)) !== "tiep_nhan"; i++) {
    await page.keyboard.press("Tab");
  }
  assert.equal(await page.evaluate(() => document.activeElement.id), "tiep_nhan");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/da-tiep-nhan$/);
  receivedUrl = page.url().replace(/\/da-tiep-nhan$/, "");
  receivedCode = (await page.textContent(".panel.success .mono")).trim();
  assert.match(receivedCode, /^PGD-HAIAN-\d{6}-\d{4}$/);
  await checked(page, "received");
  const receipt = await context.newPage();
  await receipt.goto(`${receivedUrl}/bieu-mau/01`);
  const text = await receipt.textContent("body");
  assert.match(text, /GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ/);
  assert.ok(text.includes(receivedCode) && text.includes("Nguyễn Văn An"));
  assert.ok(text.includes(`${base}/tra-cuu?ma=${receivedCode}`), "the lookup page's address");
  assert.equal(await receipt.locator(".lookup svg").count(), 1, "its QR code");
  ratingCode = text.match(/mã đánh giá ([A-Z0-9]{4}-[A-Z0-9]{4})/)[1];
  await receipt.screenshot({ path: join(screens, "receipt-form-01.png"), fullPage: true });
  // Printed as the counter prints it: A5, every letter from one font that has them all
  // (Tinos here, Times New Roman on the office's PCs), none borrowed from a fallback.
  const pdf = join(screens, "receipt-form-01.pdf");
  await receipt.pdf({ path: pdf, preferCSSPageSize: true });
  const fonts = execFileSync("pdffonts", [pdf], { encoding: "utf8" })
    .split("\n")
    .slice(2)
    .filter((line) => line.trim())
    .map((line) => line.split(/\s+/)[0].replace(/^[A-Z]{6}\+/, ""));
  assert.ok(fonts.length > 0, "the PDF embeds its fonts");
  assert.deepEqual(
    [...new Set(fonts.map((f) => f.split("-")[0]))],
    ["Tinos"],
    `fonts used: ${fonts.join(", ")}`,
  );
  await context.close();
});

test("a double click on the receive button makes one dossier", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await signIn(context, "mot.cua", "mot.cua-Mat-Khau-1");
  const before = await dossierCount(page);
  await page.goto(`${base}/ho-so/tiep-nhan?thu_tuc=${PROCEDURE}`);
  await page.fill("#ho_ten", "Trần Thị Bình");
  await page.fill("#so_dinh_danh", "031204005678");
  await page.dblclick("#tiep_nhan");
  await page.waitForURL(/\/da-tiep-nhan$/);
  assert.equal(await dossierCount(page), before + 1);
  await context.close();
});

test("the clerk refuses a dossier at intake and its refusal form prints", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await signIn(context, "mot.cua", "mot.cua-Mat-Khau-1");
  await page.goto(`${base}/ho-so/tiep-nhan?thu_tuc=${PROCEDURE}`);
  await page.click("text=Từ chối tiếp nhận và in phiếu từ chối");
  await page.waitForURL(/\/ho-so\/tu-choi/);
  await page.fill("#ho_ten", "Phạm Văn Dũng");
  await page.click("#tu_choi");
  assert.match(await page.textContent(".error-summary"), /Nhập lý do từ chối/);
  await checked(page, "refuse-form-refused");
  await page.fill("#ly_do", "Hồ sơ thuộc thẩm quyền của trường");
  await page.click("#tu_choi");
  await page.waitForURL(/\?da=tu-choi$/);
  await checked(page, "refused");
  // Wait for the new tab before clicking: it may open before a later wait starts.
  const [form] = await Promise.all([context.waitForEvent("page"), page.click("text=Mẫu 03")]);
  await form.waitForLoadState();
  assert.match(await form.textContent("body"), /Hồ sơ thuộc thẩm quyền của trường/);
  await form.screenshot({ path: join(screens, "refusal-form-03.png"), fullPage: true });
  await context.close();
});

test("the dossier is handed over, supplemented, extended, completed and returned from its page", async () => {
  const clerk = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const officer = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const counter = await signIn(clerk, "mot.cua", "mot.cua-Mat-Khau-1");
  const desk = await signIn(officer, "chuyen.vien", "chuyen.vien-Mat-Khau-1");
  const act = async (page, label, fill = async () => {}) => {
    await page.goto(receivedUrl);
    await page.click(`summary:has-text("${label}")`);
    await fill(page);
    await page.click(`details[open] button:has-text("${label}")`);
    await page.waitForURL(/\?da=/);
    assert.match(await page.textContent(".panel.success"), /Đã ghi nhận/);
  };
  await act(counter, "Chuyển xử lý", (p) => p.selectOption("#nguoi_nhan", { label: "Trần Văn Bình" }));
  await checked(counter, "dossier-handed-over");
  await desk.goto(`${base}/viec-cua-toi`);
  assert.ok((await desk.textContent("main")).includes(receivedCode), "the officer's work lists it");
  await checked(desk, "my-work");
  await act(desk, "Yêu cầu bổ sung hồ sơ", async (p) => {
    await p.fill("#ly_do_bs", "Thiếu học bạ");
    await p.fill("#giay_to", "Học bạ bản sao");
  });
  await act(counter, "Nhận hồ sơ bổ sung");
  // The officer sees it will be late: a new appointment, once, with the apology (form 04).
  // Typed as day/month/year, as on paper, whatever the browser's language.
  const later = new Date(Date.now() + 14 * 86400000).toISOString().slice(0, 10).split("-").reverse().join("/");
  await act(desk, "Gia hạn và xin lỗi", async (p) => {
    await p.fill("#ly_do_gh", "Cần xác minh học bạ với trường nơi đi");
    await p.fill("#ngay_hen", later);
  });
  const [apology] = await Promise.all([officer.waitForEvent("page"), desk.click("text=Mẫu 04")]);
  await apology.waitForLoadState();
  const apologyText = await apology.textContent("body");
  assert.match(apologyText, /PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ/);
  assert.ok(apologyText.includes("Cần xác minh học bạ với trường nơi đi"), "the reason on the apology");
  await apology.screenshot({ path: join(screens, "apology-form-04.png"), fullPage: true });
  await apology.close();
  await act(desk, "Hoàn thành giải quyết", (p) => p.fill("#ket_qua", "Đồng ý chuyển trường"));
  await act(counter, "Trả kết quả");
  await checked(counter, "dossier-returned");
  const timeline = await counter.textContent(".timeline");
  for (const step of ["Đã tiếp nhận", "Chờ bổ sung", "Đã trả kết quả"]) {
    assert.ok(timeline.includes(step), `${step} in the timeline`);
  }
  // The list, filtered by channel and by today's day typed as day/month/year
  // through its filter panel.
  const today = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Ho_Chi_Minh" }).format(new Date());
  await counter.goto(`${base}/ho-so`);
  await counter.click("text=Lọc theo thủ tục");
  await counter.selectOption("#kenh", "truc-tiep");
  await counter.fill("#tu_ngay", today);
  await counter.fill("#den_ngay", today);
  await counter.click("details.filters button[type=submit]");
  await counter.waitForURL(/kenh=truc-tiep/);
  assert.ok((await counter.textContent("table.list")).includes(receivedCode));
  assert.equal(await counter.inputValue("#tu_ngay"), today, "the day typed is kept as typed");
  await checked(counter, "dossier-list-filtered");
  await clerk.close();
  await officer.close();
});

test("a citizen follows the dossier on a phone and rates the service with the receipt's code", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await context.newPage();
  await page.goto(`${base}/tra-cuu?ma=${receivedCode}`);
  await page.fill("#so", "9999");
  await page.click("button[type=submit]");
  assert.match(await page.textContent(".error-summary"), /Không tìm thấy hồ sơ/);
  await page.fill("#so", "1234");
  await page.click("button[type=submit]");
  const answer = await page.textContent(".panel.result");
  assert.match(answer, /Đã trả kết quả/);
  assert.ok(!answer.includes("Nguyễn Văn An") && !answer.includes("031204001234"), "nothing personal");
  await checked(page, "lookup-phone");
  // The result is returned: the applicant rates the service, once, with the
  // code printed on the receipt.
  await page.fill("#ma_danh_gia", ratingCode.toLowerCase());
  await page.check("#md1");
  await page.fill("#y_kien", "Cán bộ hướng dẫn tận tình");
  await page.click("text=Gửi đánh giá");
  await page.waitForSelector(".panel.success");
  assert.match(await page.textContent(".panel.success"), /Cảm ơn ông\/bà đã đánh giá/);
  assert.equal(await page.locator("#ma_danh_gia").count(), 0, "rated once: the form is gone");
  await checked(page, "lookup-phone-rated");
  await context.close();
});

test("the leader's dashboard counts the day's dossiers", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await signIn(context, "lanh.dao", "lanh.dao-Mat-Khau-1");
  await page.click("nav >> text=Tổng quan");
  await page.waitForURL(/\/tong-quan/);
  const toHandle = await page.textContent("ul.figures li:first-child .n");
  assert.equal(toHandle.trim(), "2", "the two dossiers received today");
  assert.ok(await page.locator("svg.chart rect").count() >= 1, "this month's bar");
  assert.match(await page.textContent("ul.figures"), /Chỉ tiêu ≥ 95%/, "the plan's on-time target");
  await checked(page, "dashboard");
  await context.close();
});

test("the leader finds the day's dossiers from the header's search box, typed without diacritics", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await signIn(context, "lanh.dao", "lanh.dao-Mat-Khau-1");
  await page.fill("#tim-nhanh", "chuyen truong");
  await page.press("#tim-nhanh", "Enter");
  await page.waitForURL(/\/tim-kiem\?q=chuyen\+truong/);
  assert.match(await page.textContent(".result-count"), /Tìm thấy \d+ kết quả/);
  assert.ok(await page.locator(".snippet mark").count() >= 1, "the matched words are marked");
  assert.ok((await page.textContent("main")).includes(receivedCode), "the dossier received today");
  await checked(page, "search");
  // Only dossiers: the kind's count narrows the search, and says how to widen it again.
  await page.click(".facets >> text=Hồ sơ TTHC");
  await page.waitForURL(/loai=dossier/);
  assert.ok(await page.locator(".facets a.chosen").count() === 1);
  await page.click(`.found a >> text=${receivedCode}`);
  await page.waitForURL(receivedUrl);
  await context.close();
});

test("the leader reads a published procedure, its reviews and its PDF from the documents' pages", async () => {
  // Written by the secretary, reviewed by the leader (rejected once, then approved), published.
  const controllerCli = { ...process.env, EISO_SERVER: base, EISO_CONFIG_DIR: join(dir, "cli-thu-ky") };
  const leaderCli = { ...process.env, EISO_SERVER: base, EISO_CONFIG_DIR: join(dir, "cli-lanh-dao") };
  const as = (env, args) => execFileSync(cliBin, args, { env, encoding: "utf8" });
  const leader = JSON.parse(eiso(["users", "list", "--filter", 'username = "lanh.dao"', "--output", "json"])).users[0].name;
  const created = JSON.parse(as(controllerCli, ["docs", "create", "--code", "QT-TTHC-01",
    "--title", "Quy trình tiếp nhận và trả kết quả hồ sơ tại Bộ phận Một cửa", "--type", "procedure",
    "--owner-unit", units.office, "--review-months", "12", "--tag", "một cửa", "--output", "json"]));
  const revision = created.revision.name;
  const pdf = join(dir, "QT-TTHC-01 Quy trình một cửa.pdf");
  writeFileSync(pdf, "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");
  as(controllerCli, ["docs", "upload", revision, pdf]);
  as(controllerCli, ["docs", "submit", revision, "--reviewer", leader]);

  // The leader disagrees from the inbox, saying what must change; then, sent
  // again, agrees; the secretary publishes from hers.
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await signIn(context, "lanh.dao", "lanh.dao-Mat-Khau-1");
  await page.click("nav >> text=Chờ duyệt");
  await page.waitForURL(/\/cho-duyet$/);
  assert.match(await page.textContent("main"), /QT-TTHC-01/);
  await page.click("button >> text=Không đồng ý");
  assert.match(await page.textContent(".error-summary"), /Nhập nhận xét/);
  await checked(page, "reviews-comment-missing");
  await page.fill("textarea[name=nhan_xet]", "Bổ sung bước trả kết quả qua bưu chính");
  await page.click("button >> text=Không đồng ý");
  await page.waitForURL(/da=khong-dong-y/);
  as(controllerCli, ["docs", "submit", revision, "--reviewer", leader]);
  await page.goto(`${base}/cho-duyet`);
  await checked(page, "reviews");
  await page.fill("textarea[name=nhan_xet]", "Đồng ý ban hành");
  await page.click("button >> text=Đồng ý");
  await page.waitForURL(/da=dong-y/);
  const secretaryContext = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const secretary = await signIn(secretaryContext, "thu.ky", "thu.ky-Mat-Khau-1");
  await secretary.goto(`${base}/cho-duyet`);
  assert.match(await secretary.textContent("main"), /Đã phê duyệt, chờ ban hành/);
  await checked(secretary, "reviews-to-publish");
  await secretary.click("button >> text=Ban hành");
  await secretary.waitForURL(/da=ban-hanh/);
  await secretaryContext.close();

  await page.goto(`${base}/`);
  await page.click("nav >> text=Tài liệu");
  await page.waitForURL(/\/tai-lieu$/);
  assert.match(await page.textContent("table.list"), /QT-TTHC-01/);
  await checked(page, "documents");
  await page.click("table.list >> text=QT-TTHC-01");
  await page.waitForURL(/\/tai-lieu\/[^/]+$/);
  const documentUrl = page.url();
  const main = await page.textContent("main");
  assert.match(main, /Lần ban hành 1/);
  assert.match(main, /Bổ sung bước trả kết quả qua bưu chính|Đồng ý ban hành/);
  assert.match(main, /vòng 2/);
  await checked(page, "document");
  // The secretary was asked nothing, but reads and says so.
  await page.click("button >> text=Tôi đã đọc và hiểu");
  await page.waitForURL(/da=da-doc/);
  // A record kept under the procedure: the counter's register of the year, closed.
  const record = JSON.parse(as(controllerCli, ["records", "create", "--title", `Sổ theo dõi hồ sơ năm ${new Date().getFullYear()}`,
    "--owner-unit", units.office, "--retention-months", "60", "--disposition", "destroy", "--output", "json"]));
  const register = join(dir, "so-theo-doi.pdf");
  writeFileSync(register, "%PDF-1.4\n%%EOF\n");
  as(controllerCli, ["docs", "upload", record.name, register]);
  as(controllerCli, ["records", "close", record.name]);
  await page.click("nav >> text=Hồ sơ chất lượng");
  await page.waitForURL(/\/ho-so-chat-luong$/);
  await checked(page, "records");
  await page.click("table.list >> text=Sổ theo dõi hồ sơ");
  await page.waitForURL(/\/ho-so-chat-luong\/[^/]+$/);
  assert.match(await page.textContent("main"), /5 năm/);
  await checked(page, "record");
  await page.goto(documentUrl);
  // The PDF, as the browser is given it.
  const href = await page.getAttribute(".in-force .files a >> text=Tải về", "href");
  const response = await page.request.get(`${base}${href}`);
  assert.equal(response.status(), 200);
  assert.match(response.headers()["content-disposition"], /^attachment;/);
  assert.match((await response.body()).toString("latin1"), /^%PDF-1.4/);
  await context.close();
});

test("the leader reads this year's reform plan, its late tasks, and records a task's progress", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await signIn(context, "lanh.dao", "lanh.dao-Mat-Khau-1");
  await page.click("nav >> text=Kế hoạch");
  await page.waitForURL(/\/ke-hoach$/);
  await page.click(`table.list >> text=Kế hoạch CCHC năm ${new Date().getFullYear()}`);
  await page.waitForURL(/\/ke-hoach\/[^/]+$/);
  assert.ok(await page.locator("table.tasks tbody tr").count() > 10, "the seed plan's tasks");
  await checked(page, "plan");
  await page.click("text=Chỉ tiêu và báo cáo");
  await page.waitForURL(/\/chi-tieu$/);
  assert.ok(await page.locator(".cards .card").count() >= 5, "the seed plan's targets");
  assert.match(await page.textContent(".cards"), /Chỉ tiêu|chỉ tiêu/);
  await checked(page, "targets");
  // The corrective actions' board, one column per step (none open yet).
  await page.click("nav >> text=Khắc phục");
  await page.waitForURL(/\/chat-luong\/hanh-dong$/);
  assert.equal(await page.locator(".board-column").count(), 5);
  await checked(page, "actions-board");
  await page.goBack();
  await page.goBack();
  await page.click("table.tasks tbody tr:not(.section) td a >> nth=0");
  await page.waitForURL(/\/nhiem-vu\//);
  await page.fill("#phan_tram", "50");
  await page.fill("#noi_dung", "Đã xây dựng dự thảo kế hoạch");
  await page.click("button >> text=Ghi tiến độ");
  await page.waitForURL(/da=tien-do/);
  assert.match(await page.textContent("main"), /Đã xây dựng dự thảo kế hoạch/);
  await checked(page, "task");
  await context.close();
});

test("an ISO year in the browser: drafted, reviewed twice, published, read, found, evidence of a task and of an audit finding, its corrective action verified and closed", async () => {
  const viewport = { viewport: { width: 1366, height: 768 } };
  const year = new Date().getFullYear();
  const as = (who) => ({ ...process.env, EISO_SERVER: base, EISO_CONFIG_DIR: join(dir, `cli-${who}`) });
  execFileSync(cliBin, ["login", "--username", "danh.gia", "--password-stdin"], { input: "danh.gia-Mat-Khau-1\n", env: as("danh-gia") });

  // The controller drafts the procedure in the browser and drops its PDF on the draft.
  const controllerContext = await browser.newContext(viewport);
  const controller = await signIn(controllerContext, "thu.ky", "thu.ky-Mat-Khau-1");
  await controller.click("nav >> text=Tài liệu");
  await controller.click("text=Soạn tài liệu mới");
  await controller.waitForURL(/\/tai-lieu\/moi$/);
  await controller.fill("#ma", "QT-CT-01");
  await controller.fill("#ten", "Quy trình giải quyết thủ tục chuyển trường");
  await controller.selectOption("#loai", "procedure");
  await controller.fill("#tu_khoa", "chuyển trường, một cửa");
  await checked(controller, "document-new");
  await controller.click("main button >> text=Tạo tài liệu");
  await controller.waitForURL(/da=tao/);
  const documentUrl = controller.url().split("?")[0];
  const pdf = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n" + "% noi dung\n".repeat(20000);
  await controller.evaluate((content) => {
    const files = new DataTransfer();
    files.items.add(new File([content], "QT-CT-01 Quy trình chuyển trường.pdf", { type: "application/pdf" }));
    document.querySelector("[data-dropzone]").dispatchEvent(new DragEvent("drop", { dataTransfer: files, bubbles: true, cancelable: true }));
  }, pdf);
  await controller.waitForURL(/da=tai-len/);
  assert.match(await controller.textContent("#ban-thao"), /QT-CT-01 Quy trình chuyển trường\.pdf/);
  await checked(controller, "document-draft");
  await controller.check("label >> text=Hoàng Minh Tuấn");
  await controller.check("label >> text=Trần Văn Bình");
  await controller.click("button >> text=Trình xem xét");
  await controller.waitForURL(/da=trinh/);

  // One reviewer disagrees with a comment; the draft comes back, is sent again, and both agree.
  const officerContext = await browser.newContext(viewport);
  const officer = await signIn(officerContext, "chuyen.vien", "chuyen.vien-Mat-Khau-1");
  await officer.goto(`${base}/cho-duyet`);
  const mine = officer.locator("article", { hasText: "QT-CT-01" });
  await mine.locator("textarea[name=nhan_xet]").fill("Ghi rõ thời hạn trả lời của trường nơi đến");
  await mine.locator("button >> text=Không đồng ý").click();
  await officer.waitForURL(/da=khong-dong-y/);
  await controller.goto(documentUrl);
  assert.match(await controller.textContent("main"), /Ghi rõ thời hạn trả lời của trường nơi đến/);
  await controller.fill("#noi_dung", "Ban hành lần đầu; thêm thời hạn trả lời của trường nơi đến");
  await controller.click("#ban-thao button >> text=Lưu");
  await controller.waitForURL(/da=sua/);
  await controller.check("label >> text=Hoàng Minh Tuấn");
  await controller.check("label >> text=Trần Văn Bình");
  await controller.click("button >> text=Trình xem xét");
  await controller.waitForURL(/da=trinh/);
  const leaderContext = await browser.newContext(viewport);
  const leader = await signIn(leaderContext, "lanh.dao", "lanh.dao-Mat-Khau-1");
  for (const reviewer of [officer, leader]) {
    await reviewer.goto(`${base}/cho-duyet`);
    await reviewer.locator("article", { hasText: "QT-CT-01" }).locator("button >> text=Đồng ý").first().click();
    await reviewer.waitForURL(/da=dong-y/);
  }
  await controller.goto(`${base}/cho-duyet`);
  await controller.locator("article", { hasText: "QT-CT-01" }).locator("button >> text=Ban hành").click();
  await controller.waitForURL(/da=ban-hanh/);

  // The unit is asked to acknowledge; the counter clerk reads it and says so.
  const clerkContext = await browser.newContext(viewport);
  const clerk = await signIn(clerkContext, "mot.cua", "mot.cua-Mat-Khau-1");
  await clerk.goto(documentUrl);
  await clerk.click("button >> text=Tôi đã đọc và hiểu");
  await clerk.waitForURL(/da=da-doc/);
  await clerkContext.close();
  await controller.goto(documentUrl);
  assert.match(await controller.textContent(".acks"), /Phạm Thị Hoa/);
  assert.match(await controller.textContent(".acks h3"), /Xác nhận đã đọc: 1\/\d+/);
  await checked(controller, "document-published");

  // Found without diacritics, the match marked.
  for (let i = 0; ; i++) {
    const found = JSON.parse(eiso(["search", "QT-CT-01", "--output", "json"]));
    if ((found.results || []).some((r) => /chuyển trường/.test(r.title))) break;
    if (i > 300) throw new Error("the document was not indexed");
    await new Promise((r) => setTimeout(r, 100));
  }
  await leader.fill("#tim-nhanh", "quy trinh giai quyet chuyen truong");
  await leader.press("#tim-nhanh", "Enter");
  await leader.waitForURL(/\/tim-kiem\?q=/);
  const hit = leader.locator(".found li", { hasText: "QT-CT-01" }).first();
  assert.ok(await hit.locator("mark").count() >= 1, "the matched words are marked");

  // Evidence of a plan task.
  await leader.goto(`${base}/ke-hoach`);
  await leader.click(`table.list >> text=Kế hoạch CCHC năm ${year}`);
  await leader.waitForURL(/\/ke-hoach\/[^/]+$/);
  const planUrl = leader.url();
  await leader.click("table.tasks tbody tr:not(.section) td a >> nth=1");
  await leader.waitForURL(/\/nhiem-vu\//);
  await leader.fill("#tim", "quy trinh chuyen truong");
  await leader.press("#tim", "Enter");
  await leader.waitForURL(/tim=/);
  await leader.locator(".found-evidence li", { hasText: "chuyển trường" }).locator("button").click();
  await leader.waitForURL(/da=minh-chung/);
  assert.match(await leader.textContent("main"), /Quy trình giải quyết thủ tục chuyển trường/);

  // Next year's plan, checked from its appendix table before it is imported.
  await leader.goto(`${base}/ke-hoach`);
  await leader.click("text=Nhập kế hoạch từ bảng");
  await leader.fill("#nam", String(year + 1));
  await leader.fill("#ten", `Kế hoạch cải cách hành chính năm ${year + 1}`);
  await leader.setInputFiles("#bang", "services/plans/samples/ke-hoach-cchc-2024.csv");
  await leader.setInputFiles("#chi_tieu", "services/plans/samples/ke-hoach-cchc-2024-chi-tieu.csv");
  await leader.click("button >> text=Kiểm tra");
  // Checked in place: the page stays, the files stay chosen, and the import follows without choosing them again.
  await leader.locator("[data-check-result] [role=status]").waitFor();
  assert.match(await leader.innerText("[data-check-result]"), /Bảng đọc được: \d+ nhiệm vụ, 8 chỉ tiêu\. Bấm “Nhập kế hoạch”/);
  assert.equal(await leader.locator("#bang").evaluate((input) => input.files.length), 1);
  await checked(leader, "plan-import-checked");
  await leader.click("button >> text=Nhập kế hoạch");
  await leader.waitForURL(/\/ke-hoach\/[a-z0-9-]+$/);
  assert.match(await leader.textContent("h1"), new RegExp(`năm ${year + 1}`));

  // The targets page shows the figures the API gives.
  const plan = planUrl.split("/ke-hoach/")[1];
  const evaluations = JSON.parse(execFileSync(cliBin, ["plans", "targets", `plans/${plan}`, "--output", "json"], { env: as("lanh-dao"), encoding: "utf8" })).evaluations;
  const measured = evaluations.find((e) => e.denominator > 0);
  assert.ok(measured, "a target measured from today's dossiers");
  await leader.goto(`${planUrl}/chi-tieu`);
  const card = leader.locator(".card", { has: leader.locator(`h3 .mono:text-is("${measured.number}")`) });
  const expected = `${String(Math.round(measured.percent * 10) / 10).replace(".", ",")}%`;
  assert.equal((await card.locator(".figure .big").textContent()).trim(), expected);

  // An internal audit of the office: the auditor records a finding with the procedure as evidence.
  const leaderCli = as("lanh-dao");
  // The leader sets up the year's programme; the auditor plans the audit and its checklist, all from the pages.
  await leader.goto(`${base}/chat-luong/danh-gia`);
  await leader.click("summary >> text=Lập chương trình đánh giá của năm");
  await leader.click("button >> text=Lập chương trình");
  await leader.waitForURL(/da=chuong-trinh/);
  const auditor = JSON.parse(eiso(["users", "list", "--filter", 'username = "danh.gia"', "--output", "json"])).users[0].name;
  const today = new Date().toLocaleDateString("en-GB", { timeZone: "Asia/Ho_Chi_Minh" });
  const auditorContext = await browser.newContext(viewport);
  const auditorPage = await signIn(auditorContext, "danh.gia", "danh.gia-Mat-Khau-1");
  await auditorPage.click("nav >> text=Đánh giá");
  await auditorPage.waitForURL(/\/chat-luong\/danh-gia$/);
  await auditorPage.click("summary >> text=Lập kế hoạch cuộc đánh giá");
  await auditorPage.fill("#ten", "Đánh giá nội bộ quy trình chuyển trường");
  await auditorPage.fill("#pham_vi", "Tiếp nhận và giải quyết hồ sơ chuyển trường");
  await auditorPage.fill("#dieu_khoan", "7.5, 8.5");
  await auditorPage.check("label >> text=Phòng Giáo dục và Đào tạo quận Hải An");
  await auditorPage.check("label >> text=Ngô Thị Thu");
  await auditorPage.fill("#tu_ngay", today);
  await auditorPage.fill("#den_ngay", today);
  await checked(auditorPage, "audit-plan");
  await auditorPage.click("button >> text=Lập kế hoạch");
  await auditorPage.waitForURL(/da=lap/);
  await auditorPage.click("summary >> text=Thêm câu hỏi");
  await auditorPage.fill("#dieu_khoan_moi", "7.5.3");
  await auditorPage.fill("#cau_hoi", "Hồ sơ chuyển trường có lưu phiếu kiểm soát quá trình không?");
  await auditorPage.click("details button >> text=Thêm");
  await auditorPage.waitForURL(/da=them-cau-hoi/);
  await auditorPage.goto(`${base}/chat-luong/danh-gia`);
  await checked(auditorPage, "audits");
  await auditorPage.click("table.list >> text=Đánh giá nội bộ quy trình chuyển trường");
  await auditorPage.click("button >> text=Bắt đầu đánh giá");
  await auditorPage.waitForURL(/da=bat-dau/);
  await auditorPage.selectOption("#loai", "minor_nonconformity");
  await auditorPage.fill("#dieu_khoan", "7.5.3");
  await auditorPage.fill("form[action$=phat-hien] #noi_dung", "Hồ sơ chuyển trường không lưu phiếu kiểm soát quá trình");
  await auditorPage.click("button >> text=Ghi nhận");
  await auditorPage.waitForURL(/da=phat-hien/);
  await auditorPage.selectOption("select[name=ket_qua_0]", "nonconforming");
  await auditorPage.fill("input[name=ghi_chu_0]", "2/10 hồ sơ thiếu phiếu kiểm soát");
  await auditorPage.click("button >> text=Lưu kết quả");
  await auditorPage.waitForURL(/da=danh-muc/);
  const finding = auditorPage.locator("article.finding").first();
  await finding.locator("input[name=tim]").fill("QT-CT-01");
  await finding.locator("button >> text=Tìm").click();
  await auditorPage.locator("article.finding .found-evidence button >> text=Gắn").first().click();
  await auditorPage.waitForURL(/da=minh-chung/);
  assert.ok(await auditorPage.locator(`article.finding a[href="${new URL(documentUrl).pathname}"]`).count() === 1, "the procedure is the finding's evidence");
  await auditorPage.click("summary >> text=Mở hành động khắc phục");
  await auditorPage.fill("input[name=han]", `31/12/${year + 1}`);
  await auditorPage.click("details button >> text=Mở hành động khắc phục");
  await auditorPage.waitForURL(/da=khac-phuc/);
  await auditorPage.fill("#ket_luan", "Quy trình được áp dụng; một điểm không phù hợp nhỏ về lưu hồ sơ");
  await auditorPage.click("button >> text=Kết thúc đánh giá");
  await auditorPage.waitForURL(/da=ket-thuc/);
  await checked(auditorPage, "audit");

  // The corrective action: planned and carried out by the office, verified by the auditor, closed.
  await leader.goto(`${base}/chat-luong/hanh-dong`);
  await leader.click(".board-card a >> text=Hồ sơ chuyển trường không lưu phiếu kiểm soát quá trình");
  await leader.waitForURL(/\/chat-luong\/hanh-dong\/[^/?]+$/);
  const actionUrl = leader.url();
  await leader.fill("#nguyen_nhan", "Quy trình chưa quy định lưu phiếu kiểm soát");
  await leader.fill("#mo_ta_1", "Bổ sung bước lưu phiếu kiểm soát vào hồ sơ");
  await leader.selectOption("#nguoi_1", { label: "Trần Văn Bình" });
  await leader.fill("#han_1", `30/12/${year + 1}`);
  await leader.click("button >> text=Lưu kế hoạch");
  await leader.waitForURL(/da=lap-ke-hoach/);
  await leader.fill("#ket_qua", "Đã bổ sung và áp dụng từ hôm nay");
  await leader.click("button >> text=Đã thực hiện");
  await leader.waitForURL(/da=thuc-hien/);
  await auditorPage.goto(actionUrl);
  await auditorPage.check("#hl-co");
  await auditorPage.fill("#nhan_xet", "Kiểm tra 10 hồ sơ chuyển trường: đủ phiếu kiểm soát");
  await auditorPage.click("button >> text=Ghi kết quả kiểm tra");
  await auditorPage.waitForURL(/da=kiem-tra/);
  await auditorPage.click("button >> text=Đóng hành động khắc phục");
  await auditorPage.waitForURL(/da=dong/);
  assert.match(await auditorPage.textContent("main"), /Có hiệu lực/);
  await checked(auditorPage, "action-closed");

  // The ISO 18091 diagnostic of two years: four quadrants of lights, last year beside this one.
  const diagnostics = [year - 1, year].map((period) => JSON.parse(execFileSync(cliBin, ["quality", "diagnostic", "create",
    "--unit", units.office, "--period", String(period), "--title", `Tự đánh giá theo TCVN ISO 18091 năm ${period}`, "--output", "json"],
  { env: leaderCli, encoding: "utf8" })).name);
  const assess = (diagnostic, indicator, colour) => execFileSync(cliBin, ["quality", "diagnostic", "assess", diagnostic,
    "--indicator", indicator, "--colour", colour, "--note", "Theo báo cáo tổng kết", "--evidence", documentUrl.replace(/^.*\/tai-lieu\//, "documents/")],
  { env: as("danh-gia"), encoding: "utf8" });
  assess(diagnostics[0], "1-1", "red");
  assess(diagnostics[0], "2-1", "green");
  assess(diagnostics[1], "1-1", "green");
  assess(diagnostics[1], "2-1", "yellow");
  assess(diagnostics[1], "3-1", "red");
  await leader.goto(`${base}/chat-luong/danh-gia`);
  await leader.click("text=Chẩn đoán ISO 18091");
  await leader.click(`table.list >> text=Tự đánh giá theo TCVN ISO 18091 năm ${year}`);
  assert.equal(await leader.locator(".quadrant").count(), 4);
  assert.match(await leader.textContent(".quadrants"), /Tốt lên/);
  assert.match(await leader.textContent(".quadrants"), /Xấu đi/);
  await checked(leader, "diagnostic");

  // The office's inspections of its schools: one school inspected from the page, one still waiting.
  const school = (code, name) =>
    JSON.parse(eiso(["units", "create", "--code", code, "--name", name, "--kind", "primary-school", "--parent", units.office, "--output", "json"])).name;
  const schools = [school("TH-DANG-LAM", "Trường Tiểu học Đằng Lâm"), school("TH-CAT-BI", "Trường Tiểu học Cát Bi")];
  const inspectionProgramme = JSON.parse(execFileSync(cliBin, ["quality", "inspections", "programme", "--unit", units.office,
    "--year", String(year), "--title", `Kế hoạch kiểm tra các trường năm ${year}`, ...schools.flatMap((s) => ["--member", s]), "--output", "json"],
  { env: leaderCli, encoding: "utf8" })).name;
  execFileSync(cliBin, ["quality", "inspections", "plan", "--programme", inspectionProgramme, "--unit", schools[0],
    "--date", today, "--inspector", auditor, "--output", "json"], { env: leaderCli, encoding: "utf8" });
  await auditorPage.goto(`${base}/chat-luong/kiem-tra`);
  assert.match(await auditorPage.textContent("section[aria-labelledby=bao-phu]"), /0\/2 trường/);
  await auditorPage.click("summary >> text=Ghi nhận kết quả kiểm tra");
  await auditorPage.fill("textarea[name=ket_qua]", "Hồ sơ tuyển sinh đầy đủ; niêm yết thủ tục đúng quy định");
  await auditorPage.click("details button >> text=Ghi nhận");
  await auditorPage.waitForURL(/da=hoan-thanh/);
  assert.match(await auditorPage.textContent("section[aria-labelledby=bao-phu]"), /1\/2 trường \(50%\)/);
  assert.match(await auditorPage.textContent("section[aria-labelledby=bao-phu]"), /Trường Tiểu học Cát Bi/);
  await checked(auditorPage, "inspections");

  // The management review's pack of the half-year, generated by the leader and opened as its record.
  await leader.goto(`${base}/chat-luong/xem-xet`);
  await leader.fill("#tu_ngay", `01/01/${year}`);
  await leader.fill("#den_ngay", today);
  await leader.fill("#tieu_de", `Xem xét của lãnh đạo năm ${year}`);
  await leader.click("button >> text=Lập hồ sơ");
  await leader.waitForURL(/da=lap/);
  await checked(leader, "review-packs");
  await leader.click("table.list >> text=Xem, in");
  await leader.waitForURL(/\/ho-so-chat-luong\/[^/]+$/);
  assert.match(await leader.textContent("main"), new RegExp(`Xem xét của lãnh đạo năm ${year}`));
  for (const c of [controllerContext, officerContext, leaderContext, auditorContext]) await c.close();
});

test("the administrator reads the documents' trail and checks its chain", async () => {
  const year = new Date().getFullYear();
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await signIn(context, "admin", "admin-password-for-browser");
  await page.click("nav >> text=Nhật ký");
  await page.waitForURL(/\/nhat-ky$/);
  await page.selectOption("#so", "documents");
  await page.click("button >> text=Kiểm tra tính toàn vẹn");
  await page.waitForURL(/kiem_tra=1/);
  assert.match(await page.textContent("main"), /Nhật ký toàn vẹn/);
  assert.match(await page.textContent("table.list"), /PublishRevision/);
  await checked(page, "trail");
  // The units and the people, kept from the administration's pages.
  await page.click("nav >> text=Quản trị");
  await page.waitForURL(/\/quan-tri\/don-vi$/);
  await page.click("summary >> text=Thêm đơn vị");
  await page.fill("#ten", "Trường Mầm non Hoa Sen");
  await page.fill("#ma", "MN-HOA-SEN");
  await page.selectOption("#loai", "preschool");
  await page.selectOption("#cap_tren", units.office);
  await page.click("button >> text=Thêm đơn vị");
  await page.waitForURL(/da=them/);
  assert.match(await page.textContent("table.units"), /Trường Mầm non Hoa Sen/);
  await checked(page, "admin-units");
  // A unit's own page: its letterhead set, the decision-backed acts offered.
  await page.click("table.units >> text=Trường Mầm non Hoa Sen");
  await page.waitForURL(/\/quan-tri\/don-vi\/[a-z0-9-]+$/);
  await page.click("summary >> text=Sửa thể thức văn bản");
  await page.fill("#dia_danh", "Hải An");
  await page.fill("#ky_hieu", "MNHS");
  await page.fill("#chuc_danh", "HIỆU TRƯỞNG");
  await page.click("button >> text=Lưu thể thức");
  await page.waitForURL(/da=tieu-de/);
  assert.match(await page.textContent("main"), /Số: 15\/BC-MNHS/);
  await page.click("summary >> text=Sáp nhập vào đơn vị khác");
  await checked(page, "admin-unit");
  await page.click(".breadcrumb >> text=Đơn vị");
  await page.waitForURL(/\/quan-tri\/don-vi$/);
  await page.click("text=Người dùng");
  await page.waitForURL(/\/quan-tri\/nguoi-dung$/);
  assert.match(await page.textContent("main"), /Phạm Thị Hoa/);
  await checked(page, "admin-users");
  await page.click("text=Hệ thống kết nối");
  await page.waitForURL(/\/quan-tri\/ket-noi$/);
  await page.click("summary >> text=Đăng ký hệ thống");
  await page.fill("#ten", "Hệ thống thông tin giải quyết TTHC tỉnh");
  await page.selectOption("#vai_tro", "viewer");
  await page.click("button >> text=Đăng ký");
  assert.match(await page.textContent(".panel.success"), /Lưu ngay mã bí mật/);
  await checked(page, "admin-clients");
  await page.goto(`${base}/quan-tri/lich?don_vi=${units.office}&nam=${year + 1}`);
  assert.match(await page.textContent("main"), new RegExp(`Năm ${year + 1}: (đề xuất|đã xác nhận)`));
  await checked(page, "admin-calendar");
  await page.click("text=Danh mục thủ tục");
  await page.waitForURL(/\/quan-tri\/thu-tuc$/);
  assert.match(await page.textContent("table.list"), new RegExp(PROCEDURE.replace(".", "\\.")));
  await checked(page, "admin-catalogue");
  await context.close();
});

test("a leader of another unit is refused the dossier", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await signIn(context, "xem.le.chan", "xem.le.chan-Mat-Khau-1");
  const response = await page.goto(receivedUrl);
  assert.equal(response.status(), 404);
  assert.match(await page.textContent("h1"), /Không tìm thấy/);
  await page.goto(`${base}/ho-so`);
  assert.ok(!(await page.textContent("main")).includes(receivedCode));
  await checked(page, "other-unit-refused");
  await context.close();
});

test("a person changes their own password", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await signIn(context, "thu.ky", "thu.ky-Mat-Khau-1");
  await page.click("text=Đỗ Văn Khoa");
  await page.waitForURL(/\/doi-mat-khau$/);
  await page.fill("#mat_khau_hien_tai", "thu.ky-Mat-Khau-1");
  await page.fill("#mat_khau_moi", "mat-khau-moi-cua-khoa");
  await page.fill("#nhap_lai", "mat-khau-khac");
  await page.click("main button[type=submit]");
  assert.match(await page.textContent(".error-summary"), /không giống nhau/);
  await checked(page, "password-refused");
  await page.fill("#mat_khau_hien_tai", "thu.ky-Mat-Khau-1");
  await page.fill("#mat_khau_moi", "mat-khau-moi-cua-khoa");
  await page.fill("#nhap_lai", "mat-khau-moi-cua-khoa");
  await page.click("main button[type=submit]");
  assert.match(await page.textContent(".panel.success"), /Đã đổi mật khẩu/);
  await checked(page, "password-changed");
  await context.close();
  const again = await browser.newContext();
  await signIn(again, "thu.ky", "mat-khau-moi-cua-khoa");
  await again.close();
});
