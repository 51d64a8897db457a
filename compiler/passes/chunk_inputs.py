"""chunk_inputs: no ffmpeg run opens more than :data:`MAX_INPUTS` inputs.

A long main track is one ``concat`` of its items, each item an input of its own:
10,000 clips would be 10,000 ``-i`` in one run, past any limit on open files
(``ulimit -n``) and on the length of a command line. When a run would open more
inputs than :data:`MAX_INPUTS`, each ``concat`` it holds is cut into segments of
consecutive items that open at most that many inputs between them. Each segment
is rendered by a run of its own to a file that is kept (``Sink`` role
``segment``), and the run that needed them reads them back through ONE
concat-demuxer input (a list file):

- video segments are encoded with the output's own codec, each starting on a
  keyframe (and with the output's keyframes at cuts inside it), and joined with
  ``-c:v copy`` when the join is all the output needs; when more filters follow
  (overlays, a second output's size), segments are lossless H.264 and the
  output is encoded once, from them;
- audio segments are FLAC (24-bit: no encoder priming, exact lengths), decoded
  by the run that reads them and encoded once.

Runs within the limit, as every small timeline's, are left as they are.

Before (200 clips)::

    ffmpeg -ss 1 -t 2 -i a.mp4 -ss 3 -t 2 -i b.mp4 ... (200 inputs)
      -filter_complex "[0:v:0]...[v1];...;[v1]...[v200]concat=n=200..." ... out.mp4

After::

    run 1: ffmpeg (inputs 1..64)    ... concat=n=64 ...   -c:v libx264 ... seg-v0001.mp4
    run 2: ffmpeg (inputs 1..64)    ... concat=n=64 ...   -c:a flac        seg-a0001.flac
    ... (4 video and 4 audio segments)
    run 9: ffmpeg -f concat -i list-v.txt -f concat -i list-a.txt
             -map 0:v:0 -c:v copy -map 1:a:0 -c:a aac -t 400 out.mp4
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from fractions import Fraction

from tlc.core.context import Context
from tlc.core.timefmt import sec
from tlc.ir.plan import Codec, ConcatEntry, ConcatSrc, Copy, Encode, F, Lavfi, Node, Plan, Sink, Src
from tlc.ir.timeline import Timeline
from tlc.ir.walk import children, transform
from tlc.lower import chains as g
from tlc.lower.programs import for_output

#: inputs one ffmpeg run may open: far below ``ulimit -n`` (256 on macOS, 1024 on
#: Linux), each input keeping a file open, and its argv far below the kernel's limit
MAX_INPUTS = 64

#: segments that more filters follow: encoded once more, so lossless here
LOSSLESS_VIDEO = Codec(
    "libx264", ("-preset", "ultrafast", "-qp", "0"), pix_fmt="yuv420p", family="h264"
)
#: audio segments: lossless, sample-exact (no priming), smaller than PCM
LOSSLESS_AUDIO = Codec("flac", ("-sample_fmt", "s32"), family="flac")


def chunk_inputs(plan: Plan, ctx: Context) -> Plan:
    concats: dict[int, F] = {}
    users: dict[int, list[Node]] = {}  # the nodes that read each of those concats
    needs: dict[int, list[set[tuple[object, ...]]]] = {}  # each concat's pieces' inputs
    for nodes in _runs(plan):
        found = {id(n): n for n in nodes if isinstance(n, F) and n.role == "concat"}
        opened = _inputs(nodes)
        for i, concat in found.items():
            needs[i] = [_piece_inputs(piece) for piece in concat.srcs]
            opened = opened.union(*needs[i])
        if len(opened) <= MAX_INPUTS:
            continue
        concats.update(found)
        for n in nodes:
            if not isinstance(n, (Src, ConcatSrc)):
                for c in children(n):
                    if id(c) in found:
                        users.setdefault(id(c), []).append(n)
    if not concats:
        return plan
    replaced: dict[int, ConcatSrc] = {}  # id of a concat -> the segments that replace it
    copies: set[int] = set()  # ids of the replacements that the output copies as they are
    seen: dict[str, int] = {}  # concats cut so far, by media: seg-v0001, seg2-v0001, ...
    for node in concats.values():
        groups = _groups(node.srcs, needs[id(node)])
        if len(groups) < 2:
            continue  # a single piece opens too many inputs: cutting cannot help
        seen[node.media] = seen.get(node.media, 0) + 1
        stem = os.path.join(plan.workdir, f"seg{seen[node.media] if seen[node.media] > 1 else ''}")
        if node.media == "v":
            codec = _copyable(users.get(id(node), []))
            segments = _video_segments(plan, node, groups, codec or LOSSLESS_VIDEO, stem)
        else:
            codec = None
            segments = _audio_segments(plan, node, groups, stem)
        entries = tuple(ConcatEntry(s.path, sink=s) for s in segments)
        replaced[id(node)] = ConcatSrc(entries, node.media)
        if codec is not None:
            copies.add(id(replaced[id(node)]))
    if not replaced:
        return plan

    def fn(node: Node) -> Node:
        if id(node) in replaced:  # a concat's pieces are untouched: it is itself here
            return replaced[id(node)]
        if isinstance(node, Encode) and id(node.src) in copies:
            return Copy(node.src, node.media)
        if isinstance(node, Sink) and node.role == "output":
            return _exact_end(node, plan)
        return node

    return transform(plan, fn, leaves=replaced.keys())  # the pieces stay as they are


def _exact_end(sink: Sink, plan: Plan) -> Sink:
    """A copied stream beside an encoded one ends at the timeline's length (as finalize
    does it: ``-t``, since a copy cannot be cut in the graph)."""
    streams = sink.streams
    if len(streams) > 1 and any(isinstance(s, Copy) for s in streams) and "-t" not in sink.flags:
        return replace(sink, flags=(*sink.flags, "-t", sec(plan.timeline.duration)))
    return sink


# ---- segments ----------------------------------------------------------------------------


def _copyable(users: list[Node]) -> Codec | None:
    """The codec to encode video segments with, so that the segments' join can be copied
    as it is: when every reader of the concat is an encoder of one same codec. Else None.
    """
    codecs = {replace(u.codec, keyframes=()) for u in users if isinstance(u, Encode)}
    if users and len(codecs) == 1 and all(isinstance(u, Encode) for u in users):
        return codecs.pop()
    return None


def _lengths(tl: Timeline, node: F) -> list[Fraction] | None:
    """The length of each piece of ``node``: known for the main track's concats."""
    main = tl.main
    if len(node.srcs) == len(main):
        return [item.duration for item in main]
    return None


def _program_of(plan: Plan, node: F) -> Timeline:
    """The timeline whose main track ``node`` (a video concat) joins: an output's own
    program (:func:`~tlc.lower.programs.for_output`) where one output reads it, on its
    frame grid; else the timeline."""
    tl = plan.timeline
    for sink in plan.outputs:
        out = next((o for o in tl.outputs if o.path == sink.path), None)
        if out is None or for_output(tl, out) is tl:
            continue
        if any(n is node for n in _reach(sink.streams, into_concats=True)):
            return for_output(tl, out)
    return tl


def _video_segments(
    plan: Plan, node: F, groups: list[list[Node]], codec: Codec, stem: str
) -> list[Sink]:
    tl = _program_of(plan, node)
    lengths = _lengths(tl, node)
    segments = []
    start, i = Fraction(0), 0
    for j, group in enumerate(groups, 1):
        length = sum(lengths[i : i + len(group)], Fraction(0)) if lengths else None
        # a file joined by copy starts on a keyframe, and keeps the output's cuts
        keys = [Fraction(0)]
        if length is not None:
            keys += [t - start for t in codec.keyframes if start < t < start + length]
        seg_codec = replace(codec, keyframes=tuple(keys))
        if len(group) == 1:
            v = group[0]
        elif lengths:  # the main track's items: their one-frame ones keep their frame
            v = g.concat_items(group, tl.main[i : i + len(group)], tl.fps)
        else:
            v = g.concat(group, "v")
        path = f"{stem}-v{j:04d}.mp4"
        segments.append(
            Sink(path, (Encode(v, seg_codec, "v"),), "segment", "mp4", keep=True, duration=length)
        )
        start += length or 0
        i += len(group)
    return segments


def _audio_segments(plan: Plan, node: F, groups: list[list[Node]], stem: str) -> list[Sink]:
    lengths = _lengths(plan.timeline, node)  # (the sound is the timeline's, for every output)
    segments = []
    i = 0
    for j, group in enumerate(groups, 1):
        length = sum(lengths[i : i + len(group)], Fraction(0)) if lengths else None
        a = group[0] if len(group) == 1 else g.concat(group, "a")
        path = f"{stem}-a{j:04d}.flac"
        segments.append(
            Sink(
                path,
                (Encode(a, LOSSLESS_AUDIO, "a"),),
                "segment",
                "flac",
                keep=True,
                duration=length,
            )
        )
        i += len(group)
    return segments


# ---- runs and their inputs ---------------------------------------------------------------


def _runs(plan: Plan) -> list[list[Node]]:
    """The nodes of each ffmpeg run (the outputs' run, and each intermediate file's), not
    counting the pieces of its concats (see :func:`_reach`)."""
    runs = []
    todo: list[tuple[Sink, ...]] = [plan.outputs]
    done: set[int] = set()
    while todo:
        nodes = _reach(s for sink in todo.pop() for s in sink.streams)
        runs.append(nodes)
        for n in nodes:  # the files this run reads that a run of their own writes
            for sink in children(n) if isinstance(n, (Src, ConcatSrc)) else ():
                if isinstance(sink, Sink) and id(sink) not in done:
                    done.add(id(sink))
                    todo.append((sink,))
    return runs


def _reach(starts: Iterable[Node], into_concats: bool = False) -> list[Node]:
    """The nodes one run computes from ``starts``: down to its inputs, not into the runs
    that write those inputs, and (unless ``into_concats``) not into the pieces of a
    concat: they are counted piece by piece (:func:`_piece_inputs`)."""
    seen: set[int] = set()
    out: list[Node] = []
    stack = list(starts)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        out.append(node)
        if isinstance(node, (Src, ConcatSrc)):
            continue
        if into_concats or not (isinstance(node, F) and node.role == "concat"):
            stack.extend(children(node))
    return out


def _inputs(nodes: Iterable[Node]) -> set[tuple[object, ...]]:
    """The distinct ``-i`` among ``nodes`` (equal reads share one, as emit makes them)."""
    return {n.input_key() for n in nodes if isinstance(n, (Src, ConcatSrc))}


def _piece_inputs(piece: Node) -> set[tuple[object, ...]]:
    """The inputs one piece of a concat reads."""
    leaf = piece
    while type(leaf) is F and len(leaf.srcs) == 1:  # most pieces are a chain
        leaf = leaf.srcs[0]
    if isinstance(leaf, (Src, ConcatSrc)):
        return {leaf.input_key()}
    if isinstance(leaf, Lavfi):
        return set()
    return _inputs(_reach([piece], into_concats=True))


def _groups(pieces: tuple[Node, ...], inputs: list[set[tuple[object, ...]]]) -> list[list[Node]]:
    """Consecutive pieces, cut where the next one would take a group past MAX_INPUTS."""
    groups: list[list[Node]] = [[]]
    opened: set[tuple[object, ...]] = set()
    for piece, needs in zip(pieces, inputs, strict=True):
        if groups[-1] and len(opened | needs) > MAX_INPUTS:
            groups.append([])
            opened = set()
        groups[-1].append(piece)
        opened |= needs
    return groups
