// A tiny static server for the example page (127.0.0.1 only): the page and this folder
// at /, the repository's node_modules at /node_modules/ (the ffmpeg.wasm cores and
// @ffmpeg/ffmpeg), and a folder of yours at /data/ (the module `tlc print --format js`
// wrote, named plan.mjs, and the media and fonts it names).
//
//   node examples/wasm/server.mjs --data DIR [--port 8080] [--no-isolation]
//
// Every response carries the two headers that make the page cross-origin isolated, so
// that SharedArrayBuffer, and with it the multi-threaded core, works:
//   Cross-Origin-Opener-Policy: same-origin
//   Cross-Origin-Embedder-Policy: require-corp
// --no-isolation leaves them out: the page then runs the single-threaded core.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript",
  ".wasm": "application/wasm", ".json": "application/json", ".mp4": "video/mp4",
  ".m4a": "audio/mp4", ".png": "image/png", ".ttf": "font/ttf", ".otf": "font/otf",
};

export function isolationHeaders() {
  return { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };
}

// Start the server; resolves to {url, close}.
export function serve({ data, port = 0, isolation = true, nodeModules = path.resolve(HERE, "../../node_modules") } = {}) {
  const roots = [["/node_modules/", nodeModules], ["/data/", data], ["/", HERE]];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const pathname = decodeURIComponent(url.pathname === "/" ? "/index.html" : url.pathname);
    const [prefix, root] = roots.find(([p, r]) => r && pathname.startsWith(p)) || [];
    const file = root && path.resolve(root, "." + pathname.slice(prefix.length - 1));
    const headers = isolation ? { ...isolationHeaders() } : {};
    if (!file || !file.startsWith(path.resolve(root) + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, headers).end("not found");
      return;
    }
    headers["Content-Type"] = TYPES[path.extname(file)] || "application/octet-stream";
    headers["Content-Length"] = fs.statSync(file).size;
    res.writeHead(200, headers);
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const url = `http://127.0.0.1:${server.address().port}/`;
      resolve({ url, close: () => new Promise((done) => { server.closeAllConnections(); server.close(done); }) });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const { url } = await serve({
    data: value("--data") && path.resolve(value("--data")),
    port: Number(value("--port") || 8080),
    isolation: !args.includes("--no-isolation"),
  });
  console.log(`serving ${url}${args.includes("--no-isolation") ? " (not cross-origin isolated)" : ""}`);
}
