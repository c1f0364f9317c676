// A rendered site served to headless Chromium on 127.0.0.1 only (check.mjs, print.mjs): a file of
// the site, or its folder's index.html; anything outside the site or missing is a 404.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";

export const TYPES = { ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".json": "application/json",
  ".png": "image/png", ".svg": "image/svg+xml", ".csv": "text/csv", ".yml": "text/plain", ".woff": "font/woff",
  ".woff2": "font/woff2", ".ico": "image/x-icon" };

export function serve(root) {
  const server = createServer(async (req, res) => {
    let file = path.join(root, path.normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)));
    try {
      if (!file.startsWith(root + path.sep) && file !== root) throw new Error("outside the site");
      if ((await stat(file)).isDirectory()) file = path.join(file, "index.html");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end("not found");
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

// Debian's chromium, headless, with nothing that would reach another host on its own.
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export async function open(siteDir, chromium) {
  const server = await serve(path.resolve(siteDir));
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: CHROMIUM_ARGS });
  return { server, base, browser };
}
