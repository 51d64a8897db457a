"""concat_audio: an audio track is a sequence, not a mix; clips that follow each other
whole are read through ONE concat-demuxer input and decoded once.

The naive plan mixes every audio item into a silent bed: one ``-i`` per item, each
trimmed and delayed to its start, all added by one ``amix`` (50 clips: 50 inputs,
50 ``adelay``, a 51-input mix that adds silence for most of the timeline). After
this pass each audio track is the concat of its pieces in time order:

- a *run*: clips that follow each other with no gap or overlap, each played whole
  (no trim, no volume, no fade), from containers that say exactly how long they
  decode (MP4/M4A/MOV with AAC or ALAC, WAV, AIFF, FLAC: encoder priming and
  padding are dropped by the decoder), all with the same codec, rate and
  channels: ONE concat-demuxer input (a list file), one decoder, one
  ``aresample``/``aformat``, then an exact cut;
- any other item (trimmed, with a volume or a fade, or a format whose length is
  only estimated): its own input, cut to the sample (the concat demuxer's
  ``inpoint``/``outpoint`` cut whole packets only, 1024 samples for AAC, and start
  the decoder cold);
- a gap: that many samples of silence.

Tracks are mixed with ``amix`` only when there is more than one (or a main
program under them). With no main program, when every audio source has the same
sample rate and channel layout, the whole graph keeps them: nothing is resampled,
and the encoder encodes no more samples than the sources hold.

Before (three whole 3 s clips at 44.1 kHz, sound only)::

    -t 3 -i a.m4a -t 3 -i b.m4a -t 3 -i c.m4a
    anullsrc=r=48000,atrim=end_sample=432000[bed];
    [0:a:0]asetpts,aresample=osr=48000,aformat=...,atrim=end_sample=144000[a1];
    [1:a:0]...,adelay=delays=144000S[a2]; [2:a:0]...,adelay=delays=288000S[a3];
    [bed][a1][a2][a3]amix=inputs=4:duration=first:...,apad,atrim=end_sample=432000

After::

    -f concat -safe 0 -i list.txt      (file 'a.m4a' / file 'b.m4a' / file 'c.m4a')
    [0:a:0]asetpts,aresample=osr=44100,aformat=...:sample_rates=44100,
        apad=whole_len=396900,atrim=end_sample=396900
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from tlc.core.context import Context
from tlc.ir import AudioItem, ConcatEntry, ConcatSrc, Encode, F, Node, Plan, Timeline, transform
from tlc.lower import audio_chains as ga
from tlc.lower import chains as g
from tlc.media.info import MediaInfo

# (container, codecs) whose decoded length is what the probe says, priming and padding
# dropped by the decoder: the concat demuxer joins these gaplessly and exactly
_EXACT_LENGTH = {
    "mov": ("aac", "alac", "pcm_"),
    "wav": ("pcm_",),
    "w64": ("pcm_",),
    "aiff": ("pcm_",),
    "flac": ("flac",),
}


def concat_audio(plan: Plan, ctx: Context) -> Plan:
    tl = plan.timeline
    if not any(tl.audio):
        return plan
    fmt = audio_format(tl)
    memo: dict[int, Node] = {}

    def fn(node: Node) -> Node:
        if not (isinstance(node, Encode) and node.media == "a"):
            return node
        mix = _naive_mix(node.src, tl)
        if mix is None:
            return node
        if id(node.src) not in memo:
            base = mix.srcs[0] if tl.main else None
            memo[id(node.src)] = mix_tracks(tl, base, fmt)
        return replace(node, src=memo[id(node.src)])

    return transform(plan, fn)


def audio_format(tl: Timeline) -> ga.AudioFormat:
    """The sources' own rate and layout when there is no main program and they all
    agree; else the default (48 kHz stereo, what the main program's audio uses)."""
    if tl.main:
        return ga.DEFAULT_AUDIO
    found = set()
    for track in tl.audio:
        for item in track:
            a = tl.media[item.path].audio
            if a is None or not a.layout or a.sample_rate <= 0:
                return ga.DEFAULT_AUDIO
            found.add((a.sample_rate, a.layout))
    if len(found) != 1:
        return ga.DEFAULT_AUDIO
    rate, layout = found.pop()
    return ga.AudioFormat(rate, layout)


def mix_tracks(tl: Timeline, base: Node | None, fmt: ga.AudioFormat) -> Node:
    """The audio tracks of ``tl`` (over ``base``, the main program's audio, if any),
    exactly as long as the timeline."""
    total = ga.samples(tl.duration, fmt.rate)
    tracks: list[Node] = []
    loose: list[Node] = []  # items of tracks whose items overlap: mixed one by one
    for track in tl.audio:
        if not track:
            continue
        seq = sequence(track, tl, fmt, total)
        if seq is None:
            loose += [ga.audio_item(it, fmt, channels=ga.channels(tl, it.path)) for it in track]
        else:
            tracks.append(seq)
    inputs = ([base] if base is not None else []) + tracks
    if base is None and len(tracks) == 1 and not loose:
        return tracks[0]  # already exactly `total` samples
    if not inputs:
        inputs = [ga.silent(total, fmt)]
    m = g.f(
        "amix",
        (*inputs, *loose),
        "a",
        "mix",
        inputs=len(inputs) + len(loose),
        duration="first",
        dropout_transition=0,
        normalize=0,
    )
    return ga.exact_samples(m, total)


def sequence(
    track: tuple[AudioItem, ...], tl: Timeline, fmt: ga.AudioFormat, total: int
) -> Node | None:
    """One track as the concat of its pieces, exactly ``total`` samples; None when two
    of its items overlap (they must be mixed)."""
    items = sorted(track, key=lambda it: it.start)
    pieces: list[Node] = []
    run: list[tuple[AudioItem, int]] = []
    pos = 0

    def flush() -> None:
        if len(run) == 1:
            item, n = run[0]
            pieces.append(
                ga.audio_item(item, fmt, delay=False, n=n, channels=ga.channels(tl, item.path))
            )
        elif run:
            entries = tuple(ConcatEntry(item.path) for item, _ in run)
            a = ga.conform_audio(ConcatSrc(entries, "a"), fmt, ga.channels(tl, run[0][0].path))
            pieces.append(ga.exact_samples(a, sum(n for _, n in run)))
        run.clear()

    for item in items:
        start = ga.samples(item.start, fmt.rate)
        end = min(ga.samples(item.start + item.duration, fmt.rate), total)
        if start < pos:
            return None
        if start > pos:
            flush()
            pieces.append(ga.silent(start - pos, fmt))
        info = tl.media[item.path]
        if whole_and_exact(item, info, fmt.rate):
            if run and not same_stream(tl.media[run[0][0].path], info):
                flush()
            run.append((item, end - start))
        else:
            flush()
            pieces.append(
                ga.audio_item(
                    item, fmt, delay=False, n=end - start, channels=ga.channels(tl, item.path)
                )
            )
        pos = end
    flush()
    if pos < total:
        pieces.append(ga.silent(total - pos, fmt))
    return pieces[0] if len(pieces) == 1 else g.concat(pieces, "a")


def whole_and_exact(item: AudioItem, info: MediaInfo, rate: int) -> bool:
    """True when ``item`` plays its whole file unchanged, and the file decodes to
    exactly its probed length (so a concat-demuxer join of such files is exact)."""
    a = info.audio
    if a is None or info.video is not None or a.index != 0:
        return False  # one audio stream only: the concat demuxer maps streams by index
    if item.src_in or item.volume_db or item.fade_in or item.fade_out:
        return False
    if "\n" in item.path or "\r" in item.path:
        return False  # a concat list cannot name it
    codecs = _EXACT_LENGTH.get(info.format_name.split(",")[0], ())
    if not any(a.codec.startswith(c) for c in codecs):
        return False
    length = a.duration or info.duration
    return length is not None and abs(item.duration - length) * rate < Fraction(1, 2)


def same_stream(a: MediaInfo, b: MediaInfo) -> bool:
    """One decoder can read both, back to back (it is set up from the first file)."""
    x, y = a.audio, b.audio
    assert x is not None and y is not None
    return (x.codec, x.sample_rate, x.channels, x.layout, x.profile) == (
        y.codec,
        y.sample_rate,
        y.channels,
        y.layout,
        y.profile,
    )


def _naive_mix(node: Node, tl: Timeline) -> F | None:
    """The ``amix`` of lowering's audio tracks under ``node`` (its exact cut), if it is."""
    if not (isinstance(node, F) and node.name == "atrim" and len(node.srcs) == 1):
        return None
    pad = node.srcs[0]
    if not (isinstance(pad, F) and pad.name == "apad" and len(pad.srcs) == 1):
        return None
    mix = pad.srcs[0]
    items = sum(len(track) for track in tl.audio)
    if isinstance(mix, F) and mix.role == "mix" and len(mix.srcs) == items + 1:
        return mix
    return None
