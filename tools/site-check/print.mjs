// Prints pages of a rendered site, and generated HTML pages, to PDF with headless Chromium: the engine
// of the restricted Council document (lib/readmission/document.py drives it; docs/document.md).
//
//   node tools/site-check/print.mjs SITE_DIR [--workers N]
//
// Reads one JSON batch per line on stdin, {"jobs": [JOB, ...]}, prints every job of the batch (N at a
// time, in one browser session kept for all batches) and answers with one JSON line per batch,
// {"results": [{out, landscape, cut, blocked, missing, error}]}. It exits when stdin closes. A JOB is
//   {page: "path/in/site.html" | html: "<!doctype html>...", out: "/abs/file.pdf",
//    header: "RESTRICTED", footer: "text", draft: "" | "DRAFT, not reviewed"}
// A site page is reduced to its <main id="quarto-document-content">. Pages are A4 portrait; a table
// too wide for it, even in a smaller font, gets a landscape page of its own (`landscape` names those
// tables, `cut` the ones too wide even then). `draft` adds a diagonal watermark to every page.
// The site is served on 127.0.0.1 only; any request to another host is refused and reported (`blocked`),
// as is any file of the site a page asks for and does not find (`missing`).
// Needs `npm ci` here and Debian's chromium (CHROMIUM=/path overrides /usr/bin/chromium).
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";
import { open } from "./serve.mjs";

const MARGIN_MM = { top: 17, side: 14 };  // @page margins; the header and footer sit in them
const TEXT_MM = { portrait: 210 - 2 * MARGIN_MM.side, landscape: 297 - 2 * MARGIN_MM.side };
const PX_PER_MM = 96 / 25.4;  // CSS pixels: a 96-dpi chart prints at its natural size
const FONT_PT = [7.5, 7, 6.5];  // a table's font, then smaller ones tried before turning its page
const PRINT_CSS = `
  @page { size: A4 portrait; margin: ${MARGIN_MM.top}mm ${MARGIN_MM.side}mm; }
  @page wide { size: A4 landscape; margin: ${MARGIN_MM.top}mm ${MARGIN_MM.side}mm; }
  .rm-wide { page: wide; }
  html, body { background: #fff !important; }
  body.rm-print { margin: 0 !important; padding: 0 !important; font-size: 10pt; line-height: 1.35; }
  body.rm-print main { display: block !important; margin: 0 !important; padding: 0 !important;
    max-width: none !important; width: auto !important; }
  body.rm-print h1 { font-size: 17pt; } body.rm-print h2 { font-size: 13pt; margin-top: 1.1em; }
  body.rm-print h3 { font-size: 11pt; } h1, h2, h3, h4, caption { break-after: avoid; }
  div[role=region] { overflow: visible !important; max-height: none !important; padding: 4px 0 !important; }
  table { width: 100% !important; table-layout: auto !important; font-size: ${FONT_PT[0]}pt !important; }
  table th, table td { padding: 2px 3px !important; font-size: inherit !important; overflow-wrap: break-word; }
  table td.rm-right { white-space: nowrap; }
  thead { display: table-header-group; } tr, figure, img, blockquote { break-inside: avoid; }
  img { max-width: 100% !important; width: auto !important; height: auto !important; }
  .cell-output-display { overflow: visible !important; }
  pre, code { white-space: pre-wrap !important; overflow-wrap: anywhere; }
  .rm-draft { position: fixed; top: 50%; left: 50%; width: 160mm; transform: translate(-50%, -50%);
    z-index: 1000; pointer-events: none; }`;

function band(text, where) {  // a header or footer line of Chromium's page template
  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<div style="width:100%;margin:0 ${MARGIN_MM.side}mm;font:8pt sans-serif;color:#000;display:flex;${where}">
    <span style="font-weight:bold;color:#b00000;letter-spacing:0.08em">${esc(text[0])}</span>
    <span style="margin-left:2em;max-width:62%;overflow:hidden;white-space:nowrap;text-overflow:ellipsis">${
      esc(text[1] || "")}</span></div>`;
}

async function keepMain(tab) {  // the page's own content only; links into the site become plain text
  await tab.evaluate(() => {
    const main = document.querySelector("main#quarto-document-content");
    if (!main) throw new Error("no <main id=quarto-document-content> in this page");
    document.body.replaceChildren(main);
    document.body.className = "rm-print";
    main.querySelectorAll("details.code-fold, .code-copy-button, .anchorjs-link, script").forEach((e) => e.remove());
    for (const a of main.querySelectorAll("a[href]")) {
      if (new URL(a.href, location.href).origin === location.origin) a.removeAttribute("href");
    }
  });
}

async function addWatermark(tab, text) {  // drawn as a picture: a diagonal text line would garble the page's text
  await tab.evaluate((words) => {
    const canvas = Object.assign(document.createElement("canvas"), { width: 1600, height: 1100 });
    const pen = canvas.getContext("2d");
    pen.translate(800, 550);
    pen.rotate(-Math.PI / 5);
    Object.assign(pen, { font: "bold 130px sans-serif", fillStyle: "rgba(190, 0, 0, 0.14)",
      textAlign: "center", textBaseline: "middle" });
    pen.fillText(words, 0, 0);
    const mark = Object.assign(document.createElement("img"), { className: "rm-draft", alt: "", src: canvas.toDataURL() });
    mark.setAttribute("aria-hidden", "true");
    document.body.append(mark);
  }, text);
  await tab.waitForFunction(() => [...document.images].every((i) => i.complete));
}

async function fitTables(tab) {
  // Each table too wide for A4 portrait gets a smaller font, then a landscape page of its own (CSS named
  // page), then a smaller font again; the ids of tables still too wide are returned (a cut column).
  await tab.setViewportSize({ width: Math.floor(TEXT_MM.portrait * PX_PER_MM), height: 1000 });
  return await tab.evaluate(({ sizes, landscapePx }) => {
    const wide = (t, limit) => t.getBoundingClientRect().width > limit + 1;
    const name = (t) => (t.closest("[id]") || {}).id || t.querySelector("caption")?.textContent || "(table)";
    const turned = [], cut = [];
    for (const table of document.querySelectorAll("table")) {
      const fit = (limit) => sizes.some((pt) => { table.style.setProperty("font-size", `${pt}pt`, "important");
        return !wide(table, limit); });
      if (!wide(table, document.body.clientWidth) || fit(document.body.clientWidth)) continue;
      const box = table.closest("div[role=region]") || table;
      box.classList.add("rm-wide");
      box.style.width = `${landscapePx}px`;  // measured at the landscape text width, then released
      if (!fit(landscapePx)) cut.push(name(table));
      box.style.width = "";
      turned.push(name(table));
    }
    return { turned, cut };
  }, { sizes: FONT_PT, landscapePx: Math.floor(TEXT_MM.landscape * PX_PER_MM) });
}

async function printJob(tab, base, job, seen) {
  await tab.emulateMedia({ media: "print" });
  await tab.setViewportSize({ width: Math.floor(TEXT_MM.portrait * PX_PER_MM), height: 1000 });
  if (job.page) {
    const response = await tab.goto(`${base}/${job.page}`, { waitUntil: "load" });
    if (!response || response.status() !== 200) throw new Error(`HTTP ${response && response.status()} for ${job.page}`);
    await keepMain(tab);
  } else {
    await tab.setContent(job.html, { waitUntil: "load" });
  }
  await tab.addStyleTag({ content: PRINT_CSS });
  await tab.evaluate(() => document.fonts.ready);
  const { turned, cut } = await fitTables(tab);
  if (job.draft) await addWatermark(tab, job.draft);
  await tab.pdf({ path: job.out, preferCSSPageSize: true, printBackground: true, displayHeaderFooter: true,
    headerTemplate: band([job.header, job.draft], "justify-content:center"),
    footerTemplate: band([job.header, job.footer], "justify-content:flex-start") });
  return { out: job.out, landscape: turned, cut, blocked: [...seen.blocked], missing: [...seen.missing], error: "" };
}

async function worker(browser, base, queue, results) {
  const context = await browser.newContext({ viewport: { width: 680, height: 1000 } });
  const seen = { blocked: new Set(), missing: new Set() };
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${base}/`) || url.startsWith("data:") || url === "about:blank") return route.continue();
    seen.blocked.add(url);
    return route.abort();
  });
  const tab = await context.newPage();
  tab.on("response", (r) => { if (r.status() >= 400) seen.missing.add(r.url().slice(base.length + 1)); });
  tab.setDefaultTimeout(120000);
  for (let next = queue.shift(); next; next = queue.shift()) {
    seen.blocked.clear();
    seen.missing.clear();
    try {
      results[next.index] = await printJob(tab, base, next.job, seen);
    } catch (e) {
      results[next.index] = { out: next.job.out, landscape: [], cut: [], blocked: [...seen.blocked],
        missing: [...seen.missing], error: String(e.message || e) };
    }
  }
  await context.close();
}

const args = process.argv.slice(2);
const siteDir = args[0];
const workers = Math.max(1, Number(args[args.indexOf("--workers") + 1]) || 2);
if (!siteDir) {
  console.error("usage: node print.mjs SITE_DIR [--workers N]  (JSON batches on stdin, one a line)");
  process.exit(2);
}
const { server, base, browser } = await open(siteDir, chromium);
try {
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const jobs = JSON.parse(line).jobs;
    const queue = jobs.map((job, index) => ({ job, index }));
    const results = new Array(jobs.length);
    await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, () => worker(browser, base, queue, results)));
    process.stdout.write(JSON.stringify({ results }) + "\n");
  }
} finally {
  await browser.close();
  server.close();
}
