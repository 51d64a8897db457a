"""Text forms of a compiled export: ``tlc print`` (sh, json) and ``tlc explain``."""

from __future__ import annotations

import difflib
import json
import os
import re
import shlex
from collections.abc import Sequence

from tlc.backend.emit import Step, emit
from tlc.backend.escape import file_url
from tlc.ir import Plan


def steps_json(steps: Sequence[Step]) -> str:
    data = [
        {
            "step": i,
            "label": s.label,
            "argv": list(s.argv),
            "writes": list(s.writes),
            "outputs": list(s.outputs),
            "files": [{"path": a.path, "content": a.content} for a in s.aux],
            "duration": float(s.duration) if s.duration is not None else None,
        }
        for i, s in enumerate(steps, 1)
    ]
    return json.dumps(data, indent=2, ensure_ascii=False)


def steps_sh(steps: Sequence[Step], source: str, workdir: str | None) -> str:
    """A runnable POSIX shell script doing what the export does."""
    import jinja2

    from tlc.core.version import VERSION

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tlc", "templates"),
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["q"] = shlex.quote
    env.filters["basename"] = os.path.basename
    env.filters["ext"] = lambda p: os.path.splitext(p)[1]
    # (a comment line ends at a line break: one in a file name would start a command)
    env.filters["comment"] = lambda text: re.sub(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", "?",
                                                 str(text))
    views = []
    for s in steps:
        temps = {file_url(o): file_url(o + ".tlc-tmp" + os.path.splitext(o)[1]) for o in s.outputs}
        argv = [temps.get(a, a) for a in s.argv]
        dirs = sorted({os.path.dirname(p) for p in (*s.writes, *(a.path for a in s.aux))})
        views.append(
            {
                "label": s.label,
                "writes": s.writes,
                "outputs": s.outputs,
                "dirs": [d for d in dirs if d and d != workdir],
                "aux": [{"path": a.path, "content": a.content, "end": _heredoc_end(a.content)}
                        for a in s.aux],
                "shell_argv": shlex.join(argv),
            }
        )
    return env.get_template("export.sh.j2").render(
        steps=views, version=VERSION, source=source, workdir=workdir
    )


def _heredoc_end(content: str) -> str:
    """A here-document's end word that no line of ``content`` is (a caption could be
    "TLC_EOF" on a line of its own, and end the file there)."""
    lines = set(content.splitlines())
    end, n = "TLC_EOF", 0
    while end in lines:
        n += 1
        end = f"TLC_EOF_{n}"
    return end


def plan_text(plan: Plan) -> list[str]:
    """A plan as lines: each run, its inputs, its graph (one chain a line), its outputs."""
    lines: list[str] = []
    steps = emit(plan, None, "ffmpeg")
    for i, s in enumerate(steps, 1):
        lines.append(f"run {i} ({s.label}): writes {', '.join(_short(w) for w in s.writes)}")
        argv = _without_whitelists(list(s.argv[1 + 5 :]))
        j = 0
        while j < len(argv):
            a = argv[j]
            if a in ("-filter_complex", "-/filter_complex", "-filter_complex_script"):
                graph = argv[j + 1]
                for aux in s.aux:
                    if aux.path == graph:
                        graph = aux.content
                for chain in re.split(r"(?<!\\);", graph):
                    lines.append(f"    graph: {chain}")
                j += 2
                continue
            if a == "-i":
                lines.append(f"    input: {_short(argv[j + 1])}")
                for aux in s.aux:  # a concat list: its entries
                    if file_url(aux.path) == argv[j + 1]:
                        lines += [f"      {_list_line(x)}" for x in aux.content.splitlines()[1:]]
                j += 2
                continue
            if a == "-map":
                lines.append(f"    map {argv[j + 1]}")
                j += 2
                continue
            opts = []
            while j < len(argv) and argv[j] not in (
                "-i",
                "-map",
                "-filter_complex",
                "-/filter_complex",
            ):
                opts.append(_short(argv[j]))
                j += 1
            lines.append("    " + " ".join(opts))
    return lines


def _list_line(line: str) -> str:
    """A concat list line with the file's directory left out (``file 'x.m4a'``)."""
    key, _, value = line.partition(" ")
    if key != "file":
        return line
    return f"file {shlex.quote(os.path.basename(shlex.split(value)[0]))}"


def _without_whitelists(argv: list[str]) -> list[str]:
    """``argv`` without ``-protocol_whitelist file``: every input has it, it says nothing."""
    out: list[str] = []
    for a in argv:
        if a == "file" and out and out[-1] == "-protocol_whitelist":
            out.pop()
        else:
            out.append(a)
    return out


def _short(arg: str) -> str:
    path = arg[5:] if arg.startswith("file:") else arg
    return os.path.basename(path) if os.path.isabs(path) else arg


def explain(naive: Plan, history: Sequence[tuple[str, Plan]], passes: Sequence[str]) -> str:
    """The naive plan, what each pass of ``passes`` changed (those not in ``history``
    were disabled), and the final plan."""
    out = []
    before = plan_text(naive)
    out.append(f"== naive plan: {_runs(before)} ==")
    out.extend(before)
    done = {name for name, _ in history}
    notes = len(naive.notes)
    for name, plan in history:
        after = plan_text(plan)
        diff = list(difflib.unified_diff(before, after, lineterm="", n=0))[2:]
        if diff:
            out.append(f"\n== {name}: changed, {_runs(before)} -> {_runs(after)} ==")
        else:
            out.append(f"\n== {name}: no change ==")
        out.extend(f"note: {n}" for n in plan.notes[notes:])
        out.extend(d for d in diff if not d.startswith("@@"))
        notes = len(plan.notes)
        before = after
    for name in passes:
        if name not in done:
            out.append(f"\n== {name}: disabled ==")
    out.append(f"\n== final plan: {_runs(before)} ==")
    out.extend(before)
    return "\n".join(out)


def _runs(lines: list[str]) -> str:
    n = sum(1 for line in lines if line.startswith("run "))
    return f"{n} ffmpeg run{'s' if n != 1 else ''}"
