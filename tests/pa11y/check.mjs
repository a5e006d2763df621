// pa11y (HTML_CodeSniffer, WCAG2AA) as a long-lived checker for the browser tests
// (tests/pa11y/harness.py). One Chromium (Debian's, never a downloaded one) for the whole run.
// Reads one JSON request a line: {"url": ..., "cookies": [{"name", "value"}], "viewport": {...},
// "html": optional}; writes one JSON line back: {"url", "title", "issues": [...]} (errors only),
// or {"error": ...}. With "html" (a page that answered a POST, such as a form with an error,
// which a GET would not show), that document is served at "url" and its styles and scripts
// are fetched as usual.
import readline from "node:readline";
import pa11y from "pa11y";
import puppeteer from "puppeteer";

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
  ],
});
process.stdout.write(JSON.stringify({ ready: true }) + "\n");

for await (const line of readline.createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const request = JSON.parse(line);
  // A fresh context per page: the cookies given (the person's session at that step) and no
  // others, so checking a page never changes what the next one shows.
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    if (request.cookies?.length) {
      await page.setCookie(...request.cookies.map((c) => ({ name: c.name, value: c.value, url: request.url })));
    }
    const viewport = request.viewport || { width: 360, height: 640 };
    await page.setViewport(viewport);
    if (request.html) {
      let served = false;
      await page.setRequestInterception(true);
      page.on("request", (r) => {
        if (!served && r.isNavigationRequest()) {
          served = true;
          r.respond({ status: 200, contentType: "text/html; charset=utf-8", body: request.html });
        } else {
          r.continue();
        }
      });
    }
    await page.goto(request.url, { waitUntil: "networkidle2", timeout: 30000 });
    const result = await pa11y(request.url, {
      browser,
      page,
      ignoreUrl: true, // the page is loaded above: with the person's cookies, or the posted document
      standard: "WCAG2AA",
      runners: ["htmlcs"],
      viewport,
      timeout: 30000,
    });
    process.stdout.write(JSON.stringify({ url: request.url, title: result.documentTitle, issues: result.issues }) + "\n");
  } catch (error) {
    process.stdout.write(JSON.stringify({ url: request.url, error: String(error) }) + "\n");
  } finally {
    await context.close();
  }
}
await browser.close();
