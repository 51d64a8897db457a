'use strict';
/**
 * A small client for `tlc export`, for an Electron main process or a Node server.
 *
 *     const { exportTimeline } = require('./tlc-client.cjs');   // or: import ... from './tlc-client.mjs'
 *     const ac = new AbortController();
 *     const done = await exportTimeline('edit.tl', {
 *       output: 'out/edit.mp4', overwrite: true, args: ['--preset', 'draft'],
 *       signal: ac.signal,                         // ac.abort() cancels: SIGTERM, tlc exits 130
 *       onProgress: (e) => console.log(e.overall ?? e.fraction, e.eta),
 *     });
 *     console.log(done.outputs);
 *
 * It spawns `tlc export FILE --progress json` (the binary: options.tlc, else $TLC_BIN,
 * else `tlc` on PATH), reads its JSON-lines events from stdout, and settles only once
 * tlc has exited and its pipes are closed (no zombie, nothing left running). Only
 * Node's own modules are used.
 */

const { spawn } = require('node:child_process');
const { EventEmitter } = require('node:events');
const readline = require('node:readline');

/** Exit statuses of `tlc export` (shared/cli.md). */
const EXIT = Object.freeze({ OK: 0, FAILED: 1, USAGE: 2, CANCELLED: 130 });

/** Children still running, stopped if this process exits first (an app that quits). */
const live = new Set();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      try { child.kill('SIGTERM'); } catch { /* already gone */ }
    }
  });
}

/**
 * Why an export did not finish: `exitCode` (2: the timeline or an option is wrong;
 * 1: ffmpeg or the system failed; 130: cancelled; null: tlc could not be started),
 * `location` ({file, line, column}) for an error in the timeline, `stderr` (all tlc
 * said there: the source line and caret, ffmpeg's last lines), `cancelled`.
 */
class TlcError extends Error {
  constructor(message, { exitCode = null, signal = null, location = null, stderr = '',
    cancelled = false, event = null } = {}) {
    super(message);
    this.name = cancelled ? 'AbortError' : 'TlcError';
    this.exitCode = exitCode;
    this.signal = signal;
    this.location = location;
    this.stderr = stderr;
    this.cancelled = cancelled;
    this.event = event;
  }
}

/** The tlc binary to run: the option, else $TLC_BIN, else `tlc` on PATH. */
function tlcBinary(explicit) {
  return explicit || process.env.TLC_BIN || 'tlc';
}

/** The argv after the binary for `tlc export FILE ...`. */
function exportArgs(file, options = {}) {
  const args = ['export', file, '--progress', 'json'];
  if (options.output) args.push('-o', options.output);
  if (options.overwrite) args.push('-y');
  if (options.noLog) args.push('--no-log');
  return args.concat(options.args || []);
}

/** The located `FILE:LINE:COL: error: ...` line tlc wrote, or the last lines of stderr. */
function errorMessage(event, stderr, exitCode) {
  const located = stderr.split('\n').find((l) => /^.+?:\d+:\d+: error: /.test(l));
  if (located) return located;
  if (event && event.message) {
    if (event.file && event.line) {
      return `${event.file}:${event.line}:${event.column || 1}: error: ${event.message}`;
    }
    return event.message;
  }
  const tail = stderr.trim().split('\n').slice(-5).join('\n');
  return tail || `tlc exited with status ${exitCode}`;
}

/**
 * One running export. Events: 'progress' (each progress event, in order), 'warning',
 * 'event' (every event tlc writes). `promise` resolves with the done event
 * ({outputs, seconds, ...}) or rejects with a TlcError; `cancel()` stops it.
 */
class TlcExport extends EventEmitter {
  constructor(file, options = {}) {
    super();
    this.binary = tlcBinary(options.tlc);
    this.args = exportArgs(file, options);
    this.cancelRequested = false;
    this.killTimeout = options.killTimeout ?? 10000;
    this.child = null;
    this.promise = new Promise((resolve, reject) => {
      this._resolve = resolve;
      this._reject = reject;
    });
    // (an unhandled rejection of a promise nobody awaited would end the process)
    this.promise.catch(() => {});
    const { signal } = options;
    if (signal && signal.aborted) {
      this.cancelRequested = true;
      this._reject(new TlcError('cancelled before it started',
        { exitCode: EXIT.CANCELLED, cancelled: true }));
      return;
    }
    this._start(options);
    if (signal) {
      const onAbort = () => this.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
      this.promise.then(() => signal.removeEventListener('abort', onAbort),
        () => signal.removeEventListener('abort', onAbort));
    }
  }

  get pid() { return this.child ? this.child.pid : undefined; }

  _start(options) {
    let last = null; // the done or error event
    let stderr = '';
    let spawnError = null;
    const child = spawn(this.binary, this.args, {
      cwd: options.cwd,
      env: options.env || process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    installExitHook();
    live.add(child);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.length > 256 * 1024) stderr = stderr.slice(-128 * 1024);
    });
    const lines = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
    lines.on('line', (line) => {
      let event;
      try { event = JSON.parse(line); } catch { return; } // (not an event: ignore it)
      if (!event || typeof event !== 'object') return;
      this.emit('event', event);
      if (event.event === 'progress') this.emit('progress', event);
      else if (event.event === 'warning') this.emit('warning', event);
      else if (event.event === 'done' || event.event === 'error') last = event;
    });
    child.on('error', (err) => { spawnError = err; }); // (then 'close' follows)
    // 'close': the process has exited (and been reaped) and its pipes are drained
    child.on('close', (code, signal) => {
      live.delete(child);
      clearTimeout(this._killTimer);
      if (spawnError && child.pid === undefined) { // (never started: 'close' has errno as code)
        this._reject(new TlcError(`cannot start tlc (${this.binary}): ${spawnError.message}`,
          { stderr }));
        return;
      }
      if (code === EXIT.OK && last && last.event === 'done') {
        this._resolve(last);
        return;
      }
      const cancelled = code === EXIT.CANCELLED || (this.cancelRequested && code !== EXIT.OK);
      const message = cancelled ? 'cancelled' : errorMessage(last, stderr, code);
      const location = last && last.file
        ? { file: last.file, line: last.line, column: last.column } : null;
      this._reject(new TlcError(message,
        { exitCode: code, signal, location, stderr, cancelled, event: last }));
    });
  }

  /** Stop the export: SIGTERM (tlc stops ffmpeg, removes its temp files, exits 130),
   *  then SIGKILL if it has not exited after `killTimeout` ms. Resolves when it has. */
  cancel() {
    const child = this.child;
    this.cancelRequested = true;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      this._killTimer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }, this.killTimeout);
      this._killTimer.unref();
    }
    return this.promise.then(() => undefined, () => undefined);
  }
}

/** Start `tlc export FILE`; see TlcExport. */
function startExport(file, options = {}) {
  return new TlcExport(file, options);
}

/**
 * Export FILE and resolve with tlc's done event ({outputs, seconds, ...}).
 * options: output, overwrite, args (more CLI options), tlc (binary), cwd, env, signal
 * (an AbortSignal: cancels), onProgress(event), onWarning(event), noLog.
 */
function exportTimeline(file, options = {}) {
  const job = startExport(file, options);
  if (options.onProgress) job.on('progress', options.onProgress);
  if (options.onWarning) job.on('warning', options.onWarning);
  return job.promise;
}

module.exports = { EXIT, TlcError, TlcExport, exportArgs, exportTimeline, startExport, tlcBinary };
