// Opens IOPaint's web app in headless Chromium as a user would: load the page, open an image, paint two strokes
// (each one inpaints), undo, then stay idle. Prints every HTTP exchange and exits non-zero if any answer is a
// 4xx/5xx, a request fails, the page logs an error or shows a toast.
//
// usage: node check.mjs APP_URL IMAGE [IDLE_SECONDS]
//   APP_URL: where the app is opened (lama-serve with lama.web.dir, or the app's dev server)
//   CHROMIUM: the browser to drive (default /usr/bin/chromium)
import puppeteer from "puppeteer-core";

const [appUrl, image, idleArg = "0"] = process.argv.slice(2);
if (!appUrl || !image) {
  console.error("usage: node check.mjs APP_URL IMAGE [IDLE_SECONDS]");
  process.exit(2);
}
const idleMs = Number(idleArg) * 1000;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu"],
});
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1).padStart(5);
const problems = [];
let socketRequests = 0;
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.protocol === "blob:" || url.pathname.startsWith("/src/") || url.pathname.startsWith("/node_modules/")
        || url.pathname.startsWith("/@")) {
      return; // object URLs of results and the dev server's own modules
    }
    if (url.pathname.startsWith("/socket.io/")) {
      socketRequests++;
    }
    const line = `${seconds()} s  ${response.request().method()} ${url.pathname} -> ${response.status()}`;
    console.log(line);
    if (response.status() >= 400) {
      problems.push(line);
    }
  });
  page.on("requestfailed", (request) => {
    // a poll still held when the browser closes is cut off by design
    if (!request.url().includes("/socket.io/")) {
      problems.push(`failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`);
    }
  });
  page.on("console", (message) => {
    if (message.type() === "error") {
      problems.push(`console error: ${message.text()}`);
    }
  });

  await page.goto(appUrl, { waitUntil: "networkidle2" });
  await pause(2000);
  const fileInput = await page.waitForSelector("input[type=file]");
  await fileInput.uploadFile(image);
  const canvas = await page.waitForSelector("canvas", { timeout: 15000 });
  await pause(1000);
  const box = await canvas.boundingBox();

  const stroke = async (fromX, fromY, toX, toY) => {
    const inpainted = page.waitForResponse((r) => r.url().endsWith("/api/v1/inpaint") && r.request().method() === "POST",
      { timeout: 60000 });
    await page.mouse.move(box.x + box.width * fromX, box.y + box.height * fromY);
    await page.mouse.down();
    for (let step = 1; step <= 10; step++) {
      await page.mouse.move(box.x + box.width * (fromX + (toX - fromX) * step / 10),
        box.y + box.height * (fromY + (toY - fromY) * step / 10));
    }
    await page.mouse.up();
    await inpainted;
    await pause(1000);
  };
  await stroke(0.3, 0.3, 0.6, 0.4);
  await stroke(0.2, 0.7, 0.5, 0.75);
  await page.keyboard.down("Control");
  await page.keyboard.press("z");
  await page.keyboard.up("Control");
  await pause(1000);

  const socketBeforeIdle = socketRequests;
  await pause(idleMs);
  if (idleMs > 0) {
    console.log(`idle ${idleArg} s: ${socketRequests - socketBeforeIdle} Socket.IO requests`);
  }
  const toasts = await page.$$eval("ol li", (items) => items.map((item) => item.innerText.trim()).filter(Boolean));
  for (const toast of toasts) {
    problems.push(`toast: ${toast}`);
  }
} finally {
  await browser.close();
}
if (problems.length > 0) {
  console.log(`FAILED: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log("OK: no error answer, no failed request, no console error, no toast");
