// tlc's runner for ffmpeg.wasm under Node.js: it behaves as an ffmpeg binary would.
//
//   node ffmpeg.mjs --core DIR [--probe-core DIR2] [--job FILE] [--] FFMPEG-ARGS...
//
// DIR is the dist/esm folder of @ffmpeg/core or @ffmpeg/core-mt (the one with
// ffmpeg-core.worker.js is multi-threaded). A run without a job (-version, -filters,
// an encoder's one-frame check: questions, not renders) runs in DIR2 when given: the
// single-threaded build of the same ffmpeg, which starts in a tenth of the time
// (core-mt first loads 32 workers). FFMPEG-ARGS are ffmpeg's own, starting
// after the program name; the host paths in them are used as they are, because
// the job mounts every file at its own host path inside the wasm file system:
//   {"reads": [PATH, ...], "writes": [PATH, ...]}
// reads: host files, mounted read-only through WORKERFS (Blob-like objects over
// fs.readSync: nothing is copied into the heap); writes: host files ffmpeg writes,
// each a device node whose writes and reads go straight to the host file (the
// output streams to disk, never held in the 1-2 GiB heap).
// stdout and stderr are ffmpeg's (-progress pipe:1 works); the exit status is
// ffmpeg's, or 1 with a last "tlc-wasm: ..." line when the wasm runtime failed.
//
// The cores are built for Web Workers only (they do not load in Node as shipped):
// the few browser globals they use are given here, `self`, `importScripts`,
// `FileReaderSync`, and for core-mt a `Worker` over node:worker_threads.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import { pathToFileURL, fileURLToPath } from "node:url";
import { Worker as NodeWorker, isMainThread, parentPort, workerData } from "node:worker_threads";

const HERE = fileURLToPath(import.meta.url);

// A Web Worker as core-mt uses it: onmessage/onerror, postMessage, terminate.
class WebWorker {
  constructor(url) {
    const script = String(url);
    this.onmessage = null;
    this.onerror = null;
    this.worker = new NodeWorker(HERE, { workerData: { script } });
    this.worker.on("message", (data) => this.onmessage && this.onmessage({ data }));
    this.worker.on("error", (err) => {
      if (this.onerror) this.onerror(err);
      else fail(`a thread failed: ${err && err.message}`);
    });
  }
  postMessage(msg, transfer) {
    this.worker.postMessage(msg, transfer);
  }
  terminate() {
    this.worker.terminate();
  }
  addEventListener(type, fn) {
    if (type === "message") this.worker.on("message", (data) => fn({ data }));
    else if (type === "error") this.worker.on("error", fn);
  }
}

// A host file as a Blob: size, and slices that FileReaderSync reads with fs.readSync.
class HostBlob {
  constructor(fd, size, start = 0) {
    this.fd = fd;
    this.size = size;
    this.start = start;
  }
  slice(a = 0, b = this.size) {
    const lo = Math.min(Math.max(0, a), this.size);
    const hi = Math.min(Math.max(lo, b), this.size);
    return new HostBlob(this.fd, hi - lo, this.start + lo);
  }
}

class FileReaderSync {
  readAsArrayBuffer(blob) {
    const buf = new Uint8Array(blob.size);
    let got = 0;
    while (got < blob.size) {
      const n = fs.readSync(blob.fd, buf, got, blob.size - got, blob.start + got);
      if (n === 0) break;
      got += n;
    }
    return buf.buffer;
  }
}

function fail(message) {
  fs.writeSync(2, `tlc-wasm: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const opts = { core: null, probeCore: null, job: null, args: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--core") opts.core = argv[++i];
    else if (a === "--job") opts.job = argv[++i];
    else if (a === "--probe-core") opts.probeCore = argv[++i];
    else if (a === "--") { i++; break; }
    else break;
  }
  opts.args = argv.slice(i);
  if (!opts.core) fail("usage: ffmpeg.mjs --core DIR [--job FILE] [--] FFMPEG-ARGS...");
  return opts;
}

async function loadCore(dir) {
  const script = path.join(dir, "ffmpeg-core.js");
  const threaded = fs.existsSync(path.join(dir, "ffmpeg-core.worker.js"));
  globalThis.self = { location: { href: pathToFileURL(script).href } };
  globalThis.importScripts = () => {}; // (the glue takes a function here for a worker)
  globalThis.FileReaderSync = FileReaderSync;
  if (threaded) globalThis.Worker = WebWorker;
  const { default: create } = await import(pathToFileURL(script).href);
  const tail = [];  // (the last lines of stderr, for what went wrong)
  const core = await create({
    wasmBinary: fs.readFileSync(path.join(dir, "ffmpeg-core.wasm")),
  });
  core.setLogger(({ type, message }) => {
    if (message === "Aborted()") return; // (the core says so on every exit)
    // (written at once: the main thread may block in ffmpeg, and exits with process.exit)
    fs.writeSync(type === "stdout" ? 1 : 2, message + "\n");
    if (type === "stderr") {
      tail.push(message);
      if (tail.length > 20) tail.shift();
    }
  });
  return { core, tail };
}

// Each read file at its host path: a WORKERFS mount of its own, and a symlink to it.
function mountReads(FS, reads) {
  const dirs = new Set();
  reads.forEach((host, i) => {
    const fd = fs.openSync(host, "r");
    const size = fs.fstatSync(fd).size;
    const at = `/.tlc-in/${i}`;
    FS.mkdirTree(at);
    const name = path.basename(host);
    FS.mount(FS.filesystems.WORKERFS, { blobs: [{ name, data: new HostBlob(fd, size) }] }, at);
    makeParent(FS, host, dirs);
    FS.symlink(`${at}/${name}`, host);
  });
}

function makeParent(FS, host, made) {
  const dir = path.posix.dirname(host);
  if (!made.has(dir)) {
    FS.mkdirTree(dir);
    made.add(dir);
  }
}

// Each written file: a device node whose reads, writes and seeks are the host file's.
function mountWrites(FS, writes) {
  const made = new Set();
  writes.forEach((host, i) => {
    const fd = fs.openSync(host, "w+");
    const dev = FS.makedev(64, i);
    FS.registerDevice(dev, {
      open(stream) { stream.seekable = true; },
      close() {},
      read(stream, buffer, offset, length, position) {
        return fs.readSync(fd, buffer, offset, length, position);
      },
      write(stream, buffer, offset, length, position) {
        return fs.writeSync(fd, buffer, offset, length, position);
      },
      llseek(stream, offset, whence) {
        let at = offset;
        if (whence === 1) at += stream.position;
        else if (whence === 2) at += fs.fstatSync(fd).size;
        if (at < 0) throw new FS.ErrnoError(28);
        return at;
      },
    });
    makeParent(FS, host, made);
    FS.mkdev(host, 0o666, dev);
  });
}

const OUT_OF_MEMORY = /out of memory|Cannot enlarge memory|Aborted\(OOM\)|RangeError|memory access out of bounds|Cannot allocate memory/i;

function heapFailure(err) {
  const text = String((err && err.message) || err);
  if (OUT_OF_MEMORY.test(text)) {
    return "ffmpeg.wasm ran out of memory (its heap: 1 GiB with core-mt, up to 2 GiB " +
      "with core); try a smaller --size, or --engine native";
  }
  return `ffmpeg.wasm failed: ${text}`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const job = opts.job ? JSON.parse(fs.readFileSync(opts.job, "utf8")) : { reads: [], writes: [] };
  const dir = opts.job || !opts.probeCore ? opts.core : opts.probeCore;
  let core, tail;
  try {
    ({ core, tail } = await loadCore(dir));
  } catch (err) {
    fail(`cannot load ffmpeg.wasm from ${dir}: ${err && err.message}`);
  }
  const FS = core.FS;
  try {
    mountReads(FS, job.reads || []);
    mountWrites(FS, job.writes || []);
  } catch (err) {
    fail(`cannot mount the job's files: ${err && (err.message || err.code || err)}`);
  }
  let ret;
  try {
    // (the core puts "./ffmpeg -nostdin -y" first; tlc's argv says both too)
    ret = core.exec(...opts.args);
  } catch (err) {
    fail(heapFailure(err));
  }
  const failed = !(typeof ret === "number" && ret >= 0) || ret !== 0;
  if (failed && tail.some((line) => OUT_OF_MEMORY.test(line))) fail(heapFailure("out of memory"));
  process.exit(typeof ret === "number" && ret >= 0 ? ret : 1);
}

// ---- browser globals, in a worker (core-mt's pthreads) ------------------------------------
if (typeof globalThis.navigator === "undefined") {  // (Node 21 has one)
  globalThis.navigator = { hardwareConcurrency: os.availableParallelism() };
}
if (!isMainThread) {
  globalThis.self = globalThis;
  globalThis.location = { href: workerData.script };
  globalThis.postMessage = (msg, transfer) => parentPort.postMessage(msg, transfer);
  globalThis.importScripts = (...urls) => {
    for (const u of urls) vm.runInThisContext(fs.readFileSync(fileURLToPath(u), "utf8"));
  };
  // (messages that come before the script has set onmessage wait for it: the first,
  // "load", comes at once, and a lost one leaves the core waiting for ever)
  const early = [];
  parentPort.on("message", (data) => {
    if (globalThis.onmessage) globalThis.onmessage({ data });
    else early.push(data);
  });
  await import(workerData.script);
  for (const data of early.splice(0)) globalThis.onmessage({ data });
} else {
  await main();
}
