// Opens pages of a rendered site in headless Chromium, as a reader would, and reports what a reader
// would meet: requests to any other host, console errors, axe-core violations (WCAG 2.1 A and AA),
// table boxes that hide columns at 1280 px, and chart text under 9 px at 390 px.
//
//   node tools/site-check/check.mjs _site index.html countries.html ...   (paths inside the site)
//
// Prints one JSON object {pages: [{page, requests, console, axe, hidden_tables, small_chart_text}]}
// and exits 1 when any page has a problem. Needs `npm ci` here and Debian's chromium
// (CHROMIUM=/path overrides /usr/bin/chromium). The site is served on 127.0.0.1 only.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { open } from "./serve.mjs";

const require = createRequire(import.meta.url);
const AXE = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");
const MIN_CHART_PX = 9;       // the smallest text of a chart, at 390 px wide
const CHART_TEXT_PT = 8;      // the smallest font of a chart, in points (charts.SMALLEST_FONT_PT)
const CHART_DPI = 96;         // charts.DPI: a point is DPI/72 image pixels

async function checkPage(browser, base, page) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const tab = await context.newPage();
  const found = { page, requests: [], console: [], axe: [], hidden_tables: [], small_chart_text: [] };
  tab.on("request", (r) => { if (!r.url().startsWith(base) && !r.url().startsWith("data:")) found.requests.push(r.url()); });
  tab.on("console", (m) => { if (m.type() === "error") found.console.push(m.text()); });
  tab.on("pageerror", (e) => found.console.push(String(e)));
  const response = await tab.goto(`${base}/${page}`, { waitUntil: "networkidle" });
  if (!response || response.status() !== 200) found.console.push(`HTTP ${response && response.status()}`);
  await tab.addScriptTag({ content: AXE });
  const result = await tab.evaluate(async () => await window.axe.run(document,
    { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  found.axe = result.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.help}; e.g. ${v.nodes[0].target.join(" ")}`);
  found.hidden_tables = await tab.evaluate(() => [...document.querySelectorAll("table")]
    .filter((t) => t.closest("[role=region]") && t.closest("[role=region]").scrollWidth > t.closest("[role=region]").clientWidth + 1)
    .map((t) => `${t.id || "(no id)"}: ${t.closest("[role=region]").scrollWidth - t.closest("[role=region]").clientWidth} px hidden`));
  await tab.setViewportSize({ width: 390, height: 844 });
  const charts = await tab.evaluate(() => [...document.querySelectorAll(".cell-output-display img")]
    .map((i) => ({ src: i.getAttribute("src"), shown: i.getBoundingClientRect().width, natural: i.naturalWidth })));
  found.small_chart_text = charts.filter((c) => c.natural > 0)
    .map((c) => ({ ...c, px: (c.shown / c.natural) * CHART_TEXT_PT * (CHART_DPI / 72) }))
    .filter((c) => c.px < MIN_CHART_PX).map((c) => `${c.src}: smallest text ${c.px.toFixed(1)} px`);
  await context.close();
  return found;
}

const [siteDir, ...pages] = process.argv.slice(2);
if (!siteDir || pages.length === 0) {
  console.error("usage: node check.mjs SITE_DIR PAGE [PAGE ...]");
  process.exit(2);
}
const { server, base, browser } = await open(siteDir, chromium);
const report = { pages: [] };
try {
  for (const page of pages) report.pages.push(await checkPage(browser, base, page));
} finally {
  await browser.close();
  server.close();
}
console.log(JSON.stringify(report, null, 1));
const problems = (p) => p.requests.length + p.console.length + p.axe.length + p.hidden_tables.length + p.small_chart_text.length;
process.exit(report.pages.some((p) => problems(p) > 0) ? 1 : 0);
