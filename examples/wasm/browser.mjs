// Render a plan in headless Chromium (the example page, served from 127.0.0.1) and
// write the Blob it returns to a file: what tests/test_wasm_browser.py runs.
//
//   node examples/wasm/browser.mjs --data DIR --out FILE [--no-isolation]
//
// DIR holds plan.mjs (`tlc print --format js`) and every input it names. Prints one
// JSON line: {"core": ..., "isolated": ..., "bytes": ..., "seconds": ...}. Where
// Chromium cannot start, prints "SKIP: why" and exits 77. Chromium is Debian's
// (/usr/bin/chromium, or $CHROMIUM), driven by playwright-core: no browser download.
import fs from "node:fs";
import path from "node:path";
import { serve } from "./server.mjs";

const args = process.argv.slice(2);
const value = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const isolation = !args.includes("--no-isolation");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch (err) {
  console.log(`SKIP: playwright-core is not installed (make node-deps): ${err.message}`);
  process.exit(77);
}
let browser;
try {
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : [],
  });
} catch (err) {
  console.log(`SKIP: Chromium cannot start (${executablePath}): ${String(err.message).split("\n")[0]}`);
  process.exit(77);
}
const server = await serve({ data: path.resolve(value("--data")), isolation });
try {
  const page = await browser.newPage();
  const logs = [];
  page.on("console", (m) => logs.push(m.text()));
  page.on("pageerror", (e) => logs.push(String(e)));
  const started = Date.now();
  await page.goto(`${server.url}?auto=1`);
  await page.waitForFunction(() => window.tlcOutput || window.tlcError, null, { timeout: 240000 });
  const error = await page.evaluate(() => window.tlcError);
  if (error) throw new Error(`${error}\n${logs.join("\n")}`);
  const result = await page.evaluate(async () => {
    const bytes = new Uint8Array(await window.tlcOutput.arrayBuffer());
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { core: window.tlcCore, isolated: globalThis.crossOriginIsolated, data: btoa(text) };
  });
  const data = Buffer.from(result.data, "base64");
  fs.writeFileSync(value("--out"), data);
  console.log(JSON.stringify({ core: result.core, isolated: result.isolated, bytes: data.length,
    seconds: (Date.now() - started) / 1000 }));
} finally {
  await browser.close();
  await server.close();
}
