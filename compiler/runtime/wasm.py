"""The wasm engine's side of a run: ffmpeg.wasm (:mod:`tlc.core.wasm`) sees the host's
files only through what its runner mounts, so each run is given a job that names them.

The argv stays what the emitter wrote (host paths, ``file:`` URLs): the runner
(``wasm/ffmpeg.mjs``) mounts every file at its own host path inside the wasm file
system, the reads read-only (WORKERFS over the host file, nothing copied) and the
writes as device nodes over the host files, so a temp file fills as ffmpeg writes,
and is renamed by :func:`tlc.runtime.run.execute` as for native ffmpeg.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping

from tlc.backend.emit import Step


def job_argv(step: Step, argv: list[str], temps: Mapping[str, str], where: str | None
             ) -> tuple[list[str], str]:
    """(the argv that runs ``argv`` in ffmpeg.wasm, the job file it reads): the job file
    is written in ``where`` (a work directory), else in the system's temp directory,
    and is the caller's to remove."""
    reads = list(dict.fromkeys((*step.inputs, *(a.path for a in step.aux))))
    writes = [temps.get(w, w) for w in step.writes]
    if where is not None:
        os.makedirs(where, exist_ok=True)
    fd, job = tempfile.mkstemp(prefix="wasm-job-", suffix=".json", dir=where)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"reads": [os.path.abspath(p) for p in reads],
                   "writes": [os.path.abspath(p) for p in writes]}, fh)
    return [argv[0], "--job", job, *argv[1:]], job
