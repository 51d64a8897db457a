// Tests of the Node client against the real `tlc` (the repository's .venv, or $TLC_BIN)
// and real ffmpeg (the one tlc bundles, or $TLC_FFMPEG). Run: node --test examples/node/
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { exportTimeline, startExport, TlcError } from './tlc-client.mjs';
import cjs from './tlc-client.cjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const venv = path.resolve(here, '../../.venv/bin');
const TLC = process.env.TLC_BIN || path.join(venv, 'tlc');
const missing = fs.existsSync(TLC) ? false : `no tlc at ${TLC} (make venv, or set TLC_BIN)`;

function ffmpeg() {
  if (process.env.TLC_FFMPEG) return process.env.TLC_FFMPEG;
  const python = path.join(path.dirname(TLC), 'python');
  return execFileSync(python, ['-c', 'import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())'],
    { encoding: 'utf8' }).trim();
}

/** A project directory with media/a.mp4 (testsrc2 + sine) of `seconds`. */
const made = [];
after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

function project(seconds, size = '320x180') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlc-node-'));
  made.push(dir);
  fs.mkdirSync(path.join(dir, 'media'));
  execFileSync(ffmpeg(), ['-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac',
    path.join(dir, 'media', 'a.mp4')]);
  return dir;
}

// the tests' exports are logged in their own directory, never in the user's
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tlc-node-log-'));
made.push(logDir);
const env = {
  ...process.env,
  TLC_LOG: path.join(logDir, 'exports.jsonl'),
  TLC_CONFIG: path.join(logDir, 'no-config.toml'), // (none: tlc's own defaults)
};

test('an export emits its progress events in order, then resolves with the outputs',
  { skip: missing }, async () => {
    const dir = project(3);
    fs.writeFileSync(path.join(dir, 'edit.tl'),
      'output "out/edit.mp4" { size 320x180 fps 25 preset draft }\n'
      + 'video {\n  clip "media/a.mp4"\n  clip "media/a.mp4" trim 0.5s..2s\n}\n'
      + 'audio {\n  clip "media/a.mp4"\n}\n');
    const events = [];
    const job = startExport('edit.tl', { tlc: TLC, cwd: dir, env });
    job.on('event', (e) => events.push(e));
    const progress = [];
    job.on('progress', (e) => progress.push(e));
    const done = await job.promise;
    assert.equal(done.event, 'done');
    assert.deepEqual(done.outputs, [path.join(fs.realpathSync(dir), 'out/edit.mp4')]);
    assert.ok(fs.statSync(path.join(dir, 'out/edit.mp4')).size > 1000);
    assert.ok(progress.length >= 1, 'at least one progress event');
    assert.equal(events.at(-1).event, 'done', 'the done event comes last');
    // in order: the steps never go back, nor the fraction within a step
    for (let i = 1; i < progress.length; i++) {
      const [a, b] = [progress[i - 1], progress[i]];
      assert.ok(b.step > a.step || (b.step === a.step && b.fraction >= a.fraction),
        `progress went back: ${JSON.stringify(a)} then ${JSON.stringify(b)}`);
    }
    assert.equal(progress.at(-1).fraction, 1);
    const overall = progress.map((e) => e.overall);
    assert.deepEqual(overall, [...overall].sort((a, b) => a - b), 'overall never goes back');
    assert.equal(overall.at(-1), 1);
    assert.equal(job.child.exitCode, 0);
  });

test('a bad timeline rejects with exit status 2 and the located message',
  { skip: missing }, async () => {
    const dir = project(1);
    fs.writeFileSync(path.join(dir, 'bad.tl'),
      'output "out/bad.mp4"\nvideo {\n  clip "media/a.mp4"\n  clup "media/a.mp4"\n}\n');
    const err = await exportTimeline('bad.tl', { tlc: TLC, cwd: dir, env }).then(
      () => assert.fail('the export should have failed'), (e) => e);
    assert.ok(err instanceof TlcError);
    assert.ok(err instanceof cjs.TlcError, 'one class, from either entry');
    assert.equal(err.exitCode, 2);
    assert.equal(err.cancelled, false);
    assert.match(err.message, /^bad\.tl:4:3: error: unknown keyword 'clup'/);
    assert.deepEqual(err.location, { file: 'bad.tl', line: 4, column: 3 });
    assert.match(err.stderr, /\^~~~/, 'stderr keeps the source line and caret');
    assert.ok(!fs.existsSync(path.join(dir, 'out')));
  });

test('a binary that is not there rejects without an exit status', async () => {
  const err = await exportTimeline('x.tl', { tlc: '/nonexistent/tlc' }).catch((e) => e);
  assert.ok(err instanceof TlcError);
  assert.equal(err.exitCode, null);
  assert.match(err.message, /cannot start tlc \(\/nonexistent\/tlc\)/);
});

test('cancelling with an AbortSignal ends tlc with 130 and leaves no file',
  { skip: missing }, async () => {
    const dir = project(30, '640x360');
    fs.writeFileSync(path.join(dir, 'long.tl'),
      'output "out/long.mp4" { size 1280x720 fps 25 preset production }\n'
      + 'video {\n  clip "media/a.mp4"\n}\naudio {\n  clip "media/a.mp4"\n}\n');
    const ac = new AbortController();
    const job = startExport('long.tl', { tlc: TLC, cwd: dir, env, signal: ac.signal });
    let progressed = 0;
    job.on('progress', () => { if (++progressed === 1) ac.abort(); });
    const err = await job.promise.then(() => assert.fail('it should have been cancelled'),
      (e) => e);
    assert.ok(progressed >= 1, 'cancelled while rendering');
    assert.ok(err instanceof TlcError);
    assert.equal(err.cancelled, true);
    assert.equal(err.name, 'AbortError');
    assert.equal(err.exitCode, 130, `tlc's exit status (stderr: ${err.stderr})`);
    assert.ok(!fs.existsSync(path.join(dir, 'out/long.mp4')), 'no output');
    const left = fs.existsSync(path.join(dir, 'out')) ? fs.readdirSync(path.join(dir, 'out')) : [];
    assert.deepEqual(left.filter((n) => n.includes('tlc-tmp')), [], 'no temp file');
    // reaped: the process is gone (signal 0 fails)
    assert.throws(() => process.kill(job.pid, 0), { code: 'ESRCH' });
  });

test('cancel() works as the signal does', { skip: missing }, async () => {
  const dir = project(30, '640x360');
  fs.writeFileSync(path.join(dir, 'long.tl'),
    'output "out/long.mp4" { size 1280x720 fps 25 preset production }\n'
    + 'video {\n  clip "media/a.mp4"\n}\n');
  const job = startExport('long.tl', { tlc: TLC, cwd: dir, env });
  await new Promise((resolve) => job.once('progress', resolve));
  await job.cancel();
  const err = await job.promise.catch((e) => e);
  assert.equal(err.exitCode, 130);
  assert.ok(!fs.existsSync(path.join(dir, 'out/long.mp4')));
});
