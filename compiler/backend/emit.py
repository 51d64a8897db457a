"""Plan -> ffmpeg runs: one argv (a list of strings, never a shell string) per run.

Each intermediate file is written by a run of its own; all outputs are written by
one last run. Inside a run, equal :class:`~tlc.ir.Src` reads share one ``-i``, a
stream read by several filters is split once, linear filter chains are written as
``a,b,c``, and a graph past :data:`SCRIPT_THRESHOLD` characters goes into a script
file (``-/filter_complex`` from ffmpeg 7, ``-filter_complex_script`` before).
"""

from __future__ import annotations

import functools
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from tlc.backend.escape import (
    concat_path,
    concat_safe_name,
    ffmetadata_value,
    file_url,
    filter_args,
)
from tlc.core.timefmt import ratio, sec, sec_down
from tlc.core.toolchain import Ffmpeg
from tlc.ir.plan import ConcatSrc, Copy, Encode, F, Lavfi, Node, Plan, Sink, Src
from tlc.ir.walk import children, sinks, walk_from

SCRIPT_THRESHOLD = 16_000
#: the filters that read a file, and the options that name it (a run's ``inputs`` too)
_READS_FILES = {"drawtext": ("fontfile", "textfile"), "subtitles": ("filename",)}
BASE_ARGS = ("-hide_banner", "-nostdin", "-y", "-loglevel", "error")


@dataclass(frozen=True, slots=True)
class AuxFile:
    """A file a run reads that tlc writes first: a concat list, a filter script."""

    path: str
    content: str


@dataclass(frozen=True, slots=True)
class Step:
    """One ffmpeg run."""

    argv: tuple[str, ...]
    writes: tuple[str, ...]  # files it writes (final paths of outputs, or intermediates)
    outputs: tuple[str, ...]  # the subset of ``writes`` that are the user's outputs
    aux: tuple[AuxFile, ...] = ()
    duration: Fraction | None = None
    label: str = ""
    inputs: tuple[str, ...] = field(default=())


def emit(plan: Plan, ffmpeg: Ffmpeg | None, ffmpeg_path: str | None = None) -> list[Step]:
    """The runs that make ``plan``'s outputs, in the order they must run."""
    binary = ffmpeg_path or (ffmpeg.path if ffmpeg else "ffmpeg")
    all_sinks = sinks(plan)
    inter = [s for s in all_sinks if s.intermediate]
    finals = [s for s in all_sinks if not s.intermediate]
    steps = []
    for i, s in enumerate(inter):
        steps.append(_Run(plan, binary, ffmpeg, f"r{i + 1}").build([s], s.role))
    if finals:
        steps.append(_Run(plan, binary, ffmpeg, "out").build(finals, "output"))
    return steps


class _Run:
    def __init__(self, plan: Plan, binary: str, ffmpeg: Ffmpeg | None, tag: str) -> None:
        self.plan = plan
        self.binary = binary
        self.ffmpeg = ffmpeg
        self.tag = tag
        self.inputs: dict[tuple[object, ...], int] = {}
        self.index_of: dict[int, int] = {}  # the same, by the node's id
        self.input_args: list[str] = []
        self.input_paths: list[str] = []
        self.aux: list[AuxFile] = []
        self.labels: dict[int, str] = {}
        self.counter = 0

    # ---- inputs ---------------------------------------------------------------------------
    def input_index(self, node: Src | ConcatSrc, key: tuple[object, ...] | None = None) -> int:
        if id(node) in self.index_of:
            return self.index_of[id(node)]
        if key is None:
            key = node.input_key()
        if key in self.inputs:
            self.index_of[id(node)] = self.inputs[key]
            return self.inputs[key]
        idx = len(self.inputs)
        self.inputs[key] = idx
        self.index_of[id(node)] = idx
        if isinstance(node, ConcatSrc):
            listfile = os.path.join(self.plan.workdir, f"{self.tag}-list{idx}.txt")
            lines = ["ffconcat version 1.0"]
            if node.stream_id is not None:
                lines += ["stream", f"exact_stream_id {node.stream_id}"]
            # the demuxer's `safe` mode stays on when every file is a plain relative name
            # below the list (tlc's own intermediates); other paths are written absolute
            names = [concat_safe_name(e.path, os.path.dirname(listfile)) for e in node.entries]
            safe = all(names)
            for e, name in zip(node.entries, names, strict=True):
                lines.append(f"file {name if safe else concat_path(e.path)}")
                if e.inpoint is not None:
                    lines.append(f"inpoint {sec(e.inpoint)}")
                if e.outpoint is not None:
                    lines.append(f"outpoint {sec(e.outpoint)}")
                if e.duration is not None:
                    lines.append(f"duration {sec(e.duration)}")
            self.aux.append(AuxFile(listfile, "\n".join(lines) + "\n"))
            self.input_args += [
                *(["-itsoffset", sec(node.offset)] if node.offset else []),
                "-f",
                "concat",
                *([] if safe else ["-safe", "0"]),
                "-protocol_whitelist",
                "file",
                "-i",
                file_url(listfile),
            ]
            self.input_paths += [e.path for e in node.entries]
            return idx
        # only the file protocol, also for whatever the demuxer opens (a playlist's entries)
        args: list[str] = ["-protocol_whitelist", "file"]
        info = self.plan.timeline.media.get(node.path)
        if "%" in node.path and info is not None and info.is_image:
            # this one file, never a numbered sequence ("img%03d.png" would read img001.png)
            args += ["-f", "image2", "-pattern_type", "none"]
        if node.loop:
            args += ["-loop", "1", "-framerate", ratio(node.rate or Fraction(25))]
        if node.seek:  # (down: a seek to a frame's time never lands just past it)
            args += ["-ss", sec_down(node.seek)]
        if node.duration is not None:
            args += ["-t", sec(node.duration)]
        args += ["-i", file_url(node.path)]
        self.input_args += args
        self.input_paths.append(node.path)
        return idx

    def chapters_input(self, sink: Sink) -> int:
        """The index of an ffmetadata input (an aux file) holding ``sink``'s chapters."""
        idx = len(self.inputs)
        self.inputs[("chapters", sink.path)] = idx
        path = os.path.join(self.plan.workdir, f"{self.tag}-chapters{idx}.txt")
        lines = [";FFMETADATA1"]
        for start, end, title in sink.chapters:
            lines += [
                "[CHAPTER]",
                "TIMEBASE=1/1000000",
                f"START={int(start * 1_000_000)}",
                f"END={int(end * 1_000_000)}",
                f"title={ffmetadata_value(title)}",
            ]
        self.aux.append(AuxFile(path, "\n".join(lines) + "\n"))
        self.input_args += ["-f", "ffmetadata", "-protocol_whitelist", "file", "-i",
                            file_url(path)]
        return idx

    def stream_spec(self, node: Src | ConcatSrc) -> str:
        return f"{self.input_index(node)}:{node.media}:0"

    # ---- graph ----------------------------------------------------------------------------
    def build(self, targets: list[Sink], role: str) -> Step:
        # nodes of this run: from the sinks' streams down to inputs (not into other runs)
        streams = tuple(s for sink in targets for s in sink.streams)
        walked: list[Node] = walk_from(streams, inputs_are_leaves=True)
        # One loop over the nodes (it sees every node of every run: written for speed).
        # Equal reads are one input: their consumers are counted together, under the
        # first read (``canon_of``, by id: a read's key, with fractions, is hashed once);
        # inputs are numbered in the order they are first needed.
        canon: dict[tuple[object, ...], Node] = {}
        canon_of: dict[int, Node] = {}
        get_canon = canon_of.get
        order: list[Node] = []
        consumers: defaultdict[int, list[Node]] = defaultdict(list)
        for node in walked:
            if type(node) is F:
                for c in node.srcs:
                    consumers[id(get_canon(id(c), c))].append(node)
            elif isinstance(node, (Src, ConcatSrc)):
                key = node.input_key()
                first = canon.setdefault((*key, node.media), node)
                canon_of[id(node)] = first
                if first is not node:
                    continue
                self.input_index(node, key)
            else:
                for c in children(node):
                    consumers[id(get_canon(id(c), c))].append(node)
            order.append(node)

        chains: list[str] = []
        split_out: dict[int, list[str]] = {}
        labels = self.labels

        def in_label(src: Node, user: Node) -> str:
            src = get_canon(id(src), src)
            if id(src) in split_out:
                return split_out[id(src)].pop(0)
            if isinstance(src, (Src, ConcatSrc)):
                return f"[{self.stream_spec(src)}]"
            return labels[id(src)]

        # a filter whose only consumer is a one-input filter continues into it (``a,b``):
        # its text waits in ``pending`` for the rest of the chain
        pending: dict[int, list[str]] = {}
        no_users: list[Node] = []
        for node in order:
            if type(node) is F:
                srcs = node.srcs
                text = _filter_text(node)
                if node.name in _READS_FILES:  # (a font, a subtitle file: read by the run)
                    self.input_paths += [v for k, v in node.args if k in _READS_FILES[node.name]]
                if len(srcs) == 1 and id(srcs[0]) in pending:
                    parts = pending.pop(id(srcs[0]))
                    parts.append(text)
                else:
                    parts = ["".join([in_label(s, node) for s in srcs]) + text]
            elif type(node) is Lavfi:
                parts = [_filter_text(node)]
            elif isinstance(node, (Src, ConcatSrc)):
                filter_users = [u for u in consumers.get(id(node), no_users) if type(u) is F]
                if len(filter_users) > 1:
                    split = "split" if node.media == "v" else "asplit"
                    outs = [self.new_label(node) for _ in filter_users]
                    chains.append(f"[{self.stream_spec(node)}]{split}={len(outs)}" + "".join(outs))
                    split_out[id(node)] = outs
                continue
            else:
                continue
            users = consumers.get(id(node), no_users)
            if len(users) == 1 and type(users[0]) is F and len(users[0].srcs) == 1:
                pending[id(node)] = parts
                continue
            label = self.new_label(node)
            if len(users) > 1:
                split = "split" if node.media == "v" else "asplit"
                outs = [self.new_label(node) for _ in users]
                chains.append(",".join(parts) + f",{split}={len(users)}" + "".join(outs))
                split_out[id(node)] = outs
            else:
                chains.append(",".join(parts) + label)
            labels[id(node)] = label
        # ---- outputs -------------------------------------------------------------------------
        out_args: list[str] = []
        writes = []
        outputs = []
        duration = None
        for sink in targets:
            for s in sink.streams:
                out_args += ["-map", self.encoder_input(s, self.map_spec(s, in_label), chains)]
            subtitle = 0
            for s in sink.streams:
                if s.media == "s":
                    out_args += _subtitle_args(s, subtitle)
                    subtitle += 1
                else:
                    out_args += _codec_args(s)
            if sink.chapters:
                out_args += ["-map_chapters", str(self.chapters_input(sink))]
            out_args += list(sink.flags)
            out_args += ["-f", sink.container, file_url(sink.path)]
            writes.append(sink.path)
            if sink.role == "output":
                outputs.append(sink.path)
            duration = sink.duration or duration
        graph = ";".join(chains)
        graph_args: list[str] = []
        if graph:
            if len(graph) > SCRIPT_THRESHOLD:
                script = os.path.join(self.plan.workdir, f"{self.tag}-graph.txt")
                self.aux.append(AuxFile(script, graph))
                if self.ffmpeg is not None:
                    graph_args = self.ffmpeg.filter_script_args(script)
                else:
                    graph_args = ["-/filter_complex", script]
            else:
                graph_args = ["-filter_complex", graph]
        devices = dict.fromkeys(
            s.codec.global_args for t in targets for s in t.streams if isinstance(s, Encode)
        )
        global_args = [a for args in devices for a in args]
        argv = (self.binary, *BASE_ARGS, *global_args, *self.input_args, *graph_args, *out_args)
        return Step(
            argv=argv,
            writes=tuple(writes),
            outputs=tuple(outputs),
            aux=tuple(self.aux),
            duration=duration,
            label=role,
            inputs=tuple(dict.fromkeys(self.input_paths)),
        )

    def new_label(self, node: Node) -> str:
        self.counter += 1
        media = getattr(node, "media", "v")
        return f"[{media}{self.counter}]"

    def encoder_input(self, stream: Encode | Copy, spec: str, chains: list[str]) -> str:
        """What the encoder reads: ``spec``, or ``spec`` through the filters its plugin needs."""
        if not isinstance(stream, Encode) or not stream.codec.filters:
            return spec
        self.counter += 1
        label = f"[{stream.media}{self.counter}]"
        source = spec if spec.startswith("[") else f"[{spec}]"
        chains.append(f"{source}{stream.codec.filters}{label}")
        return label

    def map_spec(self, stream: Encode | Copy, in_label: Callable[[Node, Node], str]) -> str:
        src = stream.src
        if isinstance(src, (Src, ConcatSrc)):
            return self.stream_spec(src)
        return in_label(src, stream)


def _filter_text(node: F | Lavfi) -> str:
    if not node.args:
        return node.name
    return _filter_text_of(node.name, node.args)


@functools.lru_cache(maxsize=4096)  # the same few filters, thousands of times over
def _filter_text_of(name: str, args: tuple[tuple[str, str], ...]) -> str:
    return f"{name}={filter_args(args)}"


def _subtitle_args(s: Encode | Copy, k: int) -> list[str]:
    """The codec and language of an output's ``k``-th subtitle stream."""
    if isinstance(s, Copy):
        return [f"-c:s:{k}", "copy"]
    args = [f"-c:s:{k}", s.codec.encoder, *s.codec.args]
    if s.codec.language:
        args += [f"-metadata:s:s:{k}", f"language={s.codec.language}"]
    return args


def _codec_args(s: Encode | Copy) -> list[str]:
    m = s.media
    if isinstance(s, Copy):
        return [f"-c:{m}", "copy"]
    args = [f"-c:{m}", s.codec.encoder, *s.codec.args]
    if s.codec.pix_fmt and not s.codec.filters:  # else the encoder's filters set the format
        args += ["-pix_fmt", s.codec.pix_fmt]
    if s.codec.keyframes:
        args += ["-force_key_frames", ",".join(sec_down(t) for t in s.codec.keyframes)]
    return args


