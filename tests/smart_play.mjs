// Plays an MP4 to its end in headless Chromium (Debian's, through playwright-core) and
// prints what the <video> element saw, as one JSON line: the duration, where playback
// ended, the frames it decoded and any error. Used by tests/test_smart.py.
//
//   node tests/smart_play.mjs /abs/path/video.mp4
import { chromium } from "playwright-core";
import { writeFileSync } from "node:fs";
import { dirname, basename, join } from "node:path";

const file = process.argv[2];
const page_path = join(dirname(file), "play.html");
writeFileSync(page_path, `<!doctype html><video muted playsinline src="${basename(file)}"></video>`);
const browser = await chromium.launch({
  executablePath: process.env.TLC_CHROMIUM || "/usr/bin/chromium",
  args: ["--autoplay-policy=no-user-gesture-required", "--allow-file-access-from-files",
         "--disable-audio-output", "--mute-audio"],
});
try {
  const page = await browser.newPage();
  await page.goto("file://" + page_path);
  const limit = Number(process.env.TLC_PLAY_TIMEOUT_MS || 60000);
  const seen = await page.evaluate((limit) => new Promise((resolve) => {
    const v = document.querySelector("video");
    const done = (what) => resolve({
      what,
      error: v.error ? `${v.error.code} ${v.error.message}` : null,
      duration: v.duration,
      currentTime: v.currentTime,
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
      dropped: v.getVideoPlaybackQuality().droppedVideoFrames,
      width: v.videoWidth,
      paused: v.paused, readyState: v.readyState, played: v.played.length ? v.played.end(0) : 0,
    });
    v.addEventListener("error", () => done("error"));
    v.addEventListener("ended", () => done("ended"));
    setTimeout(() => done("timeout"), limit);
    const start = () => {
      v.playbackRate = 4;
      v.play().catch((e) => resolve({ what: "play", error: String(e) }));
    };
    if (v.readyState >= 1) start();
    else v.addEventListener("loadedmetadata", start);
  }), limit);
  console.log(JSON.stringify(seen));
} finally {
  await browser.close();
}
