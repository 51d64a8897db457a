"""``tlc print --format js``: the runs as an ES module that renders them with
ffmpeg.wasm (``@ffmpeg/ffmpeg``) in a browser or an Electron renderer.

A page has no host paths: each file the runs read from outside (media, fonts) is
mounted at ``/in/N/NAME`` from a File or Blob the page gives by name, the work
directory is ``/work`` and each output ``/out/NAME``; every host path in the argv and
in the files tlc writes (filter scripts, concat lists) is replaced by its place there.
The module's code is ``templates/render.mjs``; the plan is data in it.
"""

from __future__ import annotations

import json
import mimetypes
import os
from collections.abc import Sequence
from importlib import resources

from tlc.backend.emit import Step


def browser_plan(steps: Sequence[Step], workdir: str | None) -> dict[str, object]:
    """The runs with the page's paths: ``inputs``, ``steps`` (args, aux, duration),
    ``outputs``."""
    made = {w for s in steps for w in s.writes} | {a.path for s in steps for a in s.aux}
    outside = [p for p in dict.fromkeys(p for s in steps for p in s.inputs) if p not in made]
    places: dict[str, str] = {}
    inputs = []
    for i, path in enumerate(outside):
        name = os.path.basename(path)
        places[path] = f"/in/{i}/{name}"
        kind = "font" if name.lower().endswith((".ttf", ".otf", ".ttc")) else "media"
        inputs.append({"name": name, "path": path, "kind": kind})
    outputs = []
    for s in steps:
        for path in s.outputs:
            name = os.path.basename(path)
            places[path] = f"/out/{name}"
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            outputs.append({"name": name, "path": f"/out/{name}", "type": kind})
    if workdir:
        places[workdir.rstrip("/")] = "/work"
    order = sorted(places, key=len, reverse=True)

    def moved(text: str) -> str:
        for host in order:
            if host in text:
                text = text.replace(host, places[host])
        return text

    return {
        "inputs": inputs,
        "steps": [
            {
                "label": s.label,
                "args": [moved(a) for a in s.argv[1:]],
                "aux": [{"path": moved(a.path), "content": moved(a.content)} for a in s.aux],
                "duration": float(s.duration) if s.duration else None,
            }
            for s in steps
        ],
        "outputs": outputs,
    }


def steps_js(steps: Sequence[Step], source: str, workdir: str | None) -> str:
    """The ES module (see :mod:`tlc.backend.jsmodule`)."""
    from tlc.core.version import VERSION

    code = resources.files("tlc").joinpath("templates/render.mjs").read_text(encoding="utf-8")
    data = json.dumps(browser_plan(steps, workdir), indent=1, ensure_ascii=False)
    # (a comment: no line break or comment end from the file name)
    name = source.replace("*/", "*_").replace("\n", " ")
    code = code.replace("/*VERSION*/", VERSION).replace("/*SOURCE*/", name)
    return code.replace("/*PLAN*/", data)
